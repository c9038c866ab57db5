"""Thin tasks around the staff inbox."""

from django.utils.translation import gettext_lazy as _
from django_tasks import task
from django_tasks.base import TASK_MAX_PRIORITY

from complaintdesk.tasks.periodic import periodic_register, recovery_interval

from .services import staff_email_deliver, staff_emails_retry_due


@task()
def deliver_staff_email(notification_id: int) -> str:
    """One attempt at the e-mail of a staff notification (queued after the notice's commit)."""
    return staff_email_deliver(notification_id=notification_id)


@task()
def retry_due_staff_emails() -> int:
    return staff_emails_retry_due()


# Staff e-mails whose next attempt is due, or whose job the queue lost: a periodic job of its own.
periodic_register(
    "staff-emails-retry",
    staff_emails_retry_due,
    label=_("重试员工邮件"),
    every=recovery_interval,
    priority=TASK_MAX_PRIORITY,
)
