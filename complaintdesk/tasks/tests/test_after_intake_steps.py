"""The after-intake steps are registered by the apps that provide them and queued by the core's take-in
(`complaints.intake.complaint_take_in`) with the case: once per case, in its transaction, most urgent
first where the queue has priorities."""

import pytest
from django.db import transaction
from django.test import override_settings
from django_tasks import task
from django_tasks.base import DEFAULT_TASK_PRIORITY, TASK_MAX_PRIORITY

from complaintdesk.channels.api import ApiChannelAdapter
from complaintdesk.complaints.intake import complaint_take_in
from complaintdesk.complaints.models import Complaint
from complaintdesk.intelligence.models import ComplaintInsight
from complaintdesk.tasks import intake as outbox
from complaintdesk.tasks.models import AfterIntakeJob

OUR_DB_TASKS = {"default": {"BACKEND": "complaintdesk.tasks.backend.DatabaseBackend", "QUEUES": ["default"]}}
PROBE = f"{__name__}.probe_step"
ENRICH = "complaintdesk.intelligence.tasks.enrich_after_intake"
ACKNOWLEDGE = "complaintdesk.channels.intake_tasks.acknowledge_after_intake"
INCIDENT = "complaintdesk.outreach.tasks.incident_match_after_intake"
CODES = "complaintdesk.regulation.tasks.codes_suggest_after_intake"
ran: list[int] = []


@task()
def probe_step(complaint_id: int) -> str:
    with outbox.outbox_claim(task_obj=probe_step, complaint_id=complaint_id) as mine:
        if mine:
            ran.append(complaint_id)
    return "ran" if mine else "done already"


@pytest.fixture
def probe(monkeypatch):
    """The steps the apps registered, and one more: a test app's step of middle priority."""
    monkeypatch.setattr(outbox, "_steps", dict(outbox._steps))
    outbox.after_intake_step_register("probe", probe_step, priority=50)
    ran.clear()
    yield
    ran.clear()


def _data(phone="13800138000"):
    return ApiChannelAdapter().parse(
        {"channel": "phone", "customer": {"name": "王女士", "phone": phone}, "title": "宽带断网",
         "description": "从周五开始断网"}
    ).data  # fmt: skip


def _task_rows():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path__in=[PROBE, ENRICH, ACKNOWLEDGE])


def test_the_apps_register_their_steps_most_urgent_first():
    steps = outbox.after_intake_steps()
    assert [(s.name, s.task.module_path, s.priority) for s in steps] == [
        ("acknowledgement", ACKNOWLEDGE, TASK_MAX_PRIORITY),  # channels: the customer is told first
        ("enrichment", ENRICH, DEFAULT_TASK_PRIORITY),  # intelligence
        ("incident-match", INCIDENT, DEFAULT_TASK_PRIORITY),  # outreach: a known incident answers it
        ("regulatory-codes", CODES, DEFAULT_TASK_PRIORITY),  # regulation: the codes suggested from the text
    ]
    assert [s.name for s in steps if s.settled] == ["enrichment"]  # the acknowledgement runs it first


def test_a_registered_step_is_queued_once_per_intake_in_the_cases_transaction(org, probe):
    with override_settings(TASKS=OUR_DB_TASKS, SLA_TIMERS_WAKE=False):
        with pytest.raises(RuntimeError), transaction.atomic():
            complaint_take_in(data=_data(), actor=org.agent_a)
            assert _task_rows().filter(task_path=PROBE).count() == 1  # written with the case
            raise RuntimeError("the caller's transaction fails after intake")
        assert not Complaint.objects.exists() and not _task_rows().exists()  # a rolled-back intake: nothing

        first = complaint_take_in(data=_data(), actor=org.agent_a)
        second = complaint_take_in(data=_data("13900139000"), actor=org.agent_a)
        rows = _task_rows()
        assert sorted((r.task_path, r.args_kwargs["args"][0]) for r in rows) == sorted(
            (path, case.pk) for path in (PROBE, ENRICH, ACKNOWLEDGE) for case in (first, second)
        )
        # The queue takes them by priority: the acknowledgements, then the other app's step, then enrichment.
        assert [r.task_path for r in rows.ready()] == [ACKNOWLEDGE] * 2 + [PROBE] * 2 + [ENRICH] * 2
        assert not outbox.after_intake_settled(first.pk)  # its analysis waits in the queue


@pytest.mark.django_db(transaction=True)
def test_on_an_outside_queue_a_rolled_back_intake_leaves_no_outbox_row_and_runs_no_step(org, probe):
    with pytest.raises(RuntimeError), transaction.atomic():
        complaint_take_in(data=_data(), actor=org.agent_a)
        assert set(AfterIntakeJob.objects.values_list("task_path", flat=True)) == {
            PROBE,
            ENRICH,
            ACKNOWLEDGE,
            INCIDENT,
            CODES,
        }
        raise RuntimeError("the caller's transaction fails after intake")
    assert not AfterIntakeJob.objects.exists() and ran == []


@pytest.mark.django_db(transaction=True)
def test_an_apps_step_runs_once_after_the_commit_and_clears_its_outbox_row(org, probe):
    complaint = complaint_take_in(data=_data(), actor=org.agent_a)  # the tests' queue runs jobs at once
    assert ran == [complaint.pk]
    assert not AfterIntakeJob.objects.exists()  # each step took and deleted its row
    assert ComplaintInsight.objects.filter(complaint=complaint).count() == 1  # intelligence's step ran
    assert outbox.after_intake_settled(complaint.pk)
    assert probe_step.call(complaint.pk) == "done already" and ran == [complaint.pk]  # sent twice: once


@pytest.mark.django_db(transaction=True)
def test_an_outbox_row_of_a_step_under_its_former_path_is_sent_as_the_step_it_is_now(org, time_machine):
    """Rows written before enrichment moved from channels to intelligence still run (a row of a task no
    longer known is left, logged, and does not hold back the others)."""
    time_machine.move_to("2026-11-23T10:00:00+08:00", tick=False)
    with override_settings(TASKS=OUR_DB_TASKS, SLA_TIMERS_WAKE=False):
        complaint = complaint_take_in(data=_data(), actor=org.agent_a)  # no outbox row on this queue
    queued_at = complaint.created_at
    AfterIntakeJob.objects.create(
        complaint=complaint, task_path="complaintdesk.gone.step", queued_at=queued_at
    )
    AfterIntakeJob.objects.create(
        complaint=complaint,
        task_path="complaintdesk.channels.intake_tasks.enrich_after_intake",
        queued_at=queued_at,
    )
    time_machine.move_to("2026-11-23T10:05:00+08:00", tick=False)
    assert outbox.after_intake_resend() == 1
    assert ComplaintInsight.objects.filter(complaint=complaint).count() == 1  # run, as intelligence's step
    assert list(AfterIntakeJob.objects.values_list("task_path", flat=True)) == ["complaintdesk.gone.step"]
