"""Refused input: 4xx problem+json naming the exact field, a message for people, and nothing written."""

import datetime as dt
import json
import re

import pytest

from complaintdesk.common.time import now, to_local

from .support import assert_problem, stored_rows

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _without(payload: dict, *path: str) -> dict:
    target = payload
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return payload


def _tomorrow() -> str:
    return to_local(now() + dt.timedelta(days=1)).isoformat()


def _with_customer(payload: dict, **fields) -> dict:
    payload["customer"] = payload["customer"] | fields
    return payload


# (case id, builds the request body from a valid payload, field named in `errors`)
CREATE_CASES = [
    ("missing-title", lambda p: _without(p, "title"), "title"),
    ("missing-description", lambda p: _without(p, "description"), "description"),
    ("missing-customer", lambda p: _without(p, "customer"), "customer"),
    ("missing-customer-name", lambda p: _without(p, "customer", "name"), "customer.name"),
    ("missing-channel", lambda p: _without(p, "channel"), "channel"),
    ("blank-title", lambda p: p | {"title": "   "}, "title"),
    ("blank-customer-name", lambda p: _with_customer(p, name=" "), "customer.name"),
    ("phone-too-short", lambda p: _with_customer(p, phone="12345"), "customer.phone"),
    ("phone-letters", lambda p: _with_customer(p, phone="abc"), "customer.phone"),
    ("no-contact-at-all", lambda p: _with_customer(p, phone=None), "customer.phone"),
    ("bad-email", lambda p: _with_customer(p, email="wang@"), "customer.email"),
    ("description-1mb", lambda p: p | {"description": "断" * 2 + "x" * (1024 * 1024)}, "description"),
    ("title-too-long", lambda p: p | {"title": "长" * 201}, "title"),
    ("unknown-unit", lambda p: p | {"org_unit": "NOPE"}, "org_unit"),
    ("occurred-tomorrow", lambda p: p | {"occurred_at": _tomorrow()}, "occurred_at"),
    ("occurred-naive", lambda p: p | {"occurred_at": "2026-11-20T20:00:00"}, "occurred_at"),
    ("occurred-yesterday-word", lambda p: p | {"occurred_at": "yesterday"}, "occurred_at"),
    ("title-as-number", lambda p: p | {"title": 12345}, "title"),
    ("customer-as-string", lambda p: p | {"customer": "王女士 13800138000"}, "customer"),
    ("unknown-field", lambda p: p | {"priority_boost": True}, "priority_boost"),
    ("unknown-customer-field", lambda p: _with_customer(p, id_card="110101199001011234"), "customer.id_card"),
    ("unknown-channel", lambda p: p | {"channel": "fax"}, "channel"),
    ("unknown-category", lambda p: p | {"category": "no_such_category"}, "category"),
    ("unknown-severity-feeling", lambda p: p | {"perceived_severity": "apocalyptic"}, "perceived_severity"),
]


@pytest.mark.parametrize(("build", "field"), [c[1:] for c in CREATE_CASES], ids=[c[0] for c in CREATE_CASES])
def test_create_refuses_bad_input_and_writes_nothing(org, api_for, make_payload, build, field):
    api = api_for(org.agent_a)
    payload = build(make_payload())
    before = stored_rows()

    body = assert_problem(api.post("/complaints", payload), 422, field)
    assert body["code"] == "invalid_input"
    # Chinese is the product's first language.
    assert CHINESE.search(body["title"])
    assert all(CHINESE.search(message) for message in body["errors"][field])
    assert stored_rows() == before

    # In English the same fields are named (the messages may not be translated yet).
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    english = assert_problem(api.post("/complaints", payload), 422, field)
    assert set(english["errors"]) == set(body["errors"])
    assert stored_rows() == before


def test_every_problem_of_one_request_is_reported_at_once(org, api_for, make_payload):
    payload = make_payload(title=" ", org_unit="NOPE", occurred_at=_tomorrow())
    payload["customer"]["phone"] = "12345"
    before = stored_rows()
    body = assert_problem(api_for(org.agent_a).post("/complaints", payload), 422, "title")
    assert set(body["errors"]) == {"title", "org_unit", "occurred_at", "customer.phone"}
    assert stored_rows() == before


def test_a_megabyte_in_utf8_is_refused_as_too_long(org, api_for, make_payload):
    # 350,000 Chinese characters ≈ 1 MB of UTF-8 on the wire.
    raw = json.dumps(make_payload(description="投" * 350_000), ensure_ascii=False).encode()
    assert len(raw) > 1_000_000
    before = stored_rows()
    body = assert_problem(api_for(org.agent_a).post("/complaints", raw=raw), 422, "description")
    assert "20000" in body["errors"]["description"][0].replace(",", "")
    assert stored_rows() == before


@pytest.mark.parametrize(
    "raw",
    [b'{"channel": "phone",', b"not json at all", b'{"title": "\xff\xfe"}', b"{'channel': 'phone'}"],
    ids=["truncated", "text", "invalid-utf8", "single-quotes"],
)
def test_broken_json_is_400_problem_on_body(org, api_for, raw):
    api = api_for(org.agent_a)
    before = stored_rows()
    body = assert_problem(api.post("/complaints", raw=raw), 400, "body")
    assert body["code"] == "malformed_json"
    assert CHINESE.search(body["errors"]["body"][0])
    assert stored_rows() == before


