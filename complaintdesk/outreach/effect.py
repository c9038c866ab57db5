"""Does telling customers first prevent complaints? For each incident: the customers it concerned, split into
those who were sent a proactive notice before complaining (or at all) and those who were not, and the
complaints linked to it from each group. `manage.py outreach_notice_effect` prints it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from .models import Incident, IncidentLink, MessageStatus, OutreachMessage, Purpose
from .notices import concerned

CUSTOMER_LIMIT = 100_000  # customers read per incident
COUNTS = ("noticed_customers", "noticed_complaints", "unnoticed_customers", "unnoticed_complaints")


@dataclass(frozen=True)
class NoticeEffect:
    incident: Incident
    noticed_customers: int
    noticed_complaints: int
    unnoticed_customers: int
    unnoticed_complaints: int

    @staticmethod
    def rate(complaints: int, customers: int) -> float | None:
        return complaints / customers if customers else None

    @property
    def with_notice(self) -> float | None:
        return self.rate(self.noticed_complaints, self.noticed_customers)

    @property
    def without_notice(self) -> float | None:
        return self.rate(self.unnoticed_complaints, self.unnoticed_customers)


def notice_effect(*, incident: Incident) -> NoticeEffect:
    """Affected customers: those the incident concerns (its list, or its area) and everyone who complained
    about it. "With notice": sent a notice (and, if they complained, before complaining: the link's
    noticed_before). "Without": the others — on an incident without notices, everyone. An incident whose
    personal data is gone (outreach.anonymise: its list of accounts masked) answers what was counted then."""
    if incident.anonymised_at is not None and incident.notice_counts:
        return NoticeEffect(
            incident=incident, **{name: int(incident.notice_counts.get(name, 0)) for name in COUNTS}
        )
    linked = dict(
        IncidentLink.objects.filter(incident=incident)
        .values("complaint__customer_id")
        .annotate(n=Count("pk"))
        .values_list("complaint__customer_id", "n")
    )
    noticed_before = set(
        IncidentLink.objects.filter(incident=incident, noticed_before=True).values_list(
            "complaint__customer_id", flat=True
        )
    )
    affected = set(concerned(incident).values_list("pk", flat=True)[:CUSTOMER_LIMIT]) | set(linked)
    sent = set(
        OutreachMessage.objects.filter(
            incident=incident, purpose=Purpose.NOTICE, status=MessageStatus.SENT
        ).values_list("customer_id", flat=True)
    )
    # A customer who complained before their notice went out counts as not told.
    noticed = {c for c in sent if c not in linked or c in noticed_before}
    unnoticed = affected - noticed
    return NoticeEffect(
        incident=incident,
        noticed_customers=len(noticed),
        noticed_complaints=sum(linked.get(c, 0) for c in noticed),
        unnoticed_customers=len(unnoticed),
        unnoticed_complaints=sum(linked.get(c, 0) for c in unnoticed),
    )


def notice_effects(*, limit: int = 50) -> list[NoticeEffect]:
    return [notice_effect(incident=i) for i in Incident.objects.order_by("-declared_at")[:limit]]
