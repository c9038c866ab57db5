"""Thin tasks around the channel services."""

from django_tasks import task

from .acknowledge import complaint_acknowledge
from .email.tasks import mail_poll as mail_poll  # the periodic mail poll (registered there)


@task()
def acknowledge_complaint(complaint_id: int) -> str:
    """Queued by intake after the complaint is committed. Returns how it went (for the task's result)."""
    outcome = complaint_acknowledge(complaint_id)
    return outcome.status
