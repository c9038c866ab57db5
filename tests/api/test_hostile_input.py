"""Input that used to give a 500 (issue 18): NUL characters and unpaired surrogates, times no one
complains about, a JSON body under another Content-Type, and a database that is away. Each is now a
clear problem+json naming the field (or 415 / 503), and nothing is written."""

import json

import psycopg
import pytest
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.db.backends.utils import CursorWrapper
from django.test import Client

from .support import assert_problem, stored_rows

CANNOT_STORE = "不能包含空字符"


def _raw(payload: dict) -> bytes:
    # json.dumps escapes NUL as \u0000 and a lone surrogate as \ud800, as a hostile client sends them.
    return json.dumps(payload).encode()


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/work-orders?department=X%00", "department"),
        ("/complaints?q=a%00b", "q"),
        ("/complaints?unit=SH-A%00", "unit"),
        ("/compensation/totals?unit=%00", "unit"),
        ("/complaints/TS2026%00", "number"),
    ],
    ids=["work-orders-department", "complaints-q", "complaints-unit", "totals-unit", "path-number"],
)
def test_nul_in_query_or_path_is_422_on_that_parameter(org, api_for, path, field):
    body = assert_problem(api_for(org.agent_a).get(path), 422, field)
    assert CANNOT_STORE in body["errors"][field][0]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda p: p | {"title": "a\x00b"}, "title"),
        (lambda p: p | {"description": "断网\x00"}, "description"),
        (lambda p: p | {"title": "\ud800"}, "title"),
        (lambda p: p | {"title": "ok", "demand": "x\udfff"}, "demand"),
        (lambda p: p | {"customer": p["customer"] | {"name": "王\x00"}}, "customer.name"),
    ],
    ids=["title-nul", "description-nul", "title-lone-surrogate", "demand-low-surrogate", "customer-name-nul"],
)
def test_text_no_column_can_hold_is_422_on_the_field_and_nothing_is_written(
    org, api_for, make_payload, change, field
):
    api = api_for(org.agent_a)
    before = stored_rows()
    body = assert_problem(api.post("/complaints", raw=_raw(change(make_payload()))), 422, field)
    assert body["code"] == "invalid_input"
    assert CANNOT_STORE in body["errors"][field][0]
    assert stored_rows() == before


def test_every_bad_field_of_one_body_is_named_at_once(org, api_for, make_payload):
    payload = make_payload(title="\x00", description="\ud800")
    payload["customer"]["name"] = "a\x00"
    body = assert_problem(api_for(org.agent_a).post("/complaints", raw=_raw(payload)), 422, "title")
    assert set(body["errors"]) == {"title", "description", "customer.name"}


def test_nul_in_a_note_on_an_existing_case(org, api_for, make_payload):
    api = api_for(org.agent_a)
    number = api.post("/complaints", make_payload()).json()["number"]
    before = stored_rows()
    assert_problem(api.post(f"/complaints/{number}/notes", raw=_raw({"text": "内部\x00备注"})), 422, "text")
    assert stored_rows() == before


def _nested(depth: int, inner: str = "") -> bytes:
    """{"title": [[[ … "inner" … ]]], …}: `depth` arrays inside each other, 2 bytes a level."""
    return b'{"title":' + b"[" * depth + json.dumps(inner).encode() + b"]" * depth + b"}"


@pytest.mark.parametrize("idempotency_key", [None, "deep-1"])
def test_json_nested_deeper_than_the_reader_goes_is_400_and_nothing_is_written(org, api_for, idempotency_key):
    api = api_for(org.agent_a)
    before = stored_rows()
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
    response = api.client.post(
        "/api/v1/complaints", data=_nested(100_000), content_type="application/json", **headers
    )
    body = assert_problem(response, 400, "body")
    assert body["code"] == "malformed_json"
    assert stored_rows() == before


def test_a_nul_deep_inside_nested_json_is_found_without_exhausting_the_stack(org, api_for):
    """As deep as the JSON reader goes (it stops near Python's recursion limit): the NUL check must not
    recurse once per level on top of the request's own stack."""
    api = api_for(org.agent_a)
    for depth in range(990, 100, -10):  # the deepest body the reader still takes, whatever the stack
        response = api.post("/complaints", raw=_nested(depth, "断网\x00"))
        if response.status_code != 400:
            break
    body = assert_problem(response, 422, "title." + ".".join(["0"] * depth))
    assert CANNOT_STORE in next(iter(body["errors"].values()))[0]


@pytest.mark.parametrize(
    "value",
    [
        "1237-06-01T00:04:46Z",
        "0001-01-01T00:00:00Z",
        "1999-12-31T00:00:00+08:00",
        "9999-12-31T23:59:59Z",
        "-1",
        "1700000000",
    ],
    ids=["year-1237", "year-1", "1999", "year-9999", "minus-one", "unix-seconds"],
)
def test_times_outside_the_working_range_are_refused(org, api_for, make_payload, value):
    api = api_for(org.agent_a)
    before = stored_rows()
    body = assert_problem(api.post("/complaints", make_payload(occurred_at=value)), 422, "occurred_at")
    message = body["errors"]["occurred_at"][0]
    assert "2000-01-01" in message or "ISO 8601" in message
    assert stored_rows() == before
    # The same type guards the list filters.
    assert_problem(api.get(f"/complaints?created_from={value.replace('+', '%2B')}"), 422, "created_from")


