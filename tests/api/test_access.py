"""Who sees what through API v1: the unit tree scopes every endpoint, outside it a case does not exist."""

import pytest

from complaintdesk.complaints.models import Complaint, ComplaintEvent

from .support import assert_problem, stored_rows

UNKNOWN_NUMBER = "TS20260101999999"


@pytest.fixture
def cases(org, api_for, make_payload):
    """One complaint taken in store A, one in store B (each by its own agent)."""
    numbers = {}
    for key, agent in (("a", org.agent_a), ("b", org.agent_b)):
        response = api_for(agent).post("/complaints", make_payload(title=f"门店{key.upper()}的投诉"))
        assert response.status_code == 201, response.content
        numbers[key] = response.json()["number"]
    return numbers


def _listed(api) -> set[str]:
    response = api.get("/complaints?limit=100")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["items"])
    return {item["number"] for item in body["items"]}


def _assert_not_found(response) -> dict:
    assert response.status_code == 404, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "not_found"
    assert body["status"] == 404
    return body


@pytest.mark.parametrize("username", ["agent_a", "api_a"])
def test_store_a_user_gets_404_for_store_b_case_on_every_endpoint(org, api_for, cases, username):
    api = api_for(getattr(org, username))
    hidden = cases["b"]
    before = stored_rows()
    stored_before = Complaint.objects.values().get(number=hidden)

    detail = _assert_not_found(api.get(f"/complaints/{hidden}"))
    # Indistinguishable from a number that does not exist at all: case numbers cannot be probed.
    absent = _assert_not_found(api.get(f"/complaints/{UNKNOWN_NUMBER}"))
    assert detail["title"].replace(hidden, "N") == absent["title"].replace(UNKNOWN_NUMBER, "N")
    assert set(detail) == set(absent)

    _assert_not_found(api.post(f"/complaints/{hidden}/transitions", {"to": "accepted"}))
    # Even a transition the table refuses must not reveal the case's state.
    _assert_not_found(api.post(f"/complaints/{hidden}/transitions", {"to": "closed"}))
    _assert_not_found(api.post(f"/complaints/{hidden}/transitions", {"to": "withdrawn", "reason": "撤诉"}))
    _assert_not_found(api.patch(f"/complaints/{hidden}/analysis", {"severity": "major"}))
    _assert_not_found(api.patch(f"/complaints/{hidden}/analysis", {"category": "billing_dispute"}))

    listed = _listed(api)
    assert hidden not in listed
    assert cases["a"] in listed
    assert _listed_with(api, "?status=new") & {hidden} == set()
    assert _listed_with(api, "?open=true") & {hidden} == set()

    assert stored_rows() == before
    assert Complaint.objects.values().get(number=hidden) == stored_before


def _listed_with(api, query: str) -> set[str]:
    response = api.get(f"/complaints{query}")
    assert response.status_code == 200
    return {item["number"] for item in response.json()["items"]}


def test_store_b_agent_does_not_see_store_a(org, api_for, cases):
    api = api_for(org.agent_b)
    _assert_not_found(api.get(f"/complaints/{cases['a']}"))
    assert _listed(api) == {cases["b"]}


@pytest.mark.parametrize("username", ["agent_a", "api_a"])
def test_store_a_user_cannot_create_in_store_b(org, api_for, make_payload, username):
    api = api_for(getattr(org, username))
    before = stored_rows()
    response = api.post("/complaints", make_payload(org_unit="SH-B"))
    body = assert_problem(response, 422, "org_unit")
    assert "SH-B" in body["errors"]["org_unit"][0]
    assert set(body["errors"]) == {"org_unit"}
    # The same answer as for a unit that does not exist: other units cannot be probed either.
    other = api.post("/complaints", make_payload(org_unit="NO-SUCH-UNIT")).json()
    assert other["errors"]["org_unit"][0].replace("NO-SUCH-UNIT", "X") == body["errors"]["org_unit"][
        0
    ].replace("SH-B", "X")
    # Nor a parent unit.
    assert_problem(api.post("/complaints", make_payload(org_unit="SH")), 422, "org_unit")
    assert stored_rows() == before


