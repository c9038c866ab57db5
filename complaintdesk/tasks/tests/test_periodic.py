"""The periodic-job registry (tasks.periodic): one lease per job (duplicated chains die out), a stopped
chain is started again, next runs by interval and by local time of day, a failing job is recorded and its
chain goes on, a one-off run waits at most once in the queue; on the database queue and on RQ."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks import TaskResultStatus
from django_tasks.base import TASK_MAX_PRIORITY

from complaintdesk.common.testing import local
from complaintdesk.tasks import periodic
from complaintdesk.tasks.models import PeriodicJob
from complaintdesk.tasks.periodic import (
    periodic_is_stale,
    periodic_lease_take,
    periodic_register,
    periodic_revive,
    periodic_run,
    periodic_start,
    periodic_start_all,
    periodic_wake,
)

OUR_DB_TASKS = {"default": {"BACKEND": "complaintdesk.tasks.backend.DatabaseBackend", "QUEUES": ["default"]}}
RQ_TASKS = {"default": {"BACKEND": "complaintdesk.tasks.backend.RQBackend", "QUEUES": ["default"]}}
PERIODIC_RUN = "complaintdesk.tasks.periodic.periodic_run"


@pytest.fixture
def jobs(monkeypatch):
    """A registry of the test's own jobs only (the real ones would run too on the database queue)."""
    monkeypatch.setattr(periodic, "_jobs", {})
    calls = []

    def every_minute():
        calls.append("minute")
        return {"done": len(calls)}

    def nightly():
        calls.append("nightly")

    def broken():
        calls.append("broken")
        raise RuntimeError("the mail server is down")

    periodic_register("minute", every_minute, label="每分钟", every=dt.timedelta(seconds=60))
    periodic_register("nightly", nightly, label="每晚", daily_at=dt.time(2, 30))
    periodic_register("broken", broken, label="总失败", every=lambda: dt.timedelta(seconds=30))
    return calls


def _waiting():
    from django_tasks_db.models import DBTaskResult

    return sorted(
        (row.args_kwargs["args"][0], None if row.run_after.year == 9999 else row.run_after)  # 9999: at once
        for row in DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=PERIODIC_RUN)
    )


def _work():
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def test_next_run_by_interval_and_by_local_time_of_day(jobs):
    minute, nightly = periodic._jobs["minute"], periodic._jobs["nightly"]
    at = local(2026, 11, 24, 10, 0, 5)
    assert minute.next_after(at) == at + dt.timedelta(seconds=60)
    assert nightly.next_after(local(2026, 11, 24, 1)) == local(2026, 11, 24, 2, 30)  # later today
    assert nightly.next_after(local(2026, 11, 24, 2, 30)) == local(
        2026, 11, 25, 2, 30
    )  # not the same instant
    assert nightly.next_after(local(2026, 12, 31, 23)) == local(2027, 1, 1, 2, 30)
    # An interval job starts at once, a daily one at its time.
    assert minute.first_run(at) == at and nightly.first_run(at) == local(2026, 11, 25, 2, 30)
    # A chain counts as stopped after three periods, at most an hour.
    assert minute.stale_after() == dt.timedelta(minutes=3) and nightly.stale_after() == dt.timedelta(hours=1)


def test_an_interval_read_from_the_settings_applies_at_the_next_run(monkeypatch, settings):
    monkeypatch.setattr(periodic, "_jobs", {})
    job = periodic_register(
        "sweep",
        lambda: None,
        label="巡检",
        every=lambda: dt.timedelta(seconds=settings.SLA_SWEEP_INTERVAL_SECONDS),
    )
    settings.SLA_SWEEP_INTERVAL_SECONDS = 10
    assert job.next_after(local(2026, 11, 24, 10)) == local(2026, 11, 24, 10, 0, 10)


def test_a_job_needs_exactly_one_schedule():
    with pytest.raises(ValueError):
        periodic_register("neither", lambda: None, label="无")
    with pytest.raises(ValueError):
        periodic_register("both", lambda: None, label="两者", every=dt.timedelta(1), daily_at=dt.time(2))


