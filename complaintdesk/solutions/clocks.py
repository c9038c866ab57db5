"""Approval requests as SLA timers (kind `approval`, one clock per request: subject "A<id>").

Registered with `sla.services.clock_provider_register`, so every refresh of a case's deadlines keeps a
timer row for each pending request: the sweep warns the approver at the policy's warning share and, at
the due time, `services.approval_on_timer` expires the request and escalates. The due and warning times
are stored on the request when it is opened; here they are only read (one query). They are not the
case's own deadlines (`counts_for_due_at=False`): the case's queue position does not move.
"""

from __future__ import annotations

from complaintdesk.sla.clocks import ClockContribution, TimerSpec
from complaintdesk.sla.models import TimerKind

from .models import ApprovalRequest, ApprovalStatus

SUBJECT_PREFIX = "A"


def approval_subject(approval_id: int) -> str:
    return f"{SUBJECT_PREFIX}{approval_id}"


def approval_of_subject(subject: str) -> int | None:
    rest = subject[len(SUBJECT_PREFIX) :] if subject.startswith(SUBJECT_PREFIX) else ""
    return int(rest) if rest.isdigit() else None


def approval_clocks(context) -> ClockContribution:
    complaint = context.complaint
    if not complaint.pk or not complaint.is_open:
        return ClockContribution()
    pending = ApprovalRequest.objects.filter(
        complaint_id=complaint.pk, status=ApprovalStatus.PENDING
    ).values_list("id", "requested_at", "due_at", "warn_at", "deadline_provisional")[:100]
    return ClockContribution(
        timers=tuple(
            TimerSpec(
                kind=TimerKind.APPROVAL,
                subject=approval_subject(approval_id),
                started_at=requested_at,
                due_at=due_at,
                warn_at=warn_at,
                provisional=provisional,
                counts_for_due_at=False,
            )
            for approval_id, requested_at, due_at, warn_at, provisional in pending
        )
    )
