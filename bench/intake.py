"""Intake throughput: complaints/s and p50/p95 latency of POST /api/v1/complaints, server as in production.

    createdb -h 127.0.0.1 -U postgres complaintdesk_intake_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/complaintdesk_intake_bench \\
        .venv/bin/python bench/intake.py --count 20000 --clients 8

What it does:
- migrates the bench database, builds the demo organisation when absent, and issues a token to the
  API client `bench_api` (HQ, so it may file into any unit);
- starts gunicorn (`config.wsgi`, settings `config.settings.base`, DEBUG off, 2 workers; by default
  `gthread` workers with 4 threads each, as config/gunicorn.conf.py runs production — `--worker-class
  sync` for one request per worker at a time) on 127.0.0.1 only, and always stops it at the end;
- prepares --count realistic bodies (demo samples: texts, units, channels, customers; 25 % returning
  customers), each with its own `Idempotency-Key` as an integration sends it (`--no-idempotency-key` to
  leave the header out), encoded as complete HTTP requests before the clock starts;
- sends them from --clients threads over kept-alive connections (bench/loadgen.py: the same light
  client measures django-helpdesk in bench/peer_helpdesk.py), each request timed from sending to the
  last byte (a reconnect included), bounded by --count and by --time-cap seconds;
- prints complaints/s (created ÷ wall time), p50/p95/p99 latency, status counts, the CPU the server,
  PostgreSQL and the client used per request, and checks the database holds exactly the complaints
  created.

The task queued with each intake (`after_intake`: acknowledgement, enrichment) is written to the task
table in the intake's transaction, as in production; no worker runs during the measurement (workers
are separate processes, usually separate machines).
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from benchenv import ROOT, bench_database_url, database_label, django_setup
from loadgen import Connection, encode_request, postgres_cpu, process_tree_cpu, run_load


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=20_000, help="complaints to post (default 20000)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--worker-class",
        choices=["gthread", "sync"],
        default="gthread",
        help="gunicorn worker class (default gthread, as config/gunicorn.conf.py)",
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (default 4)")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--time-cap", type=float, default=1800.0, help="stop sending after this many seconds")
    parser.add_argument(
        "--warmup", type=int, default=50, help="requests before the measurement (not counted)"
    )
    parser.add_argument("--seed", type=int, default=7, help="the texts, units and channels (default 7)")
    parser.add_argument(
        "--customers-seed",
        type=int,
        default=None,
        help="the new customers' details (default: a new seed each run, printed, so that a "
        "rerun on the same database again finds 25 %% returning customers, not 100 %%)",
    )
    parser.add_argument("--no-idempotency-key", action="store_true", help="send no Idempotency-Key header")
    parser.add_argument("--allow-sqlite", action="store_true", help="run without PostgreSQL (not comparable)")
    parser.add_argument("--out", help="write the figures as JSON to this file")
    return parser.parse_args()


def prepare(count: int, seed: int, customers_seed: int | None = None) -> tuple[str, list[bytes]]:
    """The API token and `count` request bodies: texts from `seed`, new customers from `customers_seed`
    (None: a fresh one, so that customers already in the database from an earlier run are not met again)."""
    from django.core.management import call_command

    from complaintdesk.accounts.models import Role, User
    from complaintdesk.accounts.services import api_token_issue, user_create
    from complaintdesk.demo.organisation import INTAKE_UNIT_WEIGHTS, UNIT_BY_CODE, demo_organisation_ensure
    from complaintdesk.demo.samples import sample_complaint, sample_customer

    call_command("migrate", verbosity=0)
    units = demo_organisation_ensure()
    user = User.objects.filter(username="bench_api").first() or user_create(
        username="bench_api",
        password=None,
        role=Role.API_CLIENT,
        org_unit=units["HQ"],
        display_name="压测接口",
    )
    _row, token = api_token_issue(user=user, name="bench/intake.py")
    rng = random.Random(seed)
    people = random.Random(random.randrange(2**32) if customers_seed is None else customers_seed)
    codes, weights = list(INTAKE_UNIT_WEIGHTS), list(INTAKE_UNIT_WEIGHTS.values())
    customers, bodies = [], []
    for _ in range(count):
        unit = rng.choices(codes, weights=weights)[0]
        spec = UNIT_BY_CODE[unit]
        sample = sample_complaint(rng, city=spec.city, store=spec.name)
        if customers and rng.random() < 0.25:
            customer = rng.choice(customers)
        else:
            person = sample_customer(people)
            customer = {
                "name": person.name,
                "phone": person.phone,
                "email": person.email or None,
                "wechat_openid": person.wechat_openid or None,
                "account_no": _fresh(sample.account_no, people) or None,
            }
            customers.append(customer)
        body = {
            "channel": sample.channel,
            "org_unit": unit,
            "customer": customer,
            "title": sample.title,
            "description": sample.description,
            "demand": sample.demand,
            "place": sample.place,
            "product": sample.product,
            "people_involved": sample.people_involved,
            "perceived_severity": sample.perceived_severity,
        }
        if sample.channel in {"phone", "walk_in", "letter", "weibo", "chat"}:
            body["recorded_by"] = {"name": f"坐席 {rng.randint(8000, 8999)}"}
        bodies.append(json.dumps(body, ensure_ascii=False).encode())
    return token, bodies


def _fresh(account_no: str, rng: random.Random) -> str:
    """The sample's account number with its digits drawn from `rng` (the customers' own seed)."""
    return "".join(str(rng.randrange(10)) if ch.isdigit() else ch for ch in account_no)


class Server:
    def __init__(self, *, port: int, workers: int, worker_class: str, threads: int):
        self.port, self.workers, self.worker_class, self.threads = port, workers, worker_class, threads
        self.log = Path(os.environ.get("TMPDIR", "/tmp")) / f"complaintdesk-intake-bench-{port}.log"
        self.process = None

    @property
    def label(self) -> str:
        threads = f" × {self.threads} threads" if self.worker_class == "gthread" else ""
        return f"gunicorn {self.workers} {self.worker_class} workers{threads}"

    def start(self) -> None:
        env = dict(
            os.environ,
            DATABASE_URL=bench_database_url(),
            DJANGO_SETTINGS_MODULE="config.settings.base",
            DEBUG="0",
            LOG_LEVEL="WARNING",
        )
        # The production configuration (config/gunicorn.conf.py), with the options of this run on top.
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "config" / "gunicorn.conf.py"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ]
        if self.worker_class == "gthread":
            command += ["--threads", str(self.threads)]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                connection = Connection(self.port, timeout=5)
                status, _body, _headers = connection.exchange(
                    encode_request(method="GET", path="/healthz", port=self.port, headers={})
                )
                connection.close()
                if status == 200:
                    return
            except (OSError, ValueError):
                time.sleep(0.3)
        self.stop()
        sys.exit(f"gunicorn did not answer within 60 s; see {self.log}")

    def cpu(self) -> float:
        return process_tree_cpu(self.process.pid) if self.process else 0.0

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def encode_requests(*, port: int, token: str, bodies: list[bytes], with_key: bool) -> list[bytes]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return [
        encode_request(
            method="POST",
            path="/api/v1/complaints",
            port=port,
            body=body,
            headers=headers | ({"Idempotency-Key": str(uuid.uuid4())} if with_key else {}),
        )
        for body in bodies
    ]


def main() -> None:
    args = parse_args()
    django_setup()
    from django.db import connection

    if connection.vendor != "postgresql" and not args.allow_sqlite:
        sys.exit("set DATABASE_URL to a PostgreSQL bench database (or --allow-sqlite for a smoke run)")
    from complaintdesk.complaints.models import Complaint

    print(f"database: {database_label()}")
    prepare_started = time.perf_counter()
    token, bodies = prepare(args.count + args.warmup, args.seed, args.customers_seed)
    before = Complaint.objects.count()
    connection.close()
    print(
        f"prepared {len(bodies):,} bodies in {time.perf_counter() - prepare_started:.1f} s; "
        f"table holds {before:,} complaints"
    )

    with_key = not args.no_idempotency_key
    requests = encode_requests(port=args.port, token=token, bodies=bodies, with_key=with_key)
    server = Server(
        port=args.port, workers=args.workers, worker_class=args.worker_class, threads=args.threads
    )
    server.start()
    try:
        run_load(
            port=args.port,
            requests=requests[: args.warmup],
            clients=args.clients,
            ok_status=201,
            time_cap=args.time_cap,
        )
        load_before = os.getloadavg()
        server_cpu, pg_cpu = server.cpu(), postgres_cpu()
        result = run_load(
            port=args.port,
            requests=requests[args.warmup :],
            clients=args.clients,
            ok_status=201,
            time_cap=args.time_cap,
        )
        server_cpu, pg_cpu = server.cpu() - server_cpu, postgres_cpu() - pg_cpu
        load_after = os.getloadavg()
    finally:
        server.stop()
    figures = result.figures(ok_status=201)
    sent = max(figures["sent"], 1)
    figures |= {
        "complaints_per_s": figures.pop("per_s"),
        "created": figures.pop("ok"),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / sent, 2),
        "postgres_cpu_ms_per_request": round(pg_cpu * 1000 / sent, 2),
        "load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
    }
    after = Complaint.objects.count()
    figures |= {
        "database": database_label(),
        "clients": args.clients,
        "server": server.label,
        "idempotency_key": with_key,
        "complaints_in_table_after": after,
        "created_in_table": after - before,
    }
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    print(
        f"\nPOST /api/v1/complaints, {args.clients} clients, {server.label}: "
        f"{figures['complaints_per_s']} complaints/s, p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms "
        f"({figures['created']:,} created in {figures['wall_s']} s; statuses {figures['statuses']})"
    )
    expected = figures["created"] + min(args.warmup, len(bodies))
    if after - before != expected:
        print(f"WARNING: the table grew by {after - before}, expected {expected}")
    if args.out:
        Path(args.out).write_text(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
