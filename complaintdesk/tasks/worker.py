"""The RQ worker the deployment runs (`manage.py rqworker default --with-scheduler --worker-class
complaintdesk.tasks.worker.Worker`): RQ's SimpleWorker — jobs run in the worker process itself — plus a
look every minute at whether every periodic job's chain is alive (tasks.periodic).

Why not RQ's default, which forks a child per job: the child starts cold. Enrichment loads jieba's
dictionaries and the classifier and emotion models (≈2 s of a 2.5–7 s job on the 2-core machine, measured
with bench/cluster.py), and every job opened its own database connection; in the worker process they
load once — before the first job, through the warm-ups apps register — and the pooled connections stay. A job that crashes the process takes the worker with it: the
supervisor (bin/run, systemd's Restart=always) starts it again, and what the job was doing is redone
(after-intake jobs: tasks.intake's outbox, resent by its periodic job; timers: the sweep). Each job gives its database connection
back to the pool when it ends (as a request does), so a connection PostgreSQL dropped meanwhile is
replaced by the pool's health check instead of failing the next job.

Redis can lose the queue (restarted without persistence, flushed, failed over). The job rows of the
database queue cannot be lost that way, but RQ's can: the chains of periodic jobs then stop (the SLA
sweep, the resending of after-intake jobs whose outbox rows are still pending, the mail poll …). Intake
notices a stale chain after its commits (sla.timers.sweep_ensure_running); this covers an idle system as
well (`tasks.periodic.periodic_revive`), bounded by the maintenance interval plus the job's staleness
(60 s + 3 × its interval, at most an hour).
"""

import logging
import time
from collections.abc import Callable

from django.db import close_old_connections
from rq import SimpleWorker

from .periodic import periodic_revive

logger = logging.getLogger(__name__)

MAINTENANCE_INTERVAL_SECONDS = 60

# What jobs load on first use (models, dictionaries), loaded before the worker takes its first job and
# outside any transaction; registered from AppConfig.ready(). A failing one is logged, never fatal.
_warm_ups: list[Callable[[], object]] = []


def worker_warm_up_register(function: Callable[[], object]) -> None:
    if function not in _warm_ups:
        _warm_ups.append(function)


def worker_warm_up() -> None:
    for function in list(_warm_ups):
        started = time.monotonic()
        try:
            function()
        except Exception:
            logger.warning("worker warm-up %s failed", getattr(function, "__name__", function), exc_info=True)
        else:
            logger.info("worker warm-up %s: %.1f s", function.__name__, time.monotonic() - started)
        finally:
            close_old_connections()


class Worker(SimpleWorker):
    def __init__(self, *args, **kwargs):
        kwargs["maintenance_interval"] = min(
            kwargs.get("maintenance_interval") or MAINTENANCE_INTERVAL_SECONDS, MAINTENANCE_INTERVAL_SECONDS
        )
        # An idle worker blocks on Redis for worker_ttl - 15 s between maintenance rounds. `manage.py rqworker`
        # always passes its --worker-ttl (default 420): an idle worker then looked at the sweep and the
        # scheduler every 7 minutes only (bench/cluster.py: a chain stalled after Redis restarted empty).
        kwargs["worker_ttl"] = min(kwargs.get("worker_ttl") or 420, MAINTENANCE_INTERVAL_SECONDS + 15)
        super().__init__(*args, **kwargs)

    def work(self, *args, **kwargs):
        worker_warm_up()
        return super().work(*args, **kwargs)

    def execute_job(self, job, queue):
        close_old_connections()
        try:
            return super().execute_job(job, queue)
        finally:
            close_old_connections()

    def _scheduler_revive(self) -> None:
        """RQ's scheduler process keeps running when Redis loses its data (restarted empty, flushed) but its
        lock is gone with it, and it takes a lock again only after ten minutes: meanwhile no deferred job
        (the periodic sweep, retries) is queued. Started anew here when its lock is gone."""
        scheduler = self.scheduler
        if scheduler is None or scheduler._process is None or not scheduler._process.is_alive():
            return  # none, or dead: RQ starts it again itself
        if any(self.connection.exists(scheduler.get_locking_key(name)) for name in scheduler._queue_names):
            return
        logger.warning("the RQ scheduler had lost its lock (Redis lost its data); starting it again")
        self.stop_scheduler()
        scheduler._process = None
        scheduler.acquire_locks(auto_start=True)

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        try:
            self._scheduler_revive()
        except Exception:
            logger.warning("could not check the RQ scheduler", exc_info=True)
        try:
            periodic_revive()
        except Exception:  # the database or Redis is away: the next maintenance round tries again
            logger.warning("could not check the periodic jobs", exc_info=True)
        finally:
            close_old_connections()
