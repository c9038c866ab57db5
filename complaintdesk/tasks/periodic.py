"""Periodic jobs: one registry, one schedule table (`tasks.PeriodicJob`), one lease, one task.

An app declares its job in its own `tasks.py` (found by `TasksConfig.ready()` through
`autodiscover_modules("tasks")`):

    @periodic("sla-sweep", label=_("时限巡检"), every=lambda: dt.timedelta(seconds=settings.SLA_SWEEP_INTERVAL_SECONDS),
              priority=TASK_MAX_PRIORITY)
    def sla_sweep() -> dict: ...

or `daily_at=lambda: dt.time(hour=settings.ESCALATION_DIGEST_HOUR)` (local time) for a daily job. The job
is a plain function; `periodic_run(name)` is the one task that runs it, records its result (a failure
too: logged, counted, and the chain goes on) and, when it holds the lease, queues itself again for the
next run with `run_after`. That works on every queue that can defer a task: the database queue
(django-tasks-db) and RQ (with its scheduler); the in-process backend of the tests runs a job only when
asked (`periodic_run.call(name)`).

Why a chain in the queue and not a scheduler process (celery-beat, django-crontask, django-periodic-tasks):
nothing more to run and supervise, and the same code on both queues. Why a lease: a chain can be started
twice (two `periodic_start` at once, a job redelivered, a chain revived while the old one was only late);
the run that moves `next_run_at` forward with a conditional UPDATE goes on, every other copy stops.
A chain can also stop (its job lost with Redis, a task row left RUNNING by a killed worker): a job whose
`next_run_at` is long past is started again by `periodic_revive()` — from the RQ worker's maintenance
every minute (tasks.worker), after commits that write SLA timers (sla.timers), and by `periodic_start`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Q
from django.utils.functional import Promise
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task, task_backends
from django_tasks.base import DEFAULT_TASK_PRIORITY
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from complaintdesk.common.time import now, to_local

from .models import PeriodicJob

logger = logging.getLogger(__name__)

# A lease may be taken this early (a run that came a little before its time) …
MAX_LEASE_EARLY = dt.timedelta(hours=1)
# … and a chain counts as stopped when its next run is this late (capped at MAX_STALE).
STALE_PERIODS = 3
MAX_STALE = dt.timedelta(hours=1)

Interval = dt.timedelta | Callable[[], dt.timedelta]


def recovery_interval() -> dt.timedelta:
    """The cadence of the SLA sweep and of the jobs that look for work whose queued job may have been
    lost (after-intake jobs, deliveries, staff e-mails): SLA_SWEEP_INTERVAL_SECONDS (default 30)."""
    return dt.timedelta(seconds=getattr(settings, "SLA_SWEEP_INTERVAL_SECONDS", 30))


DailyTime = dt.time | Callable[[], dt.time]


def _value(value):
    return value() if callable(value) else value


def next_daily_at(*, after: dt.datetime, time_of_day: dt.time) -> dt.datetime:
    """The first `time_of_day` (local, the organisation's zone) strictly after `after`."""
    local = to_local(after)
    candidate = local.replace(
        hour=time_of_day.hour, minute=time_of_day.minute, second=time_of_day.second, microsecond=0
    )
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    return candidate


@dataclass(frozen=True)
class Job:
    name: str
    function: Callable[[], object]
    label: str | Promise
    every: Interval | None = None
    daily_at: DailyTime | None = None
    priority: int = DEFAULT_TASK_PRIORITY
    enabled: Callable[[], bool] | None = None
    when_queue_empty: bool = False

    def period(self) -> dt.timedelta:
        return _value(self.every) if self.every is not None else dt.timedelta(days=1)

    def next_after(self, at: dt.datetime) -> dt.datetime:
        """When the run after one at `at` is due: `at` + the interval, or the next daily time (local)."""
        if self.every is not None:
            return at + self.period()
        return next_daily_at(after=at, time_of_day=_value(self.daily_at))

    def first_run(self, at: dt.datetime) -> dt.datetime:
        """A started interval job runs at once; a daily job at its next time."""
        return at if self.every is not None else self.next_after(at)

    def lease_early(self) -> dt.timedelta:
        return min(self.period() / 2, MAX_LEASE_EARLY)

    def stale_after(self) -> dt.timedelta:
        return min(self.period() * STALE_PERIODS, MAX_STALE)

    def is_enabled(self) -> bool:
        return self.enabled is None or bool(self.enabled())


_jobs: dict[str, Job] = {}


def periodic_register(
    name: str,
    function: Callable[[], object],
    *,
    label: str | Promise,
    every: Interval | None = None,
    daily_at: DailyTime | None = None,
    priority: int = DEFAULT_TASK_PRIORITY,
    enabled: Callable[[], bool] | None = None,
    when_queue_empty: bool = False,
) -> Job:
    """Register `function` as the periodic job `name` (a later registration of the same name replaces it).

    `every`: a timedelta, or a function giving one (read at each run, so settings apply); `daily_at`: a
    local time of day, or a function giving one; exactly one of the two. `priority`: on queues with
    priorities the highest goes ahead of every waiting job. `enabled`: a job that is off is neither started
    nor continued (the mail poll without IMAP_URL). `when_queue_empty`: skip the run while jobs wait in the
    queue (for rows that do not know their job: a row past due may only be waiting behind the backlog)."""
    if (every is None) == (daily_at is None):
        raise ValueError(f"periodic job {name}: give exactly one of every= and daily_at=")
    job = Job(
        name=name, function=function, label=label, every=every, daily_at=daily_at, priority=priority,
        enabled=enabled, when_queue_empty=when_queue_empty,
    )  # fmt: skip
    _jobs[name] = job
    return job


def periodic(name: str, **options) -> Callable[[Callable[[], object]], Callable[[], object]]:
    """Decorator form of `periodic_register`; the function stays a plain function."""

    def register(function: Callable[[], object]) -> Callable[[], object]:
        periodic_register(name, function, **options)
        return function

    return register


def periodic_jobs() -> list[Job]:
    """The registered jobs, the most urgent first."""
    return sorted(_jobs.values(), key=lambda job: (-job.priority, job.name))


def periodic_job(name: str) -> Job | None:
    return _jobs.get(name)


def periodic_label(name: str) -> str:
    job = _jobs.get(name)
    return str(job.label) if job is not None else name


# --- the queue --------------------------------------------------------------------------------------------


def periodic_supported() -> bool:
    """Deferred tasks: the database queue and RQ (with its scheduler) can; the in-process backend of the
    tests cannot, so there a job runs only when asked."""
    return bool(getattr(task_backends[DEFAULT_TASK_BACKEND_ALIAS], "supports_defer", False))


def queue_waiting() -> int:
    """Jobs waiting in the default queue that a worker could start now (0 for in-process backends)."""
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if isinstance(backend, DatabaseBackend):
        return DBTaskResult.objects.ready().count()
    if backend.__class__.__name__ == "RQBackend":
        import django_rq  # only with REDIS_URL, where settings install it

        return sum(django_rq.get_queue(name).count for name in backend.queues)
    return 0


def _enqueue(job: Job, *, chain: bool, run_after: dt.datetime | None = None) -> None:
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    options: dict = {
        "priority": job.priority if getattr(backend, "supports_priority", False) else DEFAULT_TASK_PRIORITY
    }
    if run_after is not None:
        options["run_after"] = run_after
    periodic_run.using(**options).enqueue(job.name, chain)


# --- the schedule table -----------------------------------------------------------------------------------


def _row(name: str) -> None:
    PeriodicJob.objects.get_or_create(name=name)


def periodic_lease_take(name: str, *, at: dt.datetime) -> dt.datetime | None:
    """The next run's time for the one run that may schedule it; None for every duplicate chain."""
    job = _jobs[name]
    next_at = job.next_after(at)
    _row(name)
    taken = (
        PeriodicJob.objects.filter(name=name)
        .filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=at + job.lease_early()))
        .update(next_run_at=next_at)
    )
    return next_at if taken else None


