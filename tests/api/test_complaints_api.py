"""API v1 end to end: intake, detail with timeline, transitions, analysis, OpenAPI, authentication."""

import datetime as dt
import re

from django.test import Client

from complaintdesk.accounts.models import ApiToken
from complaintdesk.accounts.services import api_token_revoke
from complaintdesk.calendars.workdays import WorkCalendar
from complaintdesk.complaints.models import Complaint, ComplaintEvent

from .support import stored_rows

NUMBER = re.compile(r"^TS(\d{8})(\d{6})$")
PLUS_EIGHT = dt.timedelta(hours=8)
DEADLINE_FIELDS = ("first_response_due_at", "resolution_due_at", "acknowledge_due_at")


def local_time(text: str) -> dt.datetime:
    """An ISO 8601 string from the API, which must carry the +08:00 offset of the organisation."""
    assert isinstance(text, str) and text.endswith("+08:00"), text
    value = dt.datetime.fromisoformat(text)
    assert value.utcoffset() == PLUS_EIGHT
    return value


def as_sent(value: dt.datetime) -> dt.datetime:
    """A stored time as the API writes it: JSON times carry milliseconds, not microseconds."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def create(api, payload) -> dict:
    response = api.post("/complaints", payload)
    assert response.status_code == 201, response.content
    return response.json()


def test_create_returns_number_status_and_deadlines(org, api_for, make_payload):
    body = create(api_for(org.agent_a), make_payload())

    created_at = local_time(body["created_at"])
    match = NUMBER.match(body["number"])
    assert match, body["number"]
    assert match.group(1) == f"{created_at:%Y%m%d}"  # the local (Shanghai) date of intake
    assert int(match.group(2)) >= 1
    assert body["status"] == "new"
    assert body["channel"] == "phone"
    assert body["title"] == "宽带连续三天断网"
    deadlines = {name: local_time(body[name]) for name in DEADLINE_FIELDS}
    # Defaults of SPEC §3 for a general, simple complaint.
    assert deadlines["first_response_due_at"] == created_at + dt.timedelta(hours=24)
    assert deadlines["resolution_due_at"] == created_at + dt.timedelta(hours=48)
    # Two working days: at least two calendar days later.
    assert deadlines["acknowledge_due_at"] >= created_at + dt.timedelta(days=2)
    calendar = WorkCalendar()
    expected_provisional = any(
        calendar.is_provisional(created_at.date() + dt.timedelta(days=d))
        for d in range((deadlines["acknowledge_due_at"].date() - created_at.date()).days + 1)
    )
    assert body["deadline_provisional"] is expected_provisional
    assert body["sla_paused"] is False

    stored = Complaint.objects.get(number=body["number"])
    assert stored.status == "new" and stored.is_open
    assert stored.created_by == org.agent_a
    assert stored.customer.phone == "+8613800138000"
    assert as_sent(stored.first_response_due_at) == deadlines["first_response_due_at"]


def test_create_defaults_org_unit_to_the_callers_unit(org, api_for, make_payload):
    body = create(api_for(org.agent_a), make_payload())
    assert body["org_unit"] == "SH-A"
    assert Complaint.objects.get(number=body["number"]).org_unit == org.store_a

    body = create(api_for(org.manager), make_payload())
    assert body["org_unit"] == "SH"


def test_create_in_a_unit_below_the_callers(org, api_for, make_payload):
    body = create(api_for(org.manager), make_payload(org_unit="SH-B"))
    assert body["org_unit"] == "SH-B"
    assert Complaint.objects.get(number=body["number"]).org_unit == org.store_b


def test_numbers_of_consecutive_intakes_differ_and_increase(org, api_for, make_payload):
    api = api_for(org.agent_a)
    first, second = create(api, make_payload())["number"], create(api, make_payload())["number"]
    assert first != second
    if first[2:10] == second[2:10]:
        assert int(second[10:]) == int(first[10:]) + 1


def test_detail_has_timeline_and_allowed_transitions(org, api_for, make_payload):
    api = api_for(org.agent_a)
    number = create(api, make_payload())["number"]

    response = api.get(f"/complaints/{number}")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == number
    assert body["description"].startswith("家里宽带")
    assert body["demand"] == "尽快修好，并减免本月月租"
    assert local_time(body["occurred_at"]) == dt.datetime.fromisoformat("2026-11-20T20:00:00+08:00")
    assert [event["kind"] for event in body["timeline"]] == ["created"]
    created = body["timeline"][0]
    assert created["actor"] == "agent_a"
    assert created["new_value"] == "new"
    local_time(created["at"])
    assert body["allowed_transitions"] == ["accepted", "escalated", "withdrawn"]  # agents may escalate
    assert set(body["stage_times"]) >= {"accepted_at", "resolved_at", "closed_at", "escalated_at"}
    assert all(value is None for value in body["stage_times"].values())


def test_transition_moves_state_stamps_and_records_reason(org, api_for, make_payload):
    api = api_for(org.agent_a)
    number = create(api, make_payload())["number"]

    response = api.post(f"/complaints/{number}/transitions", {"to": "accepted", "reason": "已电话联系客户"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted"
    accepted_at = local_time(body["stage_times"]["accepted_at"])
    assert all(v is None for k, v in body["stage_times"].items() if k != "accepted_at")
    assert body["allowed_transitions"] == ["analysing", "handling", "escalated", "withdrawn"]
    assert body["assignee"] == "agent_a"  # accepting takes the case
    transitions = [e for e in body["timeline"] if e["kind"] == "transition"]
    assert len(transitions) == 1
    assert transitions[0] | {"at": None} == {
        "at": None,
        "actor": "agent_a",
        "kind": "transition",
        "field": "status",
        "old_value": "new",
        "new_value": "accepted",
        "reason": "已电话联系客户",
        # The same event in words, for people (complaints.event_text).
        "kind_label": "状态变更",
        "field_label": "状态",
        "old_label": "待受理",
        "new_label": "已受理",
        "channel_label": "",
        "text": "",
    }
    assert local_time(transitions[0]["at"]) == accepted_at

    stored = Complaint.objects.get(number=number)
    assert stored.status == "accepted"
    assert as_sent(stored.accepted_at) == accepted_at
    assert stored.first_responded_at == stored.accepted_at
    # The same state seen again through GET.
    assert api.get(f"/complaints/{number}").json()["status"] == "accepted"


def test_analysis_major_severity_moves_first_response_to_two_hours(org, api_for, make_payload):
    api = api_for(org.agent_a)
    body = create(api, make_payload())
    number, created_at = body["number"], local_time(body["created_at"])
    before = local_time(body["first_response_due_at"])

    response = api.patch(
        f"/complaints/{number}/analysis", {"severity": "major", "reason": "涉及网课，影响大"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["severity"] == "major"
    assert local_time(body["first_response_due_at"]) == created_at + dt.timedelta(hours=2)
    assert local_time(body["due_at"]) == created_at + dt.timedelta(hours=2)  # now the nearest deadline

    changed = [e for e in body["timeline"] if e["kind"] == "field_changed"]
    assert [(e["field"], e["old_value"], e["new_value"]) for e in changed] == [
        ("severity", "general", "major")
    ]
    assert changed[0]["reason"] == "涉及网课，影响大"
    assert changed[0]["actor"] == "agent_a"
    deadline_events = {e["field"]: e for e in body["timeline"] if e["kind"] == "deadlines"}
    assert "first_response_due_at" in deadline_events
    moved = deadline_events["first_response_due_at"]
    assert as_sent(dt.datetime.fromisoformat(moved["old_value"])) == before
    assert as_sent(dt.datetime.fromisoformat(moved["new_value"])) == created_at + dt.timedelta(hours=2)
    assert moved["reason"]

    stored = Complaint.objects.get(number=number)
    assert stored.severity == "major"
    assert stored.first_response_due_at == stored.created_at + dt.timedelta(hours=2)


def test_analysis_without_changes_writes_nothing(org, api_for, make_payload):
    api = api_for(org.agent_a)
    number = create(api, make_payload())["number"]
    events = ComplaintEvent.objects.count()
    response = api.patch(f"/complaints/{number}/analysis", {"severity": "general"})
    assert response.status_code == 200
    assert ComplaintEvent.objects.count() == events


def test_openapi_document(org):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert re.match(r"^3\.\d+(\.\d+)?$", schema["openapi"])
    assert schema["info"]["title"] and schema["info"]["version"] == "1"
    paths = schema["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/complaints"])
    assert "get" in paths["/api/v1/complaints/{number}"]
    assert "post" in paths["/api/v1/complaints/{number}/transitions"]
    assert "patch" in paths["/api/v1/complaints/{number}/analysis"]

    schemes = schema["components"]["securitySchemes"]
    bearer = [name for name, scheme in schemes.items() if scheme == {"type": "http", "scheme": "bearer"}]
    assert bearer, schemes
    create_op = paths["/api/v1/complaints"]["post"]
    assert {bearer[0]: []} in create_op["security"]

    schemas = schema["components"]["schemas"]
    assert {"type", "title", "status", "code", "errors"} <= set(schemas["ProblemOut"]["properties"])
    assert "ComplaintIn" in schemas and "ComplaintOut" in schemas
    assert set(create_op["responses"]) >= {"201", "401", "422"}
    problem_ref = create_op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
    assert problem_ref.endswith("/ProblemOut")


def test_no_token_is_401_problem(org, make_payload):
    before = stored_rows()
    anonymous = Client()
    for response in (
        anonymous.get("/api/v1/complaints"),
        anonymous.get("/api/v1/complaints/TS20261123000001"),
        anonymous.post("/api/v1/complaints", make_payload(), content_type="application/json"),
    ):
        assert response.status_code == 401
        assert response["Content-Type"].startswith("application/problem+json")
        assert response.json()["status"] == 401
        assert response.json()["code"] == "unauthenticated"
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert stored_rows() == before


def test_bad_or_revoked_token_is_401_problem(org, api_for, make_payload):
    for header in ("Bearer cdt_not-a-real-token", "Bearer ", "Basic YWdlbnRfYTp4", "cdt_missing-scheme"):
        response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/complaints")
        assert response.status_code == 401, header
        assert response["Content-Type"].startswith("application/problem+json")
        assert response.json()["code"] == "unauthenticated"

    api = api_for(org.agent_a)
    assert api.get("/complaints").status_code == 200
    api_token_revoke(token_row=ApiToken.objects.get(user=org.agent_a))
    response = api.get("/complaints")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")


def test_inactive_user_token_is_401(org, api_for):
    api = api_for(org.agent_a)
    org.agent_a.is_active = False
    org.agent_a.save(update_fields=["is_active"])
    response = api.get("/complaints")
    assert response.status_code == 401
