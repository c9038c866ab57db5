"""Bulk (re)indexing of closed cases, for `archive_reindex` and the bench. Keyset batches, one
transaction each, so a run can be stopped and resumed (`--after-id`)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction

from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.states import Status

from .models import ArchiveEntry, ArticleStatus, CaseSummary, EntryKind, KnowledgeArticle
from .services import _case_document, archive_index_article


def _index_batch(complaints: list[Complaint], segmenter=None) -> None:
    ids = [c.pk for c in complaints]
    latest: dict[int, CaseSummary] = {}
    for summary in CaseSummary.objects.filter(complaint_id__in=ids).order_by("complaint_id", "version"):
        latest[summary.complaint_id] = summary  # the last version wins
    rows = []
    for complaint in complaints:
        plain, words = (segmenter or _case_document)(complaint, latest.get(complaint.pk))
        rows.append(
            ArchiveEntry(
                kind=EntryKind.CASE,
                complaint_id=complaint.pk,
                org_unit_id=complaint.org_unit_id,
                title=complaint.title[:200],
                text=plain,
                segmented=words,
                at=complaint.closed_at or now(),
            )
        )
    with transaction.atomic():
        ArchiveEntry.objects.filter(complaint_id__in=ids).delete()
        ArchiveEntry.objects.bulk_create(rows, batch_size=1000)


def reindex_all(
    *,
    batch: int = 2000,
    after_id: int = 0,
    limit: int = 0,
    progress: Callable[[int, int], None] | None = None,
    segmenter=None,
) -> tuple[int, int]:
    """(cases, articles) indexed. Entries of cases that are no longer closed are removed."""
    batch = max(1, batch)
    if after_id == 0:
        ArchiveEntry.objects.filter(kind=EntryKind.CASE).exclude(complaint__status=Status.CLOSED).delete()
    done, last_id = 0, after_id
    while True:
        size = batch if not limit else min(batch, limit - done)
        if size <= 0:
            break
        complaints = list(
            Complaint.objects.filter(status=Status.CLOSED, pk__gt=last_id)
            .select_related("category")
            .only("pk", "org_unit_id", "title", "description", "demand", "closed_at", "category__name")
            .order_by("pk")[:size]
        )
        if not complaints:
            break
        _index_batch(complaints, segmenter)
        done += len(complaints)
        last_id = complaints[-1].pk
        if progress:
            progress(done, last_id)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics, so the planner knows how common words are
            cursor.execute("ANALYZE archive_archiveentry")
    articles = 0
    for article in KnowledgeArticle.objects.filter(status=ArticleStatus.PUBLISHED).select_related("category"):
        archive_index_article(article=article)
        articles += 1
    return done, articles
