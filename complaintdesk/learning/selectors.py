"""Reads of the team's learning: the library, a case as a given person may see it, the logs a
supervisor reads. Lists are bounded and served by the indexes in models.py."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, QuerySet

from complaintdesk.accounts.access import user_unit_ids
from complaintdesk.accounts.models import User
from complaintdesk.common.errors import NotFound

from .models import Consent, ServiceLogEntry, TrainingCase
from .services import user_may_curate

LIST_MAX = 50


def _may_read(user) -> bool:
    return bool(user and user.is_active and user.has_perm("complaints.view_complaint"))


def training_cases_published(*, user, kind: str = "", limit: int = LIST_MAX) -> list[TrainingCase]:
    """The library: published examples, newest first. Their text has no personal data, so everyone who
    works on complaints reads the whole library, whatever their unit."""
    if not _may_read(user):
        return []
    rows = TrainingCase.objects.filter(published_at__isnull=False).select_related("category")
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.order_by("-published_at", "-id")[: min(limit, LIST_MAX)])


def training_cases_awaiting(*, user, limit: int = 20) -> list[TrainingCase]:
    """Cases of this handler waiting for their answer."""
    return list(
        TrainingCase.objects.filter(handler_id=user.pk, consent=Consent.ASKED)
        .select_related("complaint")
        .order_by("-id")[:limit]
    )


def training_cases_proposed_by(*, user, limit: int = 20) -> list[TrainingCase]:
    """What this supervisor chose that is not in the library: waiting for the handler, or declined."""
    if not user_may_curate(user):
        return []
    return list(
        TrainingCase.objects.filter(curated_by_id=user.pk, published_at__isnull=True)
        .select_related("complaint", "handler")
        .order_by("-id")[:limit]
    )


def training_case_for_user(*, user, case_id: int) -> TrainingCase:
    """A published case for every reader; an unpublished one for its handler and the curators."""
    case = (
        TrainingCase.objects.select_related("complaint", "category", "handler", "curated_by")
        .filter(pk=case_id)
        .first()
    )
    if case is None or not _may_read(user):
        raise NotFound(None)
    if case.published_at is None and case.handler_id != user.pk and not user_may_curate(user):
        raise NotFound(None)
    return case


def service_logs_readable(
    *,
    reader,
    agent_id: int | None = None,
    since: dt.date | None = None,
    day: dt.date | None = None,
    limit: int = LIST_MAX,
) -> QuerySet[ServiceLogEntry]:
    """Entries a reader may see, newest day first: their own; a supervisor's also those of the people in
    their units (all units for an HQ-wide role)."""
    rows = ServiceLogEntry.objects.select_related("agent", "agent__org_unit")
    if user_may_curate(reader):
        unit_ids = user_unit_ids(reader)
        if unit_ids is not None:
            rows = rows.filter(agent__org_unit_id__in=unit_ids)
    else:
        rows = rows.filter(agent_id=reader.pk)
    if agent_id:
        rows = rows.filter(agent_id=agent_id)
    if since:
        rows = rows.filter(day__gte=since)
    if day:
        rows = rows.filter(day=day)
    return rows.order_by("-day", "agent_id")[: min(limit, LIST_MAX)]


def log_agents_for(*, reader, limit: int = 200) -> list[User]:
    """The people whose logs a supervisor may filter by."""
    if not user_may_curate(reader):
        return []
    rows = User.objects.filter(is_active=True, role__in=["agent", "business_manager", "branch_head"])
    unit_ids = user_unit_ids(reader)
    if unit_ids is not None:
        rows = rows.filter(org_unit_id__in=unit_ids)
    return list(rows.order_by("display_name", "username")[:limit])


def contributions_by_agent(*, agent_ids: list[int], start: dt.datetime, end: dt.datetime) -> dict[int, int]:
    """Training cases each agent agreed to share, published in [start, end) (the scorecard's count)."""
    rows = (
        TrainingCase.objects.filter(handler_id__in=agent_ids, published_at__gte=start, published_at__lt=end)
        .values("handler_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["handler_id"]: row["n"] for row in rows}


def training_cases_published_in(*, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether anyone's training case was published in [start, end)."""
    return TrainingCase.objects.filter(published_at__gte=start, published_at__lt=end).exists()
