"""Our task backends: the database queue, with each task row written by one hand-written INSERT, and RQ
with priorities.

django_tasks_db's `DatabaseBackend` creates the row with the ORM; every intake queues one task, and
compiling that INSERT cost more than running it. This backend builds the same `DBTaskResult` (same
fields, same `pre_save` handler that sets `run_after`, same `auto_now_add`) and inserts it through
`common.fastsql.insert_instance`. Everything else — workers, results, the admin — is the library's.
"""

from django_tasks.base import TASK_MAX_PRIORITY
from django_tasks_db.backend import DatabaseBackend as LibraryDatabaseBackend
from django_tasks_db.compat import normalize_json
from django_tasks_rq.backend import RQBackend as LibraryRQBackend

from complaintdesk.common import fastsql


class DatabaseBackend(LibraryDatabaseBackend):
    def _task_to_db_task(self, task, args, kwargs):
        from django_tasks_db.models import DBTaskResult

        return fastsql.insert_instance(
            DBTaskResult(
                id=self._get_id(),
                args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                run_after=task.run_after,
                backend_name=self.alias,
            )
        )


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
