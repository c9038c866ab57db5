"""The periodic quality draw: a thin task around quality.services.quality_sample_draw."""

from django_tasks import default_task_backend, task

from complaintdesk.common.time import local_today, now

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
