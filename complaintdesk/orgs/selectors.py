"""Reads of the organisation tree."""

from django.db.models import QuerySet

from .models import OrgUnit


def orgunit_subtree(*, unit: OrgUnit) -> QuerySet[OrgUnit]:
    """The unit and all its descendants (one indexed prefix query)."""
    return OrgUnit.objects.filter(path__startswith=unit.path)


def orgunit_subtree_ids(*, unit: OrgUnit) -> list[int]:
    return list(orgunit_subtree(unit=unit).values_list("id", flat=True))


def orgunit_ancestors(*, unit: OrgUnit) -> list[OrgUnit]:
    """From the root down to the unit itself, inclusive."""
    codes = [c for c in unit.path.split("/") if c]
    by_code = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def orgunit_get_by_code(*, code: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(code=code, is_active=True).first()
