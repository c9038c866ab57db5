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

from django_tasks import default_task_backend, task

from complaintdesk.common.time import now
from complaintdesk.inbox.services import staff_emails_retry_due
from complaintdesk.sla import timers

from .intake import after_intake_resend

logger = logging.getLogger(__name__)

# Other apps' looks at rows whose job may have been lost (notifications due for another attempt, …),
# registered from their AppConfig.ready(): each runs on every sweep, on its own (one failing is logged).
_sweep_extras: list[Callable[[], object]] = []


def sweep_extra_register(function: Callable[[], object]) -> None:
    if function not in _sweep_extras:
        _sweep_extras.append(function)


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
    for extra in list(_sweep_extras):
        try:
            extra()
        except Exception:
            logger.exception("periodic sweep: %s failed", getattr(extra, "__name__", extra))
    at = now()
    timers.sweep_result_record(at=at, result=result)
    if periodic and periodic_sweep_supported() and timers.sweep_lease_take(at=at):
        sla_sweep.using(run_after=at + timers.sweep_interval()).enqueue(periodic=True)
    return {**result.as_dict(), "after_intake_resent": resent}
