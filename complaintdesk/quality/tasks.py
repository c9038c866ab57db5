"""The periodic quality draw: a thin task around quality.services.quality_sample_draw."""

import datetime as dt

from django_tasks import default_task_backend, task

from complaintdesk.common.time import local_today, now
from complaintdesk.sla.models import SweepSchedule

from . import schedule
from .selectors import policy_current
from .services import quality_sample_draw


def last_period_draw(*, seed: str | None = None) -> dict:
    """Draw (or top up) the last complete period of the policy in force."""
    start, end = schedule.last_complete_period(today=local_today(), length=policy_current().period)
    return quality_sample_draw(period_start=start, period_end=end, seed=seed).as_dict()


@task()
def quality_sample_periodic(periodic: bool = False) -> dict:
    """Draw the last complete period; a periodic run then schedules tomorrow's if it holds the lease."""
    result = last_period_draw()
    at = now()
    if periodic and getattr(default_task_backend, "supports_defer", False) and schedule.lease_take(at=at):
        quality_sample_periodic.using(run_after=schedule.next_run_at(after=at)).enqueue(periodic=True)
    return result


def chain_start(*, at: dt.datetime) -> dt.datetime | None:
    """Schedule the next daily run unless a chain is already waiting; returns when it will run."""
    row = SweepSchedule.objects.filter(name=schedule.SCHEDULE_NAME).only("next_run_at").first()
    if row is not None and row.next_run_at > at - dt.timedelta(hours=1):
        return None
    run_at = schedule.next_run_at(after=at)
    SweepSchedule.objects.update_or_create(name=schedule.SCHEDULE_NAME, defaults={"next_run_at": run_at})
    quality_sample_periodic.using(run_after=run_at).enqueue(periodic=True)
    return run_at
