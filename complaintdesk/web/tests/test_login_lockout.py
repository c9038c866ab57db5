"""The sign-in lockout by django-axes (web/lockout.py; the basic behaviour is in test_pages.py): how long
a lock lasts and what trying meanwhile does, the username counted whatever its case, attempts kept in
axes' tables and shown in the admin, the admin's own sign-in locked too, the policy from the
environment, hostile addresses refused without a 500. And the bulk-assign form's return address."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings

from complaintdesk.accounts.services import user_create
from complaintdesk.common.testing import clock as clock
from complaintdesk.common.testing import local
from complaintdesk.complaints.services import IntakeCustomer, IntakeData, complaint_create

PASSWORD = "s3cret-pass-123"
LOCKED = "登录失败次数过多"


def _fail(client, username, times):
    for _attempt in range(times):
        response = client.post("/login/", {"username": username, "password": "wrong"})
    return response.content.decode()


def _signs_in(client, username) -> bool:
    return client.post("/login/", {"username": username, "password": PASSWORD}).status_code == 302


@pytest.fixture
def person(org):
    return user_create(username="lock_me", password=PASSWORD, role="agent", org_unit=org.store_a)


def test_the_lock_lasts_fifteen_minutes_from_the_last_failure_and_trying_does_not_lengthen_it(person, clock):
    client = Client(REMOTE_ADDR="10.1.0.1")
    clock.at(local(2026, 12, 7, 9))
    assert "15 分钟" in _fail(client, "lock_me", 5)
    clock.at(local(2026, 12, 7, 9, 10))
    response = client.post("/login/", {"username": "lock_me", "password": PASSWORD})
    page = response.content.decode()
    assert response.status_code == 200 and LOCKED in page and "5 分钟" in page  # the time left
    clock.at(local(2026, 12, 7, 9, 14, 59))
    assert not _signs_in(client, "lock_me")
    clock.at(local(2026, 12, 7, 9, 15, 1))  # 15 minutes after the fifth failure, whatever came between
    assert _signs_in(client, "lock_me")


def test_failures_older_than_the_lockout_no_longer_count(person, clock):
    client = Client(REMOTE_ADDR="10.1.0.2")
    clock.at(local(2026, 12, 7, 9))
    _fail(client, "lock_me", 4)
    clock.at(local(2026, 12, 7, 9, 16))
    assert LOCKED not in _fail(client, "lock_me", 1)  # a fresh count: one failure
    assert _signs_in(client, "lock_me")


def test_the_username_counts_whatever_its_case_and_spaces(person):
    client = Client(REMOTE_ADDR="10.1.0.3")
    for name in ("LOCK_ME", "Lock_Me", "lock_me ", "lock_me"):
        _fail(client, name, 1)
    assert LOCKED in _fail(client, "Lock_me", 1)
    assert not _signs_in(client, "lock_me")
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == ("lock_me", "10.1.0.3", 5)


def test_attempts_are_in_the_admin(person, org):
    _fail(Client(REMOTE_ADDR="10.1.0.4"), "lock_me", 5)
    admin = user_create(username="admin_x", password=PASSWORD, role="administrator", org_unit=org.hq)
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/axes/accessattempt/").content.decode()
    assert "lock_me" in page and "10.1.0.4" in page
    assert client.get("/admin/").status_code == 200


def test_the_admin_sign_in_is_locked_too_with_a_clear_answer(person):
    client = Client(REMOTE_ADDR="10.1.0.5")
    for _attempt in range(5):
        response = client.post("/admin/login/", {"username": "lock_me", "password": "wrong"})
    assert response.status_code == 429 and LOCKED in response.content.decode()
    response = client.post(
        "/admin/login/", {"username": "lock_me", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 429 and "Too many failed sign-in attempts" in response.content.decode()


@override_settings(RATE_LIMIT_TRUSTED_PROXIES=1)
def test_an_address_that_is_not_one_is_no_500(person):
    for forwarded in ("not-an-address", "10.0.0.1\x00", "999.1.1.1", "::ffff:zz"):
        client = Client(REMOTE_ADDR="10.1.0.6", HTTP_X_FORWARDED_FOR=forwarded)
        response = client.post("/login/", {"username": "lock_me", "password": "wrong"})
        assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()


def test_the_policy_comes_from_the_environment():
    code = (
        "import config.settings.base as s; print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds())"
    )
    env = {**os.environ, "LOGIN_FAILURE_LIMIT": "3", "LOGIN_LOCKOUT_SECONDS": "600"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["3", "600.0"]
    assert settings.AXES_FAILURE_LIMIT == 5 and settings.AXES_COOLOFF_TIME == dt.timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_lower_limit_locks_sooner(person):
    client = Client(REMOTE_ADDR="10.1.0.7")
    assert LOCKED not in _fail(client, "lock_me", 2)
    assert LOCKED in _fail(client, "lock_me", 1)


# --- the bulk-assign form's return address ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "lands_on"),
    [
        ("/queues/unassigned/", "/queues/unassigned/"),
        ("//evil.example/queues/", "/"),
        ("/\\evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_bulk_assign_returns_only_to_a_page_of_this_site(org, given, lands_on):
    case = complaint_create(
        data=IntakeData(
            channel="phone",
            title="快递丢件",
            description="包裹显示签收但我没收到",
            customer=IntakeCustomer(name="李先生", phone="13900139000"),
        ),
        actor=org.agent_a,
    )
    client = Client()
    client.force_login(org.manager)
    response = client.post(
        "/queues-assign/", {"numbers": [case.number], "assignee": "agent_a", "reason": "分派", "next": given}
    )
    assert response.status_code == 302 and response["Location"] == lands_on
