"""Grow a PostgreSQL bench database to N complaints by replicating its finished complaints in SQL.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_bench_ten
    nice .venv/bin/python bench/seed.py --count 1000000 --fresh         # the base: 1M, two years
    nice .venv/bin/python bench/archive_search.py --index --runs 0       # index its closed cases
    nice .venv/bin/python bench/grow.py --to 3000000                     # then --to 10000000

`seed.py` builds every row in Python (1 500–2 500 complaints/s on the shared 2-core machine, so 10M
takes hours) and `archive_search.py --index` segments every text with jieba again. This script only
copies rows that already exist, with `INSERT … SELECT`, one transaction per copy and table.

**What a copy is.** Copy k (k = 1, 2, …) holds every *finished* complaint of the base (the seeded
rows, ids up to `--stride`; `is_open` false), with:

- new ids: the base id + k × stride (so copy k's ids are (k·stride, (k+1)·stride], and a stopped
  run resumes where the last copy ends);
- every timestamp (intake, stage stamps, deadlines, closing) moved back by k whole years in the
  local calendar (`Asia/Shanghai`): the base spans two years, copy k the two years before that
  minus one, so ten copies make an archive of ~12 years, about 1M complaints a year, the newest
  year being the base's own;
- a new case number: `TS` + the shifted local day + the base's daily sequence + k × 60 000 (a
  number never collides with the base's, another copy's, or later intakes of the base's days);
- the same unit, category, channel, severity, complexity, agent, customer and texts;
- its `CREATED` timeline event and SLA pauses, shifted the same way, with new ids;
- its archive entry (closed cases that were indexed): the same `segmented` words, title and text,
  `at` shifted, so no re-segmentation; PostgreSQL computes the `search` tsvector (the generated
  column, `to_tsvector('simple', …)`, a C function) and the index's day buckets from `at`.

**What a copy is not.** Open complaints are not copied: a ten-year-old case is not still open, so
the open queue (and `queue_latency.py`) stays that of the base while the table grows. Customers are
not copied: a copy's case belongs to the base case's customer (a customer who also complained in
earlier years; their `created_at` is later than those old cases). The texts repeat: every archived
text occurs once per copy. For search that means each word's posting list grows exactly like the
archive (what costs), but ranking ties multiply: a query's best `ts_rank` score is shared by the
same texts in every year, so an "all years" top 10 is ten equally ranked texts, and the
windowed-vs-all-years quality comparison counts as "same score" hits that are the same text of
another year. Quality figures on a grown database say nothing about real, non-repeating texts.
Surveys, analytics facts and the other tables that hang off a complaint are not copied (the
dashboard benches use `bench/analytics.py --rollups-standin`, which reads only the complaints).

**How it is fast.** Foreign keys are checked by triggers; the rows copied reference rows that exist
(units, users, customers, categories, the copy's own complaint), so the session runs with
`session_replication_role = replica`, which skips those triggers (superuser only). The secondary
indexes of the four tables (complaints: 20, events 3, pauses 1, archive entries 6 incl. the GIN
index) are dropped before copying and built again afterwards with plain CREATE INDEX (the database
is offline for benching: a live system would build CONCURRENTLY), which is several times faster
than maintaining them row by row; their definitions are kept in the table `bench_grow_dropped_index`
until they are back, so an interrupted run restores them when started again (`--restore-indexes`
only restores). Then the id sequence is moved on and the four tables are VACUUM ANALYZEd (the
archive's recent-first search reads an index-only scan, which needs the visibility map).

PostgreSQL only; refuses a database whose name does not contain "bench".
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchenv import bench_database_url, database_label, django_setup

STRIDE = 10_000_000
NUMBER_STEP = 60_000  # added to the daily sequence per copy
LEAP_DAY_SHIFT = 30_000  # 29 February moved to a 28 February: kept apart from that day's own numbers
MAX_COPIES = 16  # 16 × 60 000 + 30 000 + a day's sequence stays within six digits
TABLES = ["complaints_complaint", "complaints_complaintevent", "sla_slapause", "archive_archiveentry"]
SAVED = "bench_grow_dropped_index"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--to", type=int, help="grow the complaint table to this many complaints")
    parser.add_argument("--stride", type=int, default=STRIDE, help=f"id distance between copies ({STRIDE})")
    parser.add_argument("--keep-indexes", action="store_true", help="copy with every index in place")
    parser.add_argument(
        "--restore-indexes", action="store_true", help="only rebuild indexes a stopped run dropped"
    )
    args = parser.parse_args()
    if args.to is None and not args.restore_indexes:
        parser.error("--to N is required")
    return args


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def refuse_unless_bench() -> None:
    url = bench_database_url()
    if not url.startswith("postgres"):
        sys.exit("grow.py needs PostgreSQL (DATABASE_URL=postgres://…)")
    if "bench" not in url.rsplit("/", 1)[-1].split("?")[0]:
        sys.exit(f"grow.py refuses {url}: use a database whose name contains 'bench'")


def timed(cursor, sql: str, params=None, label: str = "") -> int:
    began = time.perf_counter()
    cursor.execute(sql, params)
    rows = cursor.rowcount
    if label:
        counted = f"{rows:,} rows, " if rows >= 0 else ""
        print(f"    {label}: {counted}{time.perf_counter() - began:.1f} s", flush=True)
    return rows


def columns(cursor, table: str) -> list[tuple[str, str]]:
    """(name, data type) of the table's writable columns, in table order (generated ones left out)."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = 'public' AND table_name = %s AND is_generated = 'NEVER'"
        " ORDER BY ordinal_position",
        [table],
    )
    return cursor.fetchall()


