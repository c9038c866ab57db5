"""The SLA sweep: the worker's periodic look at the timer rows (a periodic job of `tasks.periodic`).

Why one periodic job rather than one task per timer: the rows are the truth, and deadlines move all the
time (pause, resume, transition, escalation); a job per due time would need cancelling on every move and
would be lost with the queue (Redis flushed, a task row stuck in RUNNING after a kill). A sweep every
SLA_SWEEP_INTERVAL_SECONDS (default 30 s) is at most that late, costs one index range scan when nothing is
due, and is the same code as `manage.py sla_reconcile`. A timer already due when it is written asks for a
sweep at once (`sla.timers.worker_wake` → `periodic_wake`). Ahead of every other job where the queue has
priorities: timers must not wait behind a backlog of analyses.
"""

from django.utils.translation import gettext_lazy as _
from django_tasks.base import TASK_MAX_PRIORITY

from complaintdesk.tasks.periodic import periodic

from . import timers


@periodic(timers.SWEEP_JOB, label=_("时限巡检"), every=timers.sweep_interval, priority=TASK_MAX_PRIORITY)
def sla_sweep() -> dict:
    """Handle every due timer (warnings, breaches, escalations)."""
    return timers.timers_reconcile().as_dict()
