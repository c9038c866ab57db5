"""Unauthenticated access is rate-limited per client address: 429 problem+json with Retry-After."""

import pytest
from django.test import Client

from complaintdesk.common.ratelimit import Rate, client_ip, ratelimit_hit

from .support import stored_rows


@pytest.fixture
def tight_limits(settings, time_machine):
    settings.RATE_LIMITS = {"api-auth-failure": "5/60", "api-docs": "3/60"}
    # Windows are fixed (a minute each): a test crossing into the next one would start counting again.
    time_machine.move_to("2026-11-23T10:00:05+08:00", tick=False)


def _assert_429(response) -> None:
    assert response.status_code == 429, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 429 and body["code"] == "rate_limited" and body["title"]
    assert 1 <= int(response["Retry-After"]) <= 60


def test_failed_authentication_is_limited_per_address(org, api_for, make_payload, tight_limits):
    before = stored_rows()
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [
        attacker.get("/api/v1/complaints", HTTP_AUTHORIZATION=f"Bearer cdt_guess{i}").status_code
        for i in range(5)
    ]
    assert statuses == [401] * 5
    _assert_429(attacker.get("/api/v1/complaints"))
    _assert_429(attacker.post("/api/v1/complaints", make_payload(), content_type="application/json"))
    _assert_429(attacker.get("/api/v1/complaints/TS20261123000001", HTTP_AUTHORIZATION="Basic eDp5"))
    assert stored_rows() == before

    # Another address is not affected, nor is a valid token from the limited one.
    assert Client(REMOTE_ADDR="198.51.100.9").get("/api/v1/complaints").status_code == 401
    api = api_for(org.agent_a)
    api.client.defaults["REMOTE_ADDR"] = "203.0.113.7"
    assert api.get("/complaints").status_code == 200


def test_schema_pages_are_limited(db, tight_limits):
    client = Client(REMOTE_ADDR="203.0.113.8")
    assert [client.get("/api/v1/openapi.json").status_code for _ in range(3)] == [200] * 3
    _assert_429(client.get("/api/v1/openapi.json"))
    _assert_429(client.get("/api/v1/docs"))


def test_limiter_counts_in_windows():
    rate = Rate(limit=2, seconds=60)
    assert ratelimit_hit(scope="test", key="k", rate=rate) is None
    assert ratelimit_hit(scope="test", key="k", rate=rate) is None
    retry_after = ratelimit_hit(scope="test", key="k", rate=rate)
    assert retry_after is not None and 1 <= retry_after <= 60
    assert ratelimit_hit(scope="test", key="other", rate=rate) is None
    assert ratelimit_hit(scope="other-scope", key="k", rate=rate) is None


def test_client_ip_trusts_forwarded_for_only_when_configured(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5, 10.0.0.2")
    assert client_ip(request) == "10.0.0.1"
    settings.RATE_LIMIT_TRUSTED_PROXIES = 1
    assert client_ip(request) == "10.0.0.2"
    settings.RATE_LIMIT_TRUSTED_PROXIES = 2
    assert client_ip(request) == "203.0.113.5"
