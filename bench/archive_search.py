"""Archive search at scale: index the bench database's closed cases, then time Chinese queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/complaintdesk_bench \\
        nice .venv/bin/python bench/archive_search.py --index --runs 200

`--index` migrates, then (re)builds the index with `complaintdesk.archive.indexing.reindex_all` in keyset
batches (segmentation memoised per text part: the seeded texts repeat, real ones would not; the figures
of the search itself do not depend on it). Without `--index` the existing index is used.
Timed: `archive_search` as a request runs it (segmentation, index query, scope check, snippets) for three
users: HQ-wide (executive), a branch manager and a store agent. p50/p95/p99 per user and overall.
`archive_search_latency()` is the function bench/analytics.py can import.
"""

import argparse
import statistics
import sys
import time
from functools import lru_cache
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


def memoised_segmenter():
    from complaintdesk.archive import segment
    from complaintdesk.archive.services import _case_document

    cached = lru_cache(maxsize=300_000)(lambda text: " ".join(segment.tokens(text)))

    def document(complaint, summary):
        if summary is not None:
            return _case_document(complaint, summary)
        category = complaint.category.name if complaint.category_id else ""
        parts = [complaint.title, complaint.description, complaint.demand, category]
        plain = "\n".join(p for p in parts if p)[:4000]
        return plain, " ".join(w for w in (cached(p) for p in parts if p) if w)

    return document


def index(batch: int) -> None:
    from django.core.management import call_command

    from complaintdesk.archive.indexing import reindex_all

    call_command("migrate", verbosity=0)
    began = time.perf_counter()

    def progress(done: int, last_id: int) -> None:
        if done % (batch * 25) == 0:
            print(f"  {done} cases indexed, {time.perf_counter() - began:.0f} s", flush=True)

    cases, articles = reindex_all(batch=batch, progress=progress, segmenter=memoised_segmenter())
    print(f"indexed {cases} cases and {articles} articles in {time.perf_counter() - began:.1f} s")


def bench_users():
    """An HQ-wide user, a branch's business manager and a store agent (the first two made if absent)."""
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

    picks = [
        ("hq", User.objects.filter(username="bench_archive_hq")),
        ("branch", User.objects.filter(username="bench_archive_branch")),
        ("store", User.objects.filter(username__startswith="bench_agent_", is_active=True)),
    ]
    users = []
    for label, qs in picks:
        user = qs.select_related("org_unit").order_by("id").first()
        if user is not None:
            users.append((label, user))
    return users


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
            "user": user.username,
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


def explain(query: str) -> str:
    from django.db import connection

    from complaintdesk.archive import backends, segment

    if connection.vendor != "postgresql":
        return ""
    terms = segment.query_terms(query)
    captured = []

    class Capture:
        def __call__(self, execute, sql, params, many, context):
            captured.append((sql, params))
            return execute(sql, params, many, context)

    with connection.execute_wrapper(Capture()):
        backends.search(terms=terms, kinds=["case", "article"], unit_ids=None, limit=20)
    sql, params = captured[-1]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", action="store_true", help="migrate and rebuild the archive index first")
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=160, help="searches per user")
    parser.add_argument("--explain", default="宽带断网", help="query whose PostgreSQL plan is printed")
    args = parser.parse_args()
    benchenv.django_setup()

    from complaintdesk.archive.models import ArchiveEntry
    from complaintdesk.complaints.models import Complaint

    print(benchenv.database_label())
    if args.index:
        index(args.batch)
    print(f"complaints: {Complaint.objects.count()}, archive entries: {ArchiveEntry.objects.count()}")
    results = archive_search_latency(runs=args.runs)
    for label, row in results.items():
        extra = f"  user {row['user']}, mean hits {row['hits']:.1f}" if "user" in row else ""
        print(
            f"{label:7s} p50 {row['p50']:7.1f} ms  p95 {row['p95']:7.1f} ms  p99 {row['p99']:7.1f} ms{extra}"
        )
    plan = explain(args.explain)
    if plan:
        print(f"\nplan of the index query for {args.explain!r}:\n{plan}")


if __name__ == "__main__":
    main()
