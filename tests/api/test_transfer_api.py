"""转办 over the API: the centre hands a case to the branch; the answer says where it is, that its deadlines
are unchanged and that the caller no longer sees it; bad input is a 422 naming the field, in words."""

from django.test import Client

from complaintdesk.accounts.models import Role
from complaintdesk.complaints.models import Complaint
from complaintdesk.orgs.services import orgunit_create

from .support import assert_problem


def _centre_case(org, api_for, make_payload):
    centre = orgunit_create(code="CSC", name="客服中心", kind="service_centre", parent=org.hq)
    desk = api_for(org.user("desk_agent", Role.AGENT, centre))
    created = desk.post("/complaints", make_payload())
    assert created.status_code == 201, created.content
    return desk, created.json()


def test_the_centre_transfers_a_case_to_the_branch(org, api_for, make_payload):
    desk, case = _centre_case(org, api_for, make_payload)
    number = case["number"]
    answer = desk.post(f"/complaints/{number}/transfer", {"unit": "SH", "reason": "上海浦东门店的业务"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["org_unit"], body["org_unit_name"], body["assignee"]) == ("SH", "上海分公司", None)
    assert body["resolution_due_at"] == case["resolution_due_at"]  # the clock does not restart
    assert body["visible"] is False  # the branch's case now, outside the centre's units
    event = body["event"]
    assert (event["kind"], event["kind_label"], event["old_label"], event["new_label"], event["reason"]) == (
        "transferred", "转办", "客服中心", "上海分公司", "上海浦东门店的业务"
    )  # fmt: skip
    assert desk.get(f"/complaints/{number}").status_code == 404
    seen = api_for(org.manager).get(f"/complaints/{number}").json()
    assert seen["org_unit"] == "SH" and seen["assignee"] is None


def test_bad_input_is_a_422_naming_the_field(org, api_for, make_payload):
    desk, case = _centre_case(org, api_for, make_payload)
    number = case["number"]
    assert_problem(desk.post(f"/complaints/{number}/transfer", {"unit": "NOPE", "reason": "x"}), 422, "unit")
    assert_problem(desk.post(f"/complaints/{number}/transfer", {"unit": "SH", "reason": " "}), 422, "reason")
    assert desk.post(f"/complaints/{number}/transfer", {"unit": "SH"}).status_code in (400, 422)
    assert Complaint.objects.get(number=number).org_unit.code == "CSC"
    assert (
        api_for(org.inspector)
        .post(f"/complaints/{number}/transfer", {"unit": "SH", "reason": "x"})
        .status_code
        == 403
    )


def test_the_schema_documents_the_transfer(db):
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/complaints/{number}/transfer"]["post"]
    assert operation["summary"].startswith("转办") and "时限不变" in operation["description"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    name = body["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][name]["required"]) == {"unit", "reason"}
    assert {"200", "403", "404", "422"} <= set(operation["responses"])
