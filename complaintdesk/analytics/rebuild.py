"""Every fact and rollup row again (`analytics_rebuild`): the facts of `facts.fact_values`, read and
written for speed.

The complaints are taken in batches of consecutive ids, so each batch's rows of the other tables are
those with `complaint_id` in (first id − 1, last id] — a range, not a list of thousands of ids. On
PostgreSQL the batch is read with hand-written statements in psycopg's binary format (its C loaders:
Django's loader of text timestamps runs in Python and cost more than the rest of the read), the
customers' history with one array (`= ANY(%s)`) instead of thousands of placeholders, and the facts go
in with COPY. Elsewhere (SQLite) the same batches are read with the ORM and written with bulk_create.
What a fact holds is decided in one place, `facts.fact_values`, for the sync and the rebuild alike;
`tests/test_rebuild.py` checks that both write the same rows.

The rollups are then summed from the facts in SQL (`rollups.rollups_rebuild`).

With `workers`, processes (forked, each with its own connection) rebuild ranges of ids at once
(`facts_rebuild_range`, after one `facts_clear`).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Callable

from django.db import connection, connections, transaction
from django.db.models import Max, Q

from complaintdesk.calendars.workdays import WorkCalendar
from complaintdesk.complaints.models import Complaint, ComplaintEvent
from complaintdesk.complaints.states import ContactKind
from complaintdesk.escalation.models import EscalationHandOff, HandOffDirection
from complaintdesk.solutions.models import CompensationEntry
from complaintdesk.surveys.models import SurveyAnswer

from .facts import (
    COMPLAINT_FIELDS,
    FACT_FIELDS,
    FLAG_EVENT_KINDS,
    BatchRecords,
    batch_records,
    cents,
    event_flags,
    fact_values,
    history_by_customer,
    history_window,
    latest_answers,
    unit_calendars,
)
from .models import ComplaintFact

BATCH = 5000
Progress = Callable[[int], None]


def facts_clear() -> None:
    """Remove every fact: TRUNCATE on PostgreSQL (no dead rows left among the new ones) unless inside a
    caller's transaction, where rows written earlier in it may still wait for their deferred checks."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {ComplaintFact._meta.db_table}")
    else:
        ComplaintFact.objects.all().delete()


def facts_rebuild(*, at: dt.datetime, progress: Progress | None = None, workers: int = 1) -> int:
    """Every fact again, in id order. Returns how many. With `workers` > 1 (PostgreSQL, outside a
    transaction), that many processes rebuild ranges of ids at once, each on its own connection."""
    facts_clear()
    if workers > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
        return _rebuild_in_processes(at=at, progress=progress, workers=workers)
    last = Complaint.objects.aggregate(m=Max("id"))["m"] or 0
    return facts_rebuild_range(after=0, up_to=last, at=at, progress=progress)


