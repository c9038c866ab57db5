"""Thin tasks around the staff inbox."""

from django_tasks import task

from .services import staff_email_deliver, staff_emails_retry_due


@task()
def deliver_staff_email(notification_id: int) -> str:
    """One attempt at the e-mail of a staff notification (queued after the notice's commit)."""
    return staff_email_deliver(notification_id=notification_id)


@task()
def retry_due_staff_emails() -> int:
    return staff_emails_retry_due()
