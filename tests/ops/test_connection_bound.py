"""Database connections stay bounded under load: gunicorn on PostgreSQL, a few thousand mixed page and
API requests from 16 clients, and the server never holds more connections than its pool allows."""

import http.client
import json
import random
import threading
import time
from collections import Counter

import psycopg
import pytest
from django.db import connection
from django.test import Client

from complaintdesk.accounts.services import api_token_issue

from .serving import Gunicorn, database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS, THREADS, POOL_MAX = 2, 4, 2  # 8 threads could hold 8 connections; the pool allows 2 per process
CLIENTS, REQUESTS_PER_CLIENT = 16, 125  # 2000 requests


def _body(n: int) -> bytes:
    return json.dumps(
        {
            "channel": "phone",
            "customer": {"name": "王女士", "phone": f"1380013{n % 10000:04d}"},
            "title": "宽带连续三天断网",
            "description": "家里宽带从周五晚上开始断网，重启光猫也没用，已经影响孩子上网课。",
            "demand": "尽快修好，并减免本月月租",
            "recorded_by": {"name": "坐席 8001"},
        },
        ensure_ascii=False,
    ).encode()


def _sample_connections(application_name: str, stop: threading.Event, seen: list[int]) -> None:
    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        password=s["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        while not stop.is_set():
            (count,) = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [application_name]
            ).fetchone()
            seen.append(count)
            time.sleep(0.02)


@pytest.mark.long
def test_gunicorn_holds_no_more_connections_than_its_pool_bound(org, tmp_path):
    staff = Client()
    staff.force_login(org.manager)
    session = staff.cookies["sessionid"].value
    _row, token = api_token_issue(user=org.api_a)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    numbers = []
    for n in range(5):
        response = api.post("/api/v1/complaints", data=_body(n), content_type="application/json")
        assert response.status_code == 201, response.content
        numbers.append(response.json()["number"])

    application_name = f"cd-bound-{tmp_path.name}"[:60]
    env = {
        "DATABASE_URL": database_url(),
        "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_THREADS": str(THREADS),
        "DB_POOL_MAX_SIZE": str(POOL_MAX),
        "DB_POOL_MIN_SIZE": "1",
        "DB_APPLICATION_NAME": application_name,
        "REDIS_URL": "",
    }
    statuses: Counter = Counter()
    failures: list[str] = []
    with Gunicorn(env=env, log=tmp_path / "gunicorn.log") as server:
        seen: list[int] = []
        stop = threading.Event()
        sampler = threading.Thread(target=_sample_connections, args=(application_name, stop, seen))
        sampler.start()

        def client(index: int) -> None:
            rng = random.Random(index)
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            page_headers = {"Cookie": f"sessionid={session}"}
            api_headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            for i in range(REQUESTS_PER_CLIENT):
                kind = rng.random()
                number = rng.choice(numbers)
                if kind < 0.15:
                    request = ("GET", f"/complaints/{number}/", None, page_headers)
                elif kind < 0.30:
                    request = ("GET", "/", None, page_headers)
                elif kind < 0.50:
                    request = ("GET", f"/api/v1/complaints/{number}", None, api_headers)
                elif kind < 0.65:
                    request = ("GET", "/api/v1/complaints?limit=20", None, api_headers)
                elif kind < 0.85:
                    request = ("POST", "/api/v1/complaints", _body(index * 1000 + i), api_headers)
                else:
                    request = ("GET", "/healthz", None, {})
                method, path, body, headers = request
                try:
                    conn.request(method, path, body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as error:
                    failures.append(f"{method} {path}: {error!r}")
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
                    continue
                statuses[(method, path.split("?")[0].split("/")[1] or "/", response.status)] += 1
                if response.status >= 400:
                    failures.append(f"{method} {path}: {response.status}")
            conn.close()

        started = time.monotonic()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        stop.set()
        sampler.join()

    total = sum(statuses.values())
    print(f"{total} requests in {elapsed:.1f} s; connections sampled {len(seen)} times, at most {max(seen)}")
    assert not failures, failures[:10]
    assert total == CLIENTS * REQUESTS_PER_CLIENT
    assert max(seen) >= 1  # the sampler saw the server's connections
    assert max(seen) <= WORKERS * POOL_MAX, f"{max(seen)} connections held; bound {WORKERS * POOL_MAX}"


@pytest.mark.postgres
@pytest.mark.django_db
def test_pooled_connections_still_prepare_statements_they_run_repeatedly():
    """The pool and server-side binding work together: a statement run a fifth time is prepared."""
    from complaintdesk.complaints.models import Category

    assert connection.pool is not None and connection.settings_dict["CONN_MAX_AGE"] == 0
    for _ in range(connection.settings_dict["OPTIONS"]["prepare_threshold"] + 1):
        list(Category.objects.filter(code="pool-check"))
    with connection.cursor() as cursor:
        # The value travels apart from the statement ($1), so the statement's own text is looked for.
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "complaints_category" WHERE "complaints_category"."code" = $1%'],
        )
        (prepared,) = cursor.fetchone()
    assert prepared == 1
