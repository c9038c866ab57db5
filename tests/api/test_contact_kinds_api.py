"""Issue 19 over the API: a contact's kind at intake, in every answer (code and words), as a list filter,
and its change, routing and credit — each refused in the caller's language when wrong."""

from complaintdesk.complaints.models import Complaint, EventKind

from .support import assert_problem


def _create(api, payload) -> dict:
    response = api.post("/complaints", payload)
    assert response.status_code == 201, response.content
    return response.json()


def test_an_inquiry_is_taken_in_said_in_words_and_listed_by_kind(org, api_for, make_payload):
    agent = api_for(org.agent_a)
    inquiry = _create(agent, make_payload(kind="inquiry", title="咨询携号转网", demand=None))
    complaint = _create(agent, make_payload())
    praise = _create(agent, make_payload(kind="praise", title="表扬营业员", demand=None))
    assert (inquiry["kind"], inquiry["kind_label"], inquiry["status_label"]) == ("inquiry", "咨询", "待受理")
    assert complaint["kind"] == "complaint"
    assert praise["due_at"] is None and praise["resolution_due_at"] is None
    assert "closed" in inquiry["allowed_transitions"] and "escalated" not in inquiry["allowed_transitions"]

    listed = agent.get("/complaints?kind=inquiry&kind=praise").json()["items"]
    assert {item["number"] for item in listed} == {inquiry["number"], praise["number"]}
    assert {item["kind_label"] for item in listed} == {"咨询", "表扬"}
    assert_problem(agent.get("/complaints?kind=rumour"), 422, "kind")

    closed = agent.post(
        f"/complaints/{inquiry['number']}/transitions", {"to": "closed", "reason": "已说明办理条件"}
    ).json()
    assert (closed["status"], closed["status_label"]) == ("closed", "已答复")


def test_a_bad_kind_at_intake_is_a_422_and_nothing_is_stored(org, api_for, make_payload):
    response = api_for(org.agent_a).post("/complaints", make_payload(kind="rumour"))
    assert response.status_code in (400, 422)
    assert not Complaint.objects.exists()


def test_turning_an_inquiry_into_a_complaint_and_back_with_a_reason(org, api_for, make_payload):
    agent = api_for(org.agent_a)
    number = _create(agent, make_payload(kind="inquiry", demand=None))["number"]
    turned = agent.post(f"/complaints/{number}/kind", {"to": "complaint"}).json()
    assert (turned["number"], turned["kind"]) == (number, "complaint")
    line = next(e for e in turned["timeline"] if e["kind"] == EventKind.KIND_CHANGED)
    assert (line["kind_label"], line["field_label"], line["old_label"], line["new_label"]) == (
        "变更联系类型",
        "联系类型",
        "咨询",
        "投诉",
    )
    assert turned["timeline"][0]["kind"] == EventKind.CREATED  # the history from before is kept
    # Back to an inquiry: the reason is required, in the caller's language.
    body = assert_problem(agent.post(f"/complaints/{number}/kind", {"to": "inquiry"}), 422, "reason")
    assert body["errors"]["reason"]
    again = agent.post(f"/complaints/{number}/kind", {"to": "inquiry", "reason": "客户只是咨询"}).json()
    assert again["kind"] == "inquiry"
    # Someone without the handle permission may not; another store's agent does not see the case.
    assert (
        api_for(org.inspector)
        .post(f"/complaints/{number}/kind", {"to": "inquiry", "reason": "x"})
        .status_code
        == 403
    )
    assert (
        api_for(org.agent_b).post(f"/complaints/{number}/kind", {"to": "inquiry", "reason": "x"}).status_code
        == 404
    )


def test_route_a_suggestion_and_credit_praise(org, api_for, make_payload):
    agent = api_for(org.agent_a)
    suggestion = _create(agent, make_payload(kind="suggestion", demand=None))["number"]
    agent.post(f"/complaints/{suggestion}/transitions", {"to": "accepted"})
    assert_problem(agent.post(f"/complaints/{suggestion}/route", {"unit": "NOPE"}), 422, "owner_unit")
    routed = agent.post(f"/complaints/{suggestion}/route", {"unit": "BILL", "reason": "计费部负责"}).json()
    assert (routed["owner_unit"], routed["status"], routed["status_label"]) == (
        "BILL",
        "handling",
        "已转负责部门",
    )

    praise = _create(agent, make_payload(kind="praise", demand=None))["number"]
    assert_problem(agent.post(f"/complaints/{praise}/credit", {}), 422, "credited_user")
    credited = agent.post(f"/complaints/{praise}/credit", {"username": "agent_b"}).json()
    assert (credited["credited_user"], credited["credited_unit"]) == ("agent_b", "SH-B")
    # A complaint is neither routed nor credited.
    complaint = _create(agent, make_payload())["number"]
    assert_problem(agent.post(f"/complaints/{complaint}/credit", {"username": "agent_b"}), 422, "kind")
