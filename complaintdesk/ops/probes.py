"""The facts readiness and the metrics are made of, read at the moment they are asked for. Every web
process answers from the shared database and queue, so any instance gives the same answer."""

import datetime as dt

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min

from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint
from complaintdesk.escalation.models import EscalationHandOff, HandOffDirection
from complaintdesk.notifications.models import Notification, NotificationStatus
from complaintdesk.sla.models import LIVE_TIMER_STATES, SlaTimer
from complaintdesk.sla.timers import SWEEP_JOB
from complaintdesk.tasks.models import PeriodicJob


def database_ok() -> None:
    """Raises when the database cannot answer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def redis_ok() -> None:
    """Raises when Redis is configured and does not answer a ping within 2 s."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


def uses_redis() -> bool:
    return bool(getattr(settings, "REDIS_URL", ""))


def last_job_at() -> dt.datetime | None:
    """When a worker last ran the periodic SLA sweep: every SLA_SWEEP_INTERVAL_SECONDS on a live worker,
    on the database queue and on RQ alike, so its age says whether a worker is taking jobs."""
    return PeriodicJob.objects.filter(name=SWEEP_JOB).values_list("last_run_at", flat=True).first()


def queue_depth() -> int:
    """Jobs waiting that a worker could start now."""
    backend = settings.TASKS["default"]["BACKEND"]
    if "RQBackend" in backend:
        import django_rq

        return django_rq.get_queue("default").count
    if backend.endswith("DatabaseBackend"):
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult.objects.ready().count()
    return 0  # in-process backends (tests) have no queue


def oldest_overdue_timer_seconds(*, at: dt.datetime | None = None) -> float:
    """How long the most overdue live SLA timer has waited past the time it needed looking at (0: none)."""
    at = at or now()
    oldest = SlaTimer.objects.filter(state__in=LIVE_TIMER_STATES, next_check_at__lt=at).aggregate(
        oldest=Min("next_check_at")
    )["oldest"]
    return (at - oldest).total_seconds() if oldest else 0.0


def intakes_by_channel() -> dict[str, int]:
    return dict(Complaint.objects.values_list("channel").annotate(n=Count("id")).values_list("channel", "n"))


def notifications_by_channel(*, status: str) -> dict[str, int]:
    return dict(
        Notification.objects.filter(status=status)
        .values_list("channel")
        .annotate(n=Count("id"))
        .values_list("channel", "n")
    )


def notification_failures() -> tuple[dict[str, int], dict[str, int]]:
    """(failed and waiting for a retry, given up) per channel."""
    return (
        notifications_by_channel(status=NotificationStatus.FAILED),
        notifications_by_channel(status=NotificationStatus.GAVE_UP),
    )


def escalations_by_level() -> dict[int, int]:
    """Hand-offs up to each level (position) so far."""
    return dict(
        EscalationHandOff.objects.filter(direction=HandOffDirection.UP)
        .values_list("to_level_position")
        .annotate(n=Count("id"))
        .values_list("to_level_position", "n")
    )
