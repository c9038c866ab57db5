"""When the periodic draw runs and which period it draws (pure date logic).

The draw runs once a day at QUALITY_SAMPLE_HOUR local (default 02:00) and draws the last complete
period of the policy (last week Monday–Sunday, or last calendar month). Drawing a period that was
already drawn only tops it up, so the daily run is harmless; the day after a period ends it picks up
the cases closed on its last evening. It is a periodic job of `tasks.periodic` ("quality-sample",
quality/tasks.py), like the SLA sweep and the escalation digest.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from .models import PeriodLength


def last_complete_period(*, today: dt.date, length: str) -> tuple[dt.date, dt.date]:
    """The last whole week (Mon–Sun) or calendar month that ended before `today`."""
    if length == PeriodLength.WEEK:
        this_monday = today - dt.timedelta(days=today.weekday())
        return this_monday - dt.timedelta(days=7), this_monday - dt.timedelta(days=1)
    first_of_month = today.replace(day=1)
    last_end = first_of_month - dt.timedelta(days=1)
    return last_end.replace(day=1), last_end


def sample_time() -> dt.time:
    """When the daily draw runs: QUALITY_SAMPLE_HOUR:00 local (default 02:00)."""
    return dt.time(hour=int(getattr(settings, "QUALITY_SAMPLE_HOUR", 2)))
