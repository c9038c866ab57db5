"""Setting a case's deadlines and pausing its clocks. Called inside the complaint services' transactions."""

import datetime as dt

from complaintdesk.calendars.selectors import calendar_for_unit

from .deadlines import CaseClockFacts, compute_deadlines
from .models import SlaPause
from .selectors import policy_terms, sla_policy_for


def complaint_deadlines_refresh(*, complaint, at: dt.datetime) -> None:
    """Recompute the stored due times from the case's facts (no save; the caller saves)."""
    policy = sla_policy_for(unit=complaint.org_unit, category_id=complaint.category_id)
    pauses = ()
    if complaint.pk:
        pauses = tuple(
            SlaPause.objects.filter(complaint=complaint, ended_at__isnull=False)
            .order_by("started_at")
            .values_list("started_at", "ended_at")[:500]
        )
    facts = CaseClockFacts(
        created_at=complaint.created_at,
        severity=complaint.severity,
        complexity=complaint.complexity,
        is_open=complaint.is_open,
        first_responded=complaint.first_responded_at is not None,
        acknowledged=complaint.acknowledged_at is not None,
        resolution_started_at=complaint.reopened_at or complaint.created_at,
        pauses=pauses,
    )
    deadlines = compute_deadlines(facts=facts, terms=policy_terms(policy), calendar=calendar_for_unit(unit=complaint.org_unit))
    complaint.first_response_due_at = deadlines.first_response_due_at
    complaint.acknowledge_due_at = deadlines.acknowledge_due_at
    complaint.resolution_due_at = deadlines.resolution_due_at
    complaint.deadline_provisional = deadlines.provisional
    complaint.due_at = deadlines.due_at


def complaint_sla_pause(*, complaint, at: dt.datetime) -> None:
    """Stop the clocks while the case waits for the customer, when the policy says so."""
    policy = sla_policy_for(unit=complaint.org_unit, category_id=complaint.category_id)
    if not policy.pause_while_awaiting_customer or complaint.sla_paused_at is not None:
        return
    SlaPause.objects.create(complaint=complaint, started_at=at)
    complaint.sla_paused_at = at


def complaint_sla_resume(*, complaint, at: dt.datetime) -> None:
    SlaPause.objects.filter(complaint=complaint, ended_at__isnull=True).update(ended_at=at)
    complaint.sla_paused_at = None
