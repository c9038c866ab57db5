"""The full-text index behind the archive, one implementation per database vendor.

PostgreSQL: `archive_archiveentry.search` is a generated tsvector (to_tsvector('simple', segmented))
with a GIN index; a query is to_tsquery('simple', …) over the already segmented words, ranked by
ts_rank. SQLite: the FTS5 table `archive_fts` (kept in step by triggers), MATCH and bm25().

Bounded at any size: at most CANDIDATES_MAX matching rows are ranked (the index finds them; ranking
reads only those), then the best `limit` are returned.
"""

from django.db import connection

CANDIDATES_MAX = 5000


def _pg_query(terms: list[str], any_term: bool) -> str:
    joiner = " | " if any_term else " & "
    return joiner.join("'" + term.replace("'", "''").replace("\\", "") + "'" for term in terms)


def _fts_query(terms: list[str], any_term: bool) -> str:
    joiner = " OR " if any_term else " AND "
    return joiner.join('"' + term.replace('"', '""') + '"' for term in terms)


def _scope_sql(*, kinds: list[str], unit_ids: list[int] | None, placeholder_list) -> tuple[str, list]:
    """(kind in kinds) and (articles, or cases of the user's units)."""
    clauses, params = [], []
    clauses.append("e.kind IN (" + ", ".join(["%s"] * len(kinds)) + ")")
    params += kinds
    if unit_ids is not None:
        sql, unit_params = placeholder_list(unit_ids)
        clauses.append(f"(e.kind = 'article' OR e.org_unit_id {sql})")
        params += unit_params
    return " AND ".join(clauses), params


def _pg_units(unit_ids: list[int]) -> tuple[str, list]:
    return "= ANY(%s)", [list(unit_ids) or [-1]]


def _sqlite_units(unit_ids: list[int]) -> tuple[str, list]:
    if not unit_ids:
        return "IN (NULL)", []
    return "IN (" + ", ".join(["%s"] * len(unit_ids)) + ")", list(unit_ids)


def search(
    *,
    terms: list[str],
    kinds: list[str],
    unit_ids: list[int] | None,
    limit: int,
    any_term: bool = False,
    exclude_complaint_id: int | None = None,
) -> list[tuple[int, float]]:
    """(entry id, score — higher is better) of the best matches, best first."""
    if not terms or not kinds or limit <= 0:
        return []
    if connection.vendor == "postgresql":
        scope, params = _scope_sql(kinds=kinds, unit_ids=unit_ids, placeholder_list=_pg_units)
        if exclude_complaint_id is not None:
            scope += " AND e.complaint_id IS DISTINCT FROM %s"
            params.append(exclude_complaint_id)
        sql = (
            "SELECT m.id, ts_rank(m.search, q.q) AS rank FROM ("
            " SELECT e.id, e.search FROM archive_archiveentry e, to_tsquery('simple', %s) q"
            f" WHERE e.search @@ q.q AND {scope} LIMIT %s"
            ") m, to_tsquery('simple', %s) q ORDER BY rank DESC, m.id DESC LIMIT %s"
        )
        query = _pg_query(terms, any_term)
        args = [query, *params, CANDIDATES_MAX, query, limit]
    else:
        scope, params = _scope_sql(kinds=kinds, unit_ids=unit_ids, placeholder_list=_sqlite_units)
        if exclude_complaint_id is not None:
            scope += " AND (e.complaint_id IS NULL OR e.complaint_id != %s)"
            params.append(exclude_complaint_id)
        sql = (
            "SELECT m.id, -m.rank FROM ("
            " SELECT e.id, bm25(archive_fts) AS rank FROM archive_fts"
            " JOIN archive_archiveentry e ON e.id = archive_fts.rowid"
            f" WHERE archive_fts MATCH %s AND {scope} LIMIT %s"
            ") m ORDER BY m.rank, m.id DESC LIMIT %s"
        )
        args = [_fts_query(terms, any_term), *params, CANDIDATES_MAX, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return [(row[0], float(row[1])) for row in cursor.fetchall()]
