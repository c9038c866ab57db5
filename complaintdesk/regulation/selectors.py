"""Reads: which statutory pack applies to a case, its terms, and a case's statutory due dates."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from complaintdesk.calendars.selectors import calendar_for_unit
from complaintdesk.common.configcache import config_cached
from complaintdesk.common.errors import NotFound
from complaintdesk.common.names import english_wanted
from complaintdesk.common.time import to_local
from complaintdesk.orgs.models import OrgUnit

from . import deadlines
from .models import (
    CaseCode,
    ClassificationCode,
    ClassificationDimension,
    ClassificationScheme,
    DeadlinePack,
    PackSelection,
    RegulatorReferral,
    StatutoryExtension,
)

CACHE_AREA = "regulation"  # common.configcache: packs, rules, selections and the unit tree (RegulationConfig)


def any_pack_selected() -> bool:
    """Whether the organisation selected any pack at all (from this process's cache)."""
    return config_cached(CACHE_AREA, ("any",), lambda: PackSelection.objects.exists())


def pack_selection_for(*, unit: OrgUnit | None, category_id: int | None) -> PackSelection | None:
    """The most specific selection: the nearest unit first, a category-specific row before a general one at
    the same unit, the organisation default last; None when the organisation selected no pack. From this
    process's cache while no pack, rule, selection or unit has changed: the instance is shared, read it only."""
    codes = tuple(c for c in unit.path.split("/") if c) if unit is not None else ()
    return config_cached(
        CACHE_AREA,
        ("selection", codes, category_id),
        lambda: _pack_selection_load(codes=codes, category_id=category_id),
    )


def _pack_selection_load(*, codes: tuple[str, ...], category_id: int | None) -> PackSelection | None:
    if not any_pack_selected():
        return None
    rows = list(
        PackSelection.objects.filter(Q(org_unit__code__in=codes) | Q(org_unit__isnull=True))
        .filter(Q(category_id=category_id) | Q(category__isnull=True))
        .select_related("org_unit", "pack")
        .order_by("id")[:200]
    )

    def specificity(selection: PackSelection) -> tuple[int, int]:
        depth = codes.index(selection.org_unit.code) + 1 if selection.org_unit_id else 0
        return depth, 1 if selection.category_id else 0

    return max(rows, key=specificity) if rows else None


def pack_version_on(*, code: str, day: dt.date) -> DeadlinePack | None:
    """The active version of pack `code` in force on `day`: the latest effective_from on or before it (a
    version without a known date applies to any day, after every dated one that is in force). Cached."""
    return config_cached(CACHE_AREA, ("version", code, day), lambda: _pack_version_load(code=code, day=day))


def _pack_version_load(*, code: str, day: dt.date) -> DeadlinePack | None:
    candidates = list(
        DeadlinePack.objects.filter(code=code, is_active=True)
        .filter(Q(effective_from__lte=day) | Q(effective_from__isnull=True))
        .order_by("-version")[:50]
    )
    if not candidates:
        return None
    return max(
        candidates, key=lambda p: (p.effective_from is not None, p.effective_from or dt.date.min, p.version)
    )


def pack_terms(pack: DeadlinePack) -> deadlines.PackTerms:
    """The pack's rules as plain values (cached: immutable)."""
    return config_cached(
        CACHE_AREA,
        ("terms", pack.pk),
        lambda: deadlines.PackTerms(
            code=pack.code,
            version=pack.version,
            rules=tuple(rule.terms() for rule in pack.rules.all().order_by("sort_order", "id")),
        ),
    )


def pack_for(
    *, unit: OrgUnit | None, category_id: int | None, received_at: dt.datetime
) -> DeadlinePack | None:
    """The pack version that governs a case of `unit` and category received at `received_at`."""
    selection = pack_selection_for(unit=unit, category_id=category_id)
    if selection is None:
        return None
    return pack_version_on(code=selection.pack.code, day=to_local(received_at).date())


def complaint_statutory_dues(
    *, complaint, received_at: dt.datetime | None = None, calendar=None
) -> list[deadlines.StatutoryDue]:
    """The statutory due dates of a case under its pack ([] when none applies), counted from when the case
    was received (`Complaint.received_at`, or the `received_at` given); decided at its resolution. A case
    forwarded by a regulator (a `RegulatorReferral`) gets the pack's rules for forwarded cases too."""
    received_at = received_at or complaint.received_at
    pack = pack_for(unit=complaint.org_unit, category_id=complaint.category_id, received_at=received_at)
    if pack is None:
        return []
    terms = pack_terms(pack)
    extensions = ()
    forwarded = False
    if complaint.pk:
        if any(rule.extendable for rule in terms.rules):
            extensions = tuple(e.grant() for e in StatutoryExtension.objects.filter(complaint=complaint)[:20])
        if any(rule.condition is deadlines.Condition.FORWARDED for rule in terms.rules):
            forwarded = RegulatorReferral.objects.filter(complaint_id=complaint.pk).exists()
    return deadlines.statutory_due_dates(
        pack=terms,
        facts=deadlines.CaseFacts(
            received_at=received_at,
            complexity=complaint.complexity,
            decided_at=complaint.resolved_at,
            occurred_at=complaint.occurred_at,
            forwarded=forwarded,
        ),
        calendar=calendar or calendar_for_unit(unit=complaint.org_unit),
        extensions=extensions,
    )


# The clock that runs beside the organisation's SLA: the decision (作出处理决定), else the answer (答复用户).
CASE_CLOCKS = (deadlines.Clock.DECISION, deadlines.Clock.ANSWER)


def case_statutory_due(dues: list[deadlines.StatutoryDue]) -> deadlines.StatutoryDue | None:
    """Of a case's statutory due dates, the one that is the case's own clock (decision, else answer)."""
    for clock in CASE_CLOCKS:
        found = [d for d in dues if d.clock is clock]
        if found:
            return min(found, key=lambda d: d.due_at)
    return None


def complaint_codes(*, complaint_id: int) -> list[CaseCode]:
    return list(
        CaseCode.objects.filter(complaint_id=complaint_id)
        .select_related("dimension", "code", "confirmed_by")
        .order_by("dimension__sort_order", "dimension__code")[:20]
    )


def scheme_active(*, code: str | None = None) -> ClassificationScheme:
    """The active version of scheme `code`, or the only active scheme when no code is given."""
    schemes = ClassificationScheme.objects.filter(is_active=True)
    if code:
        schemes = schemes.filter(code=code)
    found = list(schemes.order_by("code")[:2])
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFound(_("没有启用的监管分类标准。"))
    raise NotFound(_("启用的监管分类标准不止一个，请指定要使用的标准。"))


def scheme_choices(
    *, scheme: ClassificationScheme
) -> list[tuple[ClassificationDimension, list[ClassificationCode]]]:
    """Each dimension of `scheme` with the codes a case may be given (the most specific ones), in order."""
    codes = list(
        ClassificationCode.objects.filter(dimension__scheme=scheme)
        .select_related("parent")
        .order_by("code")[:5000]
    )
    with_children = {c.parent_id for c in codes if c.parent_id}
    leaves: dict[int, list[ClassificationCode]] = {}
    for code in codes:
        if code.pk not in with_children:
            leaves.setdefault(code.dimension_id, []).append(code)
    return [(d, leaves.get(d.pk, [])) for d in scheme.dimensions.all().order_by("sort_order", "code")]


def complaint_pack(*, complaint) -> DeadlinePack | None:
    return pack_for(
        unit=complaint.org_unit, category_id=complaint.category_id, received_at=complaint.received_at
    )


def complaint_pack_name(*, complaint) -> str:
    """The name of the pack that governs the case, in the reader's language ("" when none)."""
    pack = complaint_pack(complaint=complaint)
    if pack is None:
        return ""
    return pack.name_en if english_wanted() and pack.name_en else pack.name
