"""Work orders through API v1: dispatch, the department's queue and actions, the case refusing to be
resolved while orders are open, 404 outside scope, problem+json errors, OpenAPI."""

import pytest
from django.test import Client

from complaintdesk.complaints.services import complaint_transition
from complaintdesk.dispatch.models import WorkOrder


@pytest.fixture
def case(org, api_for, make_payload):
    number = api_for(org.agent_a).post("/complaints", make_payload()).json()["number"]
    complaint_transition(number=number, actor=org.agent_a, to="accepted")
    complaint_transition(number=number, actor=org.agent_a, to="handling")
    return number


def _dispatch(api, number, **overrides):
    body = {"department": "BILL", "instructions": "核查重复扣费", "due_working_days": 2} | overrides
    return api.post(f"/complaints/{number}/work-orders", body)


def test_dispatch_then_the_department_works_it_and_the_case_resolves(org, api_for, case):
    agent, billing = api_for(org.agent_a), api_for(org.dept_staff)

    created = _dispatch(agent, case)
    assert created.status_code == 201, created.content
    order = created.json()
    assert (order["department"], order["status"], order["owner"], order["overdue"]) == (
        "BILL",
        "open",
        None,
        False,
    )
    assert order["due_at"].endswith("+08:00")

    # The department sees it in its queue, not the case itself.
    assert [o["id"] for o in billing.get("/work-orders").json()["items"]] == [order["id"]]
    assert billing.get(f"/complaints/{case}").status_code == 404

    blocked = agent.post(f"/complaints/{case}/transitions", {"to": "resolved"})
    assert blocked.status_code == 422, blocked.content
    assert blocked.json()["title"] == "派工单未完成，不能解决投诉"
    assert "计费部" in blocked.json()["errors"]["to"][0]

    accepted = billing.post(f"/work-orders/{order['id']}/accept", {"note": "今天处理"})
    assert accepted.status_code == 200 and accepted.json()["owner"] == "billing"
    done = billing.post(f"/work-orders/{order['id']}/complete", {"result": "已冲正 58 元"})
    assert done.status_code == 200 and done.json()["status"] == "done"

    listed = agent.get(f"/complaints/{case}/work-orders").json()
    assert [(o["id"], o["status"], o["result"]) for o in listed["items"]] == [
        (order["id"], "done", "已冲正 58 元")
    ]
    # Resolved through feeding back the result and the customer's acceptance, not a bare status change.
    assert agent.post(f"/complaints/{case}/transitions", {"to": "resolved"}).status_code == 422
    result = {"cause": "计费系统重复扣费", "measures": "计费部已冲正", "outcome": "多扣的 58 元已退回"}
    assert agent.post(f"/complaints/{case}/result", result).status_code == 201
    assert agent.post(f"/complaints/{case}/result/confirm", {"note": "客户电话确认"}).status_code == 200


def test_bad_input_is_a_problem_and_writes_nothing(org, api_for, case):
    response = _dispatch(api_for(org.agent_a), case, department="SH-A", due_working_days=0)

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"department", "due_working_days"}
    assert not WorkOrder.objects.exists()


def test_outside_scope_an_order_does_not_exist(org, api_for, case):
    order = _dispatch(api_for(org.agent_a), case).json()
    other = api_for(org.agent_b)

    assert other.get(f"/work-orders/{order['id']}").status_code == 404
    assert other.post(f"/work-orders/{order['id']}/cancel", {"reason": "x"}).status_code == 404
    assert _dispatch(other, case).status_code == 404
    assert other.get("/work-orders").json()["items"] == []
    # The case's agent may see the order but not act for the department.
    assert api_for(org.agent_a).post(f"/work-orders/{order['id']}/accept", {}).status_code == 403


def test_the_endpoints_are_in_the_openapi_document(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path, method in (
        ("/api/v1/complaints/{number}/work-orders", "get"),
        ("/api/v1/complaints/{number}/work-orders", "post"),
        ("/api/v1/work-orders", "get"),
        ("/api/v1/work-orders/{work_order_id}", "get"),
        ("/api/v1/work-orders/{work_order_id}/accept", "post"),
        ("/api/v1/work-orders/{work_order_id}/complete", "post"),
        ("/api/v1/work-orders/{work_order_id}/reject", "post"),
        ("/api/v1/work-orders/{work_order_id}/cancel", "post"),
    ):
        assert method in paths[path]
