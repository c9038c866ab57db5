"""Shared test fixtures: a small organisation with two stores, users of each role, API clients.

Service-dependent tests are marked `postgres` / `redis`: they run when the service is configured,
skip otherwise, and fail instead of skipping when REQUIRE_SERVICES=1 (CI). The SQLite pass of
`bin/test` sets TEST_DB_PASS=sqlite, where PostgreSQL-only tests legitimately skip.
"""

import json
import os

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.test import Client, override_settings
from django.utils import translation

from complaintdesk.accounts.models import Role
from complaintdesk.accounts.services import api_token_issue, user_create
from complaintdesk.complaints.models import Category
from complaintdesk.orgs.services import orgunit_create

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _service_missing(reason: str, *, legitimately_absent: bool = False):
    if REQUIRE_SERVICES and not legitimately_absent:
        pytest.fail(f"REQUIRE_SERVICES=1: {reason}")
    pytest.skip(reason)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Skip (or fail) before any fixture is set up: a transactional test skipped after its database was
    prepared would flush it and leave the next test without the data migrations' rows."""
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _service_missing(
            "needs PostgreSQL (set DATABASE_URL)",
            legitimately_absent=os.environ.get("TEST_DB_PASS") == "sqlite",
        )
    if item.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        _service_missing("needs Redis (set REDIS_URL)")
    if os.environ.get("TEST_DB_PASS") == "postgresql":
        if not _depends_on_the_services(item):
            pytest.skip("touches no database and reads no service: bin/test's SQLite pass ran it")
        if item.get_closest_marker("browser"):
            # The pages are the same on either database, and every query behind them is tested on both
            # by the view, service and API tests; the slow journeys run once.
            pytest.skip("a browser journey: bin/test's SQLite pass drives it")


_DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


def _depends_on_the_services(item) -> bool:
    """Whether a test can come out differently on PostgreSQL: it uses the database (pytest-django
    blocks every query of a test without it), needs Redis, or reads DATABASE_URL in a process of its own."""
    return bool(
        _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        or any(item.get_closest_marker(m) for m in ("django_db", "postgres", "redis", "reads_database_url"))
    )


class Org:
    """HQ → EAST region → SH branch → stores A and B, plus a billing department."""

    def __init__(self):
        self.hq = orgunit_create(code="HQ", name="总部", kind="hq")
        self.region = orgunit_create(code="EAST", name="华东大区", kind="region", parent=self.hq)
        self.branch = orgunit_create(code="SH", name="上海分公司", kind="branch", parent=self.region)
        self.store_a = orgunit_create(code="SH-A", name="徐汇门店", kind="store", parent=self.branch)
        self.store_b = orgunit_create(code="SH-B", name="浦东门店", kind="franchise", parent=self.branch)
        self.billing = orgunit_create(code="BILL", name="计费部", kind="department", parent=self.hq)
        self.category = Category.objects.create(
            code="billing_dispute", name="计费争议", name_en="Billing dispute"
        )
        self.agent_a = self.user("agent_a", Role.AGENT, self.store_a)
        self.agent_b = self.user("agent_b", Role.AGENT, self.store_b)
        self.manager = self.user("manager", Role.BUSINESS_MANAGER, self.branch)
        self.executive = self.user("exec", Role.EXECUTIVE, self.hq)
        self.inspector = self.user("qa", Role.QUALITY_INSPECTOR, self.hq)
        self.dept_staff = self.user("billing", Role.DEPARTMENT_STAFF, self.billing)
        self.api_a = self.user("api_a", Role.API_CLIENT, self.store_a)

    @staticmethod
    def user(username, role, unit):
        return user_create(username=username, password=None, role=role, org_unit=unit, display_name=username)


_truncate_every_table = PostgresOperations.sql_flush


