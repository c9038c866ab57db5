"""Latency of an agent's workbench queue: open complaints by nearest deadline, first page of 50.

    .venv/bin/python bench/queue_latency.py [--runs 300]     # the same DATABASE_URL as bench/seed.py

Each run loads a random bench agent (not timed), then times the real selector
complaints.selectors.complaint_open_queue_for_assignee(user=…, limit=50) end to end: the
permission check, the unit subtree and the queue query, as a workbench request pays them.
Then it prints the plan of the queue query for the busiest store agent and the busiest branch agent
(PostgreSQL: EXPLAIN (ANALYZE, BUFFERS); SQLite: EXPLAIN QUERY PLAN).
"""

import argparse
import os
import random
import statistics
import sys
import time

from benchenv import database_label, django_setup

WARM_UP_RUNS = 20


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=300, help="timed runs (default 300; at least 200)")
    parser.add_argument("--seed", type=int, default=7, help="random seed for the choice of agents")
    return parser.parse_args()


args = parse_args()
django_setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from complaintdesk.accounts.models import User  # noqa: E402
from complaintdesk.complaints.models import Complaint  # noqa: E402
from complaintdesk.complaints.selectors import complaint_open_queue_for_assignee  # noqa: E402
from complaintdesk.orgs.selectors import orgunit_subtree_ids  # noqa: E402


class Statements:
    """Records each SQL statement the selector runs, with its parameters and execute time."""

    def __init__(self):
        self.calls: list[tuple[str, tuple, float]] = []

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.calls.append((sql, params, (time.perf_counter() - began) * 1000))


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def timed_run(agent_id: int) -> tuple[float, int, Statements]:
    user = User.objects.select_related("org_unit").get(pk=agent_id)  # a request has its user already
    statements = Statements()
    with connection.execute_wrapper(statements):
        began = time.perf_counter()
        page = complaint_open_queue_for_assignee(user=user, limit=50)
        elapsed = (time.perf_counter() - began) * 1000
    return elapsed, len(page), statements


def explain(agent_id: int) -> str:
    _elapsed, _rows, statements = timed_run(agent_id)
    sql, params, _ms = next(call for call in statements.calls if '"complaints_complaint"' in call[0])
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    plan = "\n".join(row[0] if len(row) == 1 else f"{row[0]:>3} {row[1]:>3} {row[3]}" for row in rows)
    return f"{sql}\n-- params: {list(params)}\n\n{plan}"


def main() -> None:
    agent_ids = list(User.objects.filter(username__startswith="bench_agent_").values_list("id", flat=True))
    if not agent_ids:
        sys.exit("no bench agents: run bench/seed.py first")
    open_per_agent = dict(
        Complaint.objects.filter(is_open=True, assignee__isnull=False)
        .values_list("assignee")
        .annotate(n=Count("id"))
        .values_list("assignee", "n")
    )
    counts = sorted(open_per_agent.get(a, 0) for a in agent_ids)
    print(f"database: {database_label()}")
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"complaints: {Complaint.objects.count():,}, open and assigned: {sum(open_per_agent.values()):,}")
    print(f"agents: {len(agent_ids)}; open complaints per agent: min {counts[0]}, median "
          f"{statistics.median(counts):.0f}, max {counts[-1]}")  # fmt: skip

    rng = random.Random(args.seed)
    for _ in range(WARM_UP_RUNS):
        timed_run(rng.choice(agent_ids))
    latencies, sql_times, queue_times, statement_counts, page_sizes = [], [], [], [], []
    for _ in range(args.runs):
        elapsed, rows, statements = timed_run(rng.choice(agent_ids))
        latencies.append(elapsed)
        sql_times.append(sum(ms for _sql, _params, ms in statements.calls))
        queue_times.append(statements.calls[-1][2])
        statement_counts.append(len(statements.calls))
        page_sizes.append(rows)
    print(f"\n{args.runs} runs (after {WARM_UP_RUNS} warm-up runs), random agents, "
          f"{statistics.mean(statement_counts):.0f} SQL statements per call, "
          f"page size mean {statistics.mean(page_sizes):.0f}")  # fmt: skip
    print(
        f"complaint_open_queue_for_assignee(limit=50): p50 {percentile(latencies, 0.50):.2f} ms  "
        f"p95 {percentile(latencies, 0.95):.2f} ms  p99 {percentile(latencies, 0.99):.2f} ms  "
        f"max {max(latencies):.2f} ms"
    )
    for label, values in (
        ("  of which all SQL statements", sql_times),
        ("  of which the queue query", queue_times),
    ):
        print(f"{label:<45} p50 {percentile(values, 0.50):.2f} ms  p95 {percentile(values, 0.95):.2f} ms  "
              f"p99 {percentile(values, 0.99):.2f} ms")  # fmt: skip
    if connection.vendor == "sqlite":
        print("  (SQLite: a statement's time is to its first row; later rows are stepped while fetching)")
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))

    # The plan depends on the agent's scope: one unit (a store) gives `org_unit_id = …`, a unit with
    # children (a branch) gives `org_unit_id IN (…)`. Show the busiest agent of each kind.
    scope_size = {
        user.pk: len(orgunit_subtree_ids(unit=user.org_unit))
        for user in User.objects.filter(pk__in=agent_ids).select_related("org_unit")
    }
    for label, wanted in (
        ("a one-unit scope (store)", lambda n: n == 1),
        ("a subtree scope (branch)", lambda n: n > 1),
    ):
        candidates = [a for a in open_per_agent if a in scope_size and wanted(scope_size[a])]
        if not candidates:
            continue
        busiest = max(candidates, key=open_per_agent.get)
        print(
            f"\nplan of the queue query, busiest agent with {label}: id {busiest}, {open_per_agent[busiest]} open\n"
        )
        print(explain(busiest))


if __name__ == "__main__":
    main()
