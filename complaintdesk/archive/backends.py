"""The full-text index behind the archive, one implementation per database vendor.

PostgreSQL: `archive_archiveentry.search` is a generated tsvector, to_tsvector('simple', segmented)
plus the entry's scope word (migration 0003), with a GIN index; a query is to_tsquery('simple', …)
over the already segmented words, ranked by ts_rank, and AND the user's scope words, so that a
narrow user's query is narrowed inside the index, not by a filter over every match of the words.
SQLite: the FTS5 table `archive_fts` (kept in step by triggers), MATCH and bm25(); the scope is a filter.

Bounded at any size: at most CANDIDATES_MAX matching rows are ranked (the index finds them; ranking
reads only those), then the best `limit` are returned. One statement returns them with everything a
hit shows, and applies the authoritative scope rule to each case's own row (complaints_complaint),
not to the unit copied into the index.

Recent first (issue 20): what the index must go through grows with the archive unless the query is
bounded, so by default a search looks at the newest WINDOW_ROWS archived cases of the user's scope
(`recent_since` finds the day they go back to, from the btree indexes `archive_case_at` and
`archive_case_unit_at`), and published articles. "Every year" ranks the newest CANDIDATES_MAX matches of
every year: the window first, widened while it holds fewer (`search` with `back_to`). On PostgreSQL the
bound is inside the GIN index: its second column is `archive_buckets(kind, org_unit_id, at)` (migration
0005), each case's UTC day number and unit × BUCKET_UNIT + day, articles ARTICLE_BUCKET; a bounded query
adds `&& ARRAY[the scope's buckets since that day]`, so the index walks the window's entries and skips
through the words' posting lists. Those lists hold every year, though: a window inside the last
hot.HOT_MONTHS months also carries the predicate of the partial "hot" GIN index of those months
(hot.py), so the index scan walks recent entries only. SQLite filters by `at` (small archives).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from django.db import connection

from . import hot
from .models import EntryKind

CANDIDATES_MAX = 5000
# PostgreSQL: each entry's vector holds the word SCOPE_WORD + its unit id (migration 0003), articles
# SCOPE_WORD + 0 (unit ids start at 1). A text that happens to contain such a word only becomes a
# candidate; who may see a case is decided on the case's own row.
SCOPE_WORD = "scope"
ARTICLE_SCOPE = 0
_SCOPE_TERM = re.compile(SCOPE_WORD + r"\d+")

# Recent first: the newest archived cases of the user's scope a search ranks by default; fewer in
# scope, and the whole archive is searched. Buckets (PostgreSQL, migration 0005): see the docstring.
WINDOW_ROWS = 20_000
BUCKET_UNIT = 100_000
ARTICLE_BUCKET = -1
WINDOW_BUCKETS_MAX = 5_000  # a window of more buckets (many units × many quiet days): search every year
_EPOCH_DAY = dt.date(1970, 1, 1)
# A window covering at least this share of the hot index's months is narrowed by the scope words and a
# filter on `at` (at most 1 / share of the window's rows read); a shorter one by its buckets (hot.py).
HOT_WORDS_SHARE = 0.5
# Every year (search with back_to=EPOCH): a window with fewer matches than CANDIDATES_MAX is widened,
# each time back to where the matches so far say CANDIDATES_MAX × WIDEN_MARGIN of them begin (at most
# WIDEN_FACTOR_MAX times as far), at most WIDEN_STEPS times, then to `back_to` itself.
WIDEN_STEPS = 3
WIDEN_MARGIN = 1.25
WIDEN_FACTOR_MAX = 16
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # before any archived case: "every year"


class Match(NamedTuple):
    entry_id: int
    score: float  # higher is better
    kind: str
    complaint_id: int | None
    article_id: int | None
    title: str
    text: str
    segmented: str
    at: dt.datetime
    number: str  # the case number; "" for articles


_COLUMNS = "e.id, r.score, e.kind, e.complaint_id, e.article_id, e.title, e.text, e.segmented, e.at, c.number, r.ranked"


def _pg_query(terms: list[str], any_term: bool) -> str:
    joiner = " | " if any_term else " & "
    return joiner.join("'" + term.replace("'", "''").replace("\\", "") + "'" for term in terms)


def _fts_query(terms: list[str], any_term: bool) -> str:
    joiner = " OR " if any_term else " AND "
    return joiner.join('"' + term.replace('"', '""') + '"' for term in terms)


def _in(values: list) -> tuple[str, list]:
    """`IN (…)` for SQLite; `IN (NULL)` (nothing) when empty."""
    if not values:
        return "IN (NULL)", []
    return "IN (" + ", ".join(["%s"] * len(values)) + ")", list(values)


def _visible_sql(unit_ids: list[int] | None, placeholder_list) -> tuple[str, list]:
    """The scope rule of complaints.access.complaints_visible_to, on the case's own row `c`: articles,
    or cases of the user's units (every case when unit_ids is None)."""
    if unit_ids is None:
        return "(e.kind = 'article' OR c.id IS NOT NULL)", []
    sql, params = placeholder_list(list(unit_ids))
    return f"(e.kind = 'article' OR c.org_unit_id {sql})", params


