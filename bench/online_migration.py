"""A schema change on the complaint table of a large bench database while intake goes on (issue 20).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_bench_ten \\
        nice .venv/bin/python bench/online_migration.py --threads 2

Intake runs all along: `--threads` threads each file complaints through the real service
(channels.intake.complaint_intake, demo samples, as the API would), each timed. Meanwhile, on
`complaints_complaint` (PostgreSQL only), the steps an operable migration takes:

1. a long read transaction elsewhere (a report, a `pg_dump`) holds its ACCESS SHARE lock for
   `--blocker` seconds; ALTER TABLE … ADD COLUMN (nullable, no default: a catalogue change, no rewrite)
   is tried with `SET lock_timeout = '2s'`: it waits behind the reader, every intake queues behind it
   — for at most the 2 s, then it gives up and is retried (backing off) until the reader is gone;
2. the same ALTER once nothing holds the table: how long intake is held (ms);
3. CREATE INDEX CONCURRENTLY on the new column (never blocks writes; scans the table);
4. a batched backfill of the column (`--backfill` rows, keyset batches of 5 000, one short
   transaction each), then cleaning up: DROP INDEX CONCURRENTLY, ALTER TABLE … DROP COLUMN
   (lock_timeout again).

For each step: its duration, and intake latency p50 / p95 / max while it ran, and the longest any
intake waited. The column is named `bench_migration_note` and removed at the end.
"""

import argparse
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchenv

COLUMN = "bench_migration_note"
INDEX = "bench_migration_note_idx"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))] if ordered else 0.0


class Intake(threading.Thread):
    """Files complaints through the service until stopped; records (start, end) of each."""

    def __init__(self, number: int, user, stop: threading.Event):
        super().__init__(daemon=True)
        self.rng = random.Random(number)
        self.user = user
        self.stop = stop
        self.done: list[tuple[float, float]] = []
        self.errors: list[str] = []

    def body(self) -> dict:
        from complaintdesk.demo.organisation import INTAKE_UNIT_WEIGHTS, UNIT_BY_CODE
        from complaintdesk.demo.samples import sample_complaint, sample_customer

        unit = self.rng.choices(list(INTAKE_UNIT_WEIGHTS), weights=list(INTAKE_UNIT_WEIGHTS.values()))[0]
        spec = UNIT_BY_CODE[unit]
        sample = sample_complaint(self.rng, city=spec.city, store=spec.name)
        person = sample_customer(self.rng)
        return {
            "channel": "api", "org_unit": unit, "title": sample.title, "description": sample.description,
            "demand": sample.demand, "customer": {"name": person.name, "phone": person.phone},
        }  # fmt: skip

    def run(self) -> None:
        from django.db import connection

        from complaintdesk.channels.base import intake_data_from_mapping
        from complaintdesk.channels.intake import complaint_intake

        try:
            while not self.stop.is_set():
                raw = self.body()
                began = time.perf_counter()
                try:
                    complaint_intake(
                        data=intake_data_from_mapping(raw, channel=raw["channel"]), actor=self.user
                    )
                except Exception as exc:  # counted and shown, the run goes on
                    self.errors.append(repr(exc)[:200])
                self.done.append((began, time.perf_counter()))
        finally:
            connection.close()


def window(threads: list[Intake], began: float, ended: float) -> str:
    """Intake latency of the intakes that overlapped [began, ended]."""
    times = [
        (end - start) * 1000 for t in threads for start, end in t.done if end >= began and start <= ended
    ]
    if not times:
        return "no intake finished"
    return (
        f"{len(times)} intakes, p50 {percentile(times, 0.5):.0f} ms, p95 {percentile(times, 0.95):.0f} ms,"
        f" max {max(times):.0f} ms"
    )


def step(label: str, threads: list[Intake], action) -> None:
    began = time.perf_counter()
    note = action()
    ended = time.perf_counter()
    time.sleep(0.5)  # intakes that were waiting finish
    print(f"{label}: {(ended - began) * 1000:.0f} ms{f' ({note})' if note else ''}; intake meanwhile: "
          f"{window(threads, began, ended)}", flush=True)  # fmt: skip


def alter(sql: str, *, lock_timeout: str = "2s", attempts: int = 20) -> str:
    """`sql` with a lock_timeout, retried with a back-off while another transaction holds the table."""
    from django.db import OperationalError, connection, transaction

    tries = []
    for attempt in range(1, attempts + 1):
        began = time.perf_counter()
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{lock_timeout}'")
                cursor.execute(sql)
            tries.append(f"try {attempt} done in {(time.perf_counter() - began) * 1000:.0f} ms")
            return "; ".join(tries)
        except OperationalError as exc:
            if "lock timeout" not in str(exc):
                raise
            tries.append(
                f"try {attempt} gave up after {(time.perf_counter() - began) * 1000:.0f} ms (lock_timeout)"
            )
            time.sleep(min(2.0, 0.25 * attempt))
    raise RuntimeError("; ".join(tries))