def periodic_is_stale(name: str, *, at: dt.datetime) -> bool:
    """No chain scheduled, or its next run is long past (the chain stopped)."""
    next_run_at = PeriodicJob.objects.filter(name=name).values_list("next_run_at", flat=True).first()
    return next_run_at is None or next_run_at < at - _jobs[name].stale_after()


def periodic_result_record(name: str, *, at: dt.datetime, result: dict, failed: bool = False) -> None:
    """How a run went, for people (the admin) and health checks (/readyz reads the sweep's last run)."""
    _row(name)
    PeriodicJob.objects.filter(name=name).update(
        last_run_at=at,
        last_result={"at": at.isoformat(), **result},
        failures=F("failures") + 1 if failed else 0,
    )


def _as_result(value: object) -> dict:
    if hasattr(value, "as_dict"):
        value = value.as_dict()
    if value is None:
        value = {}
    if not isinstance(value, dict):
        value = {"result": value}
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


# --- running, starting, waking ---------------------------------------------------------------------------


def periodic_job_run(job: Job) -> dict:
    """Run the job's function once here and record how it went; a failure is logged and recorded."""
    failed = False
    if job.when_queue_empty and queue_waiting():
        result = {"skipped": "queue busy"}
    else:
        try:
            result = _as_result(job.function())
        except Exception as error:
            logger.exception("periodic job %s failed", job.name)
            result = {"error": f"{type(error).__name__}: {error}"[:500]}
            failed = True
    periodic_result_record(job.name, at=now(), result=result, failed=failed)
    return result


