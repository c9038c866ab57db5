"""Personal data out of an anonymised case's timeline (个人信息保护法; `docs/privacy.md`).

The timeline is append-only and hash-chained (`timeline`). When a case's retention has ended, the privacy
job asks this module to take the personal data out of its events: each event whose texts (原值, 新值,
原因) change under the job's de-personalisation gets the redacted texts, `redacted_at`, and a seal
(`timeline.redaction_seal`) over the redacted content, the previous event's hash and its own hash, which
stays as it was and still links the next event. `timeline.chains_verify` checks a redacted event by its
seal, so the chain verifies after the redaction as before it.

An event whose own link did not verify before the redaction (the chain was broken there already) is
redacted all the same — the law asks for the data to go — but not sealed: the break stays visible to
`manage.py timeline_verify`, never laundered by a fresh seal.

Who, when, what kind of change and which field stay: only the texts change, once. On PostgreSQL the write
goes through the database function `complaints_event_redact` (migration 0014), the one UPDATE the
append-only trigger lets through; SQLite has no trigger and the same conditions are in the statement.

A redaction may only take information out (migration 0016): each new text is no longer than the old one
and, without the marks the de-personalisation writes (`MASK_TOKENS`), a subsequence of it. The database
function refuses anything else; on SQLite `redaction_removes_only` applies the same rule here. Either way
the refusal is `RedactionRefused` and nothing of the case's timeline is written.
"""

import datetime as dt
import re
from collections.abc import Callable

from django.db import IntegrityError, connection

from .models import Complaint, ComplaintEvent
from .states import Status
from .timeline import CHAIN_FIELDS, event_hash, redaction_seal

TEXT_FIELDS = ("old_value", "new_value", "reason")
ENDED = (Status.CLOSED, Status.WITHDRAWN)
# The marks the de-personalisation (privacy.redaction.text_redacted) puts in place of what it removes: runs
# of '*' (138****8000, 王**, a card's "**** 1234" with its space), the address mark, the anonymous name. The
# same expression is in the database function complaints_redaction_removes_only (migration 0016).
ADDRESS_MARK = "【地址】"
ANONYMOUS_MARK = "（已匿名化）"
MASK_TOKENS = re.compile(rf"\*+ ?|{ADDRESS_MARK}|{ANONYMOUS_MARK}")


class RedactionRefused(IntegrityError):
    """A replacement text that adds something to the event instead of only removing personal data."""


def redaction_removes_only(original: str | None, replacement: str | None) -> bool:
    """True when `replacement` only takes information out of `original`: it is no longer, and what is left
    of it without the mask tokens is `original` with characters deleted (a subsequence). Pure."""
    if replacement is None:
        return original is None
    original = original or ""
    if replacement == original:
        return True
    if len(replacement) > len(original):
        return False
    remaining = iter(original)
    return all(char in remaining for char in MASK_TOKENS.sub("", replacement))


# A case's timeline is tens of events, a long one a few hundred: read in one go, written in one statement.
EVENTS_MAX = 20000

_SQLITE_UPDATE = (
    "UPDATE complaints_complaintevent SET old_value = %s, new_value = %s, reason = %s, redaction_seal = %s,"
    " redacted_at = %s WHERE id = %s AND redacted_at IS NULL"
)


def timeline_redact(*, complaint: Complaint, redact: Callable[[str], str], at: dt.datetime) -> int:
    """Replace the personal data in the events of the ended case `complaint` (locked by the caller) by
    `redact(text)`; returns how many events changed. An event already redacted is left alone, so a second
    run changes nothing."""
    if complaint.status not in ENDED:
        raise ValueError("only an ended case's timeline is redacted")
    rows = (
        ComplaintEvent.objects.filter(complaint_id=complaint.pk)
        .order_by("id")
        .values_list("id", "hash", "redacted_at", *CHAIN_FIELDS)[:EVENTS_MAX]
    )
    changes: list[tuple[int, str, str, str, str]] = []
    previous, chained = "", False
    for event_id, stored, redacted_at, *content in rows:
        values = dict(zip(CHAIN_FIELDS, content, strict=True))
        link = previous if chained else ""
        if stored:
            previous, chained = stored, True
        if redacted_at is not None:
            continue
        texts = {name: redact(values[name] or "") for name in TEXT_FIELDS}
        if all(texts[name] == (values[name] or "") for name in TEXT_FIELDS):
            continue
        if connection.vendor != "postgresql" and not all(
            redaction_removes_only(values[name] or "", texts[name]) for name in TEXT_FIELDS
        ):  # on PostgreSQL the database function refuses it (migration 0016)
            raise RedactionRefused(f"a redaction may only remove information: event {event_id} refused")
        intact = bool(stored) and stored == event_hash(previous=link, values=values)
        seal = redaction_seal(previous=link, stored=stored, values=values | texts) if intact else ""
        changes.append((event_id, texts["old_value"], texts["new_value"], texts["reason"], seal))
    if not changes:
        return 0
    return _write(changes, at=at)


def _write(changes: list[tuple[int, str, str, str, str]], *, at: dt.datetime) -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            ids, olds, news, reasons, seals = (list(column) for column in zip(*changes, strict=True))
            try:
                cursor.execute(
                    "SELECT complaints_event_redact(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s)",
                    [ids, olds, news, reasons, seals, at],
                )
            except IntegrityError as error:
                if "may only remove information" in str(error):
                    raise RedactionRefused(str(error).splitlines()[0]) from error
                raise
            return cursor.fetchone()[0]
        stamp = connection.ops.adapt_datetimefield_value(at)
        cursor.executemany(
            _SQLITE_UPDATE,
            [(old, new, reason, seal, stamp, event_id) for event_id, old, new, reason, seal in changes],
        )
        return len(changes)
