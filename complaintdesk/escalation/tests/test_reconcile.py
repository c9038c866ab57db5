"""Fault tests: deadlines that pass while nothing runs are handled exactly once when something runs
again; a failure in the middle of an escalation leaves the case as it was; two reconcilers at once
(PostgreSQL, threads) still act once; the worker runs the same sweep on the database queue and on RQ;
intake does not depend on the queue."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks import TaskResultStatus

from complaintdesk.common.testing import run_together
from complaintdesk.complaints.models import Complaint, ComplaintEvent, EventKind
from complaintdesk.complaints.services import complaint_analyse
from complaintdesk.complaints.states import Status
from complaintdesk.escalation import notify, services
from complaintdesk.escalation.models import CaseEscalation, EscalationHandOff
from complaintdesk.escalation.services import complaint_escalate, escalation_customer_acknowledged
from complaintdesk.sla import timers
from complaintdesk.sla.models import SlaTimer, TimerKind
from complaintdesk.sla.timers import SWEEP_JOB, timers_reconcile
from complaintdesk.tasks import periodic
from complaintdesk.tasks.models import PeriodicJob
from complaintdesk.tasks.periodic import periodic_run

from .conftest import handling_case, intake, local, staff_notices_capture, sweep

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


@pytest.fixture
def calls(monkeypatch):
    seen = {"customer": [], "staff": []}
    monkeypatch.setattr(notify, "customer_told_new_holder", lambda **values: seen["customer"].append(values))
    staff_notices_capture(monkeypatch, seen["staff"].append)
    return seen


def _three_deadlines_pass_while_stopped(org, clock):
    """Three cases whose only deadlines due by Fri 27 Nov 11:00 are: (b) a first response Fri 09:00,
    (a) a resolution Fri 09:30, (c) a business manager's resolve Fri 10:00 (its customer already told)."""
    clock.at(local(2026, 11, 24, 10))
    case_c = handling_case(org)
    complaint_escalate(number=case_c.number, actor=org.agent_a, reason="客户要求经理处理")
    escalation_customer_acknowledged(number=case_c.number, actor=org.manager)
    clock.at(local(2026, 11, 25, 9, 30))
    case_a = handling_case(org)
    clock.at(local(2026, 11, 26, 9))
    case_b = intake(org.agent_a)
    # … the worker stops here, and comes back on Friday at 11:00.
    clock.at(local(2026, 11, 27, 11))
    return case_a, case_b, case_c


def test_three_deadlines_passed_during_downtime_are_each_handled_once(
    ladder_org, clock, calls, django_capture_on_commit_callbacks
):
    org = ladder_org
    case_a, case_b, case_c = _three_deadlines_pass_while_stopped(org, clock)
    # The notices are written with the escalation itself now: forget those of case (c)'s escalation by hand.
    calls["staff"].clear()
    calls["customer"].clear()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("sla_reconcile", verbosity=0)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sla_reconcile", verbosity=0)  # the periodic sweep comes round too: nothing left
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep().handled == 0

    fired = SlaTimer.objects.filter(state="fired").order_by("due_at")
    assert [(t.complaint_id, t.kind) for t in fired] == [
        (case_b.pk, TimerKind.FIRST_RESPONSE),
        (case_a.pk, TimerKind.RESOLUTION),
        (case_c.pk, TimerKind.LEVEL_RESOLVE),
    ]
    assert not SlaTimer.objects.filter(state="warned").exists()  # late warnings are not sent after the breach
    # (a) went up to the business manager, (c) to the branch head, (b) was told to the business manager.
    assert [h.to_level_position for h in EscalationHandOff.objects.filter(complaint=case_a)] == [1]
    assert [h.to_level_position for h in EscalationHandOff.objects.filter(complaint=case_c)] == [1, 2]
    assert not EscalationHandOff.objects.filter(complaint=case_b).exists()
    assert sorted((c["complaint_id"], c["what"]) for c in calls["staff"]) == sorted(
        [(case_a.pk, "new_holder"), (case_b.pk, "breach"), (case_c.pk, "new_holder")]
    )
    assert sorted(c["complaint_id"] for c in calls["customer"]) == sorted([case_a.pk, case_c.pk])
    for case in (case_a, case_b, case_c):
        assert ComplaintEvent.objects.filter(complaint=case, kind=EventKind.SLA_BREACH).count() == 1


