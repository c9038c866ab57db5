"""Recovery that needs nobody (issue 18, item 4): one wake-up sweep waits in the queue at a time, and
after Redis loses its data the worker itself restarts the periodic sweep, which sends the stuck
after-intake jobs again, so every acknowledgement goes out, once."""

import datetime as dt

import pytest
from django.test import override_settings

from complaintdesk.common.testing import local
from complaintdesk.complaints.models import Complaint
from complaintdesk.notifications.models import Notification, TemplateCode
from complaintdesk.sla import timers
from complaintdesk.tasks import periodic
from complaintdesk.tasks.intake import after_intake_steps
from complaintdesk.tasks.models import AfterIntakeJob, PeriodicJob
from complaintdesk.tasks.worker import Worker

RQ_TASKS = {"default": {"BACKEND": "complaintdesk.tasks.backend.RQBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db
def test_only_one_wake_up_sweep_waits_in_the_queue(monkeypatch, clock):
    queued = []
    monkeypatch.setattr(periodic, "_enqueue", lambda job, **kw: queued.append({"job": job.name, **kw}))
    clock.at(local(2026, 11, 24, 10))
    with override_settings(SLA_TIMERS_WAKE=True):
        for _ in range(5):  # five processes (or one, a second apart) with due timers
            monkeypatch.setattr(timers, "_last_wake", 0.0)
            timers.worker_wake()
        assert queued == [{"job": timers.SWEEP_JOB, "chain": False}]
        periodic.periodic_run.call(
            timers.SWEEP_JOB, False
        )  # the worker took it: the next due timer may queue one
        monkeypatch.setattr(timers, "_last_wake", 0.0)
        timers.worker_wake()
        assert len(queued) == 2
        # A mark left by a job the queue lost is taken over after three sweep intervals.
        clock.at(local(2026, 11, 24, 10) + dt.timedelta(seconds=91))
        monkeypatch.setattr(timers, "_last_wake", 0.0)
        timers.worker_wake()
        assert len(queued) == 3


@pytest.mark.django_db
def test_a_failed_queueing_leaves_no_mark(monkeypatch):
    def down(job, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(periodic, "_enqueue", down)
    with override_settings(SLA_TIMERS_WAKE=True):
        timers.worker_wake()
    assert PeriodicJob.objects.get(name=timers.SWEEP_JOB).wake_queued_at is None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_after_redis_lost_its_data_the_worker_brings_back_the_sweep_and_every_acknowledgement(
    org, clock, api_for, make_payload
):
    import django_rq
    from rq.registry import ScheduledJobRegistry

    with override_settings(TASKS=RQ_TASKS, SLA_TIMERS_WAKE=False):
        queue = django_rq.get_queue("default")
        try:
            clock.at(local(2026, 11, 24, 10))
            numbers = [
                api_for(org.agent_a).post("/complaints", make_payload()).json()["number"] for _ in range(3)
            ]
            # The outbox, written with each case: a job per registered step (acknowledgement, analysis,
            # incident match, regulatory codes …).
            assert AfterIntakeJob.objects.count() == 3 * len(after_intake_steps()) >= 3 * 4
            queue.connection.flushdb()  # Redis lost everything: the jobs, and any sweep chain
            clock.at(local(2026, 11, 24, 10, 5))  # later than the sweep's lease and the resend delay
            worker = django_rq.get_worker(
                "default", worker_class=Worker
            )  # the deployment's (jobs in its process)
            worker.run_maintenance_tasks()  # what the worker does every minute on its own
            worker.work(burst=True)  # the revived sweep re-sends the three jobs; the worker runs them
            assert AfterIntakeJob.objects.count() == 0
            for number in numbers:
                complaint = Complaint.objects.get(number=number)
                acks = Notification.objects.filter(
                    complaint=complaint, template_code=TemplateCode.ACKNOWLEDGEMENT
                )
                assert acks.count() == 1
            # The chain lives on: its next run waits in RQ's scheduled registry (beside the other jobs' chains).
            scheduled = [
                queue.fetch_job(job_id) for job_id in ScheduledJobRegistry(queue=queue).get_job_ids()
            ]
            [next_sweep] = [job.id for job in scheduled if job.args[0] == timers.SWEEP_JOB]
            # … and goes to the front of the queue when due: timers never wait behind a backlog of analyses.
            assert queue.fetch_job(next_sweep).enqueue_at_front
        finally:
            queue.connection.flushdb()
