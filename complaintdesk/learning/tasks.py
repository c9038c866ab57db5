"""The learning app's periodic job: remind a handler who has not answered whether their case may be a
training case, and let the question expire (telling whoever chose it) — learning.services."""

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from complaintdesk.tasks.periodic import periodic

from .services import consent_reminders_send

REMINDER_JOB = "learning-consent-reminders"


def reminder_time() -> dt.time:
    """Local time of day of the run (LEARNING_CONSENT_REMINDER_HOUR, 9): a reminder arrives at work."""
    return dt.time(hour=int(getattr(settings, "LEARNING_CONSENT_REMINDER_HOUR", 9)))


@periodic(REMINDER_JOB, label=_("培训案例同意提醒"), daily_at=reminder_time)
def consent_reminders_periodic() -> dict:
    return consent_reminders_send()
