"""The same task code runs on the database queue (default) and on RQ over Redis (REDIS_URL)."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks import TaskResultStatus

from complaintdesk.tasks.health import worker_ping

DB_BACKENDS = ["django_tasks_db.DatabaseBackend", "complaintdesk.tasks.backend.DatabaseBackend"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend", DB_BACKENDS)
def test_database_queue_runs_the_task_in_the_worker(backend):
    with override_settings(TASKS={"default": {"BACKEND": backend, "QUEUES": ["default"]}}):
        result = worker_ping.using(backend="default").enqueue(sent_at="t0")
        assert result.status == TaskResultStatus.READY
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL
        assert result.return_value["sent_at"] == "t0"


@pytest.mark.redis
def test_rq_queue_runs_the_task_in_a_worker():
    import django_rq

    # With REDIS_URL set, base settings configure RQ_QUEUES and install django_rq.
    rq_tasks = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=rq_tasks):
        result = worker_ping.using(backend="default").enqueue(sent_at="t1")
        django_rq.get_worker("default").work(burst=True)
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL
        assert result.return_value["sent_at"] == "t1"
