"""Reads of work orders. Who sees an order: the staff of its department (and of the units above it), and
whoever sees its case (accounts.access). Outside that an order does not exist for the user (404).

The department's staff do not see the case itself through accounts.access (it belongs to a store or a
branch, not to their department): `work_order_case` is their one way in, scoped to what the order needs
(see its docstring)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from complaintdesk.accounts.access import user_unit_ids
from complaintdesk.common.errors import NotFound
from complaintdesk.common.masking import mask_name, mask_phone
from complaintdesk.common.time import now
from complaintdesk.complaints.access import complaints_visible_to
from complaintdesk.complaints.models import Attachment, Complaint
from complaintdesk.orgs.models import OrgUnit, UnitKind

from .models import UNFINISHED_STATUSES, WorkOrder, WorkOrderStatus

LIST_LIMIT = 100
# How long after its order ended the department may still read the case (to answer a question about what
# it did); the contact phone is masked as soon as the order ends.
CASE_VIEW_DAYS_AFTER_FINISH = 30


def work_orders_visible_to(user) -> QuerySet[WorkOrder]:
    if not user.is_active:
        return WorkOrder.objects.none()
    unit_ids = user_unit_ids(user)
    if unit_ids is None:
        return WorkOrder.objects.all()
    case_visible = complaints_visible_to(user).filter(pk=OuterRef("complaint_id"))
    return WorkOrder.objects.filter(Q(department_id__in=unit_ids) | Exists(case_visible))


def user_in_department(*, user, department_id: int) -> bool:
    """A member of the department or of a unit inside it (the department's own queue)."""
    if user.org_unit_id is None:
        return False
    if user.org_unit_id == department_id:
        return True
    department = OrgUnit.objects.filter(pk=department_id).only("path").first()
    return department is not None and user.org_unit.path.startswith(department.path)


def work_order_for_user(*, user, work_order_id: int, for_update: bool = False) -> WorkOrder:
    rows = work_orders_visible_to(user).select_related(
        "complaint", "department", "owner", "created_by", "finished_by"
    )
    if for_update:
        rows = rows.select_for_update(of=("self",))
    order = rows.filter(pk=work_order_id).first()
    if order is None:
        raise NotFound(_("派工单 %(id)s 不存在") % {"id": work_order_id})
    return order


def work_orders_for_case(*, complaint) -> list[WorkOrder]:
    """All the case's orders (the case page shows them all), oldest first. One query."""
    return list(
        WorkOrder.objects.filter(complaint=complaint)
        .select_related("department", "owner", "created_by", "finished_by")
        .order_by("created_at", "id")[:200]
    )


def work_orders_unfinished_count(*, complaint_id: int) -> int:
    return WorkOrder.objects.filter(complaint_id=complaint_id, status__in=UNFINISHED_STATUSES).count()


@dataclass(frozen=True)
class QueueFilters:
    status: tuple[str, ...] = ()  # empty: unfinished (open and accepted)
    mine: bool = False  # owned by the user
    overdue: bool = False  # unfinished and past the deadline
    department: str = ""  # a department's code (and the units inside it)


def work_order_queue(*, user, filters: QueueFilters = QueueFilters(), limit: int = 50) -> list[WorkOrder]:
    """The orders a user works on or watches, nearest deadline first: for department staff their
    department's queue; for others the orders of the cases they see. Bounded; one query."""
    rows = work_orders_visible_to(user)
    statuses = [s for s in filters.status if s in WorkOrderStatus.values] or list(UNFINISHED_STATUSES)
    rows = rows.filter(status__in=statuses)
    if filters.mine:
        rows = rows.filter(owner=user)
    if filters.overdue:
        rows = rows.filter(status__in=UNFINISHED_STATUSES, due_at__lte=now())
    if filters.department:
        department = OrgUnit.objects.filter(code=filters.department).only("path").first()
        rows = rows.filter(department__path__startswith=department.path) if department else rows.none()
    return list(
        rows.select_related("complaint", "department", "owner").order_by("due_at", "id")[
            : min(max(limit, 1), LIST_LIMIT)
        ]
    )


def departments_for_dispatch(*, limit: int = 200) -> list[OrgUnit]:
    """Where a case may be dispatched: every active department unit."""
    return list(OrgUnit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by("path")[:limit])


def is_overdue(order: WorkOrder, *, at: dt.datetime | None = None) -> bool:
    return order.status in UNFINISHED_STATUSES and order.due_at <= (at or now())


# --- the department's view of a dispatched case --------------------------------------------------------


@dataclass(frozen=True)
class WorkOrderCase:
    """What a department needs to do its order, and no more: the case's description, demand, place,
    product, the contact (name masked; phone whole only while the order is unfinished), the attachments;
    and the order itself. Read-only: the department acts on the order, never on the case."""

    order: WorkOrder
    complaint: Complaint
    contact_name: str
    phone: str  # whole (E.164) while the order is open, masked after; "" when the case has none
    phone_masked: bool
    attachments: list[Attachment]
    department_side: bool  # the user works for the order's department (accept, complete, send back)
    case_visible: bool  # the user also sees the whole case (accounts.access): link to the case page


def work_order_department_side(*, user, order: WorkOrder) -> bool:
    """The order's owner, or a member of its department or of a unit inside it (no query: the order comes
    with its department, the user with their unit)."""
    if order.owner_id == user.pk:
        return True
    if user.org_unit_id is None:
        return False
    return user.org_unit_id == order.department_id or user.org_unit.path.startswith(order.department.path)


def _still_relevant(order: WorkOrder, *, at: dt.datetime) -> bool:
    if order.status in UNFINISHED_STATUSES:
        return True
    return order.finished_at is not None and at - order.finished_at <= dt.timedelta(
        days=CASE_VIEW_DAYS_AFTER_FINISH
    )


def work_order_case(*, user, work_order_id: int) -> WorkOrderCase:
    """The case as the order's department sees it: the one access rule for department staff.

    Allowed to the staff of the order's department (and its owner) while the order is unfinished and for
    CASE_VIEW_DAYS_AFTER_FINISH days after it ended; the phone is whole only while it is unfinished. Users
    who see the case anyway (accounts.access) get the same view with the phone as they see it elsewhere.
    Anyone else, or later: NotFound (the case does not exist for them)."""
    order = work_order_for_user(user=user, work_order_id=work_order_id)
    at = now()
    department_side = work_order_department_side(user=user, order=order)
    case_side = complaints_visible_to(user).filter(pk=order.complaint_id).exists()
    if not case_side and not (department_side and _still_relevant(order, at=at)):
        raise NotFound(_("派工单 %(id)s 不存在") % {"id": work_order_id})
    complaint = Complaint.objects.select_related("customer", "org_unit", "category", "assignee").get(
        pk=order.complaint_id
    )
    customer = complaint.customer
    phone = complaint.contact_phone or customer.phone or ""  # the number given with this case first
    if case_side:
        whole = user.has_perm("complaints.view_personal_data") or (
            department_side and order.status in UNFINISHED_STATUSES
        )
    else:
        whole = order.status in UNFINISHED_STATUSES
    return WorkOrderCase(
        order=order,
        complaint=complaint,
        contact_name=(
            _("%(surname)s%(title)s") % {"surname": customer.name[:1], "title": customer.get_title_display()}
            if customer.title
            else mask_name(customer.name)
        ),
        phone=phone if whole or not phone else mask_phone(phone),
        phone_masked=bool(phone) and not whole,
        attachments=list(complaint.attachments.order_by("uploaded_at", "id")[:50]),
        department_side=department_side,
        case_visible=case_side,
    )


def work_orders_openable(*, user, orders: list[WorkOrder]) -> set[int]:
    """Ids of `orders` whose page (work_order_case) the user may open, so that a list links only those:
    still relevant to their department, or of a case the user sees anyway. One query at most."""
    at = now()
    openable = {
        o.pk for o in orders if work_order_department_side(user=user, order=o) and _still_relevant(o, at=at)
    }
    rest = [o for o in orders if o.pk not in openable]
    if rest:
        visible = set(
            complaints_visible_to(user)
            .filter(pk__in={o.complaint_id for o in rest})
            .values_list("pk", flat=True)
        )
        openable |= {o.pk for o in rest if o.complaint_id in visible}
    return openable


def work_order_attachment(*, user, work_order_id: int, attachment_id: int) -> Attachment:
    """An attachment of the order's case, under work_order_case's rule."""
    seen = work_order_case(user=user, work_order_id=work_order_id)
    attachment = next((a for a in seen.attachments if a.pk == attachment_id), None)
    if attachment is None:
        raise NotFound(_("附件不存在"))
    return attachment


def work_order_for_case_number(*, user, number: str) -> WorkOrder | None:
    """The order through which a department member reads case `number` (its newest one still relevant to
    them), or None: where the case page sends department staff instead of a 404."""
    at = now()
    rows = (
        WorkOrder.objects.filter(complaint__number=number)
        .select_related("department")
        .order_by("-created_at", "-id")[:20]
    )
    for order in rows:
        if work_order_department_side(user=user, order=order) and _still_relevant(order, at=at):
            return order
    return None
