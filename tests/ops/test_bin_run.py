"""bin/run (`make run`): the periodic jobs are started, gunicorn answers, the task worker is started again
when it dies, and a stop signal ends every process it started."""

import os
import signal
import subprocess
import time
import urllib.request

import pytest

from .serving import ROOT, free_port


def _children(pid: int) -> list[tuple[int, str]]:
    """The processes of bin/run's process group (it leads its own session; its pid is the group id)."""
    out = subprocess.run(["ps", "-o", "pid=,args=", "-g", str(pid)], capture_output=True, text=True)
    return [
        (int(line.split(None, 1)[0]), line.split(None, 1)[1])
        for line in out.stdout.strip().splitlines()
        if line
    ]


def _workers(pid: int) -> list[int]:
    return [p for p, args in _children(pid) if "db_worker" in args and "bash" not in args]


@pytest.mark.long
@pytest.mark.skipif(not os.path.exists("/bin/ps") and not os.path.exists("/usr/bin/ps"), reason="needs ps")
def test_bin_run_serves_with_gunicorn_restarts_a_killed_worker_and_stops_everything(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        COMPLAINTDESK_VAR_DIR=str(tmp_path / "var"),
        PORT=str(port),
        DEMO="0",
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="2",
    )
    log = (tmp_path / "run.log").open("w")
    process = subprocess.Popen(
        [str(ROOT / "bin" / "run")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while True:
            assert process.poll() is None, (tmp_path / "run.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "bin/run did not answer /healthz"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    served_by = response.headers["Server"]
                    break
            except OSError:
                time.sleep(0.5)
        assert served_by.startswith("gunicorn")
        # The periodic jobs were started once, each by name (manage.py periodic_start); the mail poll is off
        # without IMAP_URL.
        started = (tmp_path / "run.log").read_text()
        for job in (
            "sla-sweep",
            "after-intake-resend",
            "analytics-sync",
            "escalation-digest",
            "quality-sample",
        ):
            assert f"{job}: started" in started, started[-3000:]
        assert "mail-poll: off" in started
        (first,) = _workers(process.pid)
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while not (restarted := [p for p in _workers(process.pid) if p != first]):
            assert time.monotonic() < deadline, "the worker was not started again"
            time.sleep(0.3)
        assert len(restarted) == 1
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        time.sleep(1)
        assert _children(process.pid) == [], "processes left running after bin/run stopped"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
