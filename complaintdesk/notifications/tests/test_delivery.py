"""Delivery mechanics: back-off, exactly one send per row, the sweep."""

import datetime as dt
import threading

import pytest

from complaintdesk.common.testing import run_together
from complaintdesk.notifications.base import SendResult
from complaintdesk.notifications.models import Notification, NotificationStatus
from complaintdesk.notifications.services import (
    notification_deliver,
    notification_send,
    notifications_retry_due,
    retry_delay,
)

from .fakes import CountingNotifier

COUNTING = {"sms": "complaintdesk.notifications.tests.fakes.CountingNotifier"}


@pytest.fixture
def counting(settings):
    settings.NOTIFY_NOTIFIERS = COUNTING
    return CountingNotifier


def test_backoff_doubles_from_the_base_up_to_the_cap(settings):
    assert [retry_delay(n).total_seconds() for n in range(1, 6)] == [60, 120, 240, 480, 960]
    settings.NOTIFY_RETRY_BASE_SECONDS, settings.NOTIFY_RETRY_MAX_SECONDS = 30, 100
    assert [retry_delay(n).total_seconds() for n in range(1, 5)] == [30, 60, 100, 100]


@pytest.mark.django_db
def test_retries_are_queued_to_run_after_the_backoff(
    make_complaint, queue, counting, on_commit, settings, clock
):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    counting.results = [SendResult.failed("busy"), SendResult.failed("busy"), SendResult.failed("busy")]
    with on_commit():
        notification = notification_send(complaint=make_complaint(), template_code="acknowledgement")
    [first] = queue.jobs
    assert first.task.run_after is None

    assert queue.run_next() == "retry"
    [retry] = queue.jobs
    failed_at = clock()
    notification.refresh_from_db()
    assert retry.task.run_after == notification.next_attempt_at == failed_at + dt.timedelta(seconds=60)
    assert notification.status == NotificationStatus.FAILED and notification.last_error == "busy"
    # Not due yet: a worker that picks the row up early leaves it alone.
    assert notification_deliver(notification_id=notification.pk) == "skipped"

    assert queue.run_next() == "retry"
    assert queue.jobs[0].task.run_after == clock() + dt.timedelta(seconds=120)
    assert queue.run_next() == "gave_up"  # the third of NOTIFY_MAX_ATTEMPTS = 3
    assert queue.jobs == [] and len(counting.sent) == 3


@pytest.mark.django_db
def test_two_deliveries_of_one_row_send_once(make_complaint, counting, clock):
    notification = notification_send(complaint=make_complaint(), template_code="acknowledgement")
    inner = []
    # A second worker runs the same job while the first is still talking to the provider.
    counting.during_send = lambda message: inner.append(notification_deliver(notification_id=notification.pk))

    assert notification_deliver(notification_id=notification.pk) == "sent"
    assert inner == ["skipped"]
    assert notification_deliver(notification_id=notification.pk) == "skipped"  # and once it is done
    assert len(counting.sent) == 1
    notification.refresh_from_db()
    assert notification.attempts == 1 and notification.status == NotificationStatus.SENT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_once(org, make_complaint, counting, queue):
    notification = notification_send(complaint=make_complaint(), template_code="acknowledgement")
    counting.during_send = lambda message: threading.Event().wait(0.2)  # a slow provider
    outcomes, errors = run_together(
        lambda: notification_deliver(notification_id=notification.pk), 2, timeout=10
    )
    assert errors == []
    assert sorted(outcomes) == ["sent", "skipped"] and len(counting.sent) == 1


@pytest.mark.django_db
def test_the_sweep_picks_up_what_no_queued_job_will_run(make_complaint, counting, clock, settings):
    # The in-process backend cannot defer jobs: the retry is left to the sweep.
    counting.results = [SendResult.failed("busy")]
    notification = notification_send(complaint=make_complaint(), template_code="acknowledgement")
    assert notification_deliver(notification_id=notification.pk) == "retry"
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED

    assert notifications_retry_due() == 0  # not yet past due + grace
    clock.advance_to(notification.next_attempt_at + dt.timedelta(minutes=5))
    assert notifications_retry_due() == 1  # queued, and with the immediate backend run at once
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT and len(counting.sent) == 2


@pytest.mark.django_db
def test_the_sweep_releases_a_row_left_sending_by_a_stopped_worker(make_complaint, counting, clock):
    notification = notification_send(complaint=make_complaint(), template_code="acknowledgement")
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.SENDING, attempts=1, last_attempt_at=clock()
    )
    clock.advance_to(clock() + dt.timedelta(minutes=30))
    notifications_retry_due()
    clock.advance_to(clock() + dt.timedelta(minutes=6))
    assert notifications_retry_due() == 1
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT and notification.attempts == 2


@pytest.mark.django_db
def test_on_the_database_queue_a_retry_is_a_deferred_job(
    make_complaint, counting, settings, clock, on_commit
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    counting.results = [SendResult.failed("busy")]
    with on_commit():
        notification = notification_send(complaint=make_complaint(), template_code="acknowledgement")
    [queued] = DBTaskResult.objects.filter(task_path__endswith="deliver_notification")
    assert queued.args_kwargs == {"args": [notification.pk], "kwargs": {}}

    with on_commit():
        assert notification_deliver(notification_id=notification.pk) == "retry"
    retry = (
        DBTaskResult.objects.filter(task_path__endswith="deliver_notification").exclude(pk=queued.pk).get()
    )
    assert retry.run_after == clock() + dt.timedelta(seconds=60)
