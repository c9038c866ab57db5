"""A user's scope: the units whose complaints they see — their own unit and its descendants, or all
of them when their role grants `view_all_units`. Complaints themselves are loaded through
complaints.access (access_complaint, complaints_visible_to), the only authorised fetch.
"""

from django.db.models import QuerySet

from complaintdesk.orgs.models import OrgUnit
from complaintdesk.orgs.selectors import orgunit_subtree, orgunit_subtree_ids


def user_sees_all_units(user) -> bool:
    return user.has_perm("complaints.view_all_units")


def user_unit_ids(user) -> list[int] | None:
    """Ids of the units whose complaints the user may see; None means every unit."""
    if user_sees_all_units(user):
        return None
    if user.org_unit_id is None:
        return []
    return orgunit_subtree_ids(unit=user.org_unit)


def unit_visible_to(user, unit: OrgUnit) -> bool:
    """Whether `unit` is in the user's scope, without a query (the user's own unit is loaded with them)."""
    if user_sees_all_units(user):
        return True
    return user.org_unit_id is not None and unit.path.startswith(user.org_unit.path)


def units_visible_to(user) -> QuerySet[OrgUnit]:
    if user_sees_all_units(user):
        return OrgUnit.objects.filter(is_active=True)
    if user.org_unit_id is None:
        return OrgUnit.objects.none()
    return orgunit_subtree(unit=user.org_unit).filter(is_active=True)