def test_a_time_inside_the_range_comes_back_in_the_documented_format(org, api_for, make_payload):
    response = api_for(org.agent_a).post("/complaints", make_payload(occurred_at="2000-01-01T08:00:00+08:00"))
    assert response.status_code == 201, response.content
    assert response.json()["occurred_at"] == "2000-01-01T08:00:00+08:00"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("month_to=0", "month_to"),
        ("month_from=-1", "month_from"),
        ("month_to=1900-01-01", "month_to"),
        ("month_from=2026-13-01", "month_from"),
    ],
)
def test_compensation_totals_months_are_checked(org, api_for, query, field):
    assert_problem(api_for(org.manager).get(f"/compensation/totals?{query}"), 422, field)


def test_compensation_totals_with_real_months_answers(org, api_for):
    response = api_for(org.manager).get("/compensation/totals?month_from=2026-01-01&month_to=2026-12-01")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("query", ["start=0001-01-01&end=2026-01-31", "start=2026-01-01&end=0"])
def test_quality_period_dates_are_checked(org, api_for, query):
    response = api_for(org.inspector).get(f"/quality/scores?{query}")
    assert response.status_code == 422, response.content


@pytest.mark.parametrize("path", ["/analytics/kpis", "/analytics/scorecards"])
@pytest.mark.parametrize("agent", ["99999999999999999999", "9223372036854775808", "0"])
def test_an_agent_id_no_column_holds_is_422_on_agent(org, api_for, path, agent):
    """SQLite cannot even be asked about an id past 2**63 - 1 (OverflowError, was a 500)."""
    response = api_for(org.manager).get(f"{path}?month_from=2026-01&month_to=2026-12&agent={agent}")
    assert_problem(response, 422, "agent")


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_json_body_under_another_content_type_is_415(org, api_for, make_payload, content_type):
    api = api_for(org.agent_a)
    before = stored_rows()
    response = api.client.post(
        "/api/v1/complaints", data=json.dumps(make_payload()), content_type=content_type
    )
    body = assert_problem(response, 415, "body")
    assert body["code"] == "unsupported_media_type"
    assert "application/json" in body["detail"]
    assert stored_rows() == before
    # With the right type the same body is taken.
    ok = api.client.post(
        "/api/v1/complaints", data=json.dumps(make_payload()), content_type="application/json"
    )
    assert ok.status_code == 201, ok.content


# The database is away ----------------------------------------------------------------------------------


@pytest.fixture
def database_away(db):
    """Calling it makes every statement fail as when PostgreSQL refuses or drops connections (undone
    before the test's transaction is rolled back)."""

    def refuse(self, *args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    with pytest.MonkeyPatch.context() as patch:

        def go_away():
            patch.setattr(CursorWrapper, "execute", refuse)
            patch.setattr(CursorWrapper, "executemany", refuse)

        yield go_away


def _assert_service_unavailable(response):
    assert response.status_code == 503, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert body["status"] == 503 and body["code"] == "service_unavailable" and body["title"]


def test_database_refusing_connections_is_503_problem_with_retry_after(
    org, api_for, make_payload, database_away
):
    api = api_for(org.agent_a)
    database_away()
    _assert_service_unavailable(api.get("/complaints"))
    _assert_service_unavailable(api.post("/complaints", make_payload()))
    _assert_service_unavailable(api.get("/complaints/TS20260101000001"))
    # A key's retry is welcome once the database is back.
    api.client.defaults["HTTP_IDEMPOTENCY_KEY"] = "retry-me-1"
    _assert_service_unavailable(api.post("/complaints", make_payload()))


def test_interface_error_is_503_too(org, api_for):
    def closed(self, *args, **kwargs):
        raise InterfaceError("connection already closed")

    api = api_for(org.agent_a)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CursorWrapper, "execute", closed)
        _assert_service_unavailable(api.get("/work-orders"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_connection_terminated_mid_run_is_503_then_recovers(org, api_for, make_payload):
    """A real dropped connection: another session terminates this one's backend; the next request is a
    503 problem, and the one after it (a new connection) works."""
    api = api_for(org.agent_a)
    assert api.get("/complaints").status_code == 200
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    with psycopg.connect(
        **{k: v for k, v in params.items() if k in {"host", "port", "user", "password", "dbname"}},
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    _assert_service_unavailable(api.get("/complaints"))
    # What the end of every real request does (Django's test client leaves it out): a broken connection
    # is closed, so the next request opens a new one.
    close_old_connections()
    assert api.get("/complaints").status_code == 200


# The schema says so ----------------------------------------------------------------------------------------


def test_schema_documents_the_refusals(db):
    schema = Client().get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            problem = responses["503"]["content"]["application/problem+json"]["schema"]
            assert problem["$ref"].endswith("/ProblemOut"), (path, method)
            assert "Retry-After" in responses["503"]["headers"], (path, method)
            if method in {"post", "patch"}:
                for status in ("415", "422"):
                    assert responses[status]["content"]["application/problem+json"]["schema"][
                        "$ref"
                    ].endswith("/ProblemOut"), (path, method, status)
                assert "2000-01-01" in responses["422"]["description"], (path, method)
    occurred_at = schema["components"]["schemas"]["ComplaintIn"]["properties"]["occurred_at"]
    assert "2000-01-01" in json.dumps(occurred_at, ensure_ascii=False)
