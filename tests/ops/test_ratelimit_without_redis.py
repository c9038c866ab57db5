"""The rate limiter when its cache (Redis) cannot be reached: nobody gets a 500 — a customer filing a
complaint on the portal least of all — and the limits go on, counted in the process meanwhile.

bench/cluster.py found the portal answering 500 while its Redis was restarting."""

import socket
import uuid

import pytest
from django.test import Client

from complaintdesk.complaints.models import Complaint

FORM = {
    "name": "王丽女士",
    "phone": "138 0013 8000",
    "preferred_channel": "sms",
    "title": "宽带连续三天断网",
    "description": "家里宽带从周五晚上开始断网，重启光猫也没用。",
    "demand": "尽快修好，并减免本月月租",
    "org_unit": "SH-A",
}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


@pytest.fixture
def redis_away(settings):
    """The rate-limit cache is a Redis nobody answers at (stopped, restarting)."""
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit-away": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
        },
    }
    settings.RATE_LIMIT_CACHE = "ratelimit-away"
    return settings


@pytest.mark.django_db
def test_the_portal_files_a_complaint_while_redis_is_away(org, redis_away):
    client = Client(REMOTE_ADDR="198.51.100.20")
    assert client.get("/portal/").status_code == 200
    response = client.post("/portal/", FORM)
    assert response.status_code == 302, response.content.decode()[:500]
    assert "/portal/filed/" in response["Location"]
    assert Complaint.objects.filter(title=FORM["title"]).count() == 1


@pytest.mark.django_db
def test_the_limits_still_hold_while_redis_is_away(org, redis_away):
    redis_away.RATE_LIMITS = {**redis_away.RATE_LIMITS, "portal-file": "2/3600"}
    client = Client(REMOTE_ADDR="198.51.100.21")
    statuses = [client.post("/portal/", {**FORM, "title": f"断网第{i}次"}).status_code for i in range(3)]
    assert statuses == [302, 302, 429]
    assert Complaint.objects.filter(title__startswith="断网第").count() == 2


@pytest.mark.django_db
def test_the_api_answers_a_bad_token_with_401_not_500_while_redis_is_away(org, redis_away):
    response = Client(REMOTE_ADDR="198.51.100.22").get(
        "/api/v1/complaints", HTTP_AUTHORIZATION="Bearer cdt_not_a_token"
    )
    assert response.status_code == 401
