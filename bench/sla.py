"""SLA timers at scale (issue 17 item 1): with 1M complaints of which 200k open, how long `--workers`
processes running the worker's sweep (`sla.timers.timers_reconcile`) take to handle N deadlines that
are overdue at once (each a front-line resolution breach → an escalation), and whether each was
handled exactly once.

    # a bench database of 1M complaints (bench/seed.py), or a copy of one
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_bench_burst
    .venv/bin/python bench/sla.py --open 200000 --overdue 10000 --workers 2

It migrates, reopens the newest closed cases until `--open` are open (status handling), replaces all
timer rows by one resolution timer per open case — `--overdue` of them past due, the rest due within
a week — and then times (1) finding the due rows (count and the sweep's first page, with its plan)
and (2) the pass: `--workers` processes start together, each runs `timers_reconcile(batch=--batch)`
until nothing due is left. Printed: wall time, escalations/s, statements per escalation (counted in
the workers), the machine's load (1-minute average, sampled every 2 s during the pass), and the
checks: each overdue timer fired once, one hand-off per case, each customer's `escalated` message
written once, staff notices (one per case, or one digest per holder).

The overdue cases are the same on every run (`--seed`): their state before the first run is kept in
a table `bench_sla_snapshot` and put back at the start of each run (status, assignee, escalation
rows, hand-offs, messages written by an earlier run; the timeline is append-only and keeps its events),
so runs are comparable.
Refuses a database whose name does not contain "bench". With BENCH_SLA_PROFILE=<directory> each worker
runs under cProfile (slower) and writes its profile there.
"""

import argparse
import datetime as dt
import multiprocessing
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchenv import django_setup, sla_database_ready


def _load() -> float:
    return os.getloadavg()[0]


class LoadSampler(threading.Thread):
    """The 1-minute load average every `every` seconds while the pass runs."""

    def __init__(self, every: float = 2.0):
        super().__init__(daemon=True)
        self.every, self.samples, self.stopped = every, [_load()], threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            self.samples.append(_load())

    def summary(self) -> str:
        self.stopped.set()
        self.samples.append(_load())
        return (
            f"load (1-min avg) start {self.samples[0]:.2f}, max {max(self.samples):.2f}, "
            f"end {self.samples[-1]:.2f} (2 cores)"
        )


