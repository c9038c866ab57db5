"""Reads of complaints. Every query is scoped through accounts.access and bounded."""

from django.db.models import F, QuerySet

from complaintdesk.accounts.access import complaints_visible_to

from .models import Complaint, ComplaintEvent
from .states import TRANSITIONS, Status

TIMELINE_LIMIT = 500
LIST_LIMIT_MAX = 100


def complaint_timeline(*, complaint: Complaint, limit: int = TIMELINE_LIMIT) -> list[ComplaintEvent]:
    return list(complaint.events.select_related("actor").order_by("at", "id")[:limit])


def complaint_list(
    *, user, status: str | None = None, assigned_to_me: bool = False, open_only: bool = False, limit: int = 50
) -> QuerySet[Complaint]:
    """Visible complaints, nearest deadline first (cases without one last)."""
    qs = complaints_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(is_open=True)
    if assigned_to_me:
        qs = qs.filter(assignee=user)
    return (
        qs.select_related("org_unit", "category", "assignee")
        .order_by(F("due_at").asc(nulls_last=True), "id")[: min(max(limit, 1), LIST_LIMIT_MAX)]
    )


def complaint_open_queue_for_assignee(*, user, limit: int = 50) -> list[Complaint]:
    """An agent's open complaints ordered by nearest deadline: the workbench's first page.

    Served by the partial index cpl_open_assignee_due (assignee_id, due_at) WHERE is_open.
    """
    return list(
        complaints_visible_to(user)
        .filter(assignee=user, is_open=True)
        .select_related("org_unit", "category")
        .order_by("due_at", "id")[:limit]
    )


def complaint_transitions_for_user(*, complaint: Complaint, user) -> list[Status]:
    """The targets the table allows from the current state that this user holds the permission for."""
    return [
        target
        for target, rule in TRANSITIONS[Status(complaint.status)].items()
        if user.has_perm(f"complaints.{rule.permission}")
    ]
