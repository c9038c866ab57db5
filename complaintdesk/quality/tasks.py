"""The periodic quality draw: a periodic job of `tasks.periodic` around quality.services.quality_sample_draw,
daily at QUALITY_SAMPLE_HOUR:00 local (drawing a period again only tops it up, so a rerun is harmless)."""

from django.utils.translation import gettext_lazy as _

from complaintdesk.common.time import local_today
from complaintdesk.tasks.periodic import periodic

from . import schedule
from .selectors import policy_current
from .services import quality_sample_draw

SAMPLE_JOB = "quality-sample"


def last_period_draw(*, seed: str | None = None) -> dict:
    """Draw (or top up) the last complete period of the policy in force."""
    start, end = schedule.last_complete_period(today=local_today(), length=policy_current().period)
    return quality_sample_draw(period_start=start, period_end=end, seed=seed).as_dict()


@periodic(SAMPLE_JOB, label=_("质检抽样"), daily_at=schedule.sample_time)
def quality_sample_periodic() -> dict:
    """Draw the last complete period."""
    return last_period_draw()
