"""Under gunicorn with several worker processes, /metrics adds up the request latencies of all of them
(prometheus-client's multiprocess mode), and /readyz answers from the shared database."""

import json
import re
import urllib.error
import urllib.request

import pytest

from .serving import Gunicorn, database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _get(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_metrics_count_the_requests_of_every_worker_process(org, tmp_path):
    env = {
        "DATABASE_URL": database_url(),
        "WEB_CONCURRENCY": "3",
        "GUNICORN_THREADS": "2",
        "REDIS_URL": "",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        "METRICS_TOKEN": "tok-multiprocess-1",
    }
    with Gunicorn(env=env, log=tmp_path / "gunicorn.log") as server:
        for _ in range(60):  # a new connection each: the requests spread over the three processes
            assert _get(f"{server.url}/healthz")[0] == 200
        assert _get(f"{server.url}/metrics")[0] == 404  # no token, not signed in
        pids = {path.name.split("_")[-1] for path in (tmp_path / "prometheus").glob("histogram_*.db")}
        status, body = _get(f"{server.url}/metrics", {"Authorization": "Bearer tok-multiprocess-1"})
        ready_status, ready = _get(f"{server.url}/readyz")
    assert status == 200
    text = body.decode()
    # At least the 60 above (the start-up wait asked /healthz too), whichever process served them.
    match = re.search(
        r'complaintdesk_http_request_duration_seconds_count\{method="GET",view="web:healthz"\} (\S+)', text
    )
    assert match, text[:2000]
    assert float(match.group(1)) >= 60
    assert len(pids) >= 2, pids  # more than one process wrote figures that the scrape added up
    assert ready_status == 503  # no worker has run in this test
    assert json.loads(ready)["checks"]["database"] == {"ok": True}
