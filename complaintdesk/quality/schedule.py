"""When the periodic draw runs and which period it draws (pure date logic plus the chain's lease).

The draw runs once a day at QUALITY_SAMPLE_HOUR local (default 02:00) and draws the last complete
period of the policy (last week Monday–Sunday, or last calendar month). Drawing a period that was
already drawn only tops it up, so the daily run is harmless; the day after a period ends it picks up
the cases closed on its last evening. The chain keeps one copy alive through a `sla.SweepSchedule`
row, the same scheme as the SLA sweep and the escalation digest.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from complaintdesk.common.time import to_local
from complaintdesk.sla.models import SweepSchedule

from .models import PeriodLength

SCHEDULE_NAME = "quality_sample"


def last_complete_period(*, today: dt.date, length: str) -> tuple[dt.date, dt.date]:
    """The last whole week (Mon–Sun) or calendar month that ended before `today`."""
    if length == PeriodLength.WEEK:
        this_monday = today - dt.timedelta(days=today.weekday())
        return this_monday - dt.timedelta(days=7), this_monday - dt.timedelta(days=1)
    first_of_month = today.replace(day=1)
    last_end = first_of_month - dt.timedelta(days=1)
    return last_end.replace(day=1), last_end


def next_run_at(*, after: dt.datetime) -> dt.datetime:
    hour = int(getattr(settings, "QUALITY_SAMPLE_HOUR", 2))
    local = to_local(after)
    candidate = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    return candidate


def lease_take(*, at: dt.datetime) -> bool:
    """True for the one run that may schedule the next one; duplicated chains die out."""
    SweepSchedule.objects.get_or_create(name=SCHEDULE_NAME, defaults={"next_run_at": at})
    return bool(
        SweepSchedule.objects.filter(name=SCHEDULE_NAME, next_run_at__lte=at + dt.timedelta(hours=1)).update(
            next_run_at=next_run_at(after=at), last_run_at=at
        )
    )
