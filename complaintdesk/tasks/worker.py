"""The RQ worker the deployment runs (`manage.py rqworker default --with-scheduler --worker-class
complaintdesk.tasks.worker.Worker`): RQ's SimpleWorker — jobs run in the worker process itself — plus a
look every minute at whether the periodic SLA sweep's chain is alive.

Why not RQ's default, which forks a child per job: the child starts cold. Enrichment loads jieba's
dictionaries and the classifier and emotion models (≈2 s of a 2.5–7 s job on the 2-core machine, measured
with bench/cluster.py), and every job opened its own database connection; in the worker process they
load once and the pooled connections stay. A job that crashes the process takes the worker with it: the
supervisor (bin/run, systemd's Restart=always) starts it again, and what the job was doing is redone
(after-intake jobs: tasks.intake's outbox; timers: the sweep). Each job gives its database connection
back to the pool when it ends (as a request does), so a connection PostgreSQL dropped meanwhile is
replaced by the pool's health check instead of failing the next job.

Redis can lose the queue (restarted without persistence, flushed, failed over). The job rows of the
database queue cannot be lost that way, but RQ's can: the chain of periodic sweeps then stops, and with
it the resending of after-intake jobs whose outbox rows are still pending. Intake notices a stale chain
after its commits (sla.timers.sweep_ensure_running); this covers an idle system as well, bounded by
the maintenance interval plus the lease's staleness (60 s + 3 × SLA_SWEEP_INTERVAL_SECONDS).
"""

import logging

from django.db import close_old_connections
from rq import SimpleWorker

from complaintdesk.sla.timers import sweep_chain_revive

logger = logging.getLogger(__name__)

MAINTENANCE_INTERVAL_SECONDS = 60


class Worker(SimpleWorker):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("maintenance_interval", MAINTENANCE_INTERVAL_SECONDS)
        # An idle worker blocks on Redis for worker_ttl - 15 s between maintenance rounds.
        kwargs.setdefault("worker_ttl", MAINTENANCE_INTERVAL_SECONDS + 15)
        super().__init__(*args, **kwargs)

    def execute_job(self, job, queue):
        close_old_connections()
        try:
            return super().execute_job(job, queue)
        finally:
            close_old_connections()

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        try:
            sweep_chain_revive()
        except Exception:  # the database or Redis is away: the next maintenance round tries again
            logger.warning("could not check the periodic SLA sweep", exc_info=True)
        finally:
            close_old_connections()
