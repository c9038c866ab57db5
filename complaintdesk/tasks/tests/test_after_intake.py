"""What follows an intake: one task row, written with the case; each step still retried on its own."""

import uuid

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_tasks import TaskResultStatus

from complaintdesk.channels import acknowledge
from complaintdesk.channels.api import ApiChannelAdapter
from complaintdesk.channels.intake import complaint_intake
from complaintdesk.complaints.models import Complaint
from complaintdesk.intelligence.models import ComplaintInsight

OUR_DB_TASKS = {"default": {"BACKEND": "complaintdesk.tasks.backend.DatabaseBackend", "QUEUES": ["default"]}}
AFTER_INTAKE = "complaintdesk.tasks.intake.after_intake"
ACKNOWLEDGE = "complaintdesk.channels.tasks.acknowledge_complaint"
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


@pytest.fixture
def sent():
    got = []
    acknowledge.acknowledgement_sender_register(got.append)
    yield got
    acknowledge.acknowledgement_sender_unregister(got.append)


def _rows():
    """Intake's task rows (the steps themselves queue more: the notification's delivery, …)."""
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.filter(task_path__in=[AFTER_INTAKE, ACKNOWLEDGE]).order_by("enqueued_at")
    )


def _post(api, body):
    return api.client.post(
        "/api/v1/complaints",
        data=body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )


@pytest.mark.django_db(transaction=True)
def test_intake_writes_one_task_row_and_the_worker_acknowledges_and_enriches(
    org, api_for, make_payload, sent
):
    from django_tasks_db.models import get_date_max

    api = api_for(org.api_a)
    with override_settings(TASKS=OUR_DB_TASKS, SLA_TIMERS_WAKE=False):
        response = api.post("/complaints", make_payload())
        assert response.status_code == 201, response.content
        complaint = Complaint.objects.get(number=response.json()["number"])
        [row] = _rows()
        assert (row.task_path, row.args_kwargs, row.status) == (
            AFTER_INTAKE,
            {"args": [complaint.pk], "kwargs": {}},
            TaskResultStatus.READY,
        )
        assert row.enqueued_at is not None and row.run_after == get_date_max()  # as the library writes it

        assert api.post("/complaints", make_payload(title="")).status_code == 422
        assert len(_rows()) == 1  # a refused intake queues nothing

        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
        [row] = _rows()
        assert row.status == TaskResultStatus.SUCCESSFUL, row.traceback
        assert set(row.return_value) == {"acknowledge_complaint", "enrich_complaint"}
    assert [ack.number for ack in sent] == [complaint.number]
    assert ComplaintInsight.objects.filter(complaint=complaint).exists()


@pytest.mark.django_db(transaction=True)
def test_a_failing_step_is_queued_again_on_its_own_and_the_other_still_runs(
    org, api_for, make_payload, monkeypatch
):
    def notifier_down(complaint_id):
        raise ConnectionError("SMS gateway down")

    monkeypatch.setattr("complaintdesk.channels.tasks.complaint_acknowledge", notifier_down)
    with override_settings(TASKS=OUR_DB_TASKS, SLA_TIMERS_WAKE=False):
        response = api_for(org.api_a).post("/complaints", make_payload())
        complaint = Complaint.objects.get(number=response.json()["number"])
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
        rows = {row.task_path: row for row in _rows()}
        assert set(rows) == {AFTER_INTAKE, ACKNOWLEDGE}
        assert rows[AFTER_INTAKE].status == TaskResultStatus.SUCCESSFUL
        assert rows[AFTER_INTAKE].return_value["acknowledge_complaint"].startswith("failed (ConnectionError)")
        # The acknowledgement's own task ran in the same pass, failed again and is there to see and rerun.
        assert rows[ACKNOWLEDGE].status == TaskResultStatus.FAILED
        assert rows[ACKNOWLEDGE].args_kwargs == {"args": [complaint.pk], "kwargs": {}}
    assert ComplaintInsight.objects.filter(complaint=complaint).exists()  # enrichment was not held up


