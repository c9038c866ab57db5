"""Fault injection on a real cluster (issue 14 item 4, issue 18 item 5): the short version of
bench/cluster.py — nginx in front of two gunicorn instances, two RQ workers, PostgreSQL and a Redis of its
own — under mixed load (API and portal intake with Idempotency-Key retries, transitions, queue pages,
searches) while a web instance is killed with kill -9, a worker is killed with kill -9 in the middle of a
job, Redis is stopped and started again empty (flushed: no persistence), and every database connection
of the cluster is terminated (pg_terminate_backend). Then: no complaint lost or duplicated, one case per
Idempotency-Key, every acknowledgement stored and sent exactly once, every timer due fired once, every
after-intake job done, and API intake never answered 500.

Needs DATABASE_URL (PostgreSQL), REDIS_URL (the services are configured), nginx and redis-server on the
PATH (bin/test-system-packages installs Debian's nginx); skipped without them unless REQUIRE_SERVICES=1.
About 3.5 minutes on the shared 2-core development machine (setup 40 s, load 40 s, drain up to 150 s):
longer than the 90 s aimed at. The 5-minute run and its figures are in docs/performance.md.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import _service_missing

ROOT = Path(__file__).resolve().parent.parent.parent


def _free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@pytest.fixture
def cluster_services():
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        # bin/test's SQLite pass unsets DATABASE_URL on purpose: the PostgreSQL pass runs this test.
        _service_missing(
            "the cluster test needs PostgreSQL (DATABASE_URL)",
            legitimately_absent=os.environ.get("TEST_DB_PASS") == "sqlite",
        )
    if not os.environ.get("REDIS_URL"):
        _service_missing("the cluster test needs Redis (REDIS_URL)")
    for tool in ("nginx", "redis-server", "redis-cli"):
        if not shutil.which(tool):
            _service_missing(f"the cluster test needs {tool} (bin/test-system-packages installs nginx)")
    return database_url


@pytest.mark.reads_database_url
@pytest.mark.long
def test_nothing_is_lost_or_done_twice_when_processes_redis_and_connections_die(cluster_services, tmp_path):
    nginx, web_a, web_b, redis = _free_ports(4)
    out = tmp_path / "cluster.json"
    database = "cd_cluster_ci"  # dropped and made again by each run; its migrated template is kept
    command = [
        sys.executable, "bench/cluster.py", "--duration", "40", "--clients", "4", "--drain", "150",
        "--restart-delay", "3", "--first-response", "0.004h", "--database", database, "--nginx-port", str(nginx),
        "--web-ports", f"{web_a},{web_b}", "--redis-port", str(redis), "--out", str(out),
    ]  # fmt: skip
    started = time.monotonic()
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    summary = run.stdout[run.stdout.find("== cluster summary") :]
    print(summary, f"\n(cluster test: {time.monotonic() - started:.0f} s)")
    assert out.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    figures = json.loads(out.read_text())
    result = figures["result"]

    events = "\n".join(figures["events"])
    assert "kill -9 gunicorn" in events and "restarted and answering" in events
    assert "kill -9 RQ worker" in events and "RQ worker" in events.split("kill -9 RQ worker", 1)[1]
    assert "Redis started again, empty" in events
    assert "pg_terminate_backend" in events

    assert result["accepted"] > 20, summary  # the load did run
    assert result["accepted_not_stored"] == 0, summary  # no complaint lost
    assert result["stored_not_accepted"] == 0, summary  # none stored without its 201 (API)
    assert result["accepted"] + result["portal_stored_not_confirmed"] == result["rows_stored"], summary
    assert result["keys_answered_with_two_cases"] == 0, summary  # no duplicate under retries
    assert (result["ack_rows_none"], result["ack_rows_twice"]) == (0, 0), summary
    assert (result["ack_sent_none"], result["ack_sent_twice"]) == (0, 0), summary  # each sent exactly once
    assert result["ack_sent_once"] == result["accepted"], summary
    assert (result["timers_due_never_fired"], result["timers_fired_twice"]) == (0, 0), summary
    assert figures["left_after_drain"]["outbox"] == 0, summary  # every after-intake job done
    # The API answers a terminated connection with 503 + Retry-After (the client resends with its key). The
    # portal still answers 500 when its query's connection is terminated under it (nothing is stored; the
    # visitor can send the form again): a known defect of the portal's view, not asserted here.
    assert figures["kinds"]["api_intake"]["statuses"].get("500", 0) == 0, summary
