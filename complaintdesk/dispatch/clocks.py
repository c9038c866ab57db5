"""Work-order deadlines as SLA timers (kind `work_order`, one clock per order: subject "W<id>").

Registered with `sla.services.clock_provider_register`, so every refresh of a case's deadlines keeps a
timer row for each unfinished order: the sweep warns at the policy's warning share and flags the order
overdue at its due time (`services.work_order_on_timer`). The due and warning times are computed on the
department's working calendar when the order is created and stored on it; here they are only read (one
query). They are not the case's own deadlines (`sla.clocks.RecordClocks`).
"""

from __future__ import annotations

from complaintdesk.sla.clocks import ClockContribution, RecordClocks
from complaintdesk.sla.models import TimerKind

from .models import UNFINISHED_STATUSES, WorkOrder

WORK_ORDER_CLOCKS = RecordClocks(kind=TimerKind.WORK_ORDER, prefix="W")


def work_order_of_subject(subject: str) -> int | None:
    return WORK_ORDER_CLOCKS.record_of(subject)


def work_order_clocks(context) -> ClockContribution:
    complaint = context.complaint
    if not complaint.pk or not complaint.is_open:
        return ClockContribution()
    unfinished = WorkOrder.objects.filter(
        complaint_id=complaint.pk, status__in=UNFINISHED_STATUSES
    ).values_list("id", "created_at", "due_at", "warn_at", "deadline_provisional")[:200]
    return WORK_ORDER_CLOCKS.contribution(unfinished)
