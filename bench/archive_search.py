"""Archive search at scale: index the bench database's closed cases, then time Chinese queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/complaintdesk_bench \\
        nice .venv/bin/python bench/archive_search.py --index --runs 200

`--index` migrates, then (re)builds the index with `complaintdesk.archive.indexing.reindex_all` (keyset
batches of 5 000, COPY; segmentation remembers recurring clauses, which the seeded texts have more of
than real ones). Without `--index` the existing index is used.
Timed: `archive_search` as a request runs it (segmentation, index query, scope check, snippets) for three
users: HQ-wide (executive), a branch manager and a store agent. p50/p95/p99 per user and overall.
`archive_search_latency()` is the function bench/analytics.py can import.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchenv

QUERIES = [
    "宽带断网",
    "光猫",
    "退费",
    "退款没到账",
    "快递丢件",
    "信用卡年费",
    "乱扣费",
    "套餐 流量",
    "客服态度恶劣",
    "话费多扣",
    "网速慢",
    "销户",
    "投诉到工信部",
    "停机 复机",
    "快递员 派件",
    "账单 分期 手续费",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def index(batch: int) -> None:
    from django.core.management import call_command

    from complaintdesk.archive.indexing import reindex_all

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    last_batch = [began]

    def progress(done: int, last_id: int) -> None:
        last_batch[0] = time.perf_counter()
        if done % (batch * 25) == 0:
            print(f"  {done} cases indexed, {time.perf_counter() - began:.0f} s", flush=True)

    cases, articles = reindex_all(batch=batch, progress=progress)
    ended = time.perf_counter()
    print(
        f"indexed {cases} cases and {articles} articles in {ended - began:.1f} s"
        f" (batches {last_batch[0] - began:.1f} s, then VACUUM ANALYZE and articles {ended - last_batch[0]:.1f} s)"
    )


def _store_agent_units():
    """Units without children (stores), narrowest first: the fewest archived cases."""
    from django.db.models import Count, Exists, OuterRef

    from complaintdesk.archive.models import ArchiveEntry
    from complaintdesk.orgs.models import OrgUnit

    archived = (
        ArchiveEntry.objects.filter(kind="case", org_unit_id__isnull=False)
        .values("org_unit_id")
        .annotate(n=Count("id"))
    )
    counts = {row["org_unit_id"]: row["n"] for row in archived}
    leaves = OrgUnit.objects.exclude(Exists(OrgUnit.objects.filter(parent_id=OuterRef("pk"))))
    return sorted(
        leaves.values_list("id", flat=True), key=lambda unit: (counts.get(unit, 0) == 0, counts.get(unit, 0))
    )


def bench_users():
    """An HQ-wide user, a branch's business manager (both made if absent) and an agent of the store
    (a unit without children) with the fewest archived cases: the narrowest scope there is."""
    from complaintdesk.accounts.models import Role, User
    from complaintdesk.accounts.services import user_create
    from complaintdesk.orgs.models import OrgUnit

    made = [
        ("bench_archive_hq", Role.EXECUTIVE, None),
        ("bench_archive_branch", Role.BUSINESS_MANAGER, "branch"),
    ]
    for username, role, kind in made:
        if not User.objects.filter(username=username).exists():
            units = (
                OrgUnit.objects.filter(parent__isnull=True)
                if kind is None
                else OrgUnit.objects.filter(kind=kind)
            )
            unit = units.order_by("id").first()
            if unit is not None:
                user_create(username=username, password=None, role=role, org_unit=unit, display_name=username)

    agents = User.objects.filter(role=Role.AGENT, is_active=True).select_related("org_unit").order_by("id")
    store_agent = None
    for unit_id in _store_agent_units():
        store_agent = agents.filter(org_unit_id=unit_id).first()
        if store_agent is not None:
            break
    picks = [
        ("hq", User.objects.filter(username="bench_archive_hq").select_related("org_unit").first()),
        ("branch", User.objects.filter(username="bench_archive_branch").select_related("org_unit").first()),
        ("store", store_agent),
    ]
    return [(label, user) for label, user in picks if user is not None]


def archive_search_latency(*, runs: int = 100, queries: list[str] | None = None, limit: int = 20) -> dict:
    """{user label: {"p50": ms, "p95": ms, "p99": ms, "hits": mean hits}} and "all"; Django must be set up."""
    from complaintdesk.archive.selectors import archive_search

    queries = queries or QUERIES
    results: dict[str, dict] = {}
    every: list[float] = []
    for label, user in bench_users():
        archive_search(user=user, query=queries[0], limit=limit)  # warm: jieba's dictionary, connection
        times, hits = [], []
        for run in range(runs):
            query = queries[run % len(queries)]
            began = time.perf_counter()
            found = archive_search(user=user, query=query, limit=limit)
            times.append((time.perf_counter() - began) * 1000)
            hits.append(len(found))
        every += times
        results[label] = {
            "user": f"{user.username} ({user.org_unit.code if user.org_unit_id else '-'})",
            "statements": _statements(user, queries[0], limit),
            "p50": percentile(times, 0.50),
            "p95": percentile(times, 0.95),
            "p99": percentile(times, 0.99),
            "hits": statistics.mean(hits),
        }
    if every:
        results["all"] = {
            "p50": percentile(every, 0.50),
            "p95": percentile(every, 0.95),
            "p99": percentile(every, 0.99),
        }
    return results


def _statements(user, query: str, limit: int) -> int:
    """Database round trips of one search."""
    from django.db import connection

    from complaintdesk.archive.selectors import archive_search

    count = 0

    def counting(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        archive_search(user=user, query=query, limit=limit)
    return count


def explain(query: str, label: str = "store") -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the index query `archive_search` sends for the user `label`."""
    from django.db import connection

    from complaintdesk.archive.selectors import archive_search

    if connection.vendor != "postgresql":
        return ""
    user = dict(bench_users()).get(label)
    if user is None:
        return ""
    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        archive_search(user=user, query=query, limit=20)
    sql, params = next((sql, params) for sql, params in captured if "to_tsquery" in sql)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return f"user {user.username} ({user.org_unit.code if user.org_unit_id else '-'}):\n{plan}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", action="store_true", help="migrate and rebuild the archive index first")
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=160, help="searches per user")
    parser.add_argument("--explain", default="宽带断网", help="query whose PostgreSQL plan is printed")
    parser.add_argument("--explain-user", default="store", choices=["hq", "branch", "store"])
    parser.add_argument(
        "--candidates",
        type=int,
        default=0,
        help="rank at most this many matches per query (default: archive.backends.CANDIDATES_MAX)",
    )
    args = parser.parse_args()
    benchenv.django_setup()

    from complaintdesk.archive import backends
    from complaintdesk.archive.models import ArchiveEntry
    from complaintdesk.complaints.models import Complaint

    if args.candidates:
        backends.CANDIDATES_MAX = args.candidates
    print(benchenv.database_label())
    if args.index:
        index(args.batch)
    print(f"complaints: {Complaint.objects.count()}, archive entries: {ArchiveEntry.objects.count()}")
    print(f"ranked candidates per query: at most {backends.CANDIDATES_MAX}, runs per user: {args.runs}")
    results = archive_search_latency(runs=args.runs) if args.runs > 0 else {}
    for label, row in results.items():
        extra = (
            f"  user {row['user']}, mean hits {row['hits']:.1f}, {row['statements']} statements"
            if "user" in row
            else ""
        )
        print(
            f"{label:7s} p50 {row['p50']:7.1f} ms  p95 {row['p95']:7.1f} ms  p99 {row['p99']:7.1f} ms{extra}"
        )
    plan = explain(args.explain, args.explain_user)
    if plan:
        print(f"\nplan of the index query for {args.explain!r}, {plan}")


if __name__ == "__main__":
    main()