@pytest.mark.parametrize("username", ["manager", "executive"])
def test_branch_manager_and_executive_see_both_stores(org, api_for, cases, username):
    api = api_for(getattr(org, username))
    for number in cases.values():
        response = api.get(f"/complaints/{number}")
        assert response.status_code == 200
        assert response.json()["number"] == number
    assert _listed(api) >= set(cases.values())
    # And may act on them: a manager accepts store B's case.
    response = api.post(f"/complaints/{cases['b']}/transitions", {"to": "accepted"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"


def test_executive_sees_units_outside_the_branch(org, api_for, make_payload):
    billing_case = api_for(org.executive).post("/complaints", make_payload(org_unit="BILL"))
    assert billing_case.status_code == 201, billing_case.content
    number = billing_case.json()["number"]
    assert api_for(org.executive).get(f"/complaints/{number}").status_code == 200
    # The branch manager's scope is SH and below, not the billing department.
    _assert_not_found(api_for(org.manager).get(f"/complaints/{number}"))


def test_quality_inspector_sees_but_cannot_transition(org, api_for, cases, make_payload):
    api = api_for(org.inspector)
    for number in cases.values():
        response = api.get(f"/complaints/{number}")
        assert response.status_code == 200
        assert response.json()["allowed_transitions"] == []
    assert _listed(api) >= set(cases.values())

    number = cases["a"]
    events = ComplaintEvent.objects.filter(complaint__number=number).count()
    response = api.post(f"/complaints/{number}/transitions", {"to": "accepted"})
    assert response.status_code == 403, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "permission_denied"
    response = api.patch(f"/complaints/{number}/analysis", {"severity": "major"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    before = stored_rows()
    response = api.post("/complaints", make_payload())
    assert response.status_code == 403  # inspectors do not take complaints
    assert stored_rows() == before

    stored = Complaint.objects.get(number=number)
    assert stored.status == "new" and stored.severity == "general"
    assert ComplaintEvent.objects.filter(complaint__number=number).count() == events


def test_department_staff_of_billing_sees_nothing_of_sh(org, api_for, cases):
    api = api_for(org.dept_staff)
    for number in cases.values():
        _assert_not_found(api.get(f"/complaints/{number}"))
        _assert_not_found(api.post(f"/complaints/{number}/transitions", {"to": "accepted"}))
        _assert_not_found(api.patch(f"/complaints/{number}/analysis", {"severity": "major"}))
    assert _listed(api) == set()


@pytest.mark.parametrize(
    ("username", "phone", "masked"),
    [
        ("agent_a", "138****8000", True),
        ("api_a", "138****8000", True),
        ("inspector", "138****8000", True),
        ("manager", "+8613800138000", False),
        ("executive", "+8613800138000", False),
    ],
)
def test_phone_is_masked_by_role(org, api_for, make_payload, username, phone, masked):
    payload = make_payload()
    payload["customer"] = payload["customer"] | {"email": "wang.li@example.com", "account_no": "AC12345678"}
    number = api_for(org.agent_a).post("/complaints", payload).json()["number"]

    api = api_for(getattr(org, username))
    for response in (api.get(f"/complaints/{number}"),):
        assert response.status_code == 200
        customer = response.json()["customer"]
        assert customer["phone"] == phone
        assert customer["masked"] is masked
        if masked:
            assert customer["email"] != "wang.li@example.com" and customer["email"].endswith("@example.com")
            assert customer["account_no"] != "AC12345678"
            assert "13800138000" not in response.content.decode()
        else:
            assert customer["email"] == "wang.li@example.com"
            assert customer["account_no"] == "AC12345678"
    # The masked view is also what intake answers.
    if username == "agent_a":
        created = api.post("/complaints", payload).json()
        assert created["customer"]["phone"] == "138****8000"
