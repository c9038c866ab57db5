"""One intake in-process: ms and SQL statements per `POST /api/v1/complaints`, and where the time goes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/complaintdesk_intake_bench \\
        .venv/bin/python bench/intake_profile.py --count 300 [--profile] [--queries]

Same data and set-up as bench/intake.py (demo organisation, API client `bench_api`, realistic bodies
with their own Idempotency-Key), but through Django's test client in this process, so the figures
are the server's own work without HTTP, gunicorn or the load generator: mean/p50 ms per request
after --warmup requests, statements per request, and with --profile the top of a cProfile run
(cumulative), with --queries every statement of one request.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
import uuid

from benchenv import database_label, django_setup
from loadgen import postgres_cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--customers-seed", type=int, default=None, help="as bench/intake.py's")
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile run")
    parser.add_argument("--queries", action="store_true", help="print the statements of one request")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--dump", help="write the cProfile data to this file (for pstats / snakeviz)")
    args = parser.parse_args()
    django_setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from intake import prepare

    print(f"database: {database_label()}")
    token, bodies = prepare(args.count + args.warmup + 1, args.seed, args.customers_seed)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def post(body: bytes) -> None:
        response = client.post(
            "/api/v1/complaints",
            data=body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )
        if response.status_code != 201:
            sys.exit(f"{response.status_code}: {response.content[:500]!r}")

    for body in bodies[: args.warmup]:
        post(body)
    timings, cpu, counts = [], [], []
    measured = bodies[args.warmup : args.warmup + args.count]
    # CPU time of this process: what the request costs a core, whatever else the machine is running.
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    with connection.cursor() as cursor:  # this process's one connection: its backend's CPU alone
        cursor.execute("SELECT pg_backend_pid()")
        backend = [cursor.fetchone()[0]]
    pg_started = postgres_cpu(backend)
    statements = [0]

    def count(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    # Counted by a wrapper, not captured: capturing renders every statement with its values, which
    # costs about as much as running it (and more with server-side binding).
    with connection.execute_wrapper(count):
        for body in measured:
            statements[0] = 0
            started, cpu_started = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            post(body)
            if profiler:
                profiler.disable()
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            counts.append(statements[0] + 2)  # and BEGIN, COMMIT, which the wrapper does not see
    pg_cpu = (postgres_cpu(backend) - pg_started) / len(measured)
    print(
        f"{len(measured)} requests: wall mean {statistics.fmean(timings) * 1000:.2f} ms, "
        f"p50 {statistics.median(timings) * 1000:.2f} ms, min {min(timings) * 1000:.2f} ms; "
        f"CPU of this process mean {statistics.fmean(cpu) * 1000:.2f} ms, p50 {statistics.median(cpu) * 1000:.2f} ms; "
        f"statements per request mean {statistics.fmean(counts):.2f} (min {min(counts)}, max {max(counts)}); "
        f"PostgreSQL CPU {pg_cpu * 1000:.2f} ms per request"
    )
    if os.getloadavg()[0] > 1.5:
        print(f"(load average {os.getloadavg()[0]:.2f}: wall times include waiting for a core)")
    if args.queries:
        with CaptureQueriesContext(connection) as queries:
            post(bodies[-1])
        for number, query in enumerate(queries.captured_queries, 1):
            print(f"{number:2d} [{query['time']}] {query['sql'][:300]}")
    if profiler:
        if args.dump:
            profiler.dump_stats(args.dump)
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
