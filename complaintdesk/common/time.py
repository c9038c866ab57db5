"""The one place the current time comes from, and conversions at the edges."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def now() -> dt.datetime:
    """Aware UTC now. Tests freeze this, not datetime."""
    return timezone.now()


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def to_local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(local_zone())


def local_today() -> dt.date:
    return to_local(now()).date()


# The days the product works with. No complaint, deadline or report lies outside them, and arithmetic on
# them (a day's end in UTC, the day after) stays inside what dates and databases hold: near year 1 or 9999
# it overflows.
DAY_EARLIEST = dt.date(2000, 1, 1)
DAY_LATEST = dt.date(2099, 12, 31)

_DAY_AS_TYPED = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def day_as_typed(text: str) -> dt.date | None:
    """A day typed by a person the way Chinese users write one — 2026-12-01, 2026/12/1, 2026.12.1,
    2026年12月1日 (year first, always) — or None when it is not one (11/20/2026 is refused, not guessed)."""
    found = _DAY_AS_TYPED.match(text or "")
    if found is None:
        return None
    try:
        return dt.date(*(int(part) for part in found.groups()))
    except ValueError:
        return None
