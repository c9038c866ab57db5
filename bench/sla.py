"""SLA timers at scale: with 1M complaints of which 200k open, how long the reconciliation pass takes to
find and handle N overdue deadlines (each a front-line resolution breach → an escalation), and the
worker's throughput in escalations per second.

    # a copy of the 1M-complaint bench database, so the other benchmarks' data stay as they are
    createdb -h 127.0.0.1 -U postgres -T complaintdesk_bench complaintdesk_sla_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/complaintdesk_sla_bench
    .venv/bin/python bench/sla.py --open 200000 --overdue 10000

It migrates, reopens the newest closed cases until `--open` are open (status handling), replaces all
timer rows by one resolution timer per open case — `--overdue` of them past due, the rest due within
a week — and then times (1) finding the due rows (count and the sweep's first page, with its plan)
and (2) `sla.timers.timers_reconcile`, the pass `manage.py sla_reconcile` and the worker run.
Refuses a database whose name does not contain "bench".
"""

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchenv import database_label, django_setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--open", type=int, default=200_000, help="open complaints wanted (default 200000)")
    parser.add_argument("--overdue", type=int, default=10_000, help="overdue deadlines (default 10000)")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    django_setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from complaintdesk.common.time import now
    from complaintdesk.complaints.models import Complaint
    from complaintdesk.escalation.models import CaseEscalation, EscalationHandOff
    from complaintdesk.sla.models import SlaTimer, TimerKind, TimerState
    from complaintdesk.sla.timers import timers_due, timers_reconcile

    if "bench" not in connection.settings_dict["NAME"]:
        sys.exit(f"refusing: {connection.settings_dict['NAME']} is not a bench database")
    print(database_label())
    call_command("migrate", verbosity=0)

    total = Complaint.objects.count()
    open_now = Complaint.objects.filter(is_open=True).count()
    if open_now < args.open:
        ids = list(
            Complaint.objects.filter(is_open=False).order_by("-id").values_list("id", flat=True)[: args.open - open_now]
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
    started = time.perf_counter()
    with transaction.atomic():
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
                    complaint_id=complaint_id, kind=TimerKind.RESOLUTION, started_at=due - dt.timedelta(hours=48),
                    due_at=due, warn_at=warn, state=TimerState.PENDING, next_check_at=warn, created_at=at,
                )
            )
            if len(rows) == 10_000:
                SlaTimer.objects.bulk_create(rows)
                rows = []
        SlaTimer.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE sla_slatimer")
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
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            sql, params = page.query.sql_with_params()
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print("\n".join("    " + line for (line,) in cursor.fetchall()))

    # (2) The reconciliation pass: every due row handled once (here each one an escalation).
    started = time.perf_counter()
    result = timers_reconcile(batch=args.batch)
    seconds = time.perf_counter() - started
    escalations = EscalationHandOff.objects.count()
    print(f"reconcile: {result.as_dict()} in {seconds:.1f} s")
    print(f"escalations: {escalations:,}; {escalations / seconds:.1f} escalations/s; "
          f"{result.handled / seconds:.1f} timers/s")
    started = time.perf_counter()
    again = timers_reconcile(batch=args.batch)
    print(f"second pass: {again.as_dict()} in {(time.perf_counter() - started) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
