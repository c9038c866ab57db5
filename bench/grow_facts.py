"""Real KPI facts and rollups for a database grown by `bench/grow.py`, without computing every fact in Python.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_bench_ten
    nice .venv/bin/python bench/grow_facts.py                 # after grow.py --to 10000000
    nice .venv/bin/python bench/grow_facts.py --check 2000    # then: how far copied facts are from computed ones

`analytics_rebuild` computes each fact in Python (analytics.rebuild: a few thousand facts/s on the shared
2-core machine), which at 10M takes longer than a bench session has. A grown database is the base (ids up
to `--stride`) and copies of its finished complaints (copy k: id + k × stride, every timestamp k local
years earlier), so this script:

1. computes the facts of the base (ids ≤ stride) with the real rebuild (`facts_rebuild_range`);
2. copies them, in SQL, to every copy k whose complaint exists (its intake time is the base case's
   minus k years: a complaint filed later that happens to have such an id is not mistaken for a copy),
   with grow.py's shifts: complaint id + k × stride, `day` and `pending_until` k years earlier in the
   local calendar (29 February → 28 February, as grow.py's timestamps), `month` the month of that day;
3. computes, with the real rebuild, the facts of any complaint still without one (intake filed after
   growing);
4. sums every rollup row from the facts in SQL (`rollups.rollups_rebuild`), marks the sync up to date
   with the events as they were when it began (`analytics_sync_mark`, as `analytics_rebuild` does: else
   the first sync would refresh every case again), then VACUUM ANALYZE.

The secondary indexes of the facts table are dropped while it fills and built again afterwards, and the
foreign-key triggers skipped (`session_replication_role = replica`: every row references rows
that exist), as grow.py does; the definitions wait in grow.py's `bench_grow_dropped_index` table, so a
stopped run restores them when any of the two scripts runs again.

**What a copied fact is.** The base fact's slice (unit, category, channel, kind, agent, severity,
complexity, customer) and measures — what `analytics_rebuild` computes for the copy's complaint row,
which holds the same stamps k years earlier — except where the copy's surroundings differ:

- **surveys and compensation**: grow.py copies no survey answers and no ledger entries, so a copy has
  none of its own, and its survey measures (rated, satisfied, praised, NPS answered, promoters,
  detractors) and compensation (compensated, cents) are taken from the copy's own rows, as the rebuild
  would: 0 unless answers or entries were added to the copies after growing (`bench/analytics.py
  --prepare` adds surveys only while there are none, i.e. to the 1M base before growing). So at 10M the
  satisfaction and NPS figures are the base year's answers over ten times the complaints: CSAT and NPS
  keep their values, the share of rated cases falls tenfold;
- **handling time** (`handling_seconds`) is the base's: working time over the base case's dates, not
  the copy's (another year's weekends and holidays give a slightly different working time);
- **repeats and first complainants** (`repeat`, `complainants*`) are the base's: each copy sees only
  its own history of the customer, while a rebuild would also see that customer's cases in the base
  and in the other copies whose years overlap (copies are two years long, one year apart), and count
  more repeats and fewer first complainants;
- hand-offs up, transfers and work orders (which make `escalated` and spoil `fcr`) are the base case's:
  grow.py copies only the `CREATED` event; a seeded base has none of them, so nothing differs there.

`--check N` computes the facts of N copied complaints in Python (analytics.facts.facts_build, nothing
written) and counts, per column, the facts that differ from the copied ones: the list above, measured.

PostgreSQL only; refuses a database whose name does not contain "bench".
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchenv import database_label, django_setup
from grow import MAX_COPIES, STRIDE, drop_indexes, load, refuse_unless_bench, restore_indexes, timed

FACTS = "analytics_complaintfact"
SURVEY_MEASURES = ("rated", "satisfied", "praised", "nps_answered", "promoters", "detractors")
OWN_MEASURES = (*SURVEY_MEASURES, "compensated", "compensation_cents")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--stride", type=int, default=STRIDE, help=f"grow.py's id distance between copies ({STRIDE})"
    )
    parser.add_argument(
        "--check", type=int, default=0, metavar="N", help="compare N copied facts with computed ones"
    )
    parser.add_argument("--only-check", action="store_true", help="only the --check, on facts already there")
    return parser.parse_args()


def own_measures_sql() -> dict[str, str]:
    """The survey and compensation measures of copy k's complaint from its own rows (analytics.measures'
    rules; a contact that is not a complaint has none)."""
    from complaintdesk.analytics.measures import DETRACTOR_NPS, PRAISE_STARS, PROMOTER_NPS, SATISFIED_STARS

    complaint = "f.kind = 'complaint'"
    cents = "coalesce(m.cents, 0)"
    return {
        "rated": f"CASE WHEN {complaint} AND a.stars IS NOT NULL THEN 1 ELSE 0 END",
        "satisfied": f"CASE WHEN {complaint} AND a.stars >= {SATISFIED_STARS} THEN 1 ELSE 0 END",
        "praised": f"CASE WHEN {complaint} AND a.stars >= {PRAISE_STARS} THEN 1 ELSE 0 END",
        "nps_answered": f"CASE WHEN {complaint} AND a.nps IS NOT NULL THEN 1 ELSE 0 END",
        "promoters": f"CASE WHEN {complaint} AND a.nps >= {PROMOTER_NPS} THEN 1 ELSE 0 END",
        "detractors": f"CASE WHEN {complaint} AND a.nps <= {DETRACTOR_NPS} THEN 1 ELSE 0 END",
        "compensated": f"CASE WHEN {complaint} AND {cents} <> 0 THEN 1 ELSE 0 END",
        "compensation_cents": f"CASE WHEN {complaint} THEN {cents} ELSE 0 END",
    }


def copy_facts(cursor, *, k: int, stride: int) -> int:
    """Copy k of the base's facts, for the copies that exist. Returns facts written."""
    from complaintdesk.analytics.facts import FACT_FIELDS

    shift = f"interval '{k} years'"
    special = {
        "complaint_id": "c.id",
        "day": f"(f.day - {shift})::date",
        "month": f"date_trunc('month', f.day - {shift})::date",
        "pending_until": f"f.pending_until - {shift}",
        **own_measures_sql(),
    }
    values = ", ".join(special.get(name, f"f.{name}") for name in FACT_FIELDS)
    return timed(
        cursor,
        f"""
        INSERT INTO {FACTS} ({", ".join(FACT_FIELDS)})
        SELECT {values}
        FROM {FACTS} f
        JOIN complaints_complaint b ON b.id = f.complaint_id
        JOIN complaints_complaint c ON c.id = f.complaint_id + %(offset)s
                                   AND c.created_at = b.created_at - {shift}
        LEFT JOIN LATERAL (
            SELECT stars, nps FROM surveys_surveyanswer s WHERE s.complaint_id = c.id
            ORDER BY s.answered_at DESC, s.id DESC LIMIT 1
        ) a ON true
        LEFT JOIN LATERAL (
            SELECT (sum(amount) * 100)::bigint AS cents FROM solutions_compensationentry e
            WHERE e.complaint_id = c.id
        ) m ON true
        WHERE f.complaint_id <= %(stride)s
        """,
        {"offset": k * stride, "stride": stride},
        label=f"copy {k}",
    )