@pytest.mark.parametrize(
    "raw", [b"[]", b'"a complaint"', b"42", b"null"], ids=["array", "string", "number", "null"]
)
def test_json_that_is_not_an_object_is_refused_on_body(org, api_for, raw):
    before = stored_rows()
    response = api_for(org.agent_a).post("/complaints", raw=raw)
    body = assert_problem(response, response.status_code, "body")
    assert 400 <= response.status_code < 500
    assert stored_rows() == before
    assert body["errors"]["body"]


def test_empty_body_is_refused(org, api_for):
    before = stored_rows()
    assert_problem(api_for(org.agent_a).post("/complaints", raw=b""), 422, "body")
    assert stored_rows() == before


# Transitions and analysis of an existing case ----------------------------------------------------


@pytest.fixture
def case_number(org, api_for, make_payload):
    response = api_for(org.agent_a).post("/complaints", make_payload())
    assert response.status_code == 201
    return response.json()["number"]


def test_transition_to_unknown_state(org, api_for, case_number):
    before = stored_rows()
    body = assert_problem(
        api_for(org.agent_a).post(f"/complaints/{case_number}/transitions", {"to": "archived"}), 422, "to"
    )
    assert "accepted" in body["errors"]["to"][0]  # says what the valid states are
    assert stored_rows() == before


def test_illegal_transition_names_current_and_allowed_states(org, api_for, case_number):
    api = api_for(org.agent_a)
    before = stored_rows()
    body = assert_problem(api.post(f"/complaints/{case_number}/transitions", {"to": "closed"}), 422, "to")
    message = body["errors"]["to"][0]
    assert "new" in message and "待受理" in message  # the current state
    assert "accepted" in message and "withdrawn" in message  # the allowed ones
    assert "handling" not in message
    assert stored_rows() == before
    assert api.get(f"/complaints/{case_number}").json()["status"] == "new"

    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    english = assert_problem(api.post(f"/complaints/{case_number}/transitions", {"to": "closed"}), 422, "to")
    assert set(english["errors"]) == {"to"}
    assert "accepted" in english["errors"]["to"][0]


@pytest.mark.parametrize("reason", [None, "", "   "], ids=["absent", "empty", "blank"])
def test_transition_that_requires_a_reason(org, api_for, case_number, reason):
    payload = {"to": "withdrawn"} if reason is None else {"to": "withdrawn", "reason": reason}
    before = stored_rows()
    assert_problem(
        api_for(org.agent_a).post(f"/complaints/{case_number}/transitions", payload), 422, "reason"
    )
    assert stored_rows() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "to"),
        ({"to": 3}, "to"),
        ({"to": "accepted", "reason": 12}, "reason"),
        ({"to": "accepted", "note": "x"}, "note"),
    ],
    ids=["missing", "number", "reason-number", "unknown-field"],
)
def test_transition_payload_shape(org, api_for, case_number, payload, field):
    before = stored_rows()
    assert_problem(api_for(org.agent_a).post(f"/complaints/{case_number}/transitions", payload), 422, field)
    assert stored_rows() == before


def test_transition_broken_json(org, api_for, case_number):
    before = stored_rows()
    api = api_for(org.agent_a)
    assert_problem(api.post(f"/complaints/{case_number}/transitions", raw=b'{"to": "accepted",'), 400, "body")
    assert stored_rows() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"severity": "huge"}, "severity"),
        ({"complexity": "simple"}, "complexity"),
        ({"priority": 9}, "priority"),
        ({"priority": "high"}, "priority"),
        ({"category": "no_such_category"}, "category"),
        ({"responsibility": "the_moon"}, "responsibility"),
        ({"amount_at_stake": "a lot"}, "amount_at_stake"),
        ({"amount_at_stake": "-5"}, "amount_at_stake"),
        ({"is_batch": "maybe"}, "is_batch"),
        ({"status": "closed"}, "status"),
    ],
)
def test_analysis_refuses_bad_values_and_writes_nothing(org, api_for, case_number, payload, field):
    before = stored_rows()
    api = api_for(org.agent_a)
    assert_problem(api.patch(f"/complaints/{case_number}/analysis", payload), 422, field)
    assert stored_rows() == before
    detail = api.get(f"/complaints/{case_number}").json()
    assert detail["severity"] == "general" and detail["complexity"] == "general" and detail["priority"] == 3


@pytest.mark.parametrize(
    ("query", "field"), [("limit=abc", "limit"), ("status=bogus", "status"), ("open=perhaps", "open")]
)
def test_list_filters_are_checked(org, api_for, query, field):
    assert_problem(api_for(org.agent_a).get(f"/complaints?{query}"), 422, field)


def test_the_limits_themselves_are_accepted(org, api_for, make_payload):
    payload = make_payload(title="长" * 200, description="x" * 20_000)
    response = api_for(org.agent_a).post("/complaints", payload)
    assert response.status_code == 201, response.content
    assert len(response.json()["description"]) == 20_000