def test_a_failure_in_the_middle_of_an_escalation_leaves_nothing_half_done(ladder_org, clock, monkeypatch):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(org)
    events_before = ComplaintEvent.objects.filter(complaint=complaint).count()

    def worker_dies(**kwargs):  # after the hand-off row, the status and the clocks were written
        raise RuntimeError("worker killed")

    monkeypatch.setattr(services, "assign_apply", worker_dies)
    clock.at(local(2026, 11, 26, 10))
    assert sweep().failed == 1

    complaint.refresh_from_db()
    assert complaint.status == Status.HANDLING and complaint.assignee == org.agent_a
    assert not EscalationHandOff.objects.exists() and not CaseEscalation.objects.exists()
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == events_before
    resolution = SlaTimer.objects.get(complaint=complaint, kind=TimerKind.RESOLUTION)
    assert (resolution.state, resolution.attempts) == ("pending", 1)
    assert not SlaTimer.objects.filter(complaint=complaint, kind__startswith="level_").exists()

    monkeypatch.undo()
    clock.at(local(2026, 11, 26, 10, 0, 30))  # the back-off has passed
    assert sweep().fired == 1
    assert sweep().fired == 0
    complaint.refresh_from_db()
    assert complaint.status == Status.ESCALATED and complaint.assignee == org.manager
    assert EscalationHandOff.objects.filter(complaint=complaint).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reconcilers_at_once_handle_each_deadline_once(ladder_org, clock):
    org = ladder_org
    with override_settings(SLA_TIMERS_WAKE=False):
        clock.at(local(2026, 11, 24, 10))
        cases = [handling_case(org) for _ in range(16)]
        clock.at(local(2026, 11, 26, 10))
        results, errors = run_together(lambda: timers_reconcile(pause=0.05), 2, timeout=120)

    assert not errors and len(results) == 2
    assert sum(r.fired for r in results) == len(cases)
    assert sum(r.failed for r in results) == 0
    for case in cases:
        assert EscalationHandOff.objects.filter(complaint=case).count() == 1
        assert (
            ComplaintEvent.objects.filter(
                complaint=case, kind=EventKind.SLA_BREACH, field="resolution"
            ).count()
            == 1
        )
        assert ComplaintEvent.objects.filter(complaint=case, field="escalation_level").count() == 1
    assert Complaint.objects.filter(status=Status.ESCALATED).count() == len(cases)


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_the_sweep_and_keeps_one_periodic_chain(ladder_org, clock):
    from django_tasks_db.models import DBTaskResult

    org = ladder_org
    with override_settings(TASKS=DB_TASKS, SLA_TIMERS_WAKE=False, SLA_SWEEP_INTERVAL_SECONDS=30):
        clock.at(local(2026, 11, 24, 10))
        complaint = handling_case(org)
        at = clock.at(local(2026, 11, 26, 10))
        # Two workers started (or bin/run twice): two chains enqueued; only one may go on.
        first = periodic_run.enqueue(SWEEP_JOB)
        periodic_run.enqueue(SWEEP_JOB)
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

        first.refresh()
        assert first.status == TaskResultStatus.SUCCESSFUL and first.return_value["fired"] == 1
        assert EscalationHandOff.objects.filter(complaint=complaint).count() == 1
        waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        assert [(r.task_path, r.args_kwargs["args"][0], r.run_after) for r in waiting] == [
            ("complaintdesk.tasks.periodic.periodic_run", SWEEP_JOB, at + dt.timedelta(seconds=30))
        ]
        assert PeriodicJob.objects.get(name=SWEEP_JOB).next_run_at == at + dt.timedelta(seconds=30)

        # Thirty seconds later the next run of the chain does its pass and schedules the one after.
        clock.at(at + dt.timedelta(seconds=30))
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
        assert [r.run_after for r in DBTaskResult.objects.filter(status=TaskResultStatus.READY)] == [
            at + dt.timedelta(seconds=60)
        ]
        assert EscalationHandOff.objects.filter(complaint=complaint).count() == 1


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_rq_worker_runs_the_same_sweep(ladder_org, clock):
    import django_rq
    from rq import SimpleWorker
    from rq.registry import ScheduledJobRegistry

    org = ladder_org
    with override_settings(TASKS=RQ_TASKS, SLA_TIMERS_WAKE=False):
        queue = django_rq.get_queue("default")
        clock.at(local(2026, 11, 24, 10))
        complaint = handling_case(org)
        clock.at(local(2026, 11, 26, 10))
        try:
            result = periodic_run.enqueue(SWEEP_JOB)
            # In-process worker: the test database is not visible to a forked one.
            django_rq.get_worker("default", worker_class=SimpleWorker).work(burst=True)
            result.refresh()
            assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value["fired"] == 1
            assert EscalationHandOff.objects.filter(complaint=complaint).count() == 1
            # The chain's next run waits in RQ's scheduled registry (the worker runs --with-scheduler).
            assert len(ScheduledJobRegistry(queue=queue).get_job_ids()) == 1
        finally:
            registry = ScheduledJobRegistry(queue=queue)
            for job_id in registry.get_job_ids():
                registry.remove(job_id, delete_job=True)
            queue.empty()