def check(sample: int, stride: int) -> None:
    """Facts computed in Python for `sample` copied complaints, against the copied ones, column by column."""
    from django.db import connection

    from complaintdesk.analytics.facts import COMPLAINT_FIELDS, FACT_FIELDS, facts_build
    from complaintdesk.analytics.models import MEASURE_FIELDS, ComplaintFact
    from complaintdesk.common.time import now
    from complaintdesk.complaints.models import Complaint

    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM complaints_complaint")
        (top,) = cursor.fetchone()
    rng = random.Random(20)
    ids: set[int] = set()
    attempts = 0
    while len(ids) < sample and attempts < sample * 50:
        attempts += 1
        candidate = rng.randint(stride + 1, top)
        if candidate % stride:
            ids.add(candidate)
    rows = list(Complaint.objects.filter(id__in=ids).values(*COMPLAINT_FIELDS))
    key = FACT_FIELDS.index("complaint_id")
    stored = {
        row[key]: row for row in ComplaintFact.objects.filter(complaint_id__in=ids).values_list(*FACT_FIELDS)
    }
    rows = [r for r in rows if r["id"] in stored]
    at = (
        ComplaintFact.objects.filter(complaint_id__in=ids).values_list("computed_at", flat=True).first()
        or now()
    )
    computed = {}
    for i in range(0, len(rows), 2000):
        for fact in facts_build(rows[i : i + 2000], at=at):
            computed[fact.complaint_id] = tuple(getattr(fact, name) for name in FACT_FIELDS)
    differs: dict[str, int] = {}
    totals: dict[str, list[int]] = {name: [0, 0] for name in MEASURE_FIELDS}  # copied, computed
    for cid, values in computed.items():
        for name, mine, theirs in zip(FACT_FIELDS, stored[cid], values, strict=True):
            if mine != theirs:
                differs[name] = differs.get(name, 0) + 1
            if name in totals:
                totals[name][0] += mine
                totals[name][1] += theirs
    same = sum(stored[cid] == values for cid, values in computed.items())
    print(f"check: {len(computed):,} copied facts computed again in Python; {same:,} identical")
    for name, count in sorted(differs.items(), key=lambda item: -item[1]):
        summed = ""
        if name in totals:
            copied_sum, computed_sum = totals[name]
            summed = f"; summed: copied {copied_sum:,}, computed {computed_sum:,}"
            if computed_sum:
                summed += f" ({copied_sum / computed_sum - 1:+.2%})"
        print(f"    {name}: differs in {count:,} ({count / max(len(computed), 1):.1%}){summed}")