def drop_indexes(cursor, tables: list[str] = TABLES) -> None:
    """Drop every index of `tables` but the primary keys, remembering how to build each again."""
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {SAVED} (name text PRIMARY KEY, tbl text, ddl text)")
    cursor.execute(
        """
        SELECT c.relname, t.relname,
               CASE WHEN con.conname IS NOT NULL
                    THEN format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s', t.relname, con.conname,
                                pg_get_constraintdef(con.oid))
                    ELSE pg_get_indexdef(i.indexrelid) END,
               con.conname
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_class t ON t.oid = i.indrelid
        LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.contype IN ('u', 'x')
        WHERE t.relname = ANY(%s) AND NOT i.indisprimary
        """,
        [tables],
    )
    found = cursor.fetchall()
    for name, table, ddl, constraint in found:
        cursor.execute(f"INSERT INTO {SAVED} VALUES (%s, %s, %s) ON CONFLICT DO NOTHING", [name, table, ddl])
        if constraint:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"')
        else:
            cursor.execute(f'DROP INDEX "{name}"')
    print(f"  dropped {len(found)} secondary indexes of {', '.join(tables)} (kept in {SAVED})", flush=True)


def restore_indexes(cursor) -> None:
    cursor.execute("SELECT to_regclass(%s)", [SAVED])
    if cursor.fetchone()[0] is None:
        return
    cursor.execute(f"SELECT name, tbl, ddl FROM {SAVED} ORDER BY tbl, name")
    saved = cursor.fetchall()
    began = time.perf_counter()
    cursor.execute("SET maintenance_work_mem = '512MB'")
    for name, _table, ddl in saved:
        cursor.execute("SELECT to_regclass(%s)", [f'"{name}"'])
        if cursor.fetchone()[0] is None:
            timed(cursor, ddl, label=f"build {name}")
        cursor.execute(f"DELETE FROM {SAVED} WHERE name = %s", [name])
    cursor.execute(f"DROP TABLE {SAVED}")
    cursor.execute("RESET maintenance_work_mem")
    if saved:
        print(f"  built {len(saved)} indexes again in {time.perf_counter() - began:.1f} s (load {load()})")


def copy_once(cursor, *, k: int, stride: int, after: int, limit: int, bounds: dict, prefix: str) -> int:
    """Copy k of up to `limit` finished base complaints with ids above `after`; returns complaints copied."""
    offset = k * stride
    shift = f"interval '{k} years'"
    cursor.execute("DROP TABLE IF EXISTS grow_source")
    cursor.execute(
        "CREATE TEMP TABLE grow_source AS SELECT id FROM complaints_complaint"
        " WHERE id > %s AND id <= %s AND NOT is_open ORDER BY id LIMIT %s",
        [after, stride, limit],
    )
    cursor.execute("ANALYZE grow_source")

    def select_list(table: str, special: dict[str, str]) -> tuple[str, str]:
        names, values = [], []
        for name, kind in columns(cursor, table):
            if name == "id" and "id" not in special:
                continue  # a new id from the table's identity
            names.append(f'"{name}"')
            if name in special:
                values.append(special[name])
            elif kind == "timestamp with time zone":
                values.append(f'x."{name}" - {shift}')
            else:
                values.append(f'x."{name}"')
        return ", ".join(names), ", ".join(values)

    number = (
        f"'{prefix}' || to_char(x.created_at - {shift}, 'YYYYMMDD') || lpad(("
        f"right(x.number, 6)::int + {k * NUMBER_STEP}"
        f" + CASE WHEN to_char(x.created_at, 'MMDD') = '0229'"
        f" AND to_char(x.created_at - {shift}, 'MMDD') = '0228' THEN {LEAP_DAY_SHIFT} ELSE 0 END)::text, 6, '0')"
    )
    names, values = select_list("complaints_complaint", {"id": f"x.id + {offset}", "number": number})
    copied = timed(
        cursor,
        f"INSERT INTO complaints_complaint ({names}) SELECT {values}"
        " FROM complaints_complaint x JOIN grow_source s ON s.id = x.id",
        label="complaints",
    )
    for table, bound in (
        ("complaints_complaintevent", "event_max"),
        ("sla_slapause", "pause_max"),
        ("archive_archiveentry", "entry_max"),
    ):
        names, values = select_list(table, {"complaint_id": f"x.complaint_id + {offset}"})
        timed(
            cursor,
            f"INSERT INTO {table} ({names}) SELECT {values} FROM {table} x"
            f" JOIN grow_source s ON s.id = x.complaint_id WHERE x.id <= %s",
            [bounds[bound]],
            label=table,
        )
    return copied