def _pg_scope_query(*, kinds: list[str], unit_ids: list[int] | None) -> str | None:
    """The scope words a match must hold (`'scope4' | 'scope0'`): the user's units for cases, 0 for
    articles; None when there is nothing to narrow (every unit), "" when nothing is in scope."""
    if unit_ids is None and EntryKind.CASE in kinds:
        return None
    keys = [int(unit) for unit in unit_ids or []] if EntryKind.CASE in kinds else []
    if EntryKind.ARTICLE in kinds:
        keys.append(ARTICLE_SCOPE)
    return " | ".join(f"'{SCOPE_WORD}{key}'" for key in keys)


def _day(at: dt.datetime) -> int:
    return (at.astimezone(dt.UTC).date() - _EPOCH_DAY).days


def day_start(at: dt.datetime) -> dt.datetime:
    """The start of `at`'s UTC day: a bounded search covers whole days (the buckets are days)."""
    return dt.datetime.combine(at.astimezone(dt.UTC).date(), dt.time(0), tzinfo=dt.UTC)


def window_buckets(*, kinds: list[str], unit_ids: list[int] | None, since: dt.datetime) -> list[int] | None:
    """The buckets (see migration 0005) of the user's scope from `since`'s UTC day to tomorrow, plus
    the articles' bucket; None when there would be more than WINDOW_BUCKETS_MAX."""
    buckets = [ARTICLE_BUCKET] if EntryKind.ARTICLE in kinds else []
    if EntryKind.CASE in kinds:
        days = range(_day(since), _day(dt.datetime.now(dt.UTC)) + 2)
        units = [0] if unit_ids is None else [int(unit) for unit in unit_ids]
        if len(days) * len(units) > WINDOW_BUCKETS_MAX:
            return None
        buckets += [unit * BUCKET_UNIT + day for unit in units for day in days]
    return buckets


def _hot_words(since: dt.datetime, hot_start: dt.datetime) -> bool:
    """Whether a window from `since` inside the hot index is narrowed by scope words, not buckets: in the
    hot index a long window costs little to filter, while its many day buckets cost CPU in the GIN scan."""
    today = dt.datetime.now(dt.UTC)
    return (today - day_start(since)) >= (today - hot_start) * HOT_WORDS_SHARE


# The CANDIDATES_MAX ranked are the newest matches, not the first the index returns (on a table filled in
# time order, the oldest): equally ranked hits then come newest first, as when every match is ranked. What
# is sorted is bounded: by the window (WINDOW_ROWS cases of the scope and the articles), by a widened
# window that holds few matches (`search` with `back_to`), or by a scope of fewer than WINDOW_ROWS cases
# (`since` None). `e.id + 0`: an order no index gives, else on a small table the planner walks the primary
# key backwards, testing every entry against the words, instead of asking the word index.
_NEWEST_FIRST = " ORDER BY e.id + 0 DESC"
# Each match is ranked before that sort, so the sort and the count carry (id, score), not the match's
# tsvector: with the vectors, 5 000 matches overflowed work_mem (4 MB) and both went to disk (at 10M the
# slowest queries' median 34–52 → 22–41 ms, same hits; docs/tenmillion.md, "Operability").


