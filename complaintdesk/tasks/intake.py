"""What follows an intake: the after-intake steps, registered by the apps that provide them, queued with
the case, each done exactly once, none lost with the queue.

A step is a name, a task (called with the complaint's id) and a priority; an app registers its own in its
`AppConfig.ready()` with `after_intake_step_register` — today `channels` the acknowledgement to the
customer (highest priority: it never waits behind a backlog of analyses) and `intelligence` the
enrichment. The core's take-in (`complaints.intake.complaint_take_in`) creates the case and queues every
registered step in the same transaction (`after_intake_steps_queue`); nobody above names the steps.

A step registered with `settled=<predicate>` settles the case: it may change what another step tells the
customer (the enrichment sets category and severity, and so the deadlines), and the predicate says whether
it has been done for a case. `after_intake_settle` runs such steps at once, each through its own claim (so
exactly once with its own job), a failure logged and never raised; `after_intake_settled` says whether all
of them are done. The acknowledgement runs the one before it states the deadlines, and asks the other
when it is said at once (then its deadlines are called provisional).

The same task functions run on both queues:

- database queue (django_tasks_db): the task rows are written in the transaction that stores the case;
  the worker's own row claim runs each once.
- Redis (RQ): a job can only be sent after the commit, so an outbox row per job (`AfterIntakeJob`) is
  written with the case instead; the job is sent on commit and its queue id noted on the row.

A job runs its work inside `outbox_claim`: one transaction that takes its outbox row `FOR UPDATE SKIP
LOCKED` and deletes it with the work. A second run of the same job (sent twice, redelivered) finds no
row and does nothing; a run killed half-way (kill -9, a dropped database connection) rolls back with
its row, which stays for the sweep. `after_intake_resend`, a periodic job of its own, sends again
only the jobs that are gone: never one whose row is locked (it is running) or whose queue id the queue
still holds as waiting (queued, scheduled); a job the queue reports running while its row is free was
killed with its worker.
"""

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus, task
from django_tasks.base import DEFAULT_TASK_PRIORITY
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks_db.backend import DatabaseBackend

from complaintdesk.common.time import now

from .models import AfterIntakeJob

logger = logging.getLogger(__name__)

# A row younger than this is not looked at: its job may still be on its way (the send after the commit).
RESEND_AFTER = dt.timedelta(seconds=20)
# A row whose job id is unknown (the send failed, or the process died before noting it) waits this long.
RESEND_UNKNOWN_AFTER = dt.timedelta(seconds=60)
RESEND_BATCH = 500
WAITING = {TaskResultStatus.READY}


@dataclass(frozen=True)
class AfterIntakeStep:
    name: str
    task: object  # a django_tasks Task called with the complaint's id; it does its work in `outbox_claim`
    priority: int = DEFAULT_TASK_PRIORITY  # where the queue has priorities; TASK_MAX_PRIORITY: ahead of all
    settled: Callable[[int], bool] | None = None  # it settles the case; done for the complaint (id)?
    formerly: tuple[str, ...] = ()  # module paths the task had before: outbox rows written then still run


_steps: dict[str, AfterIntakeStep] = {}


def after_intake_step_register(
    name: str,
    task_obj,
    *,
    priority: int = DEFAULT_TASK_PRIORITY,
    settled: Callable[[int], bool] | None = None,
    formerly: Sequence[str] = (),
) -> None:
    """Called from an AppConfig.ready(): queue `task_obj(complaint_id)` with every case taken in.
    Registering a name again replaces its step."""
    _steps[name] = AfterIntakeStep(
        name=name, task=task_obj, priority=priority, settled=settled, formerly=tuple(formerly)
    )


def after_intake_steps() -> list[AfterIntakeStep]:
    """The registered steps, most urgent first (then by name: the same order in every process)."""
    return sorted(_steps.values(), key=lambda step: (-step.priority, step.name))


def _step_for(task_path: str) -> AfterIntakeStep | None:
    for step in _steps.values():
        if step.task.module_path == task_path or task_path in step.formerly:
            return step
    return None


