"""Thin tasks around the escalation app's side effects."""

import datetime as dt

from django_tasks import default_task_backend, task

from complaintdesk.common.time import now

from .digest import digest_lease_take, digests_send, next_digest_at


@task()
def escalation_digest(periodic: bool = False, day: str = "") -> dict:
    """The daily digest (at most once per person and day); a periodic run schedules tomorrow's when it
    holds the lease, so duplicated chains die out (the same scheme as the SLA sweep)."""
    counts = digests_send(day=dt.date.fromisoformat(day) if day else None)
    at = now()
    if periodic and getattr(default_task_backend, "supports_defer", False) and digest_lease_take(at=at):
        escalation_digest.using(run_after=next_digest_at(after=at)).enqueue(periodic=True)
    return counts
