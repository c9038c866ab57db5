"""Thin tasks around the escalation app's side effects."""

import datetime as dt

from django_tasks import default_task_backend, task

from complaintdesk.common.time import now
from complaintdesk.sla.models import SweepSchedule

from .digest import DIGEST_SCHEDULE, digest_chain_alive, digest_lease_take, digests_send, next_digest_at


@task()
def escalation_digest(periodic: bool = False, day: str = "") -> dict:
    """The daily digest (at most once per person and day); a periodic run schedules tomorrow's when it
    holds the lease, so duplicated chains die out (the same scheme as the SLA sweep)."""
    counts = digests_send(day=dt.date.fromisoformat(day) if day else None)
    at = now()
    if periodic and getattr(default_task_backend, "supports_defer", False) and digest_lease_take(at=at):
        escalation_digest.using(run_after=next_digest_at(after=at)).enqueue(periodic=True)
    return counts


def digest_chain_start(*, at: dt.datetime) -> dt.datetime | None:
    """Schedule the next digest run unless a chain is already waiting; returns when it will run."""
    if digest_chain_alive(at=at):
        return None
    run_at = next_digest_at(after=at)
    SweepSchedule.objects.update_or_create(name=DIGEST_SCHEDULE, defaults={"next_run_at": run_at})
    escalation_digest.using(run_after=run_at).enqueue(periodic=True)
    return run_at
