"""Reads of the organisation tree."""

from django.db.models import QuerySet

from complaintdesk.common.configcache import config_cached

from .models import OrgUnit

CACHE_AREA = "orgs"  # common.configcache: the unit tree, changed whenever an OrgUnit is saved or deleted


def orgunit_active_by_code(code: str) -> OrgUnit | None:
    """The active unit with this code, from the process's cache of the unit tree (one token query per
    request instead of a lookup). Shared by every caller of the process: read it, never change it."""
    return config_cached(
        CACHE_AREA, ("active-code", code), lambda: OrgUnit.objects.filter(code=code, is_active=True).first()
    )


def orgunits_active_of_kind(kind: str) -> tuple[OrgUnit, ...]:
    """The active units of one kind in tree order, from the process's cache of the unit tree (no query per
    intake for, e.g., the customer service centre). Shared: read them, never change them."""
    return config_cached(
        CACHE_AREA,
        ("active-kind", kind),
        lambda: tuple(OrgUnit.objects.filter(kind=kind, is_active=True).order_by("path")),
    )


def orgunit_subtree(*, unit: OrgUnit) -> QuerySet[OrgUnit]:
    """The unit and all its descendants (one indexed prefix query)."""
    return OrgUnit.objects.filter(path__startswith=unit.path)


def orgunit_subtree_ids(*, unit: OrgUnit) -> list[int]:
    """Ids of the unit and its descendants, from the process's cache of the unit tree (invalidated whenever
    a unit is saved or deleted): a user's scope costs no query per request."""
    ids = config_cached(
        CACHE_AREA,
        ("subtree-ids", unit.path),
        lambda: tuple(orgunit_subtree(unit=unit).values_list("id", flat=True)),
    )
    return list(ids)


def orgunit_ancestors(*, unit: OrgUnit) -> list[OrgUnit]:
    """From the root down to the unit itself, inclusive."""
    codes = [c for c in unit.path.split("/") if c]
    by_code = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def orgunit_get_by_code(*, code: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(code=code, is_active=True).first()


def orgunit_names() -> dict[str, str]:
    """{name: English name} of every unit that has one, the same dict while the unit tree is unchanged:
    what common.catalogue_text uses to show a unit named in a stored sentence in the reader's language."""
    return config_cached(
        CACHE_AREA,
        "names",
        lambda: dict(OrgUnit.objects.exclude(name_en="").values_list("name", "name_en")),
    )
