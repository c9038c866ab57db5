"""Reads: the working calendar that applies to an org unit.

Cached per process (common.configcache, area "calendars"): entries, business hours and the unit tree
are watched (apps.py), so an administrator's edit is seen by the next request of every process.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from complaintdesk.common.configcache import config_cached

from .models import BusinessHours, CalendarEntry, EntryKind
from .workdays import WorkCalendar

if TYPE_CHECKING:
    from complaintdesk.orgs.models import OrgUnit

_ORGANISATION = -1  # rank of organisation-wide rows: below every unit
CACHE_AREA = "calendars"


def _ancestor_codes(unit: OrgUnit | None) -> list[str]:
    """Codes from the root down to the unit itself, read from its materialised path."""
    if unit is None:
        return []
    codes = [code for code in (unit.path or "").split("/") if code]
    return codes or [unit.code]


def calendar_for_unit(*, unit: OrgUnit | None) -> WorkCalendar:
    """The calendar of `unit` (None = the organisation's default): from this process's cache while the
    calendar configuration is unchanged, else loaded (`calendar_load`). WorkCalendar is immutable."""
    codes = tuple(_ancestor_codes(unit))
    return config_cached(CACHE_AREA, (codes, settings.TIME_ZONE), lambda: calendar_load(codes=codes))


def calendar_load(*, codes: tuple[str, ...] | list[str]) -> WorkCalendar:
    """The calendar of the unit whose ancestor codes (root first, the unit last) are `codes`, in two queries.

    Entries of the organisation, of every ancestor and of the unit itself all apply; when several
    speak about the same day the nearest one wins (the unit's own, then its parent's, …, then the
    organisation's). Business hours come from the nearest unit that has them, else the
    organisation default, else the whole day.
    """
    rank = {code: depth for depth, code in enumerate(codes)}
    scope = Q(org_unit__isnull=True) | Q(org_unit__code__in=codes)

    nearest_entry: dict[dt.date, tuple[int, str]] = {}
    for code, day, kind in CalendarEntry.objects.filter(scope).values_list("org_unit__code", "day", "kind"):
        entry_rank = _ORGANISATION if code is None else rank[code]
        if day not in nearest_entry or entry_rank > nearest_entry[day][0]:
            nearest_entry[day] = (entry_rank, kind)

    business_hours: tuple[tuple[dt.time, dt.time], ...] = ()
    best_rank: int | None = None
    for hours in BusinessHours.objects.filter(scope).select_related("org_unit").order_by("pk"):
        hours_rank = _ORGANISATION if hours.org_unit is None else rank[hours.org_unit.code]
        if best_rank is None or hours_rank > best_rank:
            best_rank, business_hours = hours_rank, hours.periods()

    return WorkCalendar(
        tz=ZoneInfo(settings.TIME_ZONE),
        business_hours=business_hours,
        closures=frozenset(day for day, (_, kind) in nearest_entry.items() if kind == EntryKind.CLOSURE),
        extra_workdays=frozenset(
            day for day, (_, kind) in nearest_entry.items() if kind == EntryKind.WORKDAY
        ),
    )
