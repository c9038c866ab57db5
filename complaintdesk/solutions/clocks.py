"""Approval requests as SLA timers (kind `approval`, one clock per request: subject "A<id>").

Registered with `sla.services.clock_provider_register`, so every refresh of a case's deadlines keeps a
timer row for each pending request: the sweep warns the approver at the policy's warning share and, at
the due time, `services.approval_on_timer` expires the request and escalates. The due and warning times
are stored on the request when it is opened; here they are only read (one query). They are not the
case's own deadlines (`sla.clocks.RecordClocks`): the case's queue position does not move.
"""

from __future__ import annotations

from complaintdesk.sla.clocks import ClockContribution, RecordClocks
from complaintdesk.sla.models import TimerKind

from .models import ApprovalRequest, ApprovalStatus

APPROVAL_CLOCKS = RecordClocks(kind=TimerKind.APPROVAL, prefix="A")


def approval_of_subject(subject: str) -> int | None:
    return APPROVAL_CLOCKS.record_of(subject)


def approval_clocks(context) -> ClockContribution:
    complaint = context.complaint
    if not complaint.pk or not complaint.is_open:
        return ClockContribution()
    pending = ApprovalRequest.objects.filter(
        complaint_id=complaint.pk, status=ApprovalStatus.PENDING
    ).values_list("id", "requested_at", "due_at", "warn_at", "deadline_provisional")[:100]
    return APPROVAL_CLOCKS.contribution(pending)
