"""Fingerprints of complaints and their key index (stored, refreshed, pruned) for group detection."""

import datetime as dt

from django.db import transaction

from complaintdesk.complaints.models import Complaint

from .. import grouping, selectors
from ..models import (
    ComplaintFingerprint,
    FingerprintKey,
)

# --- fingerprints and group / batch complaints ---


def complaint_fingerprint_record(
    *, complaint: Complaint, tokens: list[str], topic: str, policy
) -> ComplaintFingerprint:
    """Store (or refresh) the complaint's fingerprint in its region (one upsert) and its tokens in
    the key index (replaced). Three statements, in one transaction."""
    fingerprint = ComplaintFingerprint(
        complaint=complaint,
        created_at=complaint.created_at,
        scope_unit_id=selectors.group_scope_unit_id(unit=complaint.org_unit, kind=policy.group_scope_kind),
        customer_id=complaint.customer_id,
        topic=topic[:32],
        tokens=grouping.dump(tokens),
    )
    keys = [
        FingerprintKey(
            complaint=complaint,
            scope_unit_id=fingerprint.scope_unit_id,
            created_at=fingerprint.created_at,
            token=key,
        )
        for key in grouping.keys(tokens)
    ]
    with transaction.atomic():
        ComplaintFingerprint.objects.bulk_create(
            [fingerprint],
            update_conflicts=True,
            unique_fields=["complaint"],
            update_fields=["created_at", "scope_unit", "customer_id", "topic", "tokens"],
        )
        FingerprintKey.objects.filter(complaint=complaint).delete()
        FingerprintKey.objects.bulk_create(keys)
        fingerprint_keys_prune(before=complaint.created_at - key_retention(policy))
    return fingerprint


# Complaints whose expired keys each new fingerprint deletes: twice the rate they arrive.
KEY_PRUNE_COMPLAINTS = 2


def key_retention(policy) -> dt.timedelta:
    """How long a complaint's keys are kept: twice the group window, and at least two days."""
    return max(dt.timedelta(hours=2 * policy.group_window_hours), dt.timedelta(days=2))


def fingerprint_keys_prune(*, before: dt.datetime, complaints: int = KEY_PRUNE_COMPLAINTS) -> int:
    """Delete the keys of the oldest complaints that arrived before `before`, a few at a time: each new
    fingerprint removes more expired rows than it adds, so the key index holds about the retention's
    worth of complaints without a scheduled job. Two index probes: the first complaint at or after
    `before` (its id bounds the range, since ids follow arrival), then the lowest complaint ids of the
    key's primary key below it; each key row's own time decides, so a complaint written out of order
    (an import) is never pruned early, only later. Returns the rows deleted."""
    boundary = (
        Complaint.objects.filter(created_at__gte=before)
        .order_by("created_at", "id")
        .values_list("id", flat=True)
        .first()
    )
    expired = FingerprintKey.objects.filter(created_at__lt=before)
    if boundary is not None:
        expired = expired.filter(complaint_id__lt=boundary)
    oldest = list(
        expired.order_by("complaint_id").values_list("complaint_id", flat=True).distinct()[:complaints]
    )
    if not oldest:
        return 0
    deleted, _per_model = expired.filter(complaint_id__lte=oldest[-1]).delete()
    return deleted
