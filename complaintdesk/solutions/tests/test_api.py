"""Solutions through API v1: propose, approve, choose, totals; problem+json errors with nothing written;
404 outside the user's units; Idempotency-Key replays; the endpoints in the OpenAPI document."""

import json

import pytest
from django.test import Client
from openapi_spec_validator import validate

from complaintdesk.complaints.services import complaint_transition
from complaintdesk.solutions.models import ApprovalRequest, CompensationEntry, SolutionProposal


@pytest.fixture
def case(org, api_for, make_payload):
    api = api_for(org.agent_a)
    number = api.post("/complaints", make_payload()).json()["number"]
    complaint_transition(number=number, actor=org.agent_a, to="accepted")
    return number


def test_propose_within_authority_then_the_customer_chooses(org, api_for, case):
    api = api_for(org.agent_a)

    created = api.post(
        f"/complaints/{case}/solutions",
        {
            "options": [
                {"remedy": "fee_waiver", "amount": "100", "description": "减免本月月租"},
                {"remedy": "coupon", "amount": 120.5},
            ],
            "note": "断网三天，给您添麻烦了",
        },
    )

    assert created.status_code == 201, created.content
    body = created.json()
    assert (
        body["status"] == "offered" and body["authorised_by"] == "agent_a" and body["max_amount"] == "120.50"
    )
    assert [(o["label"], o["remedy"], o["amount"]) for o in body["options"]] == [
        ("A", "fee_waiver", "100.00"),
        ("B", "coupon", "120.50"),
    ]
    assert body["proposed_at"].endswith("+08:00")

    chosen = api.post(f"/complaints/{case}/solutions/{body['id']}/choice", {"option": "B", "note": "要券"})
    assert chosen.status_code == 200, chosen.content
    assert chosen.json()["chosen_option"] == "B"

    listed = api.get(f"/complaints/{case}/solutions").json()
    assert listed["ledger_total"] == "120.50" and listed["ledger"][0]["remedy"] == "coupon"
    totals = api_for(org.manager).get("/compensation/totals?unit=SH-A").json()["items"]
    assert [(t["unit"], t["total"], t["entries"]) for t in totals] == [("SH-A", "120.50", 1)]


def test_above_authority_the_manager_approves_through_the_api(org, api_for, case):
    proposed = (
        api_for(org.agent_a)
        .post(f"/complaints/{case}/solutions", {"options": [{"remedy": "refund", "amount": 500}]})
        .json()
    )
    assert proposed["status"] == "pending_approval"
    [approval] = proposed["approvals"]
    assert (approval["approver"], approval["level_name"], approval["status"]) == (
        "manager",
        "业务经理",
        "pending",
    )

    manager = api_for(org.manager)
    assert [a["id"] for a in manager.get("/approvals").json()["items"]] == [approval["id"]]
    assert api_for(org.agent_a).get("/approvals").json()["items"] == []
    refused = api_for(org.agent_a).post(
        f"/approvals/{approval['id']}/decision", {"decision": "approve", "reason": "自己批"}
    )
    assert refused.status_code == 403

    decided = manager.post(
        f"/approvals/{approval['id']}/decision", {"decision": "approve", "reason": "属实，同意"}
    )
    assert decided.status_code == 200, decided.content
    assert (decided.json()["status"], decided.json()["decided_by"]) == ("approved", "manager")
    assert (
        api_for(org.agent_a).get(f"/complaints/{case}/solutions").json()["proposals"][0]["status"]
        == "offered"
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"options": [{"remedy": "cash", "amount": 1}]}, "options.0.remedy"),
        ({"options": [{"remedy": "refund", "amount": -1}]}, "options.0.amount"),
        ({"options": [{"remedy": "refund", "amount": "abc"}]}, "options.0.amount"),
        ({"options": []}, "options"),
        ({"options": [{"remedy": "refund", "amount": 1, "colour": "red"}]}, "options.0.colour"),
    ],
)
def test_bad_input_is_a_problem_with_field_errors_and_writes_nothing(org, api_for, case, body, field):
    response = api_for(org.agent_a).post(f"/complaints/{case}/solutions", body)

    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in response.json()["errors"]
    assert not SolutionProposal.objects.exists()


def test_another_stores_case_does_not_exist_for_the_api(org, api_for, case):
    api = api_for(org.agent_b)
    assert api.get(f"/complaints/{case}/solutions").status_code == 404
    assert (
        api.post(f"/complaints/{case}/solutions", {"options": [{"remedy": "gift", "amount": 1}]}).status_code
        == 404
    )
    assert api.get("/compensation/totals?unit=SH-A").status_code == 422


def test_a_retried_post_with_the_same_idempotency_key_proposes_once(org, api_for, case):
    api = api_for(org.agent_a)
    body = json.dumps({"options": [{"remedy": "refund", "amount": 500}]})
    headers = {"HTTP_IDEMPOTENCY_KEY": "9f1c2e7a-solutions-1"}

    first = api.client.post(
        f"/api/v1/complaints/{case}/solutions", data=body, content_type="application/json", **headers
    )
    again = api.client.post(
        f"/api/v1/complaints/{case}/solutions", data=body, content_type="application/json", **headers
    )

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert SolutionProposal.objects.count() == 1 and ApprovalRequest.objects.count() == 1
    assert not CompensationEntry.objects.exists()


def test_the_endpoints_are_in_the_openapi_document(db):
    schema = Client().get("/api/v1/openapi.json").json()
    validate(schema)
    for path, method in (
        ("/api/v1/remedies", "get"),
        ("/api/v1/complaints/{number}/solutions", "get"),
        ("/api/v1/complaints/{number}/solutions", "post"),
        ("/api/v1/complaints/{number}/solutions/{proposal_id}/choice", "post"),
        ("/api/v1/complaints/{number}/solutions/{proposal_id}/decline", "post"),
        ("/api/v1/approvals", "get"),
        ("/api/v1/approvals/{approval_id}/decision", "post"),
        ("/api/v1/compensation/totals", "get"),
    ):
        operation = schema["paths"][path][method]
        if method == "post":
            assert {"$ref": "#/components/parameters/IdempotencyKey"} in operation["parameters"]
            assert "422" in operation["responses"]