@pytest.mark.django_db
def test_the_lease_lets_one_run_schedule_the_next(jobs):
    at = local(2026, 11, 24, 10)
    assert periodic_lease_take("minute", at=at) == at + dt.timedelta(seconds=60)
    assert periodic_lease_take("minute", at=at) is None  # a duplicate chain stops
    assert periodic_lease_take("minute", at=at + dt.timedelta(seconds=29)) is None  # too early
    later = at + dt.timedelta(seconds=30)  # half a period early is its time (a run that came a little early)
    assert periodic_lease_take("minute", at=later) == later + dt.timedelta(seconds=60)


@pytest.mark.django_db(transaction=True)
def test_two_chains_on_the_database_queue_become_one(jobs, clock):
    at = clock.at(local(2026, 11, 24, 10))
    with override_settings(TASKS=OUR_DB_TASKS, SLA_TIMERS_WAKE=False):
        periodic_run.enqueue("minute")  # two starts (bin/run twice, a redelivered job): two chains
        periodic_run.enqueue("minute")
        _work()
        assert jobs == ["minute", "minute"]  # both ran …
        assert _waiting() == [("minute", at + dt.timedelta(seconds=60))]  # … one goes on
        row = PeriodicJob.objects.get(name="minute")
        assert row.last_result["done"] == 2 and dt.datetime.fromisoformat(row.last_result["at"]) == at
        assert row.last_run_at == at

        clock.at(at + dt.timedelta(seconds=60))
        _work()
        assert _waiting() == [("minute", at + dt.timedelta(seconds=120))]


@pytest.mark.django_db(transaction=True)
def test_a_failing_job_is_recorded_and_its_chain_goes_on(jobs, clock):
    at = clock.at(local(2026, 11, 24, 10))
    with override_settings(TASKS=OUR_DB_TASKS, SLA_TIMERS_WAKE=False):
        result = periodic_run.enqueue("broken")
        _work()
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL  # the task itself does not fail …
        assert result.return_value == {"error": "RuntimeError: the mail server is down"}
        row = PeriodicJob.objects.get(name="broken")
        assert row.failures == 1 and "the mail server is down" in row.last_result["error"]
        assert _waiting() == [("broken", at + dt.timedelta(seconds=30))]  # … and the next run is queued

        clock.at(at + dt.timedelta(seconds=30))
        _work()
        assert PeriodicJob.objects.get(name="broken").failures == 2
        assert _waiting() == [("broken", at + dt.timedelta(seconds=60))]


@pytest.mark.django_db(transaction=True)
def test_start_is_idempotent_and_a_stopped_chain_is_started_again(jobs, clock):
    at = clock.at(local(2026, 11, 24, 10))
    with override_settings(TASKS=OUR_DB_TASKS, SLA_TIMERS_WAKE=False):
        assert periodic_start_all() == {
            "broken": at,
            "minute": at,
            "nightly": local(2026, 11, 25, 2, 30),
        }
        assert periodic_start_all() == {"broken": None, "minute": None, "nightly": None}  # already scheduled
        assert _waiting() == [("broken", None), ("minute", None), ("nightly", local(2026, 11, 25, 2, 30))]

        # The queue lost every job (Redis flushed): nothing runs, and the schedule falls behind.
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.all().delete()
        PeriodicJob.objects.filter(name="minute").update(next_run_at=at + dt.timedelta(seconds=60))
        later = clock.at(at + dt.timedelta(minutes=3))
        assert not periodic_is_stale("minute", at=later)  # three periods late: not yet
        assert periodic_revive() == ["broken"]  # its next run was due at once: three minutes late
        later = clock.at(at + dt.timedelta(minutes=4, seconds=1))
        assert periodic_revive() == ["minute"]  # the nightly one is not due before tomorrow
        _work()
        assert sorted(jobs) == ["broken", "minute"]
        assert PeriodicJob.objects.get(name="minute").next_run_at == later + dt.timedelta(seconds=60)


@pytest.mark.django_db
def test_a_job_that_is_off_is_neither_started_nor_continued(monkeypatch, clock):
    monkeypatch.setattr(periodic, "_jobs", {})
    monkeypatch.setattr(periodic, "periodic_supported", lambda: True)
    queued = []
    monkeypatch.setattr(periodic, "_enqueue", lambda job, **kw: queued.append(job.name))
    ran = []
    periodic_register(
        "mail", lambda: ran.append(1), label="邮件", every=dt.timedelta(60), enabled=lambda: False
    )
    assert periodic_start("mail") is None and queued == []
    assert periodic_run.call("mail") == {"skipped": "disabled"} and ran == [] and queued == []


