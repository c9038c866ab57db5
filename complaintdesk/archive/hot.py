"""The hot search index (issue 20): recent-first search reads an index of recent entries only.

The GIN index `archive_entry_search_recent_gin` holds every year: a common word's posting list is as
long as the archive, and the index scan of a recent-first search walked it although the window is a
few months (客服态度恶劣, store agent: 29 ms at 1M, 62 ms at 10M, the same 5 511 rows). So PostgreSQL
also keeps a partial GIN index over the last HOT_MONTHS months, with the same columns:

    archive_entry_hot_<YYYYMM> ON archive_archiveentry
        USING gin (search, archive_buckets(kind, org_unit_id, at))
        WHERE kind = 'article' OR at >= '<YYYY-MM>-01 00:00:00+00'

A partial index needs a constant, so the boundary is the first day (UTC) of the month HOT_MONTHS before
the current one, and it moves once a month: the daily job `archive-hot-index` (`rotate`, also
`manage.py archive_hot_index`) builds the index of the current boundary and already the next month's
(CREATE INDEX CONCURRENTLY: archiving and search go on), and drops the ones before the current boundary
(DROP INDEX CONCURRENTLY). A recent-first search whose window starts on or after the boundary adds the
index's predicate, word for word (`predicate_sql`), so the planner can prove the partial index covers
it. The predicate is implied by the window's buckets (cases from the window's first day, articles of
any age), so it never changes what is found or how it is ranked; without the index (the job has not
run yet) the query is the same and uses the all-years index as before. A window that reaches further
back than the boundary (a quiet scope) and "all years" use the all-years index. Inside the hot index a
window is narrowed by its day buckets when short, by the scope words and a filter on `at` when it
covers at least backends.HOT_WORDS_SHARE of the hot months (many buckets cost more than a short filter).
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection as default_connection

HOT_MONTHS = 12
PREFIX = "archive_entry_hot_"
_NAME = re.compile(PREFIX + r"(\d{4})(\d{2})")
_COLUMNS = "USING gin (search, archive_buckets(kind, org_unit_id, at))"


def _month_start(year: int, month: int) -> dt.datetime:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return dt.datetime(year, month, 1, tzinfo=dt.UTC)


def boundary(at: dt.datetime | None = None, *, months_ahead: int = 0) -> dt.datetime:
    """The first day (UTC) of the month HOT_MONTHS before `at`'s month (default: now); `months_ahead`
    gives a later boundary (the index the next rotation will use)."""
    at = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return _month_start(at.year, at.month - HOT_MONTHS + months_ahead)


def index_name(start: dt.datetime) -> str:
    return f"{PREFIX}{start:%Y%m}"


def predicate_sql(start: dt.datetime, alias: str = "") -> str:
    """The index's predicate; the search adds it with `alias` ("e."), the same words otherwise."""
    return f"({alias}kind = 'article' OR {alias}at >= '{start:%Y-%m-%d} 00:00:00+00'::timestamptz)"


def bound_for(since: dt.datetime, at: dt.datetime | None = None) -> dt.datetime | None:
    """The current boundary when a window from `since`'s UTC day lies inside the hot index; else None."""
    start = boundary(at)
    day = dt.datetime.combine(since.astimezone(dt.UTC).date(), dt.time(0), tzinfo=dt.UTC)
    return start if day >= start else None


def _indexes(cursor) -> dict[str, bool]:
    """The hot indexes that exist: name → valid (an interrupted CONCURRENTLY build leaves an invalid one)."""
    cursor.execute(
        "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = 'archive_archiveentry'"
        " AND c.relname LIKE %s",
        [PREFIX + "%"],
    )
    return {name: valid for name, valid in cursor.fetchall() if _NAME.fullmatch(name)}


def rotate(at: dt.datetime | None = None, *, using=None) -> dict:
    """Build the hot indexes of the current and the next boundary if missing, drop the older ones.
    PostgreSQL only (SQLite filters by `at`), outside a transaction (CONCURRENTLY). Idempotent."""
    connection = using or default_connection
    if connection.vendor != "postgresql":
        return {"created": [], "dropped": [], "kept": []}
    if connection.in_atomic_block:
        raise RuntimeError("archive hot index rotation runs CONCURRENTLY: call it outside a transaction")
    current = boundary(at)
    upcoming = boundary(at, months_ahead=1)
    wanted = {index_name(current): current, index_name(upcoming): upcoming}
    created, dropped = [], []
    with connection.cursor() as cursor:
        existing = _indexes(cursor)
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for name, start in wanted.items():
            if existing.get(name) is False:  # left by an interrupted build
                cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
                existing.pop(name)
            if name not in existing:
                cursor.execute(
                    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON archive_archiveentry {_COLUMNS}"
                    f" WHERE {predicate_sql(start)}"
                )
                created.append(name)
        cursor.execute("RESET maintenance_work_mem")
        for name in sorted(existing):
            if name not in wanted and name < index_name(current):
                cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
                dropped.append(name)
    kept = sorted(set(existing) - set(dropped) - set(created))
    return {"created": created, "dropped": dropped, "kept": kept}


def drop_all(*, using=None) -> list[str]:
    """Drop every hot index (the migration's way back)."""
    connection = using or default_connection
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        names = sorted(_indexes(cursor))
        for name in names:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    return names
