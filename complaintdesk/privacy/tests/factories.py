"""Closed cases of a given age for the privacy tests (built through intake, then ended in the past)."""

import datetime as dt

from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.states import Status
from complaintdesk.testing import intake


def closed_case(
    actor, *, closed_days_ago: int, category=None, status=Status.CLOSED, **overrides
) -> Complaint:
    complaint = intake(actor, **overrides)
    at = now() - dt.timedelta(days=closed_days_ago)
    stamp = {"closed_at": at} if status == Status.CLOSED else {"withdrawn_at": at}
    Complaint.objects.filter(pk=complaint.pk).update(status=status, is_open=False, category=category, **stamp)
    complaint.refresh_from_db()
    return complaint