def blocker(seconds: float, ready: threading.Event) -> None:
    """A long read transaction on the table (its ACCESS SHARE lock held to the end)."""
    from django.db import connection, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM (SELECT id FROM complaints_complaint LIMIT 1000) x")
            ready.set()
            cursor.execute("SELECT pg_sleep(%s)", [seconds])
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, default=2, help="intake threads (default 2)")
    parser.add_argument("--blocker", type=float, default=8.0, help="seconds the long reader holds the table")
    parser.add_argument("--backfill", type=int, default=100_000, help="rows to backfill (default 100000)")
    args = parser.parse_args()
    benchenv.django_setup()

    from django.db import connection

    from complaintdesk.accounts.models import Role, User
    from complaintdesk.accounts.services import user_create
    from complaintdesk.complaints.models import Complaint
    from complaintdesk.orgs.models import OrgUnit

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only")
    print(benchenv.database_label())
    print(f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, load average {os.getloadavg()}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint, pg_size_pretty(pg_total_relation_size('complaints_complaint'))"
                       " FROM pg_class WHERE relname = 'complaints_complaint'")  # fmt: skip
        rows, size = cursor.fetchone()
        cursor.execute(f"ALTER TABLE complaints_complaint DROP COLUMN IF EXISTS {COLUMN}")
    print(f"complaints_complaint: ~{rows:,} rows, {size} with its indexes")
    user = User.objects.filter(username="bench_migration_api").first() or user_create(
        username="bench_migration_api", password=None, role=Role.API_CLIENT,
        org_unit=OrgUnit.objects.filter(parent__isnull=True).order_by("id").first(), display_name="迁移压测",
    )  # fmt: skip

    stop = threading.Event()
    threads = [Intake(n, user, stop) for n in range(args.threads)]
    for thread in threads:
        thread.start()
    time.sleep(5)
    step("baseline, 5 s of intake alone", threads, lambda: time.sleep(5) or "")

    ready = threading.Event()
    reader = threading.Thread(target=blocker, args=(args.blocker, ready), daemon=True)
    reader.start()
    ready.wait()
    step(
        f"1. ADD COLUMN (nullable) while a reader holds the table {args.blocker:.0f} s, lock_timeout 2s + retries",
        threads,
        lambda: alter(f"ALTER TABLE complaints_complaint ADD COLUMN {COLUMN} varchar(40) NULL"),
    )
    reader.join()
    step(
        "   (undone, to time it again with nothing in the way)",
        threads,
        lambda: alter(f"ALTER TABLE complaints_complaint DROP COLUMN {COLUMN}"),
    )
    step(
        "2. ADD COLUMN (nullable), nothing in the way, lock_timeout 2s",
        threads,
        lambda: alter(f"ALTER TABLE complaints_complaint ADD COLUMN {COLUMN} varchar(40) NULL"),
    )

    def create_index() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            cursor.execute(
                f"CREATE INDEX CONCURRENTLY {INDEX} ON complaints_complaint ({COLUMN}) WHERE {COLUMN} IS NOT NULL"
            )
            cursor.execute("RESET maintenance_work_mem")
        return ""

    step("3. CREATE INDEX CONCURRENTLY on it", threads, create_index)

    def backfill() -> str:
        last, done, batches = (
            Complaint.objects.order_by("-id").values_list("id", flat=True).first() or 0,
            0,
            0,
        )
        longest = 0.0
        while done < args.backfill and last > 0:
            began = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE complaints_complaint SET {COLUMN} = 'bench' WHERE id IN (SELECT id FROM"
                    " complaints_complaint WHERE id < %s ORDER BY id DESC LIMIT 5000) RETURNING id",
                    [last],
                )
                ids = [row[0] for row in cursor.fetchall()]
            longest = max(longest, time.perf_counter() - began)
            if not ids:
                break
            last, done, batches = min(ids), done + len(ids), batches + 1
        return f"{done:,} rows in {batches} transactions, the longest {longest * 1000:.0f} ms"

    step("4. backfill, keyset batches of 5 000", threads, backfill)

    def drop_index() -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
        return ""

    step("5. DROP INDEX CONCURRENTLY", threads, drop_index)
    step(
        "6. DROP COLUMN, lock_timeout 2s",
        threads,
        lambda: alter(f"ALTER TABLE complaints_complaint DROP COLUMN {COLUMN}"),
    )
    stop.set()
    for thread in threads:
        thread.join()
    done = [(end - start) * 1000 for t in threads for start, end in t.done]
    errors = [e for t in threads for e in t.errors]
    print(f"whole run: {window(threads, 0, float('inf'))}; errors {len(errors)} {errors[:3]}")
    print(f"intake mean {statistics.mean(done):.0f} ms; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
