"""Reads of the outreach app: incidents for the workbench, their counts (the dashboard's complaints per
incident), a case's link, a customer's choices. Every list is bounded."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from complaintdesk.accounts.access import units_visible_to
from complaintdesk.complaints.access import complaints_visible_to
from complaintdesk.orgs.models import OrgUnit

from .effect import NoticeEffect, notice_effect
from .models import (
    Campaign,
    CustomerChoice,
    Incident,
    IncidentLink,
    IncidentStatus,
    MessageStatus,
    OutreachMessage,
)

LIST_LIMIT = 100
LINKS_LIMIT = 200


@dataclass(frozen=True)
class IncidentCount:
    incident: Incident
    complaints: int


def incident_counts(*, limit: int = 20) -> list[IncidentCount]:
    """Complaints per incident, the ones in progress first then the latest (the dashboard's panel)."""
    rows = Incident.objects.annotate(complaints=Count("links")).order_by("status", "-declared_at")[:limit]
    return [IncidentCount(incident=row, complaints=row.complaints) for row in rows]


def _count_of(queryset):
    """A correlated COUNT(*) (two Counts over two joins would multiply each other)."""
    counted = queryset.order_by().values("incident_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def incident_dashboard(*, limit: int = 10) -> list[tuple[Incident, NoticeEffect]]:
    """The dashboard's panel: the incidents in progress first, then the latest, each with its complaints,
    how many of them came from customers told first, how many customers were told first, and complaints
    per affected customer with and without a notice (effect.py)."""
    links = IncidentLink.objects.filter(incident_id=OuterRef("pk"))
    rows = list(
        Incident.objects.annotate(
            complaints=_count_of(links),
            complaints_after_notice=_count_of(links.filter(noticed_before=True)),
            customers_told=_count_of(
                OutreachMessage.objects.filter(incident_id=OuterRef("pk"), status=MessageStatus.SENT)
            ),
        ).order_by("status", "-declared_at")[:limit]
    )
    return [(row, notice_effect(incident=row)) for row in rows]


def incident_list(*, status: str = "", limit: int = LIST_LIMIT) -> list[Incident]:
    qs = Incident.objects.annotate(complaints=Count("links"))
    if status in IncidentStatus.values:
        qs = qs.filter(status=status)
    return list(qs.order_by("status", "-declared_at")[:limit])


def incident_summary(*, incident: Incident) -> dict:
    """The panel on the incident's page: complaints linked, answered, told it is over, failed, and how many
    customers were told before they complained."""
    links = IncidentLink.objects.filter(incident=incident).aggregate(
        complaints=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        told_over=Count("pk", filter=Q(feedback_at__isnull=False)),
        failed=Count("pk", filter=~Q(feedback_error="")),
        noticed_before=Count("pk", filter=Q(noticed_before=True)),
    )
    notices = OutreachMessage.objects.filter(incident=incident).aggregate(
        notices=Count("pk"), notices_sent=Count("pk", filter=Q(status=MessageStatus.SENT))
    )
    return {**links, **notices}


def incident_links_for_user(*, incident: Incident, user, limit: int = LINKS_LIMIT) -> list[IncidentLink]:
    """The linked complaints this user may see, newest first."""
    visible = complaints_visible_to(user).values("pk")
    return list(
        IncidentLink.objects.filter(incident=incident, complaint_id__in=visible)
        .select_related("complaint", "complaint__org_unit")
        .order_by("-linked_at", "-pk")[:limit]
    )


def link_for_complaint(*, complaint) -> IncidentLink | None:
    return IncidentLink.objects.select_related("incident").filter(complaint=complaint).first()


def incidents_open(*, limit: int = 20) -> list[Incident]:
    return list(Incident.objects.filter(status=IncidentStatus.ACTIVE).order_by("-declared_at")[:limit])


def customer_choice(*, customer) -> CustomerChoice | None:
    return CustomerChoice.objects.filter(customer=customer).first()


def campaigns(*, limit: int = LIST_LIMIT) -> list[Campaign]:
    return list(Campaign.objects.annotate(sent=Count("messages")).order_by("-created_at")[:limit])


UNITS_TO_DECLARE_MAX = 500


def units_to_declare_for(user) -> list[OrgUnit]:
    """The units `user` may name as affected by an incident (their own and those below), in tree order."""
    return list(units_visible_to(user).filter(is_active=True).order_by("path")[:UNITS_TO_DECLARE_MAX])
