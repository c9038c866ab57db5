"""POST /complaints/{number}/reply and /reveal: a CRM sends the agent's progress reply (after the reply
checker, with the same 422s as the result's sending) and shows a masked contact detail in full, with a
reason, written to the personal-data access log. A refusal writes nothing; another store's case is 404."""

import pytest

from complaintdesk.complaints.models import Complaint, ComplaintEvent, EventKind
from complaintdesk.complaints.services import IntakeCustomer
from complaintdesk.complaints.states import Status
from complaintdesk.notifications.models import Notification
from complaintdesk.privacy.models import AccessKind, AccessLog
from complaintdesk.scripts.models import ReplyCheckOverride
from complaintdesk.testing import intake

from .support import assert_problem

pytestmark = pytest.mark.django_db

# The checker wants the sender named (the API client's display name, "api_a") and a time promised.
CLEAN = "王女士您好，我是客服api_a，工程师明天上午上门，我会在明天 18:00 前给您回电。"
WARNED = "王女士，给您添麻烦了，我非常抱歉，但是维修师傅今天都排满了。"
BLOCKED = "您好，但是我们做不到。"


def _written() -> dict:
    return {
        "notifications": Notification.objects.count(),
        "overrides": ReplyCheckOverride.objects.count(),
        "access_log": AccessLog.objects.count(),
        "events": ComplaintEvent.objects.count(),
    }


@pytest.fixture
def case(org):
    return intake(
        org.agent_a, customer=IntakeCustomer(name="王女士", phone="13800138000", account_no="ACC-7")
    )


# --- the reply ------------------------------------------------------------------------------------------


def test_a_clean_reply_goes_to_the_customer_as_progress(org, api_for, case):
    response = api_for(org.api_a).post(f"/complaints/{case.number}/reply", {"text": CLEAN, "channel": "sms"})
    assert response.status_code == 201, response.content
    body = response.json()
    message = Notification.objects.get(complaint=case)
    assert body["id"] == message.pk and body["complaint"] == case.number
    assert message.template_code == "progress" and body["channel"] == "sms"
    assert f"投诉{case.number}进展" in body["body"] and "我会在明天 18:00 前给您回电" in body["body"]
    assert body["recipient"] == "138****8000"  # the number whole is only for the sending
    assert body["status"] == "queued" and body["created_at"].endswith("+08:00")


def test_a_blocked_reply_is_refused_with_its_findings_and_nothing_goes_out(org, api_for, case):
    before = _written()
    response = api_for(org.api_a).post(
        f"/complaints/{case.number}/reply", {"text": BLOCKED, "override_reason": "客户催得急"}
    )
    body = assert_problem(response, 422, "findings")
    assert body["code"] == "reply_blocked"
    assert any("我们做不到" in finding for finding in body["errors"]["findings"])
    assert _written() == before


def test_warnings_need_an_override_reason_which_is_recorded(org, api_for, case):
    api = api_for(org.api_a)
    before = _written()
    warned = api.post(f"/complaints/{case.number}/reply", {"text": WARNED})
    body = assert_problem(warned, 422, "findings")
    assert body["code"] == "reply_needs_override"
    assert _written() == before

    sent = api.post(
        f"/complaints/{case.number}/reply", {"text": WARNED, "override_reason": "客户要求马上回复"}
    )
    assert sent.status_code == 201, sent.content
    assert "维修师傅今天都排满了" in sent.json()["body"]
    assert ReplyCheckOverride.objects.get(complaint=case).reason == "客户要求马上回复"
    assert case.events.get(kind=EventKind.REPLY_OVERRIDDEN).actor == org.api_a


def test_a_case_whose_status_allows_no_reply_is_invalid_input(org, api_for, case):
    Complaint.objects.filter(pk=case.pk).update(status=Status.CLOSED, is_open=False)
    before = _written()
    response = api_for(org.api_a).post(f"/complaints/{case.number}/reply", {"text": CLEAN})
    body = assert_problem(response, 422, "status")
    assert body["code"] == "invalid_input" and "不能再向客户发送答复" in body["errors"]["status"][0]
    assert _written() == before


def test_an_empty_reply_and_a_reader_without_handling_are_refused(org, api_for, case):
    before = _written()
    assert_problem(api_for(org.api_a).post(f"/complaints/{case.number}/reply", {"text": "  "}), 422, "text")
    refused = api_for(org.inspector).post(f"/complaints/{case.number}/reply", {"text": CLEAN})
    assert refused.status_code == 403, refused.content
    assert _written() == before


# --- the reveal -----------------------------------------------------------------------------------------


def test_a_reveal_with_a_reason_returns_the_number_and_is_logged(org, api_for, case):
    response = api_for(org.api_a).post(
        f"/complaints/{case.number}/reveal", {"field": "phone", "reason": "回电核实"}
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"field": "phone", "value": "+8613800138000"}
    row = AccessLog.objects.get()
    assert (row.user, row.kind, row.field, row.case_number, row.reason) == (
        org.api_a,
        AccessKind.REVEAL,
        "phone",
        case.number,
        "回电核实",
    )
    event = case.events.get(kind=EventKind.PERSONAL_DATA_REVEALED)
    assert (event.actor, event.field, event.reason) == (org.api_a, "phone", "回电核实")


def test_a_role_that_sees_personal_data_reveals_without_a_reason_and_is_logged(org, api_for, case):
    response = api_for(org.manager).post(f"/complaints/{case.number}/reveal", {"field": "account_no"})
    assert response.status_code == 200 and response.json()["value"] == "ACC-7"
    row = AccessLog.objects.get(kind=AccessKind.REVEAL)
    assert (row.user, row.field, row.reason) == (org.manager, "account_no", "")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"field": "phone"}, "reason"),
        ({"field": "phone", "reason": "查"}, "reason"),
        ({"field": "email", "reason": "回邮件"}, "field"),  # the customer left no e-mail
        ({"field": "wechat_openid", "reason": "回电核实"}, "field"),  # not a detail that is revealed
    ],
)
def test_a_reveal_without_a_reason_or_of_a_detail_there_is_not_writes_nothing(
    org, api_for, case, payload, field
):
    before = _written()
    response = api_for(org.api_a).post(f"/complaints/{case.number}/reveal", payload)
    assert assert_problem(response, 422, field)["code"] == "invalid_input"
    assert _written() == before


def test_a_reader_without_handling_may_not_reveal(org, api_for, case):
    before = _written()
    response = api_for(org.inspector).post(
        f"/complaints/{case.number}/reveal", {"field": "phone", "reason": "质检核实"}
    )
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert "+8613800138000" not in response.content.decode()
    assert _written() == before


# --- another store's case -------------------------------------------------------------------------------


def test_another_stores_case_is_not_found_and_nothing_is_written(org, api_for, case):
    before = _written()
    foreign = api_for(org.agent_b)
    for path, payload in (
        ("reply", {"text": CLEAN, "override_reason": "客户催"}),
        ("reveal", {"field": "phone", "reason": "回电核实"}),
    ):
        response = foreign.post(f"/complaints/{case.number}/{path}", payload)
        assert response.status_code == 404, (path, response.content)
        assert response.json()["code"] == "not_found"
        assert "+8613800138000" not in response.content.decode()
    assert _written() == before