def test_the_task_row_commits_with_the_case_or_not_at_all(org):
    message = ApiChannelAdapter().parse(
        {
            "channel": "phone",
            "customer": {"name": "王女士", "phone": "13800138000"},
            "title": "宽带断网",
            "description": "从周五开始断网",
        }
    )
    with override_settings(TASKS=OUR_DB_TASKS, SLA_TIMERS_WAKE=False):
        with pytest.raises(RuntimeError), transaction.atomic():
            complaint_intake(data=message.data, actor=org.agent_a)
            assert [row.task_path for row in _rows()] == [AFTER_INTAKE]  # written in the case's transaction
            raise RuntimeError("the caller's transaction fails after intake")
        assert not Complaint.objects.exists() and _rows() == []

        complaint = complaint_intake(data=message.data, actor=org.agent_a)  # outside any transaction
        assert [row.args_kwargs["args"] for row in _rows()] == [[complaint.pk]]


def _work_statements(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(TRANSACTION_CONTROL)]


def test_statements_per_api_intake_are_bounded(org, api_for, make_payload):
    """The statements of one `POST /api/v1/complaints` with an Idempotency-Key on the production queue
    (transaction control not counted). Was 19 before per-process caching and the written-out hot
    statements; a new query on this path should be a decision, not an accident."""
    api = api_for(org.api_a)
    with override_settings(TASKS=OUR_DB_TASKS, SLA_TIMERS_WAKE=False):
        assert _post(api, make_payload()).status_code == 201  # warm: the token's first use is touched
        with CaptureQueriesContext(connection) as queries:
            response = _post(api, make_payload(customer={"name": "李先生", "phone": "13900139000"}))
        assert response.status_code == 201
        statements = _work_statements(queries)
        assert len(statements) <= 11, "\n".join(statements)
        assert not any(s.startswith('SELECT "orgs_orgunit"') for s in statements)  # unit: from the cached tree
        assert sum("common_configversion" in s for s in statements) == 1  # one snapshot of the configuration
        assert not any(
            "auth_permission" in s or "sla_slapolicy" in s or "calendars_" in s for s in statements
        )
        with CaptureQueriesContext(connection) as queries:  # a returning customer: no customer insert
            assert (
                _post(api, make_payload(customer={"name": "李先生", "phone": "13900139000"})).status_code
                == 201
            )
        assert len(_work_statements(queries)) <= 10


@pytest.mark.django_db(transaction=True)
def test_a_job_lost_on_the_way_to_an_outside_queue_is_sent_again_by_the_sweep(
    org, api_for, make_payload, sent, monkeypatch, time_machine
):
    """On a queue outside the database (RQ; here the tests' in-process queue) the job is sent after the
    commit. If that send fails (Redis down, the process killed), the outbox row written with the case
    makes the periodic sweep send it again: the customer's acknowledgement is late, never lost."""
    from complaintdesk.tasks import intake as after_intake_module
    from complaintdesk.tasks.models import AfterIntakePending
    from complaintdesk.tasks.sla import sla_sweep

    time_machine.move_to("2026-11-23T10:00:00+08:00", tick=False)

    class QueueDown:
        """The after_intake task as seen while its queue is unreachable."""

        def __init__(self, task):
            self.get_backend = task.get_backend

        def enqueue(self, *args, **kwargs):
            raise ConnectionError("Redis is down")

    with monkeypatch.context() as patch:
        patch.setattr(after_intake_module, "after_intake", QueueDown(after_intake_module.after_intake))
        response = _post(api_for(org.api_a), make_payload())
    assert response.status_code == 201  # the case is accepted whatever the queue does
    complaint = Complaint.objects.get(number=response.json()["number"])
    assert sent == [] and list(AfterIntakePending.objects.values_list("complaint_id", flat=True)) == [complaint.pk]

    assert sla_sweep.call()["after_intake_resent"] == 0  # too early: the job may still be on its way
    assert sent == []

    time_machine.move_to("2026-11-23T10:02:30+08:00", tick=False)
    assert sla_sweep.call()["after_intake_resent"] == 1
    assert [ack.number for ack in sent] == [complaint.number]  # acknowledged, once
    assert not AfterIntakePending.objects.exists()  # the job ran and cleared its row
    assert sla_sweep.call()["after_intake_resent"] == 0


@pytest.mark.django_db(transaction=True)
def test_a_job_that_runs_leaves_no_outbox_row(org, api_for, make_payload, sent):
    from complaintdesk.tasks.models import AfterIntakePending

    assert _post(api_for(org.api_a), make_payload()).status_code == 201
    assert len(sent) == 1 and not AfterIntakePending.objects.exists()
