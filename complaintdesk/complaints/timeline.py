"""Writing the append-only timeline. Every service that changes a case records here."""

import datetime as dt

from complaintdesk.common import fastsql
from complaintdesk.common.time import to_local

from .models import Complaint, ComplaintEvent, EventKind


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return to_local(value).isoformat()
    return str(value)


def event_record(
    *, complaint: Complaint, actor, kind: EventKind, at: dt.datetime, field: str = "", old=None, new=None,
    reason: str = "",
) -> ComplaintEvent:
    # Written out (common.fastsql): one event per intake and per transition, the busiest insert there is.
    return fastsql.insert_instance(ComplaintEvent(
        complaint=complaint, actor=actor, kind=kind, at=at, field=field, old_value=_text(old),
        new_value=_text(new), reason=reason,
    ))  # fmt: skip


def events_record_changes(
    *, complaint: Complaint, actor, at: dt.datetime, before: dict, kind: EventKind = EventKind.FIELD_CHANGED,
    reason: str = "",
) -> list[str]:
    """One event per field whose value differs from `before`; returns the changed field names."""
    changed = []
    for field, old in before.items():
        new = getattr(complaint, field)
        if _text(old) != _text(new):
            changed.append(field)
            ComplaintEvent.objects.create(
                complaint=complaint, actor=actor, kind=kind, at=at, field=field, old_value=_text(old),
                new_value=_text(new), reason=reason,
            )
    return changed