@pytest.mark.django_db(transaction=True)
def test_intake_and_flags_do_not_need_the_queue_and_catch_up_later(ladder_org, clock, monkeypatch):
    """The queue (Redis) is down: the wake-up after the commit fails quietly, the complaint and its timer
    rows are stored, and the next sweep — or sla_reconcile — does the work."""
    org = ladder_org

    attempts = []

    def queue_down(job, **kwargs):
        attempts.append({"job": job.name, **kwargs})
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(periodic, "_enqueue", queue_down)
    monkeypatch.setattr(periodic, "periodic_supported", lambda: True)  # as on RQ
    monkeypatch.setattr(timers, "_last_liveness_check", 0.0)
    monkeypatch.setattr(timers, "_last_wake", 0.0)
    with override_settings(SLA_TIMERS_WAKE=True):
        clock.at(local(2026, 11, 24, 10))
        complaint = handling_case(org)
        complaint_analyse(number=complaint.number, actor=org.manager, changes={"reputation_risk": True})
    assert SlaTimer.objects.filter(
        complaint=complaint, kind=TimerKind.ESCALATION_FLAG, state="pending"
    ).exists()
    assert not EscalationHandOff.objects.exists()
    # it tried: to restart the periodic sweep, and to wake the worker for the flag
    assert {"job": SWEEP_JOB, "chain": True, "run_after": None} in attempts
    assert {"job": SWEEP_JOB, "chain": False} in attempts

    call_command("sla_reconcile", verbosity=0)  # the queue is back / the periodic sweep runs
    assert EscalationHandOff.objects.get(complaint=complaint).to_user == org.gm


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_with_redis_really_down_intake_still_accepts_and_the_timers_catch_up(
    ladder_org, clock, api_for, make_payload
):
    """REDIS_URL is set but nothing listens there: the API still answers 201 and stores the case with its
    timer rows (the queueing after the commit fails quietly); once the queue is back, the sweep does the
    work that fell due meanwhile, once."""
    org = ladder_org
    down = {"default": {"URL": "redis://127.0.0.1:1/0", "DEFAULT_TIMEOUT": 5}}
    with override_settings(TASKS=RQ_TASKS, RQ_QUEUES=down, SLA_TIMERS_WAKE=True):
        clock.at(local(2026, 11, 24, 10))
        response = api_for(org.agent_a).post("/complaints", make_payload())
        assert response.status_code == 201, response.content
    complaint = Complaint.objects.get(number=response.json()["number"])
    assert SlaTimer.objects.filter(
        complaint=complaint, kind=TimerKind.FIRST_RESPONSE, state="pending"
    ).exists()

    clock.at(local(2026, 11, 25, 11))  # the 24 h first response passed while the queue was down
    call_command("sla_reconcile", verbosity=0)
    call_command("sla_reconcile", verbosity=0)
    breaches = ComplaintEvent.objects.filter(
        complaint=complaint, kind=EventKind.SLA_BREACH, field="first_response"
    )
    assert breaches.count() == 1
