import datetime as dt

import pytest
from django.core.cache import cache
from django.test import TestCase
from django_tasks import default_task_backend

from complaintdesk.complaints.services import IntakeCustomer, IntakeData, complaint_create

from .fakes import CountingNotifier

# Tuesday 24 Nov 2026, 09:00 in Shanghai.
START = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, at: dt.datetime):
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at

    def advance_to(self, at: dt.datetime) -> None:
        self.at = max(self.at, at)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(START)
    monkeypatch.setattr("django.utils.timezone.now", clock)
    return clock


@pytest.fixture(autouse=True)
def _notification_settings(settings, tmp_path):
    settings.NOTIFY_SMS_OUTBOX = tmp_path / "outbox" / "sms.jsonl"
    settings.NOTIFY_SMS_BACKEND = "complaintdesk.notifications.sms.backends.file.FileSmsBackend"
    settings.NOTIFY_TRACK_URL = ""
    settings.NOTIFY_SURVEY_URL = ""
    settings.BRAND_NAME = "ComplaintDesk"
    settings.NOTIFY_SMS_SIGNATURE = ""
    cache.clear()  # the WeChat token of another test's fake server
    CountingNotifier.reset()


@pytest.fixture
def sms_outbox(settings):
    """The development SMS backend's file (a fresh one per test)."""
    return settings.NOTIFY_SMS_OUTBOX


@pytest.fixture
def make_complaint(org, clock):
    def make(*, name="王丽女士", phone="13800138000", email="", wechat_openid="", preferred_channel="",
             language="zh-hans", title="宽带连续三天断网"):  # fmt: skip
        return complaint_create(
            data=IntakeData(
                channel="phone", title=title, description="家里宽带从周五晚上开始断网，重启光猫也没用。",
                demand="尽快修好", language=language,
                customer=IntakeCustomer(name=name, phone=phone, email=email, wechat_openid=wechat_openid,
                                        preferred_channel=preferred_channel),
            ),
            actor=org.agent_a,
        )  # fmt: skip

    return make


@pytest.fixture
def on_commit():
    """Run what a block queues with transaction.on_commit, as a real commit would (tests run inside one)."""
    return lambda: TestCase.captureOnCommitCallbacks(execute=True)


class Queue:
    """The DummyBackend's delivery jobs, run by hand in the order they become due, moving the clock forward."""

    def __init__(self, clock: Clock):
        self.clock = clock

    @property
    def jobs(self):
        """Queued deliveries (other apps' jobs, such as the SLA sweep, are left alone)."""
        return [job for job in default_task_backend.results if job.task.name == "deliver_notification"]

    def run_next(self):
        job = min(self.jobs, key=lambda j: (j.task.run_after or j.enqueued_at, j.enqueued_at))
        default_task_backend.results.remove(job)
        if job.task.run_after:
            self.clock.advance_to(job.task.run_after)
        with TestCase.captureOnCommitCallbacks(execute=True):
            return job.task.call(*job.args, **job.kwargs)

    def run_all(self, limit: int = 20) -> list:
        outcomes = []
        while self.jobs and len(outcomes) < limit:
            outcomes.append(self.run_next())
        return outcomes


@pytest.fixture
def queue(settings, clock):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return Queue(clock)
