"""Thin tasks of the outreach app: the after-intake step that links a new case to its incident, and the
periodic jobs (due care campaigns; outreach messages whose delivery job was lost)."""

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from complaintdesk.tasks.intake import after_intake_settle, outbox_claim
from complaintdesk.tasks.periodic import periodic, recovery_interval

from .care import campaigns_run_due
from .delivery import outreach_retry_due
from .services import complaint_incident_match

CARE_JOB = "outreach-care"
RETRY_JOB = "outreach-retry"


@task()
def incident_match_after_intake(complaint_id: int) -> str:
    """Registered in OutreachConfig.ready(). The analysis first (the category is one of the things an incident
    is matched on), then the link and the explanation in the step's own claim: once per case."""
    after_intake_settle(complaint_id)
    with outbox_claim(task_obj=incident_match_after_intake, complaint_id=complaint_id) as mine:
        if not mine:
            return "done already or running elsewhere"
        link = complaint_incident_match(complaint_id=complaint_id)
    return "linked" if link else "no incident"


def care_interval() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "OUTREACH_CARE_INTERVAL_MINUTES", 15)))


@periodic(CARE_JOB, label=_("客户关怀消息"), every=care_interval)
def care_periodic() -> dict:
    return campaigns_run_due()


@periodic(RETRY_JOB, label=_("主动消息重发"), every=recovery_interval)
def outreach_retry_periodic() -> dict:
    return {"queued": outreach_retry_due()}
