"""Writing the append-only timeline. Every service that changes a case records here.

Each case's events form a hash chain: an event's `hash` is SHA-256 over its own content and the hash of
the case's previous event (by id). Rows that are changed, deleted or slipped in break the chain from
there on, which `timeline_verify` reports. The previous hash is read under the case's row lock, so two
writers of one case take turns and the chain follows the id order; a case's first event (`created`)
needs no lookup, which keeps intake at its statement count.

An anonymised case's events lose their personal data once (`complaints.redaction`): a redacted event keeps
its hash and carries a seal (`redaction_seal`) that `chains_verify` checks in its place.
"""

import datetime as dt
import hashlib
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.db import connection
from django.db.models import Max

from complaintdesk.common import fastsql
from complaintdesk.common.time import to_local

from .models import Complaint, ComplaintEvent, EventKind

CHAIN_FIELDS = ("complaint_id", "at", "actor_id", "kind", "field", "old_value", "new_value", "reason")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return to_local(value).isoformat()
    return str(value)


def _canonical(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return str(value)


def event_hash(*, previous: str, values: dict) -> str:
    """The link: SHA-256 of the previous hash and the event's content, fields separated by a unit
    separator and each prefixed by its length, so that no two contents hash alike by shifting text."""
    digest = hashlib.sha256(previous.encode())
    for name in CHAIN_FIELDS:
        text = _canonical(values[name]).encode()
        digest.update(b"\x1f%d:" % len(text))
        digest.update(text)
    return digest.hexdigest()


_LAST_HASH_SQL = None


def _previous_hash(complaint_id: int) -> str:
    """The hash of the case's newest event, read after taking the case's row lock (a no-op for a service
    that holds it already; SQLite writes one at a time anyway)."""
    global _LAST_HASH_SQL
    if _LAST_HASH_SQL is None:
        quote = connection.ops.quote_name
        events, cases = ComplaintEvent._meta.db_table, Complaint._meta.db_table
        _LAST_HASH_SQL = (
            f"SELECT {quote('hash')} FROM {quote(events)} WHERE {quote('complaint_id')} = %s "
            f"ORDER BY {quote('id')} DESC LIMIT 1",
            f"SELECT {quote('id')} FROM {quote(cases)} WHERE {quote('id')} = %s FOR UPDATE",
        )
    last_sql, lock_sql = _LAST_HASH_SQL
    with connection.cursor() as cursor:
        if connection.features.has_select_for_update:
            cursor.execute(lock_sql, [complaint_id])
        cursor.execute(last_sql, [complaint_id])
        row = cursor.fetchone()
    return row[0] if row else ""


# --- kept events: a batch of cases writes its timeline in one statement -----------------------------------
#
# The SLA sweep handles hundreds of cases in one transaction, each writing about seven events. Inside
# `timeline_kept()` an event is not inserted at once: its link is computed from the case's newest hash as
# known in memory (read once per case, or given for the whole batch by `timeline_last_hashes_load`), and
# the event is kept until `timeline_flush` inserts every kept event in one statement, in the order they
# were recorded (so the ids follow each chain). `timeline_mark` / `timeline_rollback` drop what a case
# that failed had kept, as its savepoint dropped its other rows. Nothing in a batch reads the events back.


@dataclass
class _Kept:
    last: dict[int, str] = dataclass_field(default_factory=dict)  # complaint id → hash of its newest event
    events: list[ComplaintEvent] = dataclass_field(default_factory=list)


_kept = threading.local()


@contextmanager
def timeline_kept():
    """Inside: events are kept and written by `timeline_flush` (which the block's owner calls before its
    transaction commits; what is left unflushed at the end of the block is an error). Nested use shares
    the outer block."""
    if getattr(_kept, "state", None) is not None:
        yield
        return
    _kept.state = _Kept()
    try:
        yield
        if _kept.state.events:
            raise RuntimeError("timeline events kept but never written")
    finally:
        _kept.state = None


def timeline_last_hashes_load(complaint_ids: Iterable[int]) -> None:
    """Inside `timeline_kept`, for cases whose rows the caller has locked: their newest hashes in one
    query (instead of one per event)."""
    state = getattr(_kept, "state", None)
    ids = [pk for pk in set(complaint_ids) if state is not None and pk not in state.last]
    if not ids:
        return
    newest = (
        ComplaintEvent.objects.filter(complaint_id__in=ids).values("complaint_id").annotate(newest=Max("id"))
    )
    found = dict(
        ComplaintEvent.objects.filter(id__in=newest.values("newest")).values_list("complaint_id", "hash")
    )
    for pk in ids:
        state.last[pk] = found.get(pk) or ""


def timeline_mark() -> int:
    state = getattr(_kept, "state", None)
    return len(state.events) if state is not None else 0


def timeline_rollback(mark: int) -> None:
    """Forget the events kept since `timeline_mark()` returned `mark` (their case's savepoint was rolled
    back), and the newest hashes they had set."""
    state = getattr(_kept, "state", None)
    if state is None or len(state.events) <= mark:
        return
    dropped = {event.complaint_id for event in state.events[mark:]}
    del state.events[mark:]
    for pk in dropped:
        state.last.pop(pk, None)
    for event in state.events:
        if event.complaint_id in dropped:
            state.last[event.complaint_id] = event.hash


def timeline_flush() -> int:
    """Insert every kept event, in order (one statement per 1,000, written out by `fastsql.insert_rows`:
    the ORM's bulk INSERT compiled every value of every event). Returns how many. The kept events get no
    ids: nobody holds on to them once written."""
    state = getattr(_kept, "state", None)
    if state is None or not state.events:
        return 0
    events, state.events = state.events, []
    fields = [field for field in ComplaintEvent._meta.concrete_fields if not field.primary_key]
    names = [field.attname for field in fields]
    for start in range(0, len(events), 1000):
        rows = ([field.pre_save(event, True) for field in fields] for event in events[start : start + 1000])
        fastsql.insert_rows(ComplaintEvent, names, rows)
    return len(events)


def event_record(
    *,
    complaint: Complaint,
    actor,
    kind: EventKind,
    at: dt.datetime,
    field: str = "",
    old=None,
    new=None,
    reason: str = "",
) -> ComplaintEvent:
    """Append an event to the case's timeline (written at once, or kept inside `timeline_kept`)."""
    event = ComplaintEvent(
        complaint=complaint, actor=actor, kind=kind, at=at, field=field, old_value=_text(old),
        new_value=_text(new), reason=reason,
    )  # fmt: skip
    state = getattr(_kept, "state", None)
    previous = state.last.get(complaint.pk) if state is not None else None
    if previous is None:
        previous = "" if kind == EventKind.CREATED else _previous_hash(complaint.pk)
    event.hash = event_hash(previous=previous, values={name: getattr(event, name) for name in CHAIN_FIELDS})
    if state is not None:
        state.last[complaint.pk] = event.hash
        state.events.append(event)
        return event
    # Written out (common.fastsql): one event per intake and per transition, the busiest insert there is.
    return fastsql.insert_instance(event)


def _same_minute(old, new) -> bool:
    # A time that moves by less than a minute (a pause of a few seconds) is no change a reader can see:
    # the timeline would say "12月8日 10:42 → 12月8日 10:42".
    if isinstance(old, dt.datetime) and isinstance(new, dt.datetime):
        return abs(new - old) < dt.timedelta(minutes=1)
    return False


def events_record_changes(
    *,
    complaint: Complaint,
    actor,
    at: dt.datetime,
    before: dict,
    kind: EventKind = EventKind.FIELD_CHANGED,
    reason: str = "",
) -> list[str]:
    """One event per field whose value differs from `before`; returns the changed field names."""
    changed = []
    for field, old in before.items():
        new = getattr(complaint, field)
        if _text(old) != _text(new) and not _same_minute(old, new):
            changed.append(field)
            event_record(complaint=complaint, actor=actor, kind=kind, at=at, field=field, old=old, new=new,
                         reason=reason)  # fmt: skip
    return changed


@dataclass(frozen=True)
class BrokenLink:
    complaint_id: int
    event_id: int
    at: dt.datetime
    why: str


@dataclass
class ChainReport:
    cases: int = 0
    events: int = 0
    unchained: int = 0  # recorded before the chain existed (no hash, before the case's first hashed event)
    broken: BrokenLink | None = None


def redaction_seal(*, previous: str, stored: str, values: dict) -> str:
    """The seal of a redacted event: its redacted content hashed with the previous event's hash and its own
    (original) hash. Changing the redacted text, the time, actor or kind, or the events around it breaks
    it as it would break the original link."""
    return event_hash(previous=f"redacted\x1f{previous}\x1f{stored}", values=values)


def chains_verify(rows: Iterable[tuple]) -> ChainReport:
    """Check the chains of events given in (complaint_id, id) order as tuples of (id, hash, *CHAIN_FIELDS)
    or (id, hash, *CHAIN_FIELDS, redaction_seal). Stops at the first broken link. Pure: the command feeds
    it rows. A redacted event (`complaints.redaction`) is checked by its seal instead of its hash."""
    report = ChainReport()
    current, previous, chained = None, "", False
    for row in rows:
        event_id, stored = row[0], row[1]
        values = dict(zip(CHAIN_FIELDS, row[2 : 2 + len(CHAIN_FIELDS)], strict=True))
        seal = row[2 + len(CHAIN_FIELDS)] if len(row) > 2 + len(CHAIN_FIELDS) else ""
        if values["complaint_id"] != current:
            current, previous, chained = values["complaint_id"], "", False
            report.cases += 1
        report.events += 1
        if not stored and not chained:
            report.unchained += 1
            continue
        # A chain starts from the empty hash: at the case's `created` event, or at its first event after
        # the chain was introduced (the events before it have none).
        link = previous if chained else ""
        if seal and stored:
            # Redacted (its case anonymised): its own hash was over the content now gone, so the seal
            # stands in for it — the redacted content bound to the previous event's hash and to this
            # event's hash, from which the next event still links.
            if seal != redaction_seal(previous=link, stored=stored, values=values):
                report.broken = BrokenLink(
                    values["complaint_id"], event_id, values["at"], "redacted content does not match its seal"
                )
                return report
            previous, chained = stored, True
            continue
        expected = event_hash(previous=link, values=values)
        if stored != expected:
            why = (
                "no hash after a chained event" if not stored else "content or order does not match its hash"
            )
            report.broken = BrokenLink(values["complaint_id"], event_id, values["at"], why)
            return report
        previous, chained = stored, True
    return report


def chain_rows(*, complaint_ids: Iterable[int] | None = None, chunk_size: int = 2000) -> Iterator[tuple]:
    """Every event as (id, hash, *CHAIN_FIELDS, redaction_seal), in (complaint_id, id) order, streamed."""
    events = ComplaintEvent.objects.order_by("complaint_id", "id")
    if complaint_ids is not None:
        events = events.filter(complaint_id__in=list(complaint_ids))
    return events.values_list("id", "hash", *CHAIN_FIELDS, "redaction_seal").iterator(chunk_size=chunk_size)
