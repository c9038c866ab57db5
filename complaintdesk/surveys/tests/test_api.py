"""API v1 endpoints of the loop's closing steps."""

import pytest

from complaintdesk.surveys import services
from complaintdesk.surveys.models import FollowUp

from .conftest import CLEAN_RESULT
from .test_services import _summarise, _token_of

pytestmark = pytest.mark.django_db

BODY = {
    "cause": CLEAN_RESULT["cause"],
    "measures": CLEAN_RESULT["measures"],
    "outcome": CLEAN_RESULT["outcome"],
    "compensation": CLEAN_RESULT["compensation_text"],
}


def test_check_then_send_a_result(org, handling_case, api_for):
    complaint = handling_case(org.agent_a)
    api = api_for(org.agent_a)
    checked = api.post(f"/complaints/{complaint.number}/result/check", BODY | {"outcome": "这个不行"})
    assert checked.status_code == 200
    data = checked.json()
    assert data["blocked"] is True and "refusal-zh" in {f["code"] for f in data["findings"]}

    blocked = api.post(f"/complaints/{complaint.number}/result", BODY | {"outcome": "这个不行"})
    assert blocked.status_code == 422 and blocked.json()["code"] == "reply_blocked"
    assert any(line.startswith("refusal-zh") for line in blocked.json()["errors"]["findings"])

    warned = api.post(f"/complaints/{complaint.number}/result", BODY | {"outcome": "但是网络已恢复"})
    assert warned.status_code == 422 and warned.json()["code"] == "reply_needs_override"

    sent = api.post(f"/complaints/{complaint.number}/result", BODY)
    assert sent.status_code == 201
    assert sent.json()["channel"] == "sms" and sent.json()["confirmed_at"] is None
    assert api.get(f"/complaints/{complaint.number}").json()["status"] == "awaiting_customer"


def test_confirm_answers_and_follow_up_outcome(org, handling_case, api_for):
    complaint = handling_case(org.agent_a)
    api = api_for(org.agent_a)
    api.post(f"/complaints/{complaint.number}/result", BODY)
    services.survey_answer_submit(token=_token_of(complaint), stars=4, nps=8, solved=True, comment="还可以")

    answers = api.get(f"/complaints/{complaint.number}/survey-answers").json()
    assert answers["count"] == 1
    [answer] = answers["items"]
    assert (
        answer["stars"],
        answer["nps"],
        answer["solved"],
        answer["agent"],
        answer["org_unit"],
        answer["action"],
    ) == (4, 8, True, "agent_a", "SH-A", "confirmed")
    assert api_for(org.agent_b).get(f"/complaints/{complaint.number}/survey-answers").status_code == 404

    queue = api.get("/follow-ups").json()
    assert [item["complaint"] for item in queue["items"]] == [complaint.number]
    task = FollowUp.objects.get(complaint=complaint)
    assert api_for(org.agent_b).post(f"/follow-ups/{task.pk}/outcome", {"reached": False}).status_code == 404
    bad = api.post(f"/follow-ups/{task.pk}/outcome", {"reached": True})
    assert bad.status_code == 422 and "satisfied" in bad.json()["errors"]
    _summarise(complaint, org.agent_a)
    done = api.post(
        f"/follow-ups/{task.pk}/outcome", {"reached": True, "satisfied": True, "new_issue": "发票开错了"}
    )
    assert done.status_code == 200
    data = done.json()
    assert data["closed"] is True, data
    assert data["linked_complaint"] and data["follow_up"]["outcome"] == "new_issue"


def test_confirm_by_the_api(org, handling_case, api_for):
    complaint = handling_case(org.agent_a)
    api = api_for(org.agent_a)
    api.post(f"/complaints/{complaint.number}/result", BODY)
    confirmed = api.post(f"/complaints/{complaint.number}/result/confirm", {"note": "电话确认"})
    assert confirmed.status_code == 200 and confirmed.json()["confirmed_via"] == "agent"
    again = api.post(f"/complaints/{complaint.number}/result/confirm", {})
    assert again.status_code == 422


def test_resolving_by_transition_is_refused_and_acceptance_resolves(org, handling_case, api_for):
    complaint = handling_case(org.agent_a)
    api = api_for(org.agent_a)
    refused = api.post(f"/complaints/{complaint.number}/transitions", {"to": "resolved"})
    assert refused.status_code == 422 and "反馈处理结果" in refused.json()["errors"]["to"][0]
    assert api.post(f"/complaints/{complaint.number}/result", BODY).status_code == 201
    accepted = api.post(f"/complaints/{complaint.number}/result/confirm", {"note": "IVR 按 1 接受"})
    assert accepted.status_code == 200 and accepted.json()["confirmed_at"] is not None
    assert api.get(f"/complaints/{complaint.number}").json()["status"] == "resolved"


def test_a_rating_given_on_the_phone_by_the_api(org, handling_case, api_for):
    complaint = handling_case(org.agent_a)
    api = api_for(org.agent_a)
    early = api.post(f"/complaints/{complaint.number}/rating", {"stars": 5})
    assert early.status_code == 422  # nothing told to the customer yet
    api.post(f"/complaints/{complaint.number}/result", BODY)
    bad = api.post(f"/complaints/{complaint.number}/rating", {"stars": 9})
    assert bad.status_code == 422 and "stars" in bad.json()["errors"]
    rated = api.post(f"/complaints/{complaint.number}/rating", {"stars": 5, "solved": True, "comment": "好"})
    body = rated.json()
    assert rated.status_code == 201, body
    assert (body["stars"], body["source"], body["action"]) == (5, "phone", "confirmed")
    assert api.get(f"/complaints/{complaint.number}").json()["status"] == "resolved"
    listed = api.get(f"/complaints/{complaint.number}/survey-answers").json()
    assert [a["source"] for a in listed["items"]] == ["phone"]


def test_an_unreachable_customer_by_the_api(org, handling_case, api_for):
    complaint = handling_case(org.agent_a)
    api = api_for(org.agent_a)
    missing = api.post(f"/complaints/{complaint.number}/result/unreachable", {**BODY, "reason": ""})
    assert missing.status_code == 422 and "reason" in missing.json()["errors"]
    done = api.post(
        f"/complaints/{complaint.number}/result/unreachable", {**BODY, "reason": "三次来电无人接听"}
    )
    body = done.json()
    assert done.status_code == 201, body
    assert (body["confirmed_via"], body["unreachable_reason"], body["message"]) == (
        "unreachable",
        "三次来电无人接听",
        "",
    )
    assert api.get(f"/complaints/{complaint.number}").json()["status"] == "resolved"
