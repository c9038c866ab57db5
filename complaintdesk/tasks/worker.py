"""The RQ worker the deployment runs (`manage.py rqworker default --with-scheduler --worker-class
complaintdesk.tasks.worker.Worker`): RQ's own, plus a look every minute at whether the periodic SLA
sweep's chain is alive.

Redis can lose the queue (restarted without persistence, flushed, failed over). The job rows of the
database queue cannot be lost that way, but RQ's can: the chain of periodic sweeps then stops, and with
it the resending of after-intake jobs whose outbox rows are still pending. Intake notices a stale chain
after its commits (sla.timers.sweep_ensure_running); this covers an idle system as well, bounded by
the maintenance interval plus the lease's staleness (60 s + 3 × SLA_SWEEP_INTERVAL_SECONDS).
"""

import logging

from rq import Worker as RQWorker

from complaintdesk.sla.timers import sweep_chain_revive

logger = logging.getLogger(__name__)

MAINTENANCE_INTERVAL_SECONDS = 60


class Worker(RQWorker):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("maintenance_interval", MAINTENANCE_INTERVAL_SECONDS)
        # An idle worker blocks on Redis for worker_ttl - 15 s between maintenance rounds.
        kwargs.setdefault("worker_ttl", MAINTENANCE_INTERVAL_SECONDS + 15)
        super().__init__(*args, **kwargs)

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        try:
            sweep_chain_revive()
        except Exception:  # the database or Redis is away: the next maintenance round tries again
            logger.warning("could not check the periodic SLA sweep", exc_info=True)