@pytest.mark.django_db
def test_only_one_one_off_run_waits_at_a_time(jobs, monkeypatch, clock):
    queued = []
    monkeypatch.setattr(periodic, "_enqueue", lambda job, **kw: queued.append((job.name, kw)))
    at = clock.at(local(2026, 11, 24, 10))
    assert periodic_wake("minute") and not periodic_wake("minute")
    assert queued == [("minute", {"chain": False})]
    periodic_run.call("minute", False)  # it started: the next ask queues another
    assert periodic_wake("minute") and len(queued) == 2
    clock.at(at + dt.timedelta(minutes=3, seconds=1))  # a claim left by a run the queue lost is taken over
    assert periodic_wake("minute") and len(queued) == 3
    assert not PeriodicJob.objects.get(name="minute").next_run_at  # a one-off run is no chain


@pytest.mark.django_db(transaction=True)
def test_a_job_for_rows_without_a_job_waits_until_nothing_waits_in_the_queue(monkeypatch):
    """Notifications do not know their delivery job: re-queueing one past due while the queue is busy
    would add the same job to the backlog on every run (bench/cluster.py saw the queue grow so)."""
    from complaintdesk.tasks.health import worker_ping

    monkeypatch.setattr(periodic, "_jobs", {})
    calls = []
    periodic_register(
        "lost-rows", lambda: calls.append(1), label="补发", every=dt.timedelta(30), when_queue_empty=True
    )
    with override_settings(TASKS=OUR_DB_TASKS, SLA_TIMERS_WAKE=False):
        worker_ping.enqueue(sent_at="t0")  # a job waiting
        assert periodic.queue_waiting() == 1
        assert periodic_run.call("lost-rows", False) == {"skipped": "queue busy"} and calls == []
        _work()
        periodic_run.call("lost-rows", False)
        assert calls == [1]


def test_every_job_of_the_apps_is_registered_with_its_label():
    """Autodiscovered from each app's tasks.py (and the after-intake resend from the tasks app)."""
    registered = {job.name: job for job in periodic.periodic_jobs()}
    assert set(registered) >= {
        "sla-sweep", "after-intake-resend", "staff-emails-retry", "notifications-retry", "mail-poll",
        "analytics-sync", "escalation-digest", "quality-sample",
    }  # fmt: skip
    assert periodic.periodic_jobs()[0].priority == TASK_MAX_PRIORITY  # the sweep and the recoveries first
    assert all(str(job.label) != job.name for job in registered.values())


@pytest.mark.django_db
def test_the_admin_lists_the_jobs_in_words(admin_client):
    from django.utils import translation

    PeriodicJob.objects.create(
        name="sla-sweep", last_run_at=local(2026, 11, 24, 10), last_result={"fired": 0}
    )
    PeriodicJob.objects.create(
        name="mail-poll", last_run_at=local(2026, 11, 24, 10), last_result={"error": "x"}
    )
    body = admin_client.get("/admin/cd_tasks/periodicjob/").content.decode()
    assert "时限巡检" in body and "收取客户邮件" in body and "失败" in body and "正常" in body
    assert "sla-sweep" not in body
    with translation.override("en"):
        assert str(periodic.periodic_job("sla-sweep").label) == "SLA sweep"
        assert str(periodic.periodic_job("mail-poll").label) == "Fetch customer e-mail"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_on_rq_a_chain_waits_in_the_scheduler_and_goes_to_the_front_when_due(jobs, clock):
    import django_rq
    from rq import SimpleWorker
    from rq.registry import ScheduledJobRegistry

    monkey_job = periodic._jobs["minute"]
    periodic._jobs["minute"] = periodic.Job(**{**monkey_job.__dict__, "priority": TASK_MAX_PRIORITY})
    with override_settings(TASKS=RQ_TASKS, SLA_TIMERS_WAKE=False):
        queue = django_rq.get_queue("default")
        try:
            clock.at(local(2026, 11, 24, 10))
            periodic_run.enqueue("minute")
            periodic_run.enqueue("minute")
            django_rq.get_worker("default", worker_class=SimpleWorker).work(burst=True)
            assert jobs == ["minute", "minute"]
            [next_run] = ScheduledJobRegistry(queue=queue).get_job_ids()  # one chain goes on
            assert queue.fetch_job(next_run).enqueue_at_front
        finally:
            queue.connection.flushdb()
