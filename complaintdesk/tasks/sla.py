"""The SLA sweep: the worker's periodic look at the timer rows, and the wake-up after a commit.

Why one periodic task that re-enqueues itself rather than one task per timer: the rows are the truth,
and deadlines move all the time (pause, resume, transition, escalation); a job per due time would
need cancelling on every move and would be lost with the queue (Redis flushed, a task row stuck in
RUNNING after a kill). A sweep every SLA_SWEEP_INTERVAL_SECONDS (default 30 s) is at most that late,
costs one index range scan when nothing is due, and is the same code as `manage.py sla_reconcile`.
The chain keeps one copy alive through a lease row (`sla.timers.sweep_lease_take`): duplicated chains
die out. It is started by `bin/run` (`manage.py sla_reconcile --schedule`) and restarted by
`sla.timers.sweep_ensure_running` after any commit that writes timers when its lease is stale.
"""

import logging
from collections.abc import Callable

from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, default_task_backend, task, task_backends
from django_tasks.base import DEFAULT_TASK_PRIORITY, TASK_MAX_PRIORITY
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from complaintdesk.common.time import now
from complaintdesk.inbox.services import staff_emails_retry_due
from complaintdesk.sla import timers

from .intake import after_intake_resend

logger = logging.getLogger(__name__)

# Other apps' looks at rows whose job may have been lost (notifications due for another attempt, …),
# registered from their AppConfig.ready(): each runs on the sweep, on its own (one failing is logged).
# (function, only when nothing waits in the queue)
_sweep_extras: list[tuple[Callable[[], object], bool]] = []


def sweep_extra_register(function: Callable[[], object], *, when_queue_empty: bool = False) -> None:
    """`when_queue_empty`: for rows that do not know their job. While jobs wait in the queue, a row past
    due may only be waiting behind them, and sending its job again would add to the backlog every sweep;
    once nothing waits, a row still past due has lost its job."""
    if all(registered != function for registered, _empty in _sweep_extras):
        _sweep_extras.append((function, when_queue_empty))


def queue_waiting() -> int:
    """Jobs waiting in the default queue that a worker could start now (0 for in-process backends)."""
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if isinstance(backend, DatabaseBackend):
        return DBTaskResult.objects.ready().count()
    if backend.__class__.__name__ == "RQBackend":
        import django_rq  # only with REDIS_URL, where settings install it

        return sum(django_rq.get_queue(name).count for name in backend.queues)
    return 0


def periodic_sweep_supported() -> bool:
    """Deferred tasks: the database queue and RQ (with its scheduler) can; the in-process backend of
    the tests cannot, so there the sweep runs only when asked."""
    return bool(getattr(default_task_backend, "supports_defer", False))


@task()
def sla_sweep(periodic: bool = False) -> dict:
    """Handle every due timer; a periodic run then schedules the next one if it holds the lease."""
    if not periodic:
        timers.wake_started()  # from now on a new due timer may queue the next wake-up
    result = timers.timers_reconcile()
    resent = after_intake_resend()  # the same periodic look covers after-intake jobs lost on the way to Redis
    staff_emails_retry_due()  # and staff e-mails whose next attempt is due (or whose job was lost)
    waiting = None
    for extra, when_queue_empty in list(_sweep_extras):
        try:
            if when_queue_empty:
                waiting = queue_waiting() if waiting is None else waiting
                if waiting:
                    continue
            extra()
        except Exception:
            logger.exception("periodic sweep: %s failed", getattr(extra, "__name__", extra))
    at = now()
    timers.sweep_result_record(at=at, result=result)
    if periodic and periodic_sweep_supported() and timers.sweep_lease_take(at=at):
        # Ahead of other jobs where the queue allows it: timers must not wait behind a backlog of analyses.
        priority = (
            TASK_MAX_PRIORITY
            if getattr(task_backends[DEFAULT_TASK_BACKEND_ALIAS], "supports_priority", False)
            else DEFAULT_TASK_PRIORITY
        )
        sla_sweep.using(run_after=at + timers.sweep_interval(), priority=priority).enqueue(periodic=True)
    return {**result.as_dict(), "after_intake_resent": resent}
