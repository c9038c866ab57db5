"""Shared test fixtures: a small organisation with two stores, users of each role, API clients.

Service-dependent tests are marked `postgres` / `redis`: they run when the service is configured,
skip otherwise, and fail instead of skipping when REQUIRE_SERVICES=1 (CI). The SQLite pass of
`bin/test` sets TEST_DB_PASS=sqlite, where PostgreSQL-only tests legitimately skip.
"""

import fcntl
import hashlib
import json
import os
import sqlite3
from contextlib import contextmanager
from functools import partial

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


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix, django_db_blocker, request, tmp_path_factory
):
    """Under xdist the test database is migrated once per run and copied for each worker, instead of
    each worker migrating its own (~20 s of CPU apiece, two passes of two workers at once on two cores).
    The first worker to ask builds the migrated copy with Django's own create_test_db; the others wait
    for it, then each gets a copy under the name it always had (test_<name>_gw0 …), and pytest-django
    goes on as before (serializing it for serialized_rollback, destroying it at the end). The copy is
    made by this run's migrations, never kept from an earlier run: a migrate of the run's own code is
    what every test is checked against. Without xdist, or with --reuse-db / --no-migrations, nothing
    changes. (pytest-django's hook for this: the fixture runs just before django_db_setup.)"""
    workerinput = getattr(request.config, "workerinput", None)
    if (
        workerinput is None
        or request.config.getvalue("reuse_db")
        or request.config.getvalue("nomigrations")
        or list(settings.DATABASES) != ["default"]
    ):
        yield
        return
    creation = connection.creation
    if connection.vendor == "postgresql":
        run = hashlib.sha256(workerinput["testrunuid"].encode()).hexdigest()[:32]
        template = creation._get_test_db_name().removesuffix(f"_{workerinput['workerid']}") + "_template"
        create = partial(_test_db_from_template, creation, template, run)
    elif connection.vendor == "sqlite" and creation.is_in_memory_db(creation._get_test_db_name()):
        # The workers' temporary folders are popen-gw0, popen-gw1 … in the run's own one.
        create = partial(
            _test_db_from_file, creation, tmp_path_factory.getbasetemp().parent / "migrated.sqlite3"
        )
    else:
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(creation, "create_test_db", create)
        yield
    if connection.vendor == "postgresql" and getattr(creation, "_copied_from_template", False):
        # After pytest-django has dropped this worker's copy: the first worker done drops the template
        # too (a worker whose copy was still to make would migrate it again).
        with django_db_blocker.unblock(), _template_lock(creation, template) as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(template)}")


@contextmanager
def _template_lock(creation, template):
    with creation._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [template])
        try:
            yield cursor
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [template])


def _test_db_from_template(
    creation, template, run, verbosity=1, autoclobber=False, serialize=True, keepdb=False
):
    """PostgreSQL: CREATE DATABASE test_<name>_gwN TEMPLATE test_<name>_template. The template carries
    the run's id as its comment once migrated; one from another run (or half made) is migrated again.
    Workers take turns under an advisory lock, so the template has no connection while it is copied."""
    alias, quote = creation.connection.alias, creation.connection.ops.quote_name
    name = creation._get_test_db_name()
    with _template_lock(creation, template) as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [template]
        )
        row = cursor.fetchone()
        if not row or row[0] != run:
            _migrate_template(creation, template, verbosity)
            cursor.execute(f"COMMENT ON DATABASE {quote(template)} IS '{run}'")  # run: hex digits
        if verbosity >= 1:
            creation.log(f"Copying test database {template} to {name}...")
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
        cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}")
    creation._copied_from_template = True
    creation.connection.close()
    creation.connection.close_pool()  # a pool opened before would still connect to the old name
    settings.DATABASES[alias]["NAME"] = creation.connection.settings_dict["NAME"] = name
    if serialize:
        creation.connection._test_serialized_contents = creation.serialize_db_to_string()
    creation.connection.ensure_connection()
    return name


def _migrate_template(creation, template, verbosity):
    connection_settings, alias = creation.connection.settings_dict, creation.connection.alias
    name, worker_test_name = connection_settings["NAME"], connection_settings["TEST"]["NAME"]
    connection_settings["TEST"]["NAME"] = template
    try:
        type(creation).create_test_db(creation, verbosity=verbosity, autoclobber=True, serialize=False)
    finally:
        creation.connection.close()
        creation.connection.close_pool()  # the pool's connections too: a template copied must have none
        connection_settings["TEST"]["NAME"] = worker_test_name
        settings.DATABASES[alias]["NAME"] = connection_settings["NAME"] = name


def _test_db_from_file(creation, path, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
    """SQLite (in memory): the first worker migrates its database as usual and writes a copy of it to
    the run's temporary folder; the others wait for that file and load it into their own."""
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            name = type(creation).create_test_db(creation, verbosity, autoclobber, serialize, keepdb)
            partial_copy = path.with_suffix(".part")
            copy = sqlite3.connect(partial_copy)
            creation.connection.connection.backup(copy)
            copy.close()
            partial_copy.rename(path)
            return name
    alias, name = creation.connection.alias, creation._get_test_db_name()
    if verbosity >= 1:
        creation.log(f"Copying test database {path} to {name}...")
    creation.connection.close()
    settings.DATABASES[alias]["NAME"] = creation.connection.settings_dict["NAME"] = name
    creation.connection.ensure_connection()
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    source.backup(creation.connection.connection)
    source.close()
    if serialize:
        creation.connection._test_serialized_contents = creation.serialize_db_to_string()
    return name


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