@task()
def periodic_run(name: str, chain: bool = True) -> dict:
    """Run the periodic job `name`; a run of its chain then schedules the next one if it holds the lease.
    `chain=False`: a one-off run asked for by `periodic_wake`."""
    job = _jobs.get(name)
    if job is None:  # a job a newer version no longer has, still in the queue: its chain ends here
        logger.warning("periodic job %s is not registered; its chain ends", name)
        return {"skipped": "not registered"}
    if not chain:
        PeriodicJob.objects.filter(name=name, wake_queued_at__isnull=False).update(wake_queued_at=None)
    if not job.is_enabled():
        return {"skipped": "disabled"}
    result = periodic_job_run(job)
    if chain and periodic_supported():
        next_at = periodic_lease_take(name, at=now())
        if next_at is not None:
            _enqueue(job, chain=True, run_after=next_at)
    return result


def periodic_start(name: str, *, at: dt.datetime | None = None) -> dt.datetime | None:
    """Start the job's chain unless one is scheduled already; returns when its first run is due (None:
    already scheduled, switched off, or the queue cannot defer). Two starts at once queue one chain."""
    job = _jobs[name]
    at = at or now()
    if not job.is_enabled() or not periodic_supported():
        return None
    _row(name)
    previous = PeriodicJob.objects.filter(name=name).values_list("next_run_at", flat=True).first()
    first = job.first_run(at)
    claimed = (
        PeriodicJob.objects.filter(name=name)
        .filter(Q(next_run_at__isnull=True) | Q(next_run_at__lt=at - job.stale_after()))
        .update(next_run_at=first)
    )
    if not claimed:
        return None
    try:
        _enqueue(job, chain=True, run_after=first if first > at else None)
    except Exception:
        # Nothing was queued: leave the row as it was, so the next start or revival tries again.
        PeriodicJob.objects.filter(name=name, next_run_at=first).update(next_run_at=previous)
        raise
    return first


def periodic_start_all(*, at: dt.datetime | None = None) -> dict[str, dt.datetime | None]:
    """Start every registered job that is on and has no live chain (what `manage.py periodic_start`,
    bin/run and the deployment do once). A job whose start fails is logged; the others still start."""
    started: dict[str, dt.datetime | None] = {}
    errors = []
    for job in periodic_jobs():
        try:
            started[job.name] = periodic_start(job.name, at=at)
        except Exception as error:
            logger.warning("could not start the periodic job %s", job.name, exc_info=True)
            errors.append(error)
    if errors and not started:
        raise errors[0]
    return started


def periodic_revive() -> list[str]:
    """Start again every chain that has stopped (lost with the queue, Redis flushed or restarted empty,
    a task row left RUNNING by a killed worker) and every one never started. Returns their names."""
    if not periodic_supported():
        return []
    revived = [name for name, run_at in periodic_start_all().items() if run_at is not None]
    if revived:
        logger.warning("periodic jobs had no live chain; started again: %s", ", ".join(revived))
    return revived


def periodic_wake(name: str) -> bool:
    """Ask for one run of the job now, besides its chain (a due SLA timer should not wait for the next
    sweep). At most one such run waits in the queue at any time, whatever the number of processes (the
    row's `wake_queued_at` claims it); a claim older than the job's staleness belongs to a run lost with
    the queue and is taken over. False when one is waiting already. Raises when the queue is down."""
    job = _jobs[name]
    at = now()
    _row(name)
    claimed = (
        PeriodicJob.objects.filter(name=name)
        .filter(Q(wake_queued_at__isnull=True) | Q(wake_queued_at__lt=at - job.stale_after()))
        .update(wake_queued_at=at)
    )
    if not claimed:
        return False
    try:
        _enqueue(job, chain=False)
    except Exception:
        PeriodicJob.objects.filter(name=name).update(wake_queued_at=None)  # let the next ask try again
        raise
    return True
