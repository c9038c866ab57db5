"""Our task backends: the database queue, with each task row written by one hand-written INSERT, and RQ
with priorities.

django_tasks_db's `DatabaseBackend` creates the row with the ORM; every intake queues one task, and
compiling that INSERT cost more than running it. This backend builds the same `DBTaskResult` (same
fields, same `pre_save` handler that sets `run_after`, same `auto_now_add`) and inserts it through
`common.fastsql.insert_instance`. Everything else — workers, results, the admin — is the library's.
"""

from collections.abc import Sequence

from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.base import TASK_MAX_PRIORITY
from django_tasks.signals import task_enqueued
from django_tasks_db.backend import DatabaseBackend as LibraryDatabaseBackend
from django_tasks_db.backend import TaskResult
from django_tasks_db.compat import normalize_json
from django_tasks_db.utils import normalize_uuid
from django_tasks_rq.backend import RQBackend as LibraryRQBackend

from complaintdesk.common import fastsql


class DatabaseBackend(LibraryDatabaseBackend):
    def _db_task(self, task, args, kwargs):
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )

    def _task_to_db_task(self, task, args, kwargs):
        return fastsql.insert_instance(self._db_task(task, args, kwargs))

    def enqueue_many(self, calls: Sequence[tuple]) -> list[TaskResult]:
        """`enqueue(task, args, kwargs)` of each of `calls`, their rows written by one INSERT (the
        after-intake steps of a case: one statement instead of one per step), with the `task_enqueued`
        signal for each. Each distinct task is checked (`validate_task`) once per backend instance, not at
        every call. The rows' values are those `enqueue` writes, set here without building a model
        instance per row (every intake queues its steps: the instances and their save signals cost more
        than the INSERT): id, READY, `enqueued_at` now, the arguments, the task's priority, path and
        queue, `run_after` as the library's `pre_save` handler sets it. When anything else listens to
        the rows' save signals, the rows go through `_db_task` and the signals, as before."""
        from django_tasks_db.models import DBTaskResult, get_date_max
        from django_tasks_db.signal_handlers import set_run_after

        validated = self.__dict__.setdefault("_validated_tasks", set())
        for task, _args, _kwargs in calls:
            if task not in validated:
                self.validate_task(task)
                validated.add(task)
        if _save_signals_listened(DBTaskResult, besides=set_run_after):
            return self._enqueue_many_with_signals(calls)
        at = timezone.now()
        rows, results = [], []
        for task, args, kwargs in calls:
            args_kwargs = normalize_json({"args": args, "kwargs": kwargs})
            row_id = self._get_id()
            run_after = task.run_after if task.run_after is not None else get_date_max()
            rows.append(
                [row_id, TaskResultStatus.READY, at, None, None, args_kwargs, task.priority, task.module_path,
                 [], task.queue_name, self.alias, run_after, None, "", ""]
            )  # fmt: skip
            results.append(
                TaskResult(
                    db_result=None,
                    task=task,
                    id=normalize_uuid(row_id),
                    status=TaskResultStatus.READY,
                    enqueued_at=at,
                    started_at=None,
                    last_attempted_at=None,
                    finished_at=None,
                    args=args_kwargs["args"],
                    kwargs=args_kwargs["kwargs"],
                    backend=self.alias,
                    errors=[],
                    worker_ids=[],
                )  # fmt: skip
            )
        fastsql.insert_rows(DBTaskResult, _ROW_FIELDS, rows)
        for result in results:
            task_enqueued.send(type(self), task_result=result)
        return results

    def _enqueue_many_with_signals(self, calls: Sequence[tuple]) -> list[TaskResult]:
        from django_tasks_db.models import DBTaskResult

        rows = [self._db_task(task, args, kwargs) for task, args, kwargs in calls]
        fields = [field.attname for field in DBTaskResult._meta.concrete_fields]
        values = []
        for row in rows:
            pre_save.send(sender=DBTaskResult, instance=row, raw=False, using="default", update_fields=None)
            values.append([field.pre_save(row, True) for field in DBTaskResult._meta.concrete_fields])
        fastsql.insert_rows(DBTaskResult, fields, values)
        results = []
        for row, (task, _args, _kwargs) in zip(rows, calls, strict=True):
            row._state.adding, row._state.db = False, "default"
            post_save.send(
                sender=DBTaskResult,
                instance=row,
                created=True,
                update_fields=None,
                raw=False,
                using="default",
            )
            result = TaskResult(
                db_result=row, task=task, id=normalize_uuid(row.id), status=TaskResultStatus.READY,
                enqueued_at=row.enqueued_at, started_at=None, last_attempted_at=None, finished_at=None,
                args=row.args_kwargs["args"], kwargs=row.args_kwargs["kwargs"], backend=self.alias, errors=[], worker_ids=[],
            )  # fmt: skip
            task_enqueued.send(type(self), task_result=result)
            results.append(result)
        return results


# The task table's columns in the order enqueue_many gives its values.
_ROW_FIELDS = (
    "id", "status", "enqueued_at", "started_at", "finished_at", "args_kwargs", "priority", "task_path",
    "worker_ids", "queue_name", "backend_name", "run_after", "return_value", "exception_class_path", "traceback",
)  # fmt: skip


def _save_signals_listened(model, *, besides) -> bool:
    """True when a receiver other than `besides` (django_tasks_db's own `set_run_after`, which enqueue_many
    does itself) listens to the task rows' pre_save, or any to their post_save."""
    return any(r is not besides for r in pre_save._live_receivers(model)[0]) or post_save.has_listeners(model)


class RQBackend(LibraryRQBackend):
    """django_tasks_rq's backend, which already queues a job of the highest priority at the front of its
    queue (`at_front`) but refuses any priority when a task is queued. Used for what must not wait behind
    a backlog of analyses: the acknowledgement of a new case (channels.intake_tasks) and the periodic SLA
    sweep (sla.tasks, through tasks.periodic). A deferred job of the highest priority goes to the front too when its time comes
    (RQ's `enqueue_at_front`, which the library does not set)."""

    supports_priority = True

    def enqueue(self, task, args, kwargs):
        result = super().enqueue(task, args, kwargs)
        if task.run_after is not None and task.priority == TASK_MAX_PRIORITY:
            job = self._get_job(result.id)
            if job is not None:
                job.enqueue_at_front = True
                job.save()
        return result
