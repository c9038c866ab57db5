"""Archive search at scale: index the bench database's closed cases, then time Chinese queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/complaintdesk_bench \\
        nice .venv/bin/python bench/archive_search.py --index --runs 200

`--index` migrates, then (re)builds the index with `complaintdesk.archive.indexing.reindex_all` (keyset
batches of 5 000, COPY; segmentation remembers recurring clauses, which the seeded texts have more of
than real ones). `--index-new` indexes only the closed cases after the highest complaint id already
indexed (after `seed.py` added more: 1M → 3M → 10M on one database). Without either the existing
index is used.
Timed: `archive_search` as a request runs it (segmentation, index query, scope check, snippets) for three
users: HQ-wide (executive), a branch manager and a store agent. p50/p95/p99 per user and overall.
Recent first by default (the newest archive.backends.WINDOW_ROWS cases of the user's scope);
`--all-years` times the "all years" switch (what every search cost before issue 20). `--repeat 2`
runs the whole timing twice. `--during-rebuild N` times the searches while a second process rebuilds
N cases of the index (`manage.py archive_reindex --limit N`, batches replacing entries in place): a
full rebuild does not block search. `archive_search_latency()` is the function bench/analytics.py
can import.
"""

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
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


def index(batch: int, *, new_only: bool = False) -> None:
    from django.core.management import call_command
    from django.db.models import Max

    from complaintdesk.archive.indexing import reindex_all
    from complaintdesk.archive.models import ArchiveEntry

    call_command("migrate", verbosity=0)
    after_id = 0
    if new_only:
        after_id = ArchiveEntry.objects.filter(kind="case").aggregate(m=Max("complaint_id"))["m"] or 0
        print(f"indexing the closed cases after complaint id {after_id}")
    began = time.perf_counter()
    last_batch = [began]

    def progress(done: int, last_id: int, rewritten: int) -> None:
        last_batch[0] = time.perf_counter()
        if done % (batch * 25) == 0:
            print(
                f"  {done} cases indexed ({rewritten} rewritten), {time.perf_counter() - began:.0f} s",
                flush=True,
            )

    cases, _rewritten, articles = reindex_all(batch=batch, after_id=after_id, progress=progress)
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


def archive_search_latency(
    *, runs: int = 100, queries: list[str] | None = None, limit: int = 20, all_years: bool = False
) -> dict:
    """{user label: {"p50": ms, "p95": ms, "p99": ms, "hits": mean hits, "slowest": (ms, query)}} and
    "all"; Django must be set up."""
    from complaintdesk.archive.selectors import archive_search_results

    queries = queries or QUERIES
    results: dict[str, dict] = {}
    every: list[float] = []
    for label, user in bench_users():
        archive_search_results(user=user, query=queries[0], limit=limit, all_years=all_years)  # warm
        times, hits, by_query = [], [], {}
        since = None
        for run in range(runs):
            query = queries[run % len(queries)]
            began = time.perf_counter()
            found = archive_search_results(user=user, query=query, limit=limit, all_years=all_years)
            took = (time.perf_counter() - began) * 1000
            times.append(took)
            by_query.setdefault(query, []).append(took)
            hits.append(len(found.hits))
            since = found.since
        every += times
        slowest = max(by_query, key=lambda q: statistics.median(by_query[q]))
        results[label] = {
            "user": f"{user.username} ({user.org_unit.code if user.org_unit_id else '-'})",
            "statements": _statements(user, queries[0], limit, all_years),
            "p50": percentile(times, 0.50),
            "p95": percentile(times, 0.95),
            "p99": percentile(times, 0.99),
            "hits": statistics.mean(hits),
            "since": since.date().isoformat() if since else "every year",
            "slowest": (statistics.median(by_query[slowest]), slowest),
        }
    if every:
        results["all"] = {
            "p50": percentile(every, 0.50),
            "p95": percentile(every, 0.95),
            "p99": percentile(every, 0.99),
        }
    return results


