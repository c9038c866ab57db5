"""Reads of the staff inbox: a person's own notices only."""

from __future__ import annotations

from .models import StaffNotification

PAGE_MAX = 100


def staff_unread_count(*, user) -> int:
    """The header's count (partial index on unread rows)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return StaffNotification.objects.filter(user=user, read_at__isnull=True).count()


def staff_notifications_for(
    *, user, unread_only: bool = False, limit: int = PAGE_MAX
) -> list[StaffNotification]:
    """`user`'s notices, newest first, bounded."""
    rows = StaffNotification.objects.filter(user=user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return list(rows.order_by("-created_at", "-id")[: min(max(limit, 1), PAGE_MAX)])


def staff_notification_of(*, user, notification_id: int) -> StaffNotification | None:
    """One of `user`'s own notices (None for anyone else's)."""
    return StaffNotification.objects.filter(user=user, pk=notification_id).first()