def _search_pg(
    terms, kinds, unit_ids, limit, any_term, exclude_complaint_id, since, widened=False
) -> tuple[str, list] | None:
    scope_query = _pg_scope_query(kinds=kinds, unit_ids=unit_ids)
    terms = [term for term in terms if not _SCOPE_TERM.fullmatch(term)]  # not a way to list a unit's cases
    if scope_query == "" or not terms:
        return None
    words = [_pg_query(terms, any_term)]
    hot_start = hot.bound_for(since) if since is not None else None
    buckets = None
    # a widened window (every year, few matches) is long: its day buckets would cost more than a filter
    if since is not None and not widened and not (hot_start is not None and _hot_words(since, hot_start)):
        buckets = window_buckets(kinds=kinds, unit_ids=unit_ids, since=since)
    if buckets is not None:  # the window's buckets narrow by unit and day inside the GIN index
        match = "e.search @@ q.q AND archive_buckets(e.kind, e.org_unit_id, e.at) && %s::integer[]"
        words.append(buckets)
    elif scope_query is None:
        match = "e.search @@ q.q"
    else:  # ranked by the words only; the scope word is there to narrow inside the index
        match = "e.search @@ (q.q && to_tsquery('simple', %s))"
        words.append(scope_query)
    conditions, params = "e.kind = ANY(%s)", [kinds]
    if since is not None and buckets is None:  # the hot index, or too many buckets: a filter
        conditions += " AND (e.kind = 'article' OR e.at >= %s)"
        params.append(day_start(since))
    if hot_start is not None:  # implied by the window; lets the planner use the hot index (hot.py)
        conditions += " AND " + hot.predicate_sql(hot_start, "e.")
    if exclude_complaint_id is not None:
        conditions += " AND e.complaint_id IS DISTINCT FROM %s"
        params.append(exclude_complaint_id)
    visible, visible_params = _visible_sql(unit_ids, lambda ids: ("= ANY(%s::integer[])", [ids]))
    sql = (
        f"SELECT {_COLUMNS} FROM ("
        " SELECT m.id, m.score, count(*) OVER () AS ranked FROM ("
        "  SELECT e.id, ts_rank(e.search, q.q) AS score FROM archive_archiveentry e, to_tsquery('simple', %s) q"
        f"  WHERE {match} AND {conditions}{_NEWEST_FIRST} LIMIT %s"
        " ) m ORDER BY score DESC, m.id DESC LIMIT %s"
        ") r JOIN archive_archiveentry e ON e.id = r.id"
        " LEFT JOIN complaints_complaint c ON c.id = e.complaint_id"
        f" WHERE {visible} ORDER BY r.score DESC, r.id DESC"
    )
    return sql, [*words, *params, CANDIDATES_MAX, limit, *visible_params]


def _search_sqlite(
    terms, kinds, unit_ids, limit, any_term, exclude_complaint_id, since, widened=False
) -> tuple[str, list] | None:
    kind_sql, params = _in(kinds)
    scope = f"e.kind {kind_sql}"
    if since is not None:  # from the start of since's UTC day, as the buckets on PostgreSQL
        scope += " AND (e.kind = 'article' OR e.at >= %s)"
        params.append(day_start(since).replace(tzinfo=None).isoformat(" "))
    if unit_ids is not None:
        units_sql, unit_params = _in(list(unit_ids))
        scope += f" AND (e.kind = 'article' OR e.org_unit_id {units_sql})"
        params += unit_params
    if exclude_complaint_id is not None:
        scope += " AND (e.complaint_id IS NULL OR e.complaint_id != %s)"
        params.append(exclude_complaint_id)
    visible, visible_params = _visible_sql(unit_ids, _in)
    sql = (
        f"SELECT {_COLUMNS} FROM ("
        " SELECT m.id, -m.rank AS score, count(*) OVER () AS ranked FROM ("
        "  SELECT e.id, bm25(archive_fts) AS rank FROM archive_fts"
        "  JOIN archive_archiveentry e ON e.id = archive_fts.rowid"
        f"  WHERE archive_fts MATCH %s AND {scope}{_NEWEST_FIRST} LIMIT %s"
        " ) m ORDER BY m.rank, m.id DESC LIMIT %s"
        ") r JOIN archive_archiveentry e ON e.id = r.id"
        " LEFT JOIN complaints_complaint c ON c.id = e.complaint_id"
        f" WHERE {visible} ORDER BY r.score DESC, r.id DESC"
    )
    return sql, [_fts_query(terms, any_term), *params, CANDIDATES_MAX, limit, *visible_params]


def _run(sql: str, args: list) -> tuple[list[Match], int]:
    """The matches of one search statement, and how many candidates it ranked."""
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        rows = cursor.fetchall()
    out, ranked = [], 0
    for entry_id, score, kind, complaint_id, article_id, title, text, segmented, at, number, count in rows:
        if isinstance(at, str):
            at = dt.datetime.fromisoformat(at)
        if at.tzinfo is None:  # SQLite stores naive UTC
            at = at.replace(tzinfo=dt.UTC)
        out.append(
            Match(
                entry_id,
                float(score),
                kind,
                complaint_id,
                article_id,
                title,
                text,
                segmented,
                at,
                number or "",
            )
        )
        ranked = count
    return out, ranked


