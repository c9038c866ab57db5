"""API v1 for call-centre IVRs and CRMs: escalate (next level or a named one), register an objection,
record an external referral; after escalation the detail shows the level's clocks running, not the
front line's resolution time. Bad input is a 422 naming the field, never a 500."""

import datetime as dt

import pytest
from django.test import Client

from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.escalation.models import ExternalReferral
from complaintdesk.testing import ladder_org as ladder_org

from .support import assert_problem


@pytest.fixture
def case(ladder_org, api_for, make_payload):
    agent = api_for(ladder_org.agent_a)
    body = agent.post("/complaints", make_payload()).json()
    for to in ("accepted", "handling"):
        assert agent.post(f"/complaints/{body['number']}/transitions", {"to": to}).status_code == 200
    return agent, body["number"]


def test_escalating_through_transitions_shows_the_level_clocks_in_the_detail(case, ladder_org):
    agent, number = case
    before = agent.get(f"/complaints/{number}").json()
    assert [c["kind"] for c in before["running_clocks"]] == ["resolution"]
    assert before["escalation"]["level"] == 0

    response = agent.post(
        f"/complaints/{number}/transitions", {"to": "escalated", "reason": "客户要求经理处理"}
    )
    assert response.status_code == 200, response.content
    detail = response.json()
    assert detail["status"] == "escalated" and detail["assignee"] == "manager"
    escalation = detail["escalation"]
    assert (escalation["level"], escalation["level_code"], escalation["holder"]) == (
        1,
        "business_manager",
        "manager",
    )
    kinds = [c["kind"] for c in detail["running_clocks"]]
    assert kinds == ["level_acknowledge", "level_resolve"]  # the front line's resolution clock is gone
    assert detail["running_clocks"][1]["label"] == "业务经理解决时限"
    assert detail["running_clocks"][1]["due_at"] == escalation["resolve_due_at"]
    assert detail["due_at"] == escalation["acknowledge_due_at"] != detail["resolution_due_at"]


def test_escalate_to_a_named_level_then_objection_and_referral(case, ladder_org, api_for):
    agent, number = case
    response = agent.post(
        f"/complaints/{number}/escalations", {"reason": "涉及多个门店", "level_code": "branch_head"}
    )
    assert response.status_code == 201, response.content
    moved = response.json()
    assert moved["hand_off"]["to_level"] == 2 and moved["hand_off"]["to_user"] == "head"
    assert moved["hand_off"]["trigger_label"] == "人工升级"
    assert moved["escalation"]["holder"] == "head"
    assert [c["level"] for c in moved["escalation"]["running_clocks"]] == [2, 2]

    head = api_for(ladder_org.head)
    response = head.post(f"/complaints/{number}/objections", {"reason": "客户不接受只退一半"})
    assert response.status_code == 201, response.content
    assert response.json()["escalation"]["level"] == 3
    assert ComplaintEvent.objects.filter(complaint__number=number, kind=EventKind.CUSTOMER_OBJECTION).exists()

    response = head.post(
        f"/complaints/{number}/external-referrals",
        {
            "body": "consumer_association",
            "body_name": "上海市消保委",
            "reference_no": "12315-2026-0042",
            "reason": "客户向12315投诉",
            "response_due_on": "2026-12-20",
        },
    )
    assert response.status_code == 201, response.content
    referral = response.json()
    assert referral["body_label"] == "消费者协会（12315）" and referral["reference_no"] == "12315-2026-0042"
    stored = ExternalReferral.objects.get(pk=referral["id"])
    assert stored.response_due_on == dt.date(2026, 12, 20)
    event = ComplaintEvent.objects.get(complaint__number=number, kind=EventKind.EXTERNAL_REFERRAL)
    assert "上海市消保委" in event.new_value and event.reason == "客户向12315投诉"

    response = head.post(
        f"/external-referrals/{referral['id']}/outcome", {"outcome": "mediated", "note": "已调解"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["outcome_label"] == "调解达成一致"


def test_bad_input_is_a_422_naming_the_field(case):
    agent, number = case
    assert_problem(agent.post(f"/complaints/{number}/escalations", {"reason": ""}), 422, "reason")
    assert_problem(
        agent.post(f"/complaints/{number}/escalations", {"reason": "x", "level_code": "nobody"}),
        422,
        "level_code",
    )
    assert_problem(agent.post(f"/complaints/{number}/escalations", {"reason": "x", "level": 5}), 422, "level")
    assert (
        agent.post(f"/complaints/{number}/external-referrals", {"body": "mars", "reason": "x"}).status_code
        == 422
    )
    assert agent.post(f"/complaints/{number}/external-referrals", {"body": "court"}).status_code == 422
    assert agent.post(f"/complaints/{number}/objections", {}).status_code == 422
    assert agent.post("/complaints/TS20990101000001/escalations", {"reason": "x"}).status_code == 404


def test_the_schema_documents_the_escalation_endpoints_with_422(db):
    schema = Client().get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/complaints/{number}/escalations",
        "/api/v1/complaints/{number}/objections",
        "/api/v1/complaints/{number}/external-referrals",
        "/api/v1/external-referrals/{referral_id}/outcome",
    ):
        operation = schema["paths"][path]["post"]
        assert "422" in operation["responses"] and "requestBody" in operation, path
    assert "get" in schema["paths"]["/api/v1/complaints/{number}/escalation"]
    detail = schema["components"]["schemas"]["ComplaintOut"]["properties"]
    assert "running_clocks" in detail and "escalation" in detail