def _statements(user, query: str, limit: int, all_years: bool = False) -> int:
    """Database round trips of one search."""
    from django.db import connection

    from complaintdesk.archive.selectors import archive_search

    count = 0

    def counting(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        archive_search(user=user, query=query, limit=limit, all_years=all_years)
    return count


def explain(query: str, label: str = "store", all_years: bool = False) -> str:
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
        archive_search(user=user, query=query, limit=20, all_years=all_years)
    # The last index query: when no case holds every word, the search asks again for any of them
    # (`any_term`), and that second statement is the one that costs.
    sql, params = [(sql, params) for sql, params in captured if "to_tsquery" in sql][-1]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return f"user {user.username} ({user.org_unit.code if user.org_unit_id else '-'}):\n{plan}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", action="store_true", help="migrate and rebuild the archive index first")
    parser.add_argument(
        "--index-new", action="store_true", help="migrate and index only the cases not indexed yet"
    )
    parser.add_argument("--all-years", action="store_true", help="time the 'all years' switch")
    parser.add_argument("--repeat", type=int, default=1, help="run the whole timing this many times")
    parser.add_argument(
        "--during-rebuild",
        type=int,
        default=0,
        metavar="N",
        help="time the searches while another process rebuilds N cases of the index",
    )
    parser.add_argument(
        "--during-full-rebuild",
        action="store_true",
        help="rebuild the whole index in another process (manage.py archive_reindex) and repeat the timing"
        " until it has finished (--repeat is then a minimum)",
    )
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=160, help="searches per user")
    parser.add_argument(
        "--explain", default="", help="query whose PostgreSQL plan is printed (default: the slowest)"
    )
    parser.add_argument("--explain-user", default="store", choices=["hq", "branch", "store"])
    parser.add_argument(
        "--candidates",
        type=int,
        default=0,
        help="rank at most this many matches per query (default: archive.backends.CANDIDATES_MAX)",
    )
    parser.add_argument(
        "--widen-steps",
        type=int,
        help="all years: widen a window with fewer matches than are ranked at most this many times by"
        " the rate of its matches before going back to every year (default: archive.backends.WIDEN_STEPS)",
    )
    args = parser.parse_args()
    benchenv.django_setup()

    from complaintdesk.archive import backends
    from complaintdesk.archive.models import ArchiveEntry
    from complaintdesk.complaints.models import Complaint

    if args.candidates:
        backends.CANDIDATES_MAX = args.candidates
    if args.widen_steps is not None:
        backends.WIDEN_STEPS = args.widen_steps
    print(benchenv.database_label())
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, load average {_load()}")
    if args.index or args.index_new:
        index(args.batch, new_only=args.index_new and not args.index)
    print(f"complaints: {Complaint.objects.count()}, archive entries: {ArchiveEntry.objects.count()}")
    mode = (
        f"all years (the newest matches, the window widened ≤ {backends.WIDEN_STEPS}× before every year)"
        if args.all_years
        else f"recent first (newest {backends.WINDOW_ROWS} of the scope)"
    )
    print(
        f"ranked candidates per query: at most {backends.CANDIDATES_MAX}, runs per user: {args.runs}, {mode}"
    )
    rebuild = None
    if args.during_rebuild or args.during_full_rebuild:
        rebuild = _rebuild_start(0 if args.during_full_rebuild else args.during_rebuild)
    slowest = (0.0, args.explain or QUERIES[0], args.explain_user)
    repeat = -1
    while True:
        repeat += 1
        more = repeat < max(1, args.repeat) or (args.during_full_rebuild and rebuild.poll() is None)
        if args.runs <= 0 or not more:
            break
        results = archive_search_latency(runs=args.runs, all_years=args.all_years)
        print(f"run {repeat + 1}, load average {_load()}")
        for label, row in results.items():
            extra = (
                f"  user {row['user']}, mean hits {row['hits']:.1f}, {row['statements']} statements,"
                f" since {row['since']}, slowest query {row['slowest'][1]} (median {row['slowest'][0]:.1f} ms)"
                if "user" in row
                else ""
            )
            print(
                f"{label:7s} p50 {row['p50']:7.1f} ms  p95 {row['p95']:7.1f} ms  p99 {row['p99']:7.1f} ms{extra}"
            )
            if "slowest" in row and row["slowest"][0] > slowest[0] and not args.explain:
                slowest = (row["slowest"][0], row["slowest"][1], label)
        if rebuild is not None:
            print(f"index rebuild still running: {rebuild.poll() is None},"
                  f" {time.perf_counter() - rebuild.started:.0f} s since it started")  # fmt: skip
    if rebuild is not None:
        _rebuild_finish(rebuild)
    plan = explain(slowest[1], slowest[2], args.all_years)
    if plan:
        print(f"\nplan of the index query for {slowest[1]!r} ({mode}), {plan}")
    print(f"load average at the end {_load()}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _rebuild_start(cases: int) -> subprocess.Popen:
    """`manage.py archive_reindex --limit N` in another process, from the first case (N 0: every case):
    each batch replaces its cases' entries in one transaction, so searches go on meanwhile."""
    root = Path(__file__).resolve().parent.parent
    command = [sys.executable, str(root / "manage.py"), "archive_reindex", "--limit", str(cases)]
    # its progress goes to a file: a full rebuild at 10M writes more lines than a pipe holds
    log = tempfile.NamedTemporaryFile("w+", prefix="archive-rebuild-", suffix=".log", delete=False)
    print(f"started in the background: {' '.join(command[1:])} (output: {log.name})")
    process = subprocess.Popen(command, cwd=root, stdout=log, stderr=subprocess.STDOUT, text=True)
    process.log = log
    process.started = time.perf_counter()
    time.sleep(5)  # let it get past the set-up and into its batches
    return process


def _rebuild_finish(process: subprocess.Popen) -> None:
    process.wait()
    process.log.seek(0)
    lines = [line for line in process.log.read().splitlines() if line.strip()]
    print(f"background rebuild: exit {process.returncode}, {time.perf_counter() - process.started:.1f} s;"
          f" last lines: {lines[-2:]}")  # fmt: skip


if __name__ == "__main__":
    main()