def id_ranges(parts: int) -> list[tuple[int, int]]:
    """(after, up_to] ranges of complaint ids, `parts` of them holding about as many complaints each."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT max(id) FROM (SELECT id, ntile(%s) OVER (ORDER BY id) AS part"
            f" FROM {Complaint._meta.db_table}) t GROUP BY part ORDER BY part",
            [parts],
        )
        ends = [row[0] for row in cursor.fetchall()]
    return list(zip([0, *ends[:-1]], ends, strict=True))


def _rebuild_in_processes(*, at: dt.datetime, progress: Progress | None, workers: int) -> int:
    # Ranges smaller than a worker's share, handed out as workers finish: an even load, and progress.
    ranges = id_ranges(workers * 8)
    connections.close_all()  # each process opens its own connection, and its own pool
    if connection.vendor == "postgresql":
        connection.close_pool()  # no pool's sockets (or threads) shared with the forked processes
    done = 0
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for count in pool.imap_unordered(_rebuild_part, [(after, up_to, at) for after, up_to in ranges]):
            done += count
            if progress:
                progress(done)
    return done


def _rebuild_part(task: tuple[int, int, dt.datetime]) -> int:
    after, up_to, at = task
    try:
        return facts_rebuild_range(after=after, up_to=up_to, at=at)
    finally:
        connection.close()


def facts_rebuild_range(*, after: int, up_to: int, at: dt.datetime, progress: Progress | None = None) -> int:
    """Write the facts of the complaints with ids in (after, up_to], whose facts are not there (after
    `facts_clear`), one transaction per batch of `BATCH`. Returns how many."""
    postgres, batch = connection.vendor == "postgresql", BATCH
    calendars: dict[int, WorkCalendar] = {}
    done, last_id = 0, after
    while last_id < up_to:
        rows = _complaints_pg(last_id, up_to, batch) if postgres else _complaints_orm(last_id, up_to, batch)
        if not rows:
            break
        first_id, last_id = rows[0]["id"], rows[-1]["id"]
        if postgres:
            records = _records_pg(rows, first_id - 1, last_id)
        else:
            records = batch_records(rows, Q(complaint_id__gt=first_id - 1, complaint_id__lte=last_id))
        missing = {r["org_unit_id"] for r in rows} - calendars.keys()
        if missing:
            calendars.update(unit_calendars(missing))
        facts = fact_values(rows, records, calendars, at=at)
        with transaction.atomic():
            if postgres:
                _copy_facts(facts)
            else:
                ComplaintFact.objects.bulk_create(
                    [ComplaintFact(**dict(zip(FACT_FIELDS, values, strict=True))) for values in facts],
                    batch_size=500,
                )
        done += len(rows)
        if progress:
            progress(done)
    return done


# Reading, ORM (any database) ------------------------------------------------------------------------


def _complaints_orm(after: int, up_to: int, batch: int) -> list[dict]:
    rows = Complaint.objects.filter(id__gt=after, id__lte=up_to).order_by("id").values(*COMPLAINT_FIELDS)
    return list(rows[:batch])


# Reading, PostgreSQL ----------------------------------------------------------------------------------

_RANGE = "complaint_id > %s AND complaint_id <= %s"
_SQL = {
    "complaints": (
        f"SELECT {', '.join(COMPLAINT_FIELDS)} FROM {Complaint._meta.db_table}"
        " WHERE id > %s AND id <= %s ORDER BY id LIMIT %s"
    ),
    "events": (
        f"SELECT complaint_id, kind, old_value FROM {ComplaintEvent._meta.db_table}"
        f" WHERE {_RANGE} AND kind = ANY(%s)"
    ),
    "escalated_up": (
        f"SELECT DISTINCT complaint_id FROM {EscalationHandOff._meta.db_table} WHERE {_RANGE} AND direction = %s"
    ),
    "answers": (
        f"SELECT complaint_id, stars, nps FROM {SurveyAnswer._meta.db_table}"
        f" WHERE {_RANGE} ORDER BY complaint_id, answered_at, id"
    ),
    "compensation": (
        f"SELECT complaint_id, SUM(amount) FROM {CompensationEntry._meta.db_table}"
        f" WHERE {_RANGE} GROUP BY complaint_id"
    ),
    "history": (
        f"SELECT customer_id, created_at, id, org_unit_id, category_id, channel FROM {Complaint._meta.db_table}"
        " WHERE customer_id = ANY(%s) AND created_at >= %s AND created_at <= %s AND kind = %s"
    ),
}


def _select(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.cursor.execute(sql, params, binary=True)  # psycopg 3: the C loaders of every type
        return cursor.cursor.fetchall()


def _complaints_pg(after: int, up_to: int, batch: int) -> list[dict]:
    return [
        dict(zip(COMPLAINT_FIELDS, row, strict=True))
        for row in _select(_SQL["complaints"], [after, up_to, batch])
    ]


def _records_pg(rows: list[dict], after: int, up_to: int) -> BatchRecords:
    """`facts.batch_records` for the complaints with ids in (after, up_to], which `rows` are."""
    flags = event_flags(_select(_SQL["events"], [after, up_to, [kind.value for kind in FLAG_EVENT_KINDS]]))
    start, end = history_window(rows)
    customers = sorted({r["customer_id"] for r in rows})
    history = history_by_customer(
        _select(_SQL["history"], [customers, start, end, ContactKind.COMPLAINT.value])
    )
    return BatchRecords(
        reassigned=flags.reassigned,
        transferred=flags.transferred,
        dispatched=flags.dispatched,
        escalated_up={
            cid for (cid,) in _select(_SQL["escalated_up"], [after, up_to, HandOffDirection.UP.value])
        },
        answers=latest_answers(_select(_SQL["answers"], [after, up_to])),
        compensation={cid: cents(total) for cid, total in _select(_SQL["compensation"], [after, up_to])},
        history=history,
    )


def _copy_facts(facts: list[tuple]) -> None:
    columns = ", ".join(ComplaintFact._meta.get_field(name).column for name in FACT_FIELDS)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {ComplaintFact._meta.db_table} ({columns}) FROM STDIN") as copy:
            for row in facts:
                copy.write_row(row)
