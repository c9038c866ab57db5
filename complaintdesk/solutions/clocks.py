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
from complaintdesk.sla.timers import case_records, case_records_load

from .models import ApprovalRequest, ApprovalStatus

APPROVAL_CLOCKS = RecordClocks(kind=TimerKind.APPROVAL, prefix="A")
RECORDS_KEY = "solutions.pending_approvals"
FIELDS = ("id", "requested_at", "due_at", "warn_at", "deadline_provisional")


def approval_of_subject(subject: str) -> int | None:
    return APPROVAL_CLOCKS.record_of(subject)


def approval_clocks(context) -> ClockContribution:
    complaint = context.complaint
    if not complaint.pk or not complaint.is_open:
        return ClockContribution()
    pending = case_records(
        key=RECORDS_KEY,
        complaint_id=complaint.pk,
        load=lambda: ApprovalRequest.objects.filter(
            complaint_id=complaint.pk, status=ApprovalStatus.PENDING
        ).values_list(*FIELDS)[:100],
    )
    return APPROVAL_CLOCKS.contribution(pending)


def approvals_batch_load(timers: list) -> None:
    """The start of an SLA batch (sla.timers.batch_start_register): the pending requests of all its cases in
    one query, except cases whose approval timer is being handled (that handler changes them)."""

    def load(ids: list[int]):
        rows = ApprovalRequest.objects.filter(complaint_id__in=ids, status=ApprovalStatus.PENDING)
        for complaint_id, *row in rows.order_by("id").values_list("complaint_id", *FIELDS):
            yield complaint_id, tuple(row)

    case_records_load(key=RECORDS_KEY, timers=timers, load=load, written_by=(TimerKind.APPROVAL,), limit=100)