def main() -> None:
    args = parse_args()
    refuse_unless_bench()
    django_setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Max

    from complaintdesk.analytics.rebuild import facts_clear, facts_rebuild_range
    from complaintdesk.analytics.rollups import rollups_rebuild
    from complaintdesk.analytics.services import analytics_sync_mark
    from complaintdesk.common.time import now
    from complaintdesk.complaints.models import ComplaintEvent

    print(f"database: {database_label()}; load {load()}")
    stride = args.stride
    if args.only_check:
        check(args.check, stride)
        return
    began = time.perf_counter()
    at = now()
    last_event_id = ComplaintEvent.objects.aggregate(m=Max("id"))["m"] or 0  # the sync goes on from here
    connection.ensure_connection()
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        restore_indexes(cursor)  # left by a stopped run
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE id <= %s) FROM complaints_complaint", [stride]
        )
        total, base = cursor.fetchone()
        print(f"complaints: {total:,}, of which the base (ids ≤ {stride:,}): {base:,}", flush=True)
        facts_clear()
        drop_indexes(cursor, tables=[FACTS])
        # Every fact written here references rows that exist (its complaint, unit, category, agent).
        cursor.execute("SET session_replication_role = replica")
        t0 = time.perf_counter()

        def progress(done: int) -> None:
            if done % 100_000 < 5000:
                print(f"    base: {done:>9,} facts  {time.perf_counter() - t0:7.1f} s", flush=True)

        written = facts_rebuild_range(after=0, up_to=stride, at=at, progress=progress)
        base_seconds = time.perf_counter() - t0
        print(
            f"  base facts: {written:,} in {base_seconds:.1f} s ({written / max(base_seconds, 1e-9):,.0f}/s, load {load()})",
            flush=True,
        )

        t0 = time.perf_counter()
        cursor.execute(
            f"SET TIME ZONE '{settings.TIME_ZONE}'"
        )  # whole years of the local calendar, as grow.py
        copied = 0
        try:
            for k in range(1, MAX_COPIES + 1):
                cursor.execute(
                    "SELECT EXISTS (SELECT 1 FROM complaints_complaint WHERE id > %s AND id <= %s)",
                    [k * stride, (k + 1) * stride],
                )
                if not cursor.fetchone()[0]:
                    break
                copied += copy_facts(cursor, k=k, stride=stride)
        finally:
            cursor.execute("RESET TIME ZONE")
        copy_seconds = time.perf_counter() - t0
        print(
            f"  copied facts: {copied:,} in {copy_seconds:.1f} s ({copied / max(copy_seconds, 1e-9):,.0f}/s, load {load()})",
            flush=True,
        )

        t0 = time.perf_counter()
        cursor.execute(
            f"SELECT c.id FROM complaints_complaint c WHERE c.id > %s"
            f" AND NOT EXISTS (SELECT 1 FROM {FACTS} f WHERE f.complaint_id = c.id) ORDER BY c.id",
            [stride],
        )
        rest = [row[0] for row in cursor.fetchall()]
        computed = 0
        for first, last in _runs(rest):
            computed += facts_rebuild_range(after=first - 1, up_to=last, at=at)
        cursor.execute("SET session_replication_role = origin")
        print(
            f"  facts computed for other complaints (not copies): {computed:,} in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )

        t0 = time.perf_counter()
        restore_indexes(cursor)
        index_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        rollup_rows = rollups_rebuild()
        analytics_sync_mark(last_event_id=last_event_id, at=at)
        rollup_seconds = time.perf_counter() - t0
        print(f"  rollups: {rollup_rows:,} rows in {rollup_seconds:.1f} s (load {load()})", flush=True)
        t0 = time.perf_counter()
        for table in (FACTS, "analytics_monthlyrollup"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        tidy_seconds = time.perf_counter() - t0
        cursor.execute(f"SELECT count(*), pg_size_pretty(pg_total_relation_size('{FACTS}')) FROM {FACTS}")
        facts, size = cursor.fetchone()
    print(
        f"\nfacts: {facts:,} ({size}); base {base_seconds:.1f} s, copies {copy_seconds:.1f} s,"
        f" indexes {index_seconds:.1f} s, rollups {rollup_seconds:.1f} s, VACUUM ANALYZE {tidy_seconds:.1f} s;"
        f" total {time.perf_counter() - began:.1f} s (load {load()})"
    )
    if args.check:
        check(args.check, stride)


def _runs(ids: list[int]):
    """(first, last) of each run of ids with no gap in `ids`' order — ranges for facts_rebuild_range,
    which writes every complaint of its range (all of them lack a fact here)."""
    start = previous = None
    for value in ids:
        if start is None:
            start = previous = value
        elif value == previous + 1:
            previous = value
        else:
            yield start, previous
            start = previous = value
    if start is not None:
        yield start, previous


if __name__ == "__main__":
    main()
