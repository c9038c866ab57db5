"""django-helpdesk's ticket creation with the same light client and server set-up as bench/intake.py.

    (cd ../shared/peers/django-helpdesk && ./setup.sh)          # the peer's venv, database, admin, queues
    .venv/bin/python bench/peer_helpdesk.py --count 20000 --clients 8

The peer's own bench.py (../shared/peers/django-helpdesk) opens a new connection for every request and
builds each body inside the timed loop, against 2 sync workers. For a fair comparison this script
measures the peer exactly as bench/intake.py measures us: gunicorn with the same worker class, workers
and threads (default: 2 gthread workers × 4 threads; `--worker-class sync` for the peer's own set-up),
the same client (bench/loadgen.py: requests encoded before the clock starts, kept-alive connections),
the same number of clients and requests, the same CPU accounting. What is sent is what bench.py's part (a)
sends: `POST /helpdesk/api/tickets/` (DRF) with the session cookie of one login and the CSRF header,
bodies from bench.py's own generator (queue, Chinese title and description, submitter e-mail,
priority). Every request creates a ticket, its opening FollowUp and renders the submitter e-mail.
"""

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from benchenv import ROOT
from loadgen import Connection, encode_request, postgres_cpu, process_tree_cpu, run_load

PEER = ROOT.parent / "shared" / "peers" / "django-helpdesk"
VENV = Path("/tmp/peer-helpdesk-venv")
ADMIN_USER, ADMIN_PASS = "benchadmin", "bench-pass-123"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=20_000, help="tickets to post (default 20000)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", choices=["gthread", "sync"], default="gthread")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8795)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--time-cap", type=float, default=1800.0)
    parser.add_argument(
        "--start-index", type=int, default=0, help="first ticket number of bench.py's generator"
    )
    parser.add_argument("--out", help="write the figures as JSON to this file")
    return parser.parse_args()


