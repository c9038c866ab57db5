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
from complaintdesk.sla.timers import case_records, case_records_load

from .models import UNFINISHED_STATUSES, WorkOrder

WORK_ORDER_CLOCKS = RecordClocks(kind=TimerKind.WORK_ORDER, prefix="W")
RECORDS_KEY = "dispatch.unfinished_orders"
FIELDS = ("id", "created_at", "due_at", "warn_at", "deadline_provisional")


def work_order_of_subject(subject: str) -> int | None:
    return WORK_ORDER_CLOCKS.record_of(subject)


def work_order_clocks(context) -> ClockContribution:
    complaint = context.complaint
    if not complaint.pk or not complaint.is_open:
        return ClockContribution()
    unfinished = case_records(
        key=RECORDS_KEY,
        complaint_id=complaint.pk,
        load=lambda: WorkOrder.objects.filter(
            complaint_id=complaint.pk, status__in=UNFINISHED_STATUSES
        ).values_list(*FIELDS)[:200],
    )
    return WORK_ORDER_CLOCKS.contribution(unfinished)


def work_orders_batch_load(timers: list) -> None:
    """The start of an SLA batch (sla.timers.batch_start_register): the unfinished orders of all its cases
    in one query, except cases whose work-order timer is being handled (that handler changes them)."""

    def load(ids: list[int]):
        rows = WorkOrder.objects.filter(complaint_id__in=ids, status__in=UNFINISHED_STATUSES)
        for complaint_id, *row in rows.order_by("id").values_list("complaint_id", *FIELDS):
            yield complaint_id, tuple(row)

    case_records_load(
        key=RECORDS_KEY, timers=timers, load=load, written_by=(TimerKind.WORK_ORDER,), limit=200
    )
