"""The hot search index (issue 20, hot.py): a recent-first search whose window lies in the last
hot.HOT_MONTHS months carries the predicate of a partial GIN index of those months, so what it reads is
bounded by recent data, not by the archive. The predicate is implied by the window: the same hits, in
the same order, with the same scores as without it; old articles still found; "all years" unbounded."""

import datetime as dt

import pytest
from django.db import connection

from complaintdesk.archive import backends, hot
from complaintdesk.archive.models import ArchiveEntry
from complaintdesk.archive.selectors import archive_search, archive_search_results
from complaintdesk.archive.services import article_promote
from complaintdesk.common.time import now

from .test_recent_first import QUALITY_QUERIES, window_of_five, years  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

pg_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the hot index is PostgreSQL's")


def test_the_boundary_is_the_first_of_the_month_twelve_months_back():
    at = dt.datetime(2026, 12, 6, 23, 0, tzinfo=dt.UTC)
    assert hot.boundary(at) == dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
    assert hot.boundary(at, months_ahead=1) == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert hot.boundary(dt.datetime(2027, 1, 1, 0, 30, tzinfo=dt.UTC)) == dt.datetime(
        2026, 1, 1, tzinfo=dt.UTC
    )
    assert hot.index_name(hot.boundary(at)) == "archive_entry_hot_202512"
    # A window from the boundary's day on is inside; one day earlier is not (the all-years index).
    assert hot.bound_for(dt.datetime(2025, 12, 1, 8, 0, tzinfo=dt.UTC), at) == hot.boundary(at)
    assert hot.bound_for(dt.datetime(2025, 11, 30, 23, 0, tzinfo=dt.UTC), at) is None


@pytest.fixture
def old_article(org, years):  # noqa: F811
    """A published article on broadband (its title: 家里宽带连续三天断网), published long before the hot boundary."""
    article = article_promote(number=years["old"][0].number, actor=org.manager)
    ArchiveEntry.objects.filter(article=article).update(at=now() - dt.timedelta(days=700))
    return article


def _hits(user, query, **kwargs):
    return [
        (h.kind, h.id, round(h.score, 9)) for h in archive_search(user=user, query=query, limit=10, **kwargs)
    ]


@pg_only
@pytest.mark.parametrize("who", ["agent_a", "manager", "executive"])
def test_recent_first_hits_are_identical_with_and_without_the_hot_bound(
    org,
    years,  # noqa: F811
    window_of_five,  # noqa: F811
    old_article,
    monkeypatch,
    who,
):
    user = getattr(org, who)
    bounded = {q: _hits(user, q) for q in QUALITY_QUERIES}
    assert archive_search_results(user=user, query="光猫").since is not None
    assert ("article", old_article.pk) in {(kind, pk) for kind, pk, _score in bounded["宽带 断网"]}
    # The same window narrowed by the scope words and a filter (a long window), not the buckets.
    monkeypatch.setattr(backends, "HOT_WORDS_SHARE", 0.0)
    assert {q: _hits(user, q) for q in QUALITY_QUERIES} == bounded
    # Without the hot bound at all: today's recent-first query, the all-years index.
    monkeypatch.setattr(hot, "bound_for", lambda since, at=None: None)
    assert {q: _hits(user, q) for q in QUALITY_QUERIES} == bounded


def _index_queries(user, **kwargs) -> list[tuple[str, list]]:
    statements = []

    def capture(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        archive_search(user=user, query="宽带断网", **kwargs)
    return [(s, p) for s, p in statements if "archive_fts" in s or "to_tsquery" in s]


@pg_only
@pytest.mark.parametrize("who", ["agent_a", "manager", "executive"])
def test_the_recent_first_query_carries_the_hot_bound_and_reads_the_hot_index(
    org,
    years,  # noqa: F811
    window_of_five,  # noqa: F811
    who,
):
    user = getattr(org, who)
    predicate = hot.predicate_sql(hot.boundary(), "e.")
    [(sql, params)] = _index_queries(user)
    assert predicate in sql
    # All years: from the window (hot) back to every year, where the hot bound is gone.
    all_years = _index_queries(user, all_years=True)
    assert predicate in all_years[0][0] and "at >= '" not in all_years[-1][0]
    # The planner proves the partial index covers the query: with the all-years GIN index and the
    # btree indexes gone (inside this test's transaction) and no sequential scan, it reads the hot one.
    with connection.cursor() as cursor:
        for name in (
            "archive_entry_search_recent_gin",
            "archive_entry_kind_unit",
            "archive_case_at",
            "archive_case_unit_at",
        ):
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"Bitmap Index Scan on {hot.index_name(hot.boundary())}" in plan, plan


@pg_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rotation_builds_the_current_and_next_month_and_drops_older_ones():
    def existing():
        with connection.cursor() as cursor:
            return sorted(hot._indexes(cursor))

    try:
        hot.drop_all()
        december = dt.datetime(2026, 12, 6, tzinfo=dt.UTC)
        assert hot.rotate(december)["created"] == ["archive_entry_hot_202512", "archive_entry_hot_202601"]
        assert hot.rotate(december) == {"created": [], "dropped": [], "kept": existing()}  # idempotent
        january = dt.datetime(2027, 1, 2, tzinfo=dt.UTC)
        result = hot.rotate(january)
        assert result["created"] == ["archive_entry_hot_202602"]
        assert result["dropped"] == ["archive_entry_hot_202512"]
        assert existing() == ["archive_entry_hot_202601", "archive_entry_hot_202602"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'archive_entry_hot_202601'")
            (definition,) = cursor.fetchone()
        assert "WHERE (((kind)::text = 'article'::text) OR (at >= '2026-01-01 00:00:00+00'" in definition
    finally:
        hot.drop_all()
        hot.rotate()  # as the migration left it
