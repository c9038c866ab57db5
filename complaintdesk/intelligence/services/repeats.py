"""Repeat complaints: links from a complaint to the earlier ones it repeats."""

from django.db import transaction

from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint

from .. import selectors
from ..models import (
    RepeatLink,
)

# --- repeat complaints ---


@transaction.atomic
def repeat_links_record(*, complaint: Complaint, days: int) -> list[RepeatLink]:
    """Link the complaint to the earlier ones it repeats (idempotent: a rerun adds only new links)."""
    at = now()
    links = [
        RepeatLink(complaint=complaint, earlier=earlier, matched_on=matched, created_at=at)
        for earlier, matched in selectors.earlier_complaints(complaint=complaint, days=days)
    ]
    RepeatLink.objects.bulk_create(links, ignore_conflicts=True)
    return list(RepeatLink.objects.filter(complaint=complaint).select_related("earlier"))
