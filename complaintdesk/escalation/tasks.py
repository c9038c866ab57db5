"""Thin tasks around the escalation app's side effects."""

import datetime as dt

from django_tasks import default_task_backend, task

from complaintdesk.common.time import now

from .alerts import group_alert_send, staff_alert_send
from .digest import digest_lease_take, digests_send, next_digest_at


@task()
def staff_alert(
    *,
    complaint_id: int,
    user_ids: list[int],
    unit_id: int | None,
    what: str,
    clock: str = "",
    due_at: str = "",
) -> int:
    """E-mail staff about one case (queued by notify.staff_notified after the escalation committed)."""
    return staff_alert_send(
        complaint_id=complaint_id,
        user_ids=user_ids,
        unit_id=unit_id,
        what=what,
        clock=clock,
        due_at=dt.datetime.fromisoformat(due_at) if due_at else None,
    )


@task()
def group_alert(
    *, group_id: int, title: str, scope_unit_id: int, user_ids: list[int], complaint_ids: list[int]
) -> int:
    """E-mail the region's supervisors that a group complaint opened (queued by intelligence.alerts)."""
    return group_alert_send(
        group_id=group_id,
        title=title,
        scope_unit_id=scope_unit_id,
        user_ids=user_ids,
        complaint_ids=complaint_ids,
    )


@task()
def escalation_digest(periodic: bool = False, day: str = "") -> dict:
    """The daily digest (at most once per person and day); a periodic run schedules tomorrow's when it
    holds the lease, so duplicated chains die out (the same scheme as the SLA sweep)."""
    counts = digests_send(day=dt.date.fromisoformat(day) if day else None)
    at = now()
    if periodic and getattr(default_task_backend, "supports_defer", False) and digest_lease_take(at=at):
        escalation_digest.using(run_after=next_digest_at(after=at)).enqueue(periodic=True)
    return counts
