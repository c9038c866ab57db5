"""Reads of the notifications app."""

from django.db.models import QuerySet

from .models import Notification

CASE_LOG_LIMIT = 100


def notifications_for_complaint(*, complaint, limit: int = CASE_LOG_LIMIT) -> QuerySet[Notification]:
    """A case's notification log, newest first, bounded. Show `recipient_masked`, not `recipient`."""
    return (
        Notification.objects.filter(complaint=complaint)
        .select_related("template")
        .order_by("-created_at", "-id")[:limit]
    )