def _sendable(task_obj, priority: int = DEFAULT_TASK_PRIORITY):
    """The task as it is to be queued: with its step's priority if the backend has priorities (ours: the
    database queue, and RQ's at_front for the highest through tasks.backend.RQBackend)."""
    if priority != DEFAULT_TASK_PRIORITY and getattr(task_obj.get_backend(), "supports_priority", False):
        return task_obj.using(priority=priority)
    return task_obj


def queue_in_transaction(task_obj) -> bool:
    """True when tasks are rows in this database (django_tasks_db): then they are written in the
    transaction that stores the case. Any other queue (Redis, the tests' in-process one) must not
    see a task before its case is committed, so it is sent on commit, with an outbox row."""
    return isinstance(task_obj.get_backend(), DatabaseBackend)


def after_intake_steps_queue(*, complaint_id: int) -> None:
    """Queue every registered step for the complaint being stored, in its transaction (see the module)."""
    after_intake_queue(complaint_id=complaint_id, steps=after_intake_steps())


def after_intake_queue(*, complaint_id: int, steps: Sequence[AfterIntakeStep]) -> None:
    """Queue each of `steps` (its task called with the complaint's id) for the complaint being stored.

    They are written least urgent first; when they run is the queue's choice by priority (the database
    queue takes the highest first, RQ puts the highest at the front). Database queue: the rows join the
    current transaction. Other queues: one outbox row per step in the current transaction, the jobs sent
    when it commits, their queue ids then noted on the rows (one UPDATE). A failed send is logged, never
    the intake's failure: `after_intake_resend` sends it again."""
    if not steps:
        return
    steps = steps[::-1]
    if queue_in_transaction(steps[0].task):
        _rows_queue(complaint_id=complaint_id, steps=steps)
        return
    at = now()
    AfterIntakeJob.objects.bulk_create(
        [AfterIntakeJob(complaint_id=complaint_id, task_path=s.task.module_path, queued_at=at) for s in steps]
    )

    def enqueue() -> None:
        sent: dict[str, str] = {}
        for step in steps:
            try:
                sent[step.task.module_path] = _sendable(step.task, step.priority).enqueue(complaint_id).id
            except Exception:
                logger.exception("could not queue %s of complaint %s", step.name, complaint_id)
        if sent:
            _job_ids_note(complaint_id=complaint_id, sent=sent)

    transaction.on_commit(enqueue, robust=True)


def _rows_queue(*, complaint_id: int, steps: Sequence[AfterIntakeStep]) -> None:
    """The database queue: the steps' task rows, in one INSERT when they share a backend that can
    (`tasks.backend.DatabaseBackend.enqueue_many`), else one `enqueue` each. The task as queued (with
    its priority) is kept per backend instance: building it validates the task each time."""
    backend = steps[0].task.get_backend()
    sendable = backend.__dict__.setdefault("_after_intake_sendable", {})
    tasks = []
    for step in steps:
        key = (step.task, step.priority)
        if (queued := sendable.get(key)) is None:
            queued = sendable[key] = _sendable(step.task, step.priority)
        tasks.append(queued)
    if hasattr(backend, "enqueue_many") and all(t.get_backend() is backend for t in tasks):
        backend.enqueue_many([(t, (complaint_id,), {}) for t in tasks])
        return
    for queued in tasks:
        queued.enqueue(complaint_id)


def _job_ids_note(*, complaint_id: int, sent: dict[str, str]) -> None:
    """Note the queue's ids on the rows. A row a running job holds is skipped, never waited for (this runs
    in the intake's request); a job that has already run has deleted its row: no harm either."""
    free = AfterIntakeJob.objects.select_for_update(skip_locked=True).filter(
        complaint_id=complaint_id, task_path__in=list(sent)
    )
    try:
        with transaction.atomic():
            AfterIntakeJob.objects.filter(pk__in=free.values("pk")).update(
                job_id=Case(*[When(task_path=path, then=Value(job_id)) for path, job_id in sent.items()],
                            default=F("job_id"))
            )  # fmt: skip
    except Exception:  # the database went away after the commit: the row waits RESEND_UNKNOWN_AFTER
        logger.warning("could not note the job ids of complaint %s", complaint_id, exc_info=True)