def _wider(since: dt.datetime, ranked: int, back_to: dt.datetime) -> dt.datetime | None:
    """Where a window that ranked fewer than CANDIDATES_MAX matches should begin instead: back as far as
    its own matches say CANDIDATES_MAX of them (with a margin) begin, at most WIDEN_FACTOR_MAX times as
    far, not before `back_to`; None when it already begins there. A window inside the hot index's months
    stops at their first day first (hot.boundary()): its statement reads the hot index, and going a few
    days further would read every year's posting lists (at 10M: 2.2 s against ~0.1 s)."""
    start, today, hot_start = day_start(since), dt.datetime.now(dt.UTC), hot.boundary()
    if start <= back_to:
        return None
    factor = min(WIDEN_FACTOR_MAX, CANDIDATES_MAX * WIDEN_MARGIN / max(ranked, 1))
    span = (today - start) * factor
    wider = day_start(today - span) if span < today - back_to else back_to
    return hot_start if start > hot_start > wider else wider


def search(
    *,
    terms: list[str],
    kinds: list[str],
    unit_ids: list[int] | None,
    limit: int,
    any_term: bool = False,
    exclude_complaint_id: int | None = None,
    since: dt.datetime | None = None,
    back_to: dt.datetime | None = None,
) -> list[Match]:
    """The best matches the user may see, best first. `unit_ids`: the user's units (None: every unit);
    published articles are shared by all. `since` (from `recent_since`): only cases closed from that
    UTC day on; None: every year (a scope of fewer than WINDOW_ROWS cases).

    `back_to` (every year: EPOCH): what is ranked is exactly the newest CANDIDATES_MAX matches closed
    from that day on, found without reading every match of a common word: the window from `since` is
    searched first and, holding fewer matches, widened (`_wider`, at most WIDEN_STEPS times, then back
    to `back_to`). A common word stops at its window; a rare one goes back further, with fewer matches
    to read."""
    if back_to is not None:
        since = max(since or back_to, back_to)
    if not terms or not kinds or limit <= 0:
        return []
    build = _search_pg if connection.vendor == "postgresql" else _search_sqlite
    kinds = [str(k) for k in kinds]
    query = build(terms, kinds, unit_ids, limit, any_term, exclude_complaint_id, since)
    if query is None:
        return []
    matches, ranked = _run(*query)
    steps = 0
    while back_to is not None and ranked < CANDIDATES_MAX and since > back_to:
        steps += 1
        wider = _wider(since, ranked, back_to) if steps <= WIDEN_STEPS else back_to
        if wider is None:
            break
        since = wider
        query = build(terms, kinds, unit_ids, limit, any_term, exclude_complaint_id, since, widened=True)
        matches, ranked = _run(*query)
    return matches


def recent_since(*, unit_ids: list[int] | None, rows: int | None = None) -> dt.datetime | None:
    """When the newest `rows` (WINDOW_ROWS) archived cases of these units (None: every unit) begin:
    the closing time of the oldest of them; None when the units hold fewer (search every year).
    Reads at most `rows` index entries per unit (index-only on `archive_case_unit_at`, `archive_case_at`)."""
    rows = WINDOW_ROWS if rows is None else rows
    if unit_ids is not None and not unit_ids:
        return None
    if unit_ids is None:
        sql = "SELECT at FROM archive_archiveentry WHERE kind = 'case' ORDER BY at DESC LIMIT 1 OFFSET %s"
        params: list = [rows - 1]
    else:  # the newest `rows` of each unit, then the rows-th newest of them all
        per_unit = (
            "SELECT * FROM (SELECT at FROM archive_archiveentry WHERE kind = 'case' AND org_unit_id = %s"
            " ORDER BY at DESC LIMIT %s) u"
        )
        units = sorted({int(unit) for unit in unit_ids})
        sql = (
            "SELECT at FROM (" + " UNION ALL ".join([per_unit] * len(units)) + ") w"
            " ORDER BY at DESC LIMIT 1 OFFSET %s"
        )
        params = [value for unit in units for value in (unit, rows)] + [rows - 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    at = row[0]
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    if at.tzinfo is None:  # SQLite stores naive UTC
        at = at.replace(tzinfo=dt.UTC)
    return at
