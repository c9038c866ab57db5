"""The one place the current time comes from, and conversions at the edges."""

import datetime as dt
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
