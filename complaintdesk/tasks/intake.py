"""What follows an intake: jobs queued with the case, each done exactly once, none lost with the queue.

Intake (`channels.intake`) queues its follow-up jobs — enrichment and the acknowledgement to the
customer, each its own job so the acknowledgement never waits behind the analysis — through
`after_intake_queue`. The same task functions run on both queues:

- database queue (django_tasks_db): the task rows are written in the transaction that stores the case;
  the worker's own row claim runs each once.
- Redis (RQ): a job can only be sent after the commit, so an outbox row per job (`AfterIntakeJob`) is
  written with the case instead; the job is sent on commit and its queue id noted on the row.

A job runs its work inside `outbox_claim`: one transaction that takes its outbox row `FOR UPDATE SKIP
LOCKED` and deletes it with the work. A second run of the same job (sent twice, redelivered) finds no
row and does nothing; a run killed half-way (kill -9, a dropped database connection) rolls back with
its row, which stays for the sweep. `after_intake_resend`, called by the periodic sweep, sends again
only the jobs that are gone: never one whose row is locked (it is running) or whose queue id the queue
still holds as waiting (queued, scheduled); a job the queue reports running while its row is free was
killed with its worker.
"""

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus, task
from django_tasks.base import TASK_MAX_PRIORITY
from django_tasks.exceptions import TaskResultDoesNotExist

from complaintdesk.common.time import now

from .models import AfterIntakeJob

logger = logging.getLogger(__name__)

# A row younger than this is not looked at: its job may still be on its way (the send after the commit).
RESEND_AFTER = dt.timedelta(seconds=20)
# A row whose job id is unknown (the send failed, or the process died before noting it) waits this long.
RESEND_UNKNOWN_AFTER = dt.timedelta(seconds=60)
RESEND_BATCH = 500
WAITING = {TaskResultStatus.READY}
# Jobs queued ahead of the others where the queue allows it (module paths): the acknowledgement, which must
# not wait behind a backlog of analyses. Registered by the app that defines the job, at import.
_urgent: set[str] = set()


def after_intake_urgent_register(task_obj) -> None:
    _urgent.add(task_obj.module_path)


def _sendable(task_obj):
    """The task as it is to be queued: with the highest priority if it is urgent and the backend has
    priorities (ours: the database queue, and RQ's at_front through tasks.backend.RQBackend)."""
    if task_obj.module_path in _urgent and getattr(task_obj.get_backend(), "supports_priority", False):
        return task_obj.using(priority=TASK_MAX_PRIORITY)
    return task_obj


def queue_in_transaction(task_obj) -> bool:
    """True when tasks are rows in this database (django_tasks_db): then they are written in the
    transaction that stores the case. Any other queue (Redis, the tests' in-process one) must not
    see a task before its case is committed, so it is sent on commit, with an outbox row."""
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_obj.get_backend(), DatabaseBackend)


def after_intake_queue(*, complaint_id: int, tasks: Sequence) -> None:
    """Queue each of `tasks` (called with the complaint's id) for the complaint being stored, in order.

    Database queue: the rows join the current transaction. Other queues: one outbox row per task in the
    current transaction, the jobs sent when it commits, their queue ids then noted on the rows (one
    UPDATE). A failed send is logged, never the intake's failure: the sweep sends it again."""
    if not tasks:
        return
    if queue_in_transaction(tasks[0]):
        for task_obj in tasks:
            _sendable(task_obj).enqueue(complaint_id)
        return
    at = now()
    AfterIntakeJob.objects.bulk_create(
        [AfterIntakeJob(complaint_id=complaint_id, task_path=t.module_path, queued_at=at) for t in tasks]
    )

    def enqueue() -> None:
        sent: dict[str, str] = {}
        for task_obj in tasks:
            try:
                sent[task_obj.module_path] = _sendable(task_obj).enqueue(complaint_id).id
            except Exception:
                logger.exception("could not queue %s of complaint %s", task_obj.name, complaint_id)
        if sent:
            _job_ids_note(complaint_id=complaint_id, sent=sent)

    transaction.on_commit(enqueue, robust=True)


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
    """Send again the after-intake jobs that are gone (see the module's docstring). Called by the
    periodic sweep. Returns how many were sent; stops at the first send that fails (the queue is still
    down: the next sweep tries again)."""
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
        try:
            task_obj = import_string(row.task_path)
            if _job_waiting(task_obj, row.job_id):
                continue
        except Exception:
            logger.exception("cannot ask the queue about %s of complaint %s", row.task_path, row.complaint_id)
            break
        # Taken over only if nobody else did meanwhile (a job starting now holds the row: this waits
        # for it, and finds the row gone if it finished).
        if not AfterIntakeJob.objects.filter(pk=row.pk, queued_at=row.queued_at).update(
            queued_at=at, attempts=row.attempts + 1, job_id=""
        ):
            continue
        try:
            job_id = _sendable(task_obj).enqueue(row.complaint_id).id
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
    still waiting in a queue at an upgrade runs: it runs the two jobs that replace it."""
    outcome = {}
    for path in (
        "complaintdesk.channels.intake_tasks.enrich_after_intake",
        "complaintdesk.channels.intake_tasks.acknowledge_after_intake",
    ):
        step = import_string(path)
        outcome[step.name] = step.call(complaint_id)
    return outcome