@contextmanager
def outbox_claim(*, task_obj, complaint_id: int) -> Iterator[bool]:
    """The transaction an after-intake job does its work in. Yields False when the work must not be
    done: on an outside queue, when the job's outbox row is gone (done already) or locked (another run
    of it is at work). The row is deleted with the work; an error rolls both back and leaves the row."""
    with transaction.atomic():
        if queue_in_transaction(task_obj):
            yield True
            return
        row = (
            AfterIntakeJob.objects.select_for_update(skip_locked=True)
            .filter(complaint_id=complaint_id, task_path=task_obj.module_path)
            .first()
        )
        if row is None:
            yield False
            return
        yield True
        AfterIntakeJob.objects.filter(pk=row.pk).delete()


def after_intake_settle(complaint_id: int) -> None:
    """Run now the steps that settle the case (each through its own claim: done once, with or instead of
    its job). A step that fails is logged and left to its job; the caller goes on."""
    for step in after_intake_steps():
        if step.settled is None:
            continue
        try:
            step.task.call(complaint_id)
        except Exception:
            logger.exception("after-intake step %s of complaint %s failed here; its job does it", step.name,
                             complaint_id)  # fmt: skip


def after_intake_settled(complaint_id: int) -> bool:
    """Whether every step that settles the case has been done for it."""
    return all(step.settled(complaint_id) for step in after_intake_steps() if step.settled is not None)


def _job_waiting(task_obj, job_id: str) -> bool:
    """True when the queue still holds the job as waiting to run. A job it reports running while its
    row is free (the caller only asks about rows no job holds) died with its worker."""
    backend = task_obj.get_backend()
    if not job_id or not getattr(backend, "supports_get_result", False):
        return False
    try:
        result = backend.get_result(job_id)
    except TaskResultDoesNotExist:  # lost with Redis, or expired
        return False
    return result.status in WAITING


def after_intake_resend(*, at: dt.datetime | None = None) -> int:
    """Send again the after-intake jobs that are gone (see the module's docstring). A periodic job of its
    own (`after-intake-resend`). Returns how many were sent; stops at the first send that fails (the
    queue is still down: the next run tries again). A row of a step under a former module path is sent
    as the step it now is; a row whose task is no longer known is logged and left."""
    at = at or now()
    with transaction.atomic():  # rows a running job holds are skipped; the others are not kept locked
        rows = list(
            AfterIntakeJob.objects.select_for_update(skip_locked=True)
            .filter(queued_at__lte=at - RESEND_AFTER)
            .order_by("queued_at")[:RESEND_BATCH]
        )
    sent = 0
    for row in rows:
        if not row.job_id and row.queued_at > at - RESEND_UNKNOWN_AFTER:
            continue
        step = _step_for(row.task_path)
        try:
            task_obj = step.task if step else import_string(row.task_path)
        except ImportError:
            logger.error("after-intake job %s of complaint %s: no such task", row.task_path, row.complaint_id)
            continue
        try:
            if _job_waiting(task_obj, row.job_id):
                continue
        except Exception:
            logger.exception("cannot ask the queue about %s of complaint %s", row.task_path, row.complaint_id)
            break
        # Taken over only if nobody else did meanwhile (a job starting now holds the row: this waits
        # for it, and finds the row gone if it finished).
        if not AfterIntakeJob.objects.filter(pk=row.pk, queued_at=row.queued_at).update(
            queued_at=at, attempts=row.attempts + 1, job_id="", task_path=task_obj.module_path
        ):
            continue
        try:
            job_id = (
                _sendable(task_obj, step.priority if step else DEFAULT_TASK_PRIORITY)
                .enqueue(row.complaint_id)
                .id
            )
        except Exception:
            logger.exception("%s of complaint %s still cannot be queued", row.task_path, row.complaint_id)
            break
        AfterIntakeJob.objects.filter(pk=row.pk).update(job_id=job_id)
        sent += 1
    if sent:
        logger.warning("sent %d after-intake job(s) again whose job had been lost", sent)
    return sent


@task()
def after_intake(complaint_id: int) -> dict:
    """The single job of earlier versions (enrichment, then the acknowledgement), kept so that such a job
    still waiting in a queue at an upgrade runs: it runs the registered steps that replace it."""
    return {step.name: step.task.call(complaint_id) for step in after_intake_steps()}