def _worker(batch: int, start, out) -> None:
    """One worker process: the periodic sweep's code until nothing due is left."""
    django_setup()
    from django.db import connection

    from complaintdesk.sla.timers import timers_reconcile

    statements = [0]

    def count(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    connection.ensure_connection()
    out.put("ready")
    start.wait()  # all workers set up: the pass is timed from here
    started = time.perf_counter()
    profile = None
    if profile_dir := os.environ.get(
        "BENCH_SLA_PROFILE"
    ):  # where the time goes (cProfile, one file per worker)
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    try:
        with connection.execute_wrapper(count):
            result = timers_reconcile(batch=batch)
        if profile is not None:
            profile.disable()
            profile.dump_stats(os.path.join(profile_dir, f"sla-worker-{os.getpid()}.prof"))
    except BaseException as error:  # reported, so that the bench does not wait for this worker forever
        out.put({"pid": os.getpid(), "error": repr(error)})
        raise
    out.put({"pid": os.getpid(), "seconds": time.perf_counter() - started, "statements": statements[0],
             "result": result.as_dict()})  # fmt: skip


def _snapshot_and_restore(*, overdue_ids: list[int], connection) -> None:
    """Keep the overdue cases as they were before the first run; put them back before each run."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_sla_snapshot')")
        if cursor.fetchone()[0] is None:
            cursor.execute(
                "CREATE TABLE bench_sla_snapshot AS SELECT id, status, assignee_id, escalated_at, reopened_at, "
                "updated_at, due_at, resolution_due_at, deadline_provisional FROM complaints_complaint WHERE false"
            )
            cursor.execute("CREATE TABLE bench_sla_marks AS SELECT "
                           "(SELECT coalesce(max(id), 0) FROM notifications_notification) AS notification_id, "
                           "(SELECT coalesce(max(id), 0) FROM inbox_staffnotification) AS notice_id")  # fmt: skip
        cursor.execute(
            "INSERT INTO bench_sla_snapshot SELECT id, status, assignee_id, escalated_at, reopened_at, updated_at, "
            "due_at, resolution_due_at, deadline_provisional FROM complaints_complaint WHERE id = ANY(%s) "
            "AND id NOT IN (SELECT id FROM bench_sla_snapshot)",
            [overdue_ids],
        )
        cursor.execute(
            "UPDATE complaints_complaint c SET status = s.status, assignee_id = s.assignee_id, "
            "escalated_at = s.escalated_at, reopened_at = s.reopened_at, updated_at = s.updated_at, "
            "due_at = s.due_at, resolution_due_at = s.resolution_due_at, "
            "deadline_provisional = s.deadline_provisional FROM bench_sla_snapshot s WHERE c.id = s.id"
        )
        # The timeline is append-only (a trigger refuses deletes): earlier runs' events stay.
        cursor.execute("SELECT notification_id, notice_id FROM bench_sla_marks")
        notification_id, notice_id = cursor.fetchone()
        cursor.execute("DELETE FROM notifications_notification WHERE id > %s", [notification_id])
        cursor.execute("DELETE FROM inbox_staffnotification WHERE id > %s", [notice_id])
        if _table_exists(cursor, "django_tasks_database_dbtaskresult"):  # queued deliveries of earlier runs
            cursor.execute("DELETE FROM django_tasks_database_dbtaskresult WHERE status = %s", ["READY"])


def _table_exists(cursor, name: str) -> bool:
    cursor.execute("SELECT to_regclass(%s)", [name])
    return cursor.fetchone()[0] is not None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--open", type=int, default=200_000, help="open complaints wanted (default 200000)")
    parser.add_argument("--overdue", type=int, default=10_000, help="overdue deadlines (default 10000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2, as deployed)")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    django_setup()
    from django.db import connection, connections, transaction

    from complaintdesk.common.time import now
    from complaintdesk.complaints.models import Complaint
    from complaintdesk.escalation.models import CaseEscalation, EscalationHandOff
    from complaintdesk.sla.models import SlaTimer, TimerKind, TimerState
    from complaintdesk.sla.timers import timers_due

    sla_database_ready("bench/sla.py")
    print(f"date {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; workers {args.workers}; batch {args.batch}")

    total = Complaint.objects.count()
    open_now = Complaint.objects.filter(is_open=True).count()
    if open_now < args.open:
        ids = list(
            Complaint.objects.filter(is_open=False)
            .order_by("-id")
            .values_list("id", flat=True)[: args.open - open_now]
        )
        for start in range(0, len(ids), 20_000):
            Complaint.objects.filter(id__in=ids[start : start + 20_000]).update(
                is_open=True, status="handling", resolved_at=None, closed_at=None, follow_up_at=None
            )
    open_ids = list(Complaint.objects.filter(is_open=True).order_by("id").values_list("id", flat=True))
    print(f"complaints {total:,}; open {len(open_ids):,}")

    at = now()
    rng = random.Random(args.seed)
    overdue = set(rng.sample(open_ids, args.overdue))
    overdue_ids = sorted(overdue)
    started = time.perf_counter()
    with transaction.atomic():
        _snapshot_and_restore(overdue_ids=overdue_ids, connection=connection)
        CaseEscalation.objects.all().delete()
        EscalationHandOff.objects.all().delete()
        SlaTimer.objects.all().delete()
        rows = []
        for complaint_id in open_ids:
            if complaint_id in overdue:
                due = at - dt.timedelta(minutes=rng.randint(1, 72 * 60))
            else:
                due = at + dt.timedelta(minutes=rng.randint(11 * 60, 7 * 24 * 60))
            warn = due - dt.timedelta(hours=9, minutes=36)  # 80 % of a 48 h window
            rows.append(
                SlaTimer(
                    complaint_id=complaint_id,
                    kind=TimerKind.RESOLUTION,
                    started_at=due - dt.timedelta(hours=48),
                    due_at=due,
                    warn_at=warn,
                    state=TimerState.PENDING,
                    next_check_at=warn,
                    created_at=at,
                )
            )
            if len(rows) == 10_000:
                SlaTimer.objects.bulk_create(rows)
                rows = []
        SlaTimer.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        for table in ("sla_slatimer", "escalation_caseescalation", "escalation_escalationhandoff"):
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("CHECKPOINT")
    print(f"timer rows written: {len(open_ids):,} in {time.perf_counter() - started:.1f} s")

    # (1) Finding the due rows.
    started = time.perf_counter()
    due = timers_due(cutoff=at)
    count_ms = (time.perf_counter() - started) * 1000
    page = (
        SlaTimer.objects.filter(state__in=["pending", "warned"], next_check_at__lte=at)
        .order_by("next_check_at", "id")
        .values_list("next_check_at", "id", "complaint_id")[: args.batch]
    )
    started = time.perf_counter()
    first_page = list(page)
    page_ms = (time.perf_counter() - started) * 1000
    print(f"due rows: {due:,} (count {count_ms:.1f} ms); first page of {len(first_page)} in {page_ms:.1f} ms")

    # (2) The pass: --workers processes, started together.
    connections.close_all()
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    start = context.Event()  # the workers' Django set-up is not timed: they start together once all are ready
    workers = [context.Process(target=_worker, args=(args.batch, start, out)) for _ in range(args.workers)]
    for process in workers:
        process.start()
    for _process in workers:
        assert out.get(timeout=300) == "ready"
    start.set()
    sampler = LoadSampler()
    sampler.start()
    started = time.perf_counter()
    reports = [out.get() for _ in workers]
    seconds = time.perf_counter() - started
    if failed := [report for report in reports if "error" in report]:
        sys.exit(f"a worker failed: {failed}")
    load = sampler.summary()
    for process in workers:
        process.join()

    escalations = EscalationHandOff.objects.filter(complaint_id__in=overdue_ids).count()
    statements = sum(report["statements"] for report in reports)
    handled = sum(report["result"]["warned"] + report["result"]["fired"] for report in reports)
    for report in sorted(reports, key=lambda r: r["pid"]):
        print(f"  worker {report['pid']}: {report['result']} in {report['seconds']:.1f} s, "
              f"{report['statements']:,} statements")  # fmt: skip
    print(
        f"pass: {args.overdue:,} overdue, {args.workers} workers: {seconds:.1f} s wall; {handled:,} timers handled"
    )
    print(
        f"escalations: {escalations:,}; {escalations / seconds:.1f} escalations/s; "
        f"{statements / max(escalations, 1):.1f} statements per escalation (all timers handled, notices incl.)"
    )
    print(load)

    # (3) Exactly once, counted.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE state = 'fired'), count(*) FILTER (WHERE state IN ('pending','warned')) "
            "FROM sla_slatimer WHERE kind = 'resolution' AND complaint_id = ANY(%s) AND due_at <= %s",
            [overdue_ids, at],
        )
        fired, live = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FILTER (WHERE n = 1), count(*) FILTER (WHERE n > 1) FROM (SELECT complaint_id, "
            "count(*) AS n FROM escalation_escalationhandoff WHERE complaint_id = ANY(%s) GROUP BY 1) x",
            [overdue_ids],
        )
        once, more = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FILTER (WHERE n = 1), count(*) FILTER (WHERE n > 1), coalesce(sum(n), 0) FROM "
            "(SELECT complaint_id, count(*) AS n FROM notifications_notification WHERE template_code = 'escalated' "
            "AND complaint_id = ANY(%s) GROUP BY 1) x",
            [overdue_ids],
        )
        told_once, told_more, messages = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM inbox_staffnotification WHERE created_at >= %s", [at])
        (notices,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM inbox_staffnotification WHERE created_at >= %s AND kind LIKE 'escalation_burst%%'",
            [at],
        )
        (digests,) = cursor.fetchone()
    print(f"check: overdue timers fired {fired:,}, still live {live:,}; cases with one hand-off {once:,}, "
          f"with more {more:,}; customers told once {told_once:,}, more than once {told_more:,} "
          f"({messages:,} messages; cases without a way to reach the customer are told by phone)")  # fmt: skip
    print(f"staff notices written: {notices:,} (of which holder digests {digests:,})")

    started = time.perf_counter()
    from complaintdesk.sla.timers import timers_reconcile

    again = timers_reconcile(batch=args.batch)
    print(f"second pass: {again.as_dict()} in {(time.perf_counter() - started) * 1000:.1f} ms "
          f"(flag timers armed by the first pass's escalations of flagged cases)")  # fmt: skip


if __name__ == "__main__":
    main()