def peer_python(code: str) -> str:
    """Run Django code in the peer's venv and project (its database), return what it prints."""
    env = dict(os.environ, DB="postgres", DJANGO_SETTINGS_MODULE="peer_project.settings")
    script = "import django; django.setup()\n" + code
    return subprocess.run(
        [str(VENV / "bin" / "python"), "-c", script],
        cwd=PEER,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def peer_state() -> tuple[list[int], int]:
    out = peer_python(
        "from helpdesk.models import Queue, Ticket\n"
        "print(list(Queue.objects.order_by('id').values_list('id', flat=True)), Ticket.objects.count())"
    )
    queues, count = out.rsplit(" ", 1)
    return json.loads(queues), int(count)


class PeerServer:
    def __init__(self, *, port: int, workers: int, worker_class: str, threads: int):
        self.port, self.workers, self.worker_class, self.threads = port, workers, worker_class, threads
        self.log = Path(os.environ.get("TMPDIR", "/tmp")) / f"peer-helpdesk-loadgen-{port}.log"
        self.process = None

    @property
    def label(self) -> str:
        threads = f" × {self.threads} threads" if self.worker_class == "gthread" else ""
        return f"gunicorn {self.workers} {self.worker_class} workers{threads}"

    def start(self) -> None:
        env = dict(os.environ, DB="postgres", DJANGO_SETTINGS_MODULE="peer_project.settings")
        command = [
            str(VENV / "bin" / "gunicorn"),
            "peer_project.wsgi:application",
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
            cwd=PEER,
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
                    encode_request(method="GET", path="/helpdesk/login/", port=self.port, headers={})
                )
                connection.close()
                if status == 200:
                    return
            except (OSError, ValueError):
                time.sleep(0.3)
        self.stop()
        sys.exit(f"the peer's gunicorn did not answer within 60 s; see {self.log}")

    def cpu(self) -> float:
        return process_tree_cpu(self.process.pid) if self.process else 0.0

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def _cookies(headers_seen: list[dict], jar: dict) -> None:
    for headers in headers_seen:
        for name, value in headers.items():
            if name == "set-cookie":
                key, _, rest = value.partition("=")
                jar[key.strip()] = rest.split(";", 1)[0]


def login(port: int) -> dict[str, str]:
    """The session cookie and CSRF token of one staff login, as bench.py gets them."""
    connection = Connection(port)
    status, body, headers = connection.exchange(
        encode_request(method="GET", path="/helpdesk/login/", port=port, headers={})
    )
    assert status == 200, status
    jar: dict[str, str] = {}
    _cookies([headers], jar)  # one Set-Cookie (csrftoken) on this page
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode(
        {"username": ADMIN_USER, "password": ADMIN_PASS, "csrfmiddlewaretoken": token, "next": "/helpdesk/"}
    ).encode()
    connection.close()
    connection = Connection(port)
    # The loadgen parser keeps one value per header name; a login answers with two Set-Cookie headers,
    # so ask for the raw answer here.
    request = encode_request(
        method="POST",
        path="/helpdesk/login/",
        port=port,
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            "Connection": "close",
        },
    )
    connection._connect()
    connection.sock.sendall(request)
    raw = b""
    while chunk := connection.sock.recv(65536):
        raw += chunk
    connection.close()
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    assert head[0].split(" ")[1] in {"302", "303"}, head[0]
    for line in head[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "set-cookie":
            key, _, rest = value.strip().partition("=")
            jar[key.strip()] = rest.split(";", 1)[0]
    assert "sessionid" in jar, "login failed"
    return jar


def encode_requests(
    *, port: int, jar: dict, queue_ids: list[int], count: int, start_index: int
) -> list[bytes]:
    sys.path.insert(0, str(PEER))
    from bench import complaint  # the peer bench's own ticket generator

    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "application/json",
        "Cookie": cookie,
        "X-CSRFToken": jar["csrftoken"],
    }
    requests = []
    for i in range(count):
        index = start_index + i
        title, description = complaint(index, random.Random(index))
        body = json.dumps(
            {
                "queue": queue_ids[index % len(queue_ids)],
                "title": title,
                "description": description,
                "submitter_email": f"user{index}@example.com",
                "priority": 1 + index % 5,
            },
            ensure_ascii=False,
        ).encode()
        requests.append(
            encode_request(
                method="POST", path="/helpdesk/api/tickets/", port=port, body=body, headers=headers
            )
        )
    return requests


def main() -> None:
    args = parse_args()
    if not (VENV / "bin" / "gunicorn").exists():
        sys.exit(f"run {PEER}/setup.sh first (it builds {VENV})")
    queue_ids, before = peer_state()
    server = PeerServer(
        port=args.port, workers=args.workers, worker_class=args.worker_class, threads=args.threads
    )
    server.start()
    try:
        jar = login(args.port)
        requests = encode_requests(
            port=args.port,
            jar=jar,
            queue_ids=queue_ids,
            count=args.count + args.warmup,
            start_index=args.start_index,
        )
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
    _queues, after = peer_state()
    figures = result.figures(ok_status=201)
    sent = max(figures["sent"], 1)
    figures |= {
        "tickets_per_s": figures.pop("per_s"),
        "created": figures.pop("ok"),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / sent, 2),
        "postgres_cpu_ms_per_request": round(pg_cpu * 1000 / sent, 2),
        "load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
        "clients": args.clients,
        "server": server.label,
        "tickets_in_table_after": after,
        "created_in_table": after - before,
    }
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    print(
        f"\nPOST /helpdesk/api/tickets/ (django-helpdesk), {args.clients} clients, {server.label}: "
        f"{figures['tickets_per_s']} tickets/s, p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms "
        f"({figures['created']:,} created in {figures['wall_s']} s; statuses {figures['statuses']})"
    )
    if after - before != figures["created"] + min(args.warmup, len(requests)):
        print(f"WARNING: the table grew by {after - before}, expected {figures['created'] + args.warmup}")
    if args.out:
        Path(args.out).write_text(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
