"""/readyz: 200 when the database answers, a worker took a job lately, the queue is short and no timer
waits; otherwise 503 with every reason."""

import datetime as dt

import pytest
from django.test import Client, override_settings

from complaintdesk.common.time import now
from complaintdesk.ops import probes
from complaintdesk.sla.models import LIVE_TIMER_STATES, SlaTimer
from complaintdesk.sla.timers import SWEEP_JOB
from complaintdesk.tasks.health import worker_ping
from complaintdesk.tasks.models import PeriodicJob
from complaintdesk.testing import intake

pytestmark = pytest.mark.django_db


def _worker_ran(seconds_ago: float) -> None:
    at = now() - dt.timedelta(seconds=seconds_ago)
    PeriodicJob.objects.update_or_create(name=SWEEP_JOB, defaults={"next_run_at": at, "last_run_at": at})


def _readyz():
    response = Client().get("/readyz")
    return response.status_code, response.json()


@override_settings(REDIS_URL="")  # without Redis configured there is no Redis check (CI sets REDIS_URL)
def test_ready_when_the_worker_ran_lately_and_nothing_waits(org):
    _worker_ran(5)
    status, body = _readyz()
    assert status == 200, body
    assert body["status"] == "ok" and body["reasons"] == []
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["worker"]["ok"] and body["checks"]["worker"]["age_seconds"] < 60
    assert body["checks"]["queue"] == {"ok": True, "depth": 0}
    assert body["checks"]["timers"] == {"ok": True, "oldest_overdue_seconds": 0.0}
    assert "redis" not in body["checks"]


def test_not_ready_before_any_worker_took_a_job(org):
    status, body = _readyz()
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["worker"]["ok"] is False
    assert body["reasons"] == ["后台任务进程尚未处理过任务"]


def test_a_stale_worker_and_an_overdue_timer_are_both_reasons(org):
    _worker_ran(600)
    complaint = intake(org.agent_a)
    timers = SlaTimer.objects.filter(complaint=complaint, state__in=LIVE_TIMER_STATES)
    assert timers.exists()
    timers.update(next_check_at=now() - dt.timedelta(minutes=20))
    status, body = _readyz()
    assert status == 503
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["timers"]["ok"] is False
    assert 1199 <= body["checks"]["timers"]["oldest_overdue_seconds"] <= 1260
    assert len(body["reasons"]) == 2
    assert "后台任务进程已 600 秒未处理任务" in body["reasons"][0]
    assert "最早的逾期时限计时器已等待 1200 秒未处理" in body["reasons"][1]


@override_settings(READYZ_MAX_QUEUE_DEPTH=1)
def test_a_long_queue_is_a_reason(org):
    _worker_ran(5)
    with override_settings(
        TASKS={"default": {"BACKEND": "complaintdesk.tasks.backend.DatabaseBackend", "QUEUES": ["default"]}}
    ):
        from complaintdesk.tasks.backend import DatabaseBackend

        backend = DatabaseBackend(alias="default", params={"QUEUES": ["default"]})
        for _ in range(3):
            backend.enqueue(worker_ping, (), {"sent_at": "test"})
        assert probes.queue_depth() == 3
        status, body = _readyz()
    assert status == 503
    assert body["checks"]["queue"] == {"ok": False, "depth": 3}
    assert body["reasons"] == ["任务队列积压 3 个（上限 1）"]


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_redis_that_does_not_answer_is_a_reason(org):
    _worker_ran(5)
    status, body = _readyz()
    assert status == 503
    assert body["checks"]["redis"] == {"ok": False}
    assert body["reasons"][0].startswith("Redis 无法连接")


def test_a_database_that_does_not_answer_is_the_only_reason(org, monkeypatch):
    def refuse():
        raise OSError("connection refused")

    monkeypatch.setattr(probes, "database_ok", refuse)
    status, body = _readyz()
    assert status == 503
    assert body["reasons"] == ["数据库无法连接：connection refused"]


def test_reasons_in_english_for_an_english_client(org):
    response = Client().get("/readyz", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response.json()["reasons"] == ["No background worker has taken a job yet"]