def main() -> None:
    args = parse_args()
    refuse_unless_bench()
    django_setup()
    from django.conf import settings
    from django.db import connection

    print(f"database: {database_label()}; load {load()}")
    stride = args.stride
    began = time.perf_counter()
    connection.ensure_connection()
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        restore_indexes(cursor)  # left by a stopped run
        if args.restore_indexes:
            return
        cursor.execute(
            "SELECT count(*), max(id) FILTER (WHERE id <= %s AND NOT is_open) FROM complaints_complaint",
            [stride],
        )
        total, base_max = cursor.fetchone()  # base_max: the last finished base complaint
        print(f"complaints now: {total:,}; finished base ids up to {base_max:,}; target {args.to:,}")
        if total >= args.to:
            print("nothing to do")
            return
        cursor.execute(
            "SELECT count(*) FILTER (WHERE NOT is_open), max(right(number, 6)::int)"
            " FROM complaints_complaint WHERE id <= %s",
            [stride],
        )
        finished, top_sequence = cursor.fetchone()
        if top_sequence + LEAP_DAY_SHIFT >= NUMBER_STEP:
            sys.exit(f"a base day has sequence {top_sequence}: too many for the copy numbering")
        bounds = {}
        for key, table in (
            ("event_max", "complaints_complaintevent"),
            ("pause_max", "sla_slapause"),
            ("entry_max", "archive_archiveentry"),
        ):
            # The base's rows are those of base complaints; their ids are below every copy's.
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table} WHERE complaint_id <= %s", [stride])
            bounds[key] = cursor.fetchone()[0]
        print(f"base: {finished:,} finished complaints to copy per copy; row id bounds {bounds}")

        cursor.execute(f"SET TIME ZONE '{settings.TIME_ZONE}'")  # whole years of the local calendar
        cursor.execute("SET session_replication_role = replica")  # the copies' references exist
        if not args.keep_indexes:
            drop_indexes(cursor)
        copy_began = time.perf_counter()
        remaining, copied_all = args.to - total, 0
        try:
            for k in range(1, MAX_COPIES + 1):
                if remaining <= 0:
                    break
                cursor.execute(
                    "SELECT coalesce(max(id), %s) FROM complaints_complaint WHERE id > %s AND id <= %s",
                    [k * stride, k * stride, (k + 1) * stride],
                )
                after = cursor.fetchone()[0] - k * stride  # base ids already copied in copy k
                if after >= base_max:
                    continue
                print(f"  copy {k} (−{k} years), base ids after {after:,}, up to {remaining:,}", flush=True)
                t0 = time.perf_counter()
                cursor.execute("BEGIN")
                copied = copy_once(
                    cursor, k=k, stride=stride, after=after, limit=remaining, bounds=bounds,
                    prefix=settings.CASE_NUMBER_PREFIX,
                )  # fmt: skip
                cursor.execute("COMMIT")
                remaining -= copied
                copied_all += copied
                print(
                    f"  copy {k}: {copied:,} complaints in {time.perf_counter() - t0:.1f} s (load {load()})",
                    flush=True,
                )
            else:
                if remaining > 0:
                    print(f"  stopped after {MAX_COPIES} copies, {remaining:,} short of the target")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        finally:
            copy_seconds = time.perf_counter() - copy_began
            cursor.execute("SET session_replication_role = origin")
            index_began = time.perf_counter()
            restore_indexes(cursor)
            index_seconds = time.perf_counter() - index_began
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('complaints_complaint', 'id'), max(id))"
            " FROM complaints_complaint"
        )
        tidy_began = time.perf_counter()
        for table in TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        tidy_seconds = time.perf_counter() - tidy_began
        cursor.execute("SELECT count(*) FROM complaints_complaint")
        (now_total,) = cursor.fetchone()
        cursor.execute("SELECT count(*), min(at), max(at) FROM archive_archiveentry WHERE kind = 'case'")
        entries, oldest, newest = cursor.fetchone()
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        (size,) = cursor.fetchone()
    print(
        f"\ncopied {copied_all:,} complaints in {copy_seconds:.1f} s"
        f" ({copied_all / max(copy_seconds, 0.001):,.0f}/s), indexes {index_seconds:.1f} s,"
        f" VACUUM ANALYZE {tidy_seconds:.1f} s; total {time.perf_counter() - began:.1f} s (load {load()})"
    )
    span = f" from {oldest:%Y-%m-%d} to {newest:%Y-%m-%d}" if entries else ""
    print(f"complaints: {now_total:,}; archived cases: {entries:,}{span}; database {size}")


if __name__ == "__main__":
    main()
