"""Bulk (re)indexing of closed cases, for `archive_reindex` and the bench.

Keyset batches, one transaction each, so a run can be stopped and resumed (`--after-id`); each batch
replaces the entries of its cases whose document changed (new words after a dictionary or stop-word
change, a new summary, a case moved) and leaves the others as they are, so the index stays searchable
while it is rebuilt and a rebuild writes, dirties and leaves dead only what it must. Cases are read as
plain values (no model instances) and written with COPY on PostgreSQL (bulk INSERT elsewhere);
segmentation remembers recurring clauses (`segment.RUN_CACHE_SIZE`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple

from django.db import connection, transaction

from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.states import Status

from .models import ArchiveEntry, ArticleStatus, CaseSummary, EntryKind, KnowledgeArticle
from .services import SUMMARY_FIELDS, archive_index_article, case_document

BATCH_DEFAULT = 5000
COLUMNS = ("kind", "complaint_id", "org_unit_id", "title", "text", "segmented", "at")
CASE_FIELDS = ("pk", "org_unit_id", "title", "description", "demand", "closed_at", "category__name")


def _case_rows(cases: list[tuple]) -> list[tuple]:
    """Entry rows (in COLUMNS order) of (pk, unit, title, description, demand, closed_at, category) tuples."""
    ids = [case[0] for case in cases]
    latest: dict[int, tuple[str, ...]] = {}
    summaries = (
        CaseSummary.objects.filter(complaint_id__in=ids)
        .order_by("complaint_id", "version")
        .values_list("complaint_id", *SUMMARY_FIELDS)
    )
    for complaint_id, *fields in summaries:
        latest[complaint_id] = tuple(fields)  # the last version wins
    at_default = now()
    rows = []
    for pk, unit_id, title, description, demand, closed_at, category in cases:
        plain, words = case_document(
            title=title,
            description=description,
            demand=demand,
            category=category or "",
            summary=latest.get(pk, ()),
        )
        rows.append((EntryKind.CASE.value, pk, unit_id, title[:200], plain, words, closed_at or at_default))
    return rows


class Reindexed(NamedTuple):
    cases: int  # closed cases read
    rewritten: int  # of which the entry was written (new or changed)
    articles: int


def _changed(rows: list[tuple]) -> list[tuple]:
    """The rows (in COLUMNS order) whose case has no entry yet or one that differs from the row."""
    stored = {
        complaint_id: tuple(values)
        for complaint_id, *values in ArchiveEntry.objects.filter(
            kind=EntryKind.CASE, complaint_id__in=[row[1] for row in rows]
        ).values_list("complaint_id", *COLUMNS[2:])
    }
    return [row for row in rows if stored.get(row[1]) != tuple(row[2:])]


def _write_batch(ids: list[int], rows: list[tuple]) -> None:
    """Replace the entries of the cases `ids` by `rows`, in one transaction."""
    if not ids:
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM archive_archiveentry WHERE complaint_id = ANY(%s)", [ids])
                copy_sql = f"COPY archive_archiveentry ({', '.join(COLUMNS)}) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy:  # psycopg 3
                    for row in rows:
                        copy.write_row(row)
            return
        ArchiveEntry.objects.filter(complaint_id__in=ids).delete()
        ArchiveEntry.objects.bulk_create(
            [ArchiveEntry(**dict(zip(COLUMNS, row, strict=True))) for row in rows], batch_size=500
        )


def _pg_tidy() -> None:
    """Replaced entries leave dead rows behind, and new ones wait in the GIN index's pending list, which
    every query reads through: VACUUM clears both (outside a transaction only), ANALYZE refreshes the
    statistics of how common words are."""
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            cursor.execute("ANALYZE archive_archiveentry")
        else:
            cursor.execute("VACUUM (ANALYZE) archive_archiveentry")


def reindex_all(
    *,
    batch: int = BATCH_DEFAULT,
    after_id: int = 0,
    limit: int = 0,
    progress: Callable[[int, int, int], None] | None = None,
    pause: float = 0.0,
) -> Reindexed:
    """Every closed case's entry made what the case's document is now; `progress(done, last_id, rewritten)`
    after each batch. Entries of cases that are no longer closed are removed. `pause`: seconds to wait
    after each batch that wrote entries, so that a rebuild rewriting most of a large archive (a stop-word
    change) leaves the disk and the cache to the searches for a while (docs/tenmillion.md, "Operability")."""
    batch = max(1, batch)
    if after_id == 0:
        ArchiveEntry.objects.filter(kind=EntryKind.CASE).exclude(complaint__status=Status.CLOSED).delete()
    done, rewritten, last_id = 0, 0, after_id
    while True:
        size = batch if not limit else min(batch, limit - done)
        if size <= 0:
            break
        cases = list(
            Complaint.objects.filter(status=Status.CLOSED, pk__gt=last_id)
            .order_by("pk")
            .values_list(*CASE_FIELDS)[:size]
        )
        if not cases:
            break
        changed = _changed(_case_rows(cases))
        _write_batch([row[1] for row in changed], changed)
        done += len(cases)
        rewritten += len(changed)
        if changed and pause > 0:
            time.sleep(pause)
        last_id = cases[-1][0]
        if progress:
            progress(done, last_id, rewritten)
    if connection.vendor == "postgresql" and rewritten:
        _pg_tidy()
    articles = 0
    for article in KnowledgeArticle.objects.filter(status=ArticleStatus.PUBLISHED).select_related("category"):
        archive_index_article(article=article)
        articles += 1
    return Reindexed(cases=done, rewritten=rewritten, articles=articles)
