"""Thin tasks around the notification services."""

from django_tasks import task

from .services import complaint_acknowledge, notification_deliver, notifications_retry_due


@task()
def deliver_notification(notification_id: int) -> str:
    """One attempt at sending a notification; a failure re-queues it with back-off (see services)."""
    return notification_deliver(notification_id=notification_id)


@task()
def acknowledge_complaint(complaint_id: int) -> int | None:
    """The acknowledgement of a new case, for intake to queue after commit. Returns the notification id."""
    notification = complaint_acknowledge(complaint_id=complaint_id)
    return notification.pk if notification else None


@task()
def retry_due_notifications() -> int:
    """The sweep: run periodically (e.g. every few minutes) so that no retry depends on a queued job alone."""
    return notifications_retry_due()
