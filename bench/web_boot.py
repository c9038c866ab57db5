"""What one web worker costs: gunicorn as in production (`config/gunicorn.conf.py`, WEB_CONCURRENCY=1),
the time from starting it to `/healthz` answering 200 and the CPU time its worker used until then, the
worker's resident memory (RSS) after boot and after N signed-in requests to a page, and which of
scikit-learn, SciPy, NumPy and jieba are mapped into it.

    DATABASE_URL=sqlite:////tmp/web-boot.sqlite3 .venv/bin/python bench/web_boot.py --port 8461 --runs 2

The database must hold the demo organisation (`manage.py migrate && manage.py load_demo`); the password
of `--user` is read from var/demo_credentials.txt unless `--password` is given. Run from the repository
root. Prints one line per run and one JSON line at the end.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

HEAVY = ("sklearn", "scipy", "numpy", "jieba")


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the process has used: boot's cost on a busy machine, where wall time
    also counts the other processes' turns."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _mapped(pid: int) -> list[str]:
    """The heavy packages with a file mapped into the process (their compiled extensions)."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    return [name for name in HEAVY if f"/site-packages/{name}/" in maps or f"/{name}.libs/" in maps]


def _password(user: str) -> str:
    text = Path("var/demo_credentials.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        fields = line.split()
        if fields and fields[0] == user:
            return fields[-1]
    raise SystemExit(f"{user} is not in var/demo_credentials.txt: pass --password")


def _sign_in(session: requests.Session, base: str, user: str, password: str) -> None:
    page = session.get(f"{base}/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{base}/login/",
        data={"username": user, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/login/"},
        timeout=30,
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise SystemExit(f"sign-in as {user} failed: {answer.status_code}")


def one_run(args, password: str) -> dict:
    base = f"http://127.0.0.1:{args.port}"
    env = os.environ | {"WEB_CONCURRENCY": "1"}
    started = time.perf_counter()
    server = subprocess.Popen(
        [
            ".venv/bin/gunicorn",
            "-c",
            "config/gunicorn.conf.py",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{args.port}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                # The master accepts the connection; it is answered once the worker has loaded the app.
                if requests.get(f"{base}/healthz", timeout=120).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if server.poll() is not None or time.perf_counter() - started > 120:
                raise SystemExit("gunicorn did not answer /healthz")
            time.sleep(0.02)
        boot = time.perf_counter() - started
        workers = _children(server.pid)
        if len(workers) != 1:
            raise SystemExit(f"expected one worker, found {workers}")
        worker = workers[0]
        cpu_boot = _cpu_s(worker)
        time.sleep(1)
        rss_boot, mapped_boot = _rss_mb(worker), _mapped(worker)
        session = requests.Session()
        _sign_in(session, base, args.user, password)
        for _ in range(args.requests):
            answer = session.get(f"{base}{args.path}", timeout=60)
            if answer.status_code != 200:
                raise SystemExit(f"GET {args.path}: {answer.status_code}")
        rss_after, mapped_after = _rss_mb(worker), _mapped(worker)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    return {
        "boot_to_healthz_s": round(boot, 2),
        "worker_cpu_to_healthz_s": round(cpu_boot, 2),
        "rss_after_boot_mb": round(rss_boot, 1),
        f"rss_after_{args.requests}_requests_mb": round(rss_after, 1),
        "heavy_mapped_after_boot": mapped_boot,
        "heavy_mapped_after_requests": mapped_after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8461)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--path", default="/", help="the page requested, signed in (default: the queue)")
    parser.add_argument("--user", default="agent_hq")
    parser.add_argument("--password")
    args = parser.parse_args()
    password = args.password or _password(args.user)
    runs = []
    for number in range(1, args.runs + 1):
        result = one_run(args, password)
        print(f"run {number}: {result}", file=sys.stderr)
        runs.append(result)
    print(json.dumps({"path": args.path, "requests": args.requests, "runs": runs}, ensure_ascii=False))


if __name__ == "__main__":
    main()
