"""The only way to load complaints on behalf of a user.

Scope: a user sees the complaints of their own unit and its descendants, or all of them when
their role grants `view_all_units` (the unit scope is accounts.access). A suggestion routed to the unit
that owns its subject (`owner_unit`, complaints.contacts.suggestion_route) is also in that unit's scope:
the owner unit opens it, is assigned it and closes it, while the unit that took it keeps seeing it. Outside the scope a complaint
does not exist for them (404), so that case numbers cannot be probed; inside it, a missing permission
is a 403.
"""

from django.db import connections
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from complaintdesk.accounts.access import unit_visible_to, user_unit_ids
from complaintdesk.common.errors import NotFound, PermissionDenied

from .models import Complaint


def complaints_visible_to(user) -> QuerySet[Complaint]:
    if not (user.is_active and user.has_perm("complaints.view_complaint")):
        return Complaint.objects.none()
    unit_ids = user_unit_ids(user)
    qs = Complaint.objects.all()
    if unit_ids is None:
        return qs
    return qs.filter(Q(org_unit_id__in=unit_ids) | Q(owner_unit_id__in=unit_ids))


def complaints_visible_where(user, *, alias: str) -> tuple[str, list] | None:
    """The scope of `complaints_visible_to(user)` as a condition on the complaints table named `alias`, for a
    statement written out (common.fastsql): `(sql, params)`, `("", [])` when every case is in scope, None
    when none is."""
    if not (user.is_active and user.has_perm("complaints.view_complaint")):
        return None
    unit_ids = user_unit_ids(user)
    if unit_ids is None:
        return "", []
    if not unit_ids:
        return None
    connection = connections["default"]
    quote = connection.ops.quote_name
    unit, owner = (
        f"{alias}.{quote(Complaint._meta.get_field(name).column)}" for name in ("org_unit", "owner_unit")
    )
    if connection.vendor == "postgresql":  # one parameter, whatever the number of units: one statement text
        return f"({unit} = ANY(%s) OR {owner} = ANY(%s))", [unit_ids, unit_ids]
    marks = ", ".join(["%s"] * len(unit_ids))
    return f"({unit} IN ({marks}) OR {owner} IN ({marks}))", [*unit_ids, *unit_ids]


def complaint_visible_to(user, complaint: Complaint) -> bool:
    """Whether `user` may see this case, without a query when the user's and the case's units are loaded
    (the same scope as `complaints_visible_to`: the user's unit and everything under it)."""
    if not (user.is_active and user.has_perm("complaints.view_complaint")):
        return False
    if unit_visible_to(user, complaint.org_unit):
        return True
    return complaint.owner_unit_id is not None and unit_visible_to(user, complaint.owner_unit)


def access_complaint(
    *, user, number: str, permission: str | None = None, for_update: bool = False
) -> Complaint:
    """The complaint `number` if `user` may see it (else NotFound) and, when given, holds the
    complaint permission codename `permission` (else PermissionDenied)."""
    qs = complaints_visible_to(user).select_related("customer", "org_unit", "category", "assignee")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    complaint = qs.filter(number=number).first()
    if complaint is None:
        raise NotFound(_("投诉单 %(number)s 不存在") % {"number": number})
    if permission and not user.has_perm(f"complaints.{permission}"):
        raise PermissionDenied(_("您没有权限执行此操作"), code="permission_denied")
    return complaint
