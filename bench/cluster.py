"""A cluster on one machine, run for real, broken on purpose, and checked.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/cluster.py --duration 300
    .venv/bin/python bench/cluster.py --duration 60 --clients 8           # the short version (about 2 min in all)

What runs (all on 127.0.0.1, all stopped at the end):
- PostgreSQL: a fresh database `--database` (default complaintdesk_cluster) on the server of DATABASE_URL,
  migrated, with the demo organisation, an API client (HQ) and a staff user who sees every unit;
- Redis: a redis-server of its own on --redis-port (no persistence: a restart loses what it held);
- nginx (Debian's package) in front, with deploy/nginx/complaintdesk_proxy_params, balancing
  `least_conn` over two gunicorn instances (config/gunicorn.conf.py, 1 worker × 4 threads each);
- two RQ workers (`manage.py rqworker default`), the first with the scheduler;
- the SLA policy's general first-response time set to --first-response (default 0.02h = 72 s) and the
  sweep to every 10 s, so timers fall due, warn and breach while the load runs.

The load (--clients threads through nginx for --duration seconds): API intakes with an Idempotency-Key
(one in ten sent twice on purpose, every failure retried with the same key), portal intakes (the public
form, with its CSRF token), API transitions (accept), API reads, queue pages, case pages and archive
searches as a signed-in member of staff.

What breaks (at fixed fractions of the duration): `kill -9` of one gunicorn instance (master and
workers) and its restart 5 s later; `kill -9` of a worker in the middle of a job (the busy one) and its
restart 5 s later; Redis stopped and started again (empty: no persistence, so everything queued is
lost); every database connection of the cluster terminated (`pg_terminate_backend`).

What is checked, after the load stops and the queue drains: complaints accepted (API 201 + portal
redirects to "filed") = rows stored; one case per Idempotency-Key whatever the retries; every new case's
acknowledgement stored once and written to the SMS outbox once; every timer due before the load ended
fired once (none twice, none never); no intake answered 500; throughput and p50/p95 per request kind. Exit 1
when a check fails. `--out FILE` writes the figures as JSON (tests/ops/test_cluster.py reads them).
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of load (default 300)")
    parser.add_argument("--clients", type=int, default=12, help="client threads (default 12)")
    parser.add_argument("--database", default="complaintdesk_cluster")
    parser.add_argument("--nginx-port", type=int, default=18480)
    parser.add_argument("--web-ports", default="18481,18482")
    parser.add_argument("--redis-port", type=int, default=16391)
    parser.add_argument(
        "--first-response", default="0.02h", help="SLA general first response (default 0.02h)"
    )
    parser.add_argument("--drain", type=float, default=400.0, help="seconds to wait for the queue afterwards")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--restart-delay", type=float, default=5.0, help="seconds a killed process stays down"
    )
    parser.add_argument("--out", help="write the summary as JSON here")
    return parser.parse_args()


def log(message: str, *, t0: float | None = None) -> None:
    stamp = f"[{time.monotonic() - t0:7.1f} s] " if t0 is not None else ""
    print(f"{stamp}{message}", flush=True)


class Cluster:
    def __init__(self, args, workdir: Path):
        self.args, self.dir = args, workdir
        self.web_ports = [int(p) for p in args.web_ports.split(",")]
        source = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        if not source.startswith(("postgres://", "postgresql://")):
            sys.exit("bench/cluster.py needs PostgreSQL: DATABASE_URL=postgres://…")
        parts = urlsplit(source)
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))
        self.database_url = urlunsplit(parts._replace(path=f"/{args.database}"))
        self.redis_url = f"redis://127.0.0.1:{args.redis_port}/0"
        self.var = workdir / "var"
        self.env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "COMPLAINTDESK_VAR_DIR": str(self.var),
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "SLA_SWEEP_INTERVAL_SECONDS": "10",
            "RATE_LIMIT_PORTAL_FILE": "1000000/3600",
            "RATE_LIMIT_TRUSTED_PROXIES": "1",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "4",
            "DB_POOL_MAX_SIZE": "4",
            # Lost deliveries are queued again, and one killed mid-attempt retried, within the run.
            "NOTIFY_SWEEP_GRACE_SECONDS": "30",
            "NOTIFY_SENDING_STALE_SECONDS": "60",
        }
        self.env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.webs: dict[int, subprocess.Popen] = {}
        self.workers: dict[int, subprocess.Popen] = {}
        self.worker_names: dict[int, str] = {}
        self.redis: subprocess.Popen | None = None
        self.nginx_started = False

    # --- processes -------------------------------------------------------------------------------
    def _spawn(self, name: str, command: list[str], env: dict | None = None) -> subprocess.Popen:
        out = (self.dir / f"{name}.log").open("a")
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env or self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def redis_start(self) -> None:
        self.redis = self._spawn(
            "redis",
            [
                "redis-server",
                "--port",
                str(self.args.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
        )
        for _ in range(50):
            if (
                subprocess.run(
                    ["redis-cli", "-p", str(self.args.redis_port), "ping"], capture_output=True, text=True
                ).stdout.strip()
                == "PONG"
            ):
                return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def redis_stop(self) -> None:
        if self.redis and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(timeout=20)

    def web_start(self, port: int) -> None:
        env = {**self.env, "DB_APPLICATION_NAME": f"cluster-web-{port}"}
        self.webs[port] = self._spawn(
            f"web-{port}",
            [
                PY,
                "-m",
                "gunicorn",
                "-c",
                "config/gunicorn.conf.py",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            env,
        )

    def web_wait(self, port: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn on {port} did not answer")

    def worker_start(self, index: int) -> None:
        command = [
            PY,
            "manage.py",
            "rqworker",
            "default",
            "--worker-class",
            "complaintdesk.tasks.worker.Worker",
            "--name",
            f"cluster-{index}-{uuid.uuid4().hex[:6]}",
        ]
        if index == 1:
            command.insert(4, "--with-scheduler")
        self.worker_names[index] = command[-1]
        env = {**self.env, "DB_APPLICATION_NAME": f"cluster-worker-{index}"}
        self.workers[index] = self._spawn(f"worker-{index}", command, env)

    def busy_worker(self) -> tuple[int, str]:
        """(index, what it is doing) of a worker in the middle of a job — an after-intake job if one is
        seen within 10 s, else any job; worker 2 when none is busy."""
        from redis import Redis
        from rq import Worker

        try:
            connection = Redis.from_url(self.redis_url)
            fallback = None
            for _attempt in range(100):
                for worker in Worker.all(connection=connection):
                    job = worker.get_current_job()
                    index = next((i for i, name in self.worker_names.items() if name == worker.name), None)
                    if job is None or index is None:
                        continue
                    doing = f"mid-job {job.func_name.rsplit('.', 1)[-1]}({', '.join(map(str, job.args))})"
                    if "after_intake" in job.func_name:
                        return index, doing
                    fallback = fallback or (index, doing)
                time.sleep(0.1)
        except Exception as error:
            return 2, f"(could not see its job: {error!r})"
        return fallback or (2, "(idle at that moment)")

    def terminate_db_connections(self) -> int:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            return admin.execute(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid() AND application_name <> %s) AS t",
                [self.args.database, BENCH_APPLICATION_NAME],
            ).fetchone()[0]

    def kill9(self, process: subprocess.Popen) -> None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()

    def nginx_start(self) -> None:
        upstream = "\n".join(f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=5s;" for p in self.web_ports)
        conf = self.dir / "nginx.conf"
        conf.write_text(f"""
worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.dir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path {self.dir}/nginx-body;
  proxy_temp_path {self.dir}/nginx-proxy;
  upstream complaintdesk_web {{
    least_conn;
{upstream}
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{self.args.nginx_port};
    client_max_body_size 12m;
    location / {{
      proxy_pass http://complaintdesk_web;
      include {ROOT}/deploy/nginx/complaintdesk_proxy_params;
    }}
  }}
}}
""")
        subprocess.run(["nginx", "-c", str(conf), "-p", str(self.dir)], check=True)
        self.nginx_started = True

    def stop_all(self) -> None:
        for process in [*self.webs.values(), *self.workers.values()]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in [*self.webs.values(), *self.workers.values()]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill9(process)
        if self.nginx_started:
            subprocess.run(
                ["nginx", "-c", str(self.dir / "nginx.conf"), "-p", str(self.dir), "-s", "stop"],
                capture_output=True,
            )
        self.redis_stop()


BENCH_APPLICATION_NAME = "cluster-bench"


def migrations_fingerprint() -> str:
    """Which migrations exist (names and sizes): a template database made with other ones is not used."""
    import hashlib

    files = sorted(ROOT.glob("complaintdesk/*/migrations/0*.py"))
    text = "\n".join(f"{f.relative_to(ROOT)}:{f.stat().st_size}" for f in files)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def setup_database(cluster: Cluster, first_response: str) -> dict:
    import psycopg
    from psycopg import sql

    database, template = (
        sql.Identifier(cluster.args.database),
        sql.Identifier(f"{cluster.args.database}_template"),
    )
    fingerprint = migrations_fingerprint()
    with psycopg.connect(cluster.admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
        # A migrated copy kept from an earlier run, if its migrations are still today's: saves the migrate.
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [f"{cluster.args.database}_template"],
        ).fetchone()
        from_template = bool(row and row[0] == fingerprint)
        if row and not from_template:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(template))
        if from_template:
            admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(database, template))
        else:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(database))
    os.environ.update(
        {
            k: v
            for k, v in cluster.env.items()
            if k
            in (
                "DATABASE_URL",
                "REDIS_URL",
                "DJANGO_SETTINGS_MODULE",
                "COMPLAINTDESK_VAR_DIR",
                "SLA_SWEEP_INTERVAL_SECONDS",
            )
        }
    )
    os.environ["DB_POOL_MAX_SIZE"] = "2"
    # The emotion model is trained on an installation's first enrichment (tens of seconds) and kept under
    # VAR_DIR: a production system has it. Taken from this checkout's var/ when there, else trained below.
    if (ROOT / "var" / "intelligence").is_dir():
        shutil.copytree(ROOT / "var" / "intelligence", cluster.var / "intelligence", dirs_exist_ok=True)
    os.environ["DB_APPLICATION_NAME"] = BENCH_APPLICATION_NAME  # spared by terminate_db_connections
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from complaintdesk.accounts.models import Role, User
    from complaintdesk.accounts.services import api_token_issue, user_create
    from complaintdesk.demo.organisation import demo_organisation_ensure
    from complaintdesk.intelligence.tasks import enrichment_warm_up
    from complaintdesk.sla.models import SlaPolicy

    call_command("migrate", verbosity=0)
    units = demo_organisation_ensure()
    enrichment_warm_up()  # the intelligence policy row, and the emotion model stored under the cluster's VAR_DIR
    if not from_template:
        from django.db import connection

        connection.close()
        connection.close_pool()
        with psycopg.connect(cluster.admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(template, database))
            admin.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(template, sql.Literal(fingerprint)))
    api_user = user_create(
        username="cluster_api",
        password=None,
        role=Role.API_CLIENT,
        org_unit=units["HQ"],
        display_name="集群压测接口",
    )
    _row, token = api_token_issue(user=api_user, name="bench/cluster.py")
    staff = User.objects.filter(username="cluster_staff").first() or user_create(
        username="cluster_staff",
        password=None,
        role=Role.EXECUTIVE,
        org_unit=units["HQ"],
        display_name="集群压测",
    )
    session = SessionStore()
    session[SESSION_KEY] = str(staff.pk)
    session[BACKEND_SESSION_KEY] = "complaintdesk.accounts.backends.RolePermissionBackend"
    session[HASH_SESSION_KEY] = staff.get_session_auth_hash()
    session.create()
    SlaPolicy.objects.filter(org_unit__isnull=True, category__isnull=True).update(
        first_response_general=first_response
    )
    call_command("sla_reconcile", "--schedule", verbosity=0)
    return {"token": token, "session": session.session_key, "units": sorted(units)}


# --- the load -----------------------------------------------------------------------------------------

KINDS = {
    "api_intake": 28,
    "portal_intake": 8,
    "transition": 10,
    "api_read": 10,
    "queue_page": 18,
    "case_page": 14,
    "search": 12,
}
RETRYABLE = {502, 503, 504}
INTAKE_KINDS = ("api_intake", "portal_intake")


class Load:
    def __init__(self, *, port: int, token: str, session: str, clients: int, duration: float, seed: int):
        self.port, self.token, self.session = port, token, session
        self.clients, self.duration, self.seed = clients, duration, seed
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.numbers: list[str] = []  # accepted cases
        self.accepted_api: dict[str, set[str]] = defaultdict(set)  # Idempotency-Key → numbers answered
        self.accepted_portal: set[str] = set()
        self.to_accept: list[str] = []
        self.retries = Counter()
        self.errors: list[str] = []

    def _conn(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def _send(self, conn, method, path, body=None, headers=None):
        """(status, body, headers, seconds, conn); status 0 on a connection failure."""
        started = time.monotonic()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            return response.status, data, response, time.monotonic() - started, conn
        except (OSError, http.client.HTTPException) as error:
            conn.close()
            with self.lock:
                self.errors.append(f"{method} {path}: {error!r}")
            return 0, b"", None, time.monotonic() - started, self._conn()

    def _record(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latency[kind].append(seconds)
            self.statuses[kind][status] += 1

    def _intake_body(self, rng: random.Random, n: int) -> bytes:
        return json.dumps(
            {
                "channel": rng.choice(["phone", "api", "chat", "walk_in"]),
                "customer": {
                    "name": rng.choice(["王女士", "李先生", "张女士", "陈先生"]),
                    "phone": f"139{rng.randrange(10**8):08d}",
                },
                "title": rng.choice(
                    ["宽带连续三天断网", "话费多扣了三十元", "营业厅排队两小时", "快递丢件无人处理"]
                ),
                "description": f"第{n}次来电：问题一直没有解决，已经影响正常生活，请尽快处理。",
                "demand": "尽快处理并给出说明",
                "recorded_by": {"name": "坐席 8001"},
            },
            ensure_ascii=False,
        ).encode()

    def api_intake(self, conn, rng, n):
        key = uuid.uuid4().hex
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        }
        body = self._intake_body(rng, n)
        sends = 2 if rng.random() < 0.1 else 1  # one in ten sent twice on purpose
        for attempt in range(8):
            status, data, _r, seconds, conn = self._send(conn, "POST", "/api/v1/complaints", body, headers)
            self._record("api_intake", status, seconds)
            if status in (200, 201):
                number = json.loads(data)["number"]
                with self.lock:
                    self.accepted_api[key].add(number)
                    if number not in self.numbers:
                        self.numbers.append(number)
                        self.to_accept.append(number)
                sends -= 1
                if sends == 0:
                    return conn
                with self.lock:
                    self.retries["deliberate"] += 1
                continue
            if status == 0 or status in RETRYABLE or status == 409:  # 409: the same key still in flight
                with self.lock:
                    self.retries[f"after {status or 'connection error'}"] += 1
                time.sleep(0.3 * (attempt + 1))
                continue
            with self.lock:
                self.errors.append(f"api intake {status}: {data[:200]!r}")
            return conn
        return conn

    def portal_intake(self, conn, rng, n):
        status, data, response, seconds, conn = self._send(conn, "GET", "/portal/")
        if status != 200:
            self._record("portal_intake", status, seconds)
            return conn
        cookie = response.getheader("Set-Cookie") or ""
        csrf = re.search(r"csrftoken=([^;]+)", cookie)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', data)
        if not csrf or not token:
            self._record("portal_intake", -1, seconds)
            return conn
        form = urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "name": "刘女士",
                "phone": f"137{rng.randrange(10**8):08d}",
                "title": "门店服务态度差",
                "description": f"网上投诉第{n}件：店员态度恶劣，拒绝办理退货。",
                "demand": "道歉并办理退货",
                "preferred_channel": "sms",
            }
        ).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf.group(1)}",
        }
        status, data, response, seconds, conn = self._send(conn, "POST", "/portal/", form, headers)
        self._record("portal_intake", status, seconds)
        if status == 302:
            match = re.search(r"/portal/filed/([^/]+)/", response.getheader("Location") or "")
            if match:
                with self.lock:
                    self.accepted_portal.add(match.group(1))
                    self.numbers.append(match.group(1))
        elif status:
            with self.lock:
                self.errors.append(f"portal intake {status}: {data[:200]!r}")
        return conn

    def _number(self, rng):
        with self.lock:
            return rng.choice(self.numbers) if self.numbers else None

    def transition(self, conn, rng, n):
        with self.lock:
            number = self.to_accept.pop(rng.randrange(len(self.to_accept))) if self.to_accept else None
        if number is None:
            return conn
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        status, _d, _r, seconds, conn = self._send(
            conn, "POST", f"/api/v1/complaints/{number}/transitions", b'{"to": "accepted"}', headers
        )
        self._record("transition", status, seconds)
        return conn

    def api_read(self, conn, rng, n):
        number = self._number(rng)
        if number:
            status, _d, _r, seconds, conn = self._send(
                conn, "GET", f"/api/v1/complaints/{number}", headers={"Authorization": f"Bearer {self.token}"}
            )
            self._record("api_read", status, seconds)
        return conn

    def _page(self, conn, kind, path):
        status, _d, _r, seconds, conn = self._send(
            conn, "GET", path, headers={"Cookie": f"sessionid={self.session}"}
        )
        self._record(kind, status, seconds)
        return conn

    def queue_page(self, conn, rng, n):
        return self._page(conn, "queue_page", rng.choice(["/", "/queues/team/", "/queues/unassigned/"]))

    def case_page(self, conn, rng, n):
        number = self._number(rng)
        return self._page(conn, "case_page", f"/complaints/{number}/") if number else conn

    def search(self, conn, rng, n):
        query = urlencode({"q": rng.choice(["断网", "退货", "话费", "排队", "快递"])})
        return self._page(conn, "search", f"/archive/?{query}")

    def client(self, index: int, stop_at: float) -> None:
        rng = random.Random(self.seed * 1000 + index)
        kinds, weights = list(KINDS), list(KINDS.values())
        conn, n = self._conn(), 0
        while time.monotonic() < stop_at:
            n += 1
            conn = getattr(self, rng.choices(kinds, weights)[0])(conn, rng, index * 100000 + n)
        conn.close()

    def run(self) -> float:
        stop_at = time.monotonic() + self.duration
        threads = [
            threading.Thread(target=self.client, args=(i, stop_at), daemon=True) for i in range(self.clients)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def chaos(cluster: Cluster, duration: float, t0: float, events: list[str]) -> None:
    """kill -9 a web instance, then a worker mid-job, then restart Redis empty, then terminate every
    database connection, each at a fixed point of the load."""
    delay = cluster.args.restart_delay

    def at(fraction: float) -> None:
        time.sleep(max(0.0, t0 + fraction * duration - time.monotonic()))

    def note(message: str) -> None:
        events.append(f"{time.monotonic() - t0:6.1f} s  {message}")
        log(message, t0=t0)

    port = cluster.web_ports[0]
    at(0.2)
    cluster.kill9(cluster.webs[port])
    note(f"kill -9 gunicorn instance :{port} (master and worker)")
    time.sleep(delay)
    cluster.web_start(port)
    cluster.web_wait(port)
    note(f"gunicorn instance :{port} restarted and answering")
    at(0.4)
    index, doing = cluster.busy_worker()
    cluster.kill9(cluster.workers[index])
    note(f"kill -9 RQ worker {index}{' (the one with the scheduler)' if index == 1 else ''}, {doing}")
    time.sleep(delay)
    cluster.worker_start(index)
    note(f"RQ worker {index} restarted")
    at(0.6)
    cluster.redis_stop()
    note("Redis stopped (everything it held is lost: no persistence)")
    time.sleep(2)
    cluster.redis_start()
    note("Redis started again, empty")
    at(0.8)
    terminated = cluster.terminate_db_connections()
    note(f"pg_terminate_backend: {terminated} database connections of the cluster terminated")


def supervise(cluster: Cluster, stop: threading.Event, t0: float, events: list[str]) -> None:
    """What systemd's Restart=always does in deploy/: a worker that exits on its own (an RQ worker does
    when Redis goes away) is started again after 2 s. The deliberate kills are restarted by `chaos`."""
    while not stop.wait(1.0):
        for index, process in list(cluster.workers.items()):
            if process.poll() is not None and process.returncode != -signal.SIGKILL:
                time.sleep(2)
                cluster.worker_start(index)
                message = f"RQ worker {index} had exited by itself (status {process.returncode}); restarted"
                events.append(f"{time.monotonic() - t0:6.1f} s  {message}")
                log(message, t0=t0)


def drain(cluster: Cluster, load_end, timeout: float, t0: float) -> dict:
    """Wait until nothing waits — the queue, the after-intake outbox, notifications, timers due by
    load_end — or, at the timeout, at least no acknowledgement, notification or due timer (analyses may
    still be queued behind: they are reported, not waited for). Returns what was left."""
    import django_rq

    from complaintdesk.notifications.models import Notification, NotificationStatus
    from complaintdesk.sla.timers import timers_due
    from complaintdesk.tasks.models import AfterIntakeJob

    deadline, left = time.monotonic() + timeout, {}
    while True:
        try:
            depth = django_rq.get_queue("default").count
        except Exception:
            depth = -1
        pending = AfterIntakeJob.objects.count()
        acks = AfterIntakeJob.objects.filter(task_path__endswith="acknowledge_after_intake").count()
        queued = Notification.objects.filter(
            status__in=[NotificationStatus.QUEUED, NotificationStatus.SENDING]
        ).count()
        due = timers_due(cutoff=load_end)
        left = {"queue": depth, "outbox": pending, "outbox_acknowledgements": acks, "notifications": queued,
                "timers_due": due, "drained_after_s": round(time.monotonic() - t0, 1)}  # fmt: skip
        if depth == 0 and pending == 0 and queued == 0 and due == 0:
            log("drained: queue 0, after-intake outbox 0, notifications waiting 0, timers due 0", t0=t0)
            return left
        if time.monotonic() >= deadline:
            log(f"drain stopped at its limit: {left}", t0=t0)
            return left
        log(
            f"draining: queue {depth}, after-intake outbox {pending} (acknowledgements {acks}), notifications "
            f"waiting {queued}, timers due by the end of the load {due}",
            t0=t0,
        )
        time.sleep(5)


def check(cluster: Cluster, load: Load, load_end) -> dict:
    from django.db.models import Count

    from complaintdesk.complaints.models import Complaint, ComplaintEvent, EventKind
    from complaintdesk.notifications.models import Notification, TemplateCode
    from complaintdesk.sla.models import LIVE_TIMER_STATES, SlaTimer

    accepted = {n for numbers in load.accepted_api.values() for n in numbers} | load.accepted_portal
    stored = set(Complaint.objects.values_list("number", flat=True))
    # The portal has no Idempotency-Key: a form whose answer was lost (the instance killed under it) may
    # have stored a case the customer never saw confirmed. Counted apart from the API's.
    web_channel = set(Complaint.objects.filter(channel="web").values_list("number", flat=True))
    keys_with_two_numbers = sum(1 for numbers in load.accepted_api.values() if len(numbers) > 1)
    ids = dict(Complaint.objects.values_list("number", "id"))
    new_ids = {ids[n] for n in accepted if n in ids}
    ack_rows = Counter(
        dict(
            Notification.objects.filter(template_code=TemplateCode.ACKNOWLEDGEMENT, complaint_id__in=new_ids)
            .values_list("complaint_id")
            .annotate(n=Count("id"))
            .values_list("complaint_id", "n")
        )
    )
    sent_after = sorted(
        (sent_at - created_at).total_seconds()
        for sent_at, created_at in Notification.objects.filter(
            template_code=TemplateCode.ACKNOWLEDGEMENT, complaint_id__in=new_ids, sent_at__isnull=False
        ).values_list("sent_at", "complaint__created_at")
    )
    outbox = Counter()
    outbox_path = cluster.var / "outbox" / "sms.jsonl"
    if outbox_path.exists():
        for line in outbox_path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record.get("template") == TemplateCode.ACKNOWLEDGEMENT:
                outbox[record.get("complaint_id")] += 1
    breaches = Counter(
        ComplaintEvent.objects.filter(kind=EventKind.SLA_BREACH).values_list(
            "complaint_id", "field", "new_value"
        )
    )
    fired = SlaTimer.objects.filter(state="fired", due_at__lte=load_end).count()
    never = SlaTimer.objects.filter(state__in=LIVE_TIMER_STATES, due_at__lte=load_end).count()
    twice = sum(1 for n in breaches.values() if n > 1)
    return {
        "accepted": len(accepted),
        "accepted_api": len({n for v in load.accepted_api.values() for n in v}),
        "accepted_portal": len(load.accepted_portal),
        "rows_stored": len(stored),
        "accepted_not_stored": len(accepted - stored),
        "stored_not_accepted": len(stored - accepted - web_channel),
        "portal_stored_not_confirmed": len((stored - accepted) & web_channel),
        "idempotency_keys": len(load.accepted_api),
        "keys_answered_with_two_cases": keys_with_two_numbers,
        "retries": dict(load.retries),
        "ack_rows_none": sum(1 for i in new_ids if ack_rows[i] == 0),
        "ack_rows_twice": sum(1 for i in new_ids if ack_rows[i] > 1),
        "ack_sent_none": sum(1 for i in new_ids if outbox[i] == 0),
        "ack_sent_once": sum(1 for i in new_ids if outbox[i] == 1),
        "ack_sent_twice": sum(1 for i in new_ids if outbox[i] > 1),
        "timers_fired": fired,
        "timers_fired_once": fired - twice,
        "timers_due_never_fired": never,
        "timers_fired_twice": twice,
        "ack_sent_total": sum(outbox[i] for i in new_ids),
        "ack_after_intake_p50_s": round(percentile(sent_after, 0.5), 1),
        "ack_after_intake_p95_s": round(percentile(sent_after, 0.95), 1),
        "ack_after_intake_max_s": round(sent_after[-1], 1) if sent_after else 0.0,
    }


def main() -> int:
    args = parse_args()
    for tool in ("nginx", "redis-server", "redis-cli"):
        if not shutil.which(tool):
            sys.exit(f"bench/cluster.py needs {tool} (Debian: apt-get install nginx redis-server)")
    workdir = Path(tempfile.mkdtemp(prefix="complaintdesk-cluster-"))
    cluster = Cluster(args, workdir)
    t0 = time.monotonic()
    events: list[str] = []
    try:
        cluster.redis_start()
        log(f"set-up: database {args.database}, Redis :{args.redis_port}, logs in {workdir}", t0=t0)
        prepared = setup_database(cluster, args.first_response)
        for port in cluster.web_ports:
            cluster.web_start(port)
        for index in (1, 2):
            cluster.worker_start(index)
        for port in cluster.web_ports:
            cluster.web_wait(port)
        cluster.nginx_start()
        log(
            f"nginx :{args.nginx_port} → gunicorn {cluster.web_ports} (1 worker × 4 threads each), 2 RQ workers; "
            f"{args.clients} clients for {args.duration:.0f} s",
            t0=t0,
        )
        load = Load(
            port=args.nginx_port,
            token=prepared["token"],
            session=prepared["session"],
            clients=args.clients,
            duration=args.duration,
            seed=args.seed,
        )
        load_t0 = time.monotonic()
        breaker = threading.Thread(target=chaos, args=(cluster, args.duration, load_t0, events), daemon=True)
        breaker.start()
        supervising = threading.Event()
        threading.Thread(target=supervise, args=(cluster, supervising, load_t0, events), daemon=True).start()
        elapsed = load.run()
        from complaintdesk.common.time import now

        load_end = now()
        breaker.join(timeout=60)
        log(f"load stopped after {elapsed:.1f} s", t0=t0)
        left = drain(cluster, load_end, args.drain, t0)
        result = check(cluster, load, load_end)
    finally:
        if "supervising" in locals():
            supervising.set()
        cluster.stop_all()

    total = sum(len(v) for v in load.latency.values())
    intake_500 = sum(load.statuses[kind][500] for kind in INTAKE_KINDS)
    pages_500 = sum(counts[500] for kind, counts in load.statuses.items() if kind not in INTAKE_KINDS)
    kinds = {
        kind: {
            "requests": len(load.latency.get(kind, [])),
            "per_s": round(len(load.latency.get(kind, [])) / elapsed, 2),
            "p50_ms": round(percentile(load.latency.get(kind, []), 0.5) * 1000, 1),
            "p95_ms": round(percentile(load.latency.get(kind, []), 0.95) * 1000, 1),
            "statuses": {str(k): v for k, v in sorted(load.statuses[kind].items())},
        }
        for kind in KINDS
    }
    print()
    print(f"== cluster summary ({args.duration:.0f} s of load, {args.clients} clients through nginx)")
    print("what broke, when (seconds into the load):")
    for event in events:
        print(f"  {event}")
    print(f"requests: {total} in {elapsed:.1f} s = {total / elapsed:.1f}/s")
    print(f"{'kind':14} {'requests':>8} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8}  statuses")
    for kind in KINDS:
        values = load.latency.get(kind, [])
        statuses = ", ".join(f"{s}×{n}" for s, n in sorted(load.statuses[kind].items()))
        print(
            f"{kind:14} {len(values):8} {len(values) / elapsed:7.1f} {percentile(values, 0.5) * 1000:8.1f} "
            f"{percentile(values, 0.95) * 1000:8.1f}  {statuses}"
        )
    print(
        f"accepted (API 201 {result['accepted_api']} + portal {result['accepted_portal']}) = {result['accepted']}; "
        f"rows stored {result['rows_stored']}; accepted but not stored {result['accepted_not_stored']}; "
        f"stored but never answered 201 (API) {result['stored_not_accepted']}; portal forms stored whose answer "
        f"was lost {result['portal_stored_not_confirmed']}"
    )
    print(
        f"Idempotency-Keys {result['idempotency_keys']}, answered with two different cases: "
        f"{result['keys_answered_with_two_cases']}; resends {result['retries']}"
    )
    print(
        f"acknowledgements: rows missing {result['ack_rows_none']}, rows twice {result['ack_rows_twice']}; "
        f"SMS written once {result['ack_sent_once']}, never {result['ack_sent_none']}, twice or more "
        f"{result['ack_sent_twice']}; sent after intake p50 {result['ack_after_intake_p50_s']} s, "
        f"p95 {result['ack_after_intake_p95_s']} s, max {result['ack_after_intake_max_s']} s"
    )
    print(
        f"left after the drain ({left['drained_after_s']} s in): queue {left['queue']}, after-intake outbox "
        f"{left['outbox']} (acknowledgements {left['outbox_acknowledgements']}), notifications {left['notifications']}, "
        f"timers due {left['timers_due']}"
    )
    print(
        f"SLA timers due before the end of the load: fired once {result['timers_fired_once']}, twice "
        f"{result['timers_fired_twice']}, never {result['timers_due_never_fired']}"
    )
    print(
        f"answers 500: intake (API and portal) {intake_500}; other requests {pages_500} (a page whose database "
        "connection was terminated under its query)"
    )
    if load.errors:
        print(f"client-side errors ({len(load.errors)}), first ones:")
        for error in load.errors[:8]:
            print(f"  {error[:200]}")
    failed = [
        name
        for name, bad in [
            ("accepted = stored", result["accepted_not_stored"] or result["stored_not_accepted"]),
            ("one case per key", result["keys_answered_with_two_cases"]),
            (
                "acknowledgement once",
                result["ack_rows_none"]
                or result["ack_rows_twice"]
                or result["ack_sent_none"]
                or result["ack_sent_twice"],
            ),
            ("timers once", result["timers_due_never_fired"] or result["timers_fired_twice"]),
            ("drained", left["outbox_acknowledgements"] or left["notifications"] or left["timers_due"]),
            ("intake never 500", intake_500),
        ]
        if bad
    ]
    print("RESULT:", "OK" if not failed else "FAILED: " + ", ".join(failed))
    if args.out:
        Path(args.out).write_text(
            json.dumps(
                {
                    "events": events,
                    "result": result,
                    "requests": total,
                    "elapsed": elapsed,
                    "intake_500": intake_500,
                    "other_500": pages_500,
                    "kinds": kinds,
                    "failed": failed,
                    "left_after_drain": left,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