def _delete_every_row(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    """After each transactional test Django empties every table with one TRUNCATE, which on PostgreSQL
    makes new files for each of ~150 tables and their indexes: about a second a test. DELETE of the few
    rows a test wrote empties them as well, in milliseconds. The session, a superuser's, turns the
    triggers off meanwhile: foreign keys (every table is emptied in the same transaction) and the
    timeline's append-only guard (which a deployment's role cannot turn off: bin/db-roles-check)."""
    if not hasattr(self.connection, "_test_superuser"):
        with self.connection.cursor() as cursor:
            cursor.execute("SHOW is_superuser")
            self.connection._test_superuser = cursor.fetchone()[0] == "on"
    if reset_sequences or allow_cascade or not tables or not self.connection._test_superuser:
        return _truncate_every_table(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    return ["SET LOCAL session_replication_role = replica"] + [
        f"DELETE FROM {self.quote_name(table)}" for table in tables
    ]


@pytest.fixture(scope="session", autouse=True)
def _sms_outbox_of_the_tests(tmp_path_factory):
    """The file SMS backend writes to pytest's own temporary folder, not to the repository's
    var/outbox/sms.jsonl, where a developer reads the messages of their demo (a run left ~1 400 there)."""
    with override_settings(NOTIFY_SMS_OUTBOX=tmp_path_factory.mktemp("outbox") / "sms.jsonl"):
        yield


@pytest.fixture(scope="session", autouse=True)
def _quick_flush_on_postgresql():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PostgresOperations, "sql_flush", _delete_every_row)
        yield


@pytest.fixture(autouse=True)
def _fresh_worker_wakes():
    """The SLA worker wake-up is throttled per process (once a second, real time); a test must not
    find it spent by the test before, or its due timers would wait for a sweep that never comes."""
    from complaintdesk.sla import timers

    timers._last_wake = timers._last_liveness_check = 0.0


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts in the site's language (Chinese), whatever an earlier test in the same worker
    left active; a test that needs English activates it itself."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def org(db):
    return Org()


class Api:
    """A JSON client that speaks as one user with a bearer token."""

    def __init__(self, user):
        _row, token = api_token_issue(user=user)
        self.user = user
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def _send(self, method, path, body=None, raw: bytes | None = None):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs = {"content_type": "application/json"} if data is not None else {}
        return getattr(self.client, method)(f"/api/v1{path}", data=data, **kwargs)

    def get(self, path):
        return self._send("get", path)

    def post(self, path, body=None, raw=None):
        return self._send("post", path, body, raw)

    def patch(self, path, body=None):
        return self._send("patch", path, body)


@pytest.fixture
def api_for(org):
    return Api


def complaint_payload(**overrides) -> dict:
    payload = {
        "channel": "phone",
        "customer": {"name": "王女士", "phone": "13800138000", "email": None, "account_no": None},
        "title": "宽带连续三天断网",
        "description": "家里宽带从周五晚上开始断网，重启光猫也没用，已经影响孩子上网课。",
        "demand": "尽快修好，并减免本月月租",
        "product": "家庭宽带",
        "occurred_at": "2026-11-20T20:00:00+08:00",
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def make_payload():
    return complaint_payload


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(
        (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
        or fixtures & {"transactional_db", "live_server", "django_db_reset_sequences"}
    )


def pytest_collection_modifyitems(items):
    """Transactional tests flush the database afterwards, which also removes what data migrations
    loaded (default templates, rules, ladders, taxonomy). Restoring that content before each such
    test keeps them independent of the order xdist happens to run them in.

    Tests marked `long` (a minute or more) go first: xdist hands tests out in this order, and one
    started last would keep a worker busy alone at the end of the run. First among those that leave the
    database as they found it, that is: pytest-django has put the transactional tests, which leave it
    empty, after every other test that uses it, and they stay there."""
    items.sort(key=lambda item: (_transactional(item), item.get_closest_marker("long") is None))  # stable
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(
                pytest.mark.django_db(**{**marker.kwargs, "serialized_rollback": True}), append=False
            )
