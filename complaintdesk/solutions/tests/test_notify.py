"""Approval notices through the staff notifier: the approver hears of a request when it arrives (amount,
case, requester, expiry; the link opens 待审批) and again before it expires (the approval timer's
warning, worked by the sweep); the requester hears the decision, or that it lapsed and went up. Words in
the recipient's language, absolute links in the e-mail."""

import re

import pytest
from django.core import mail

from complaintdesk.inbox.models import StaffNotification
from complaintdesk.solutions.models import ApprovalRequest
from complaintdesk.solutions.services import OptionData, approval_decide, solution_propose

from .conftest import handling_case, local, sweep


def words_only(text: str) -> bool:
    text = re.sub(r"https?://\S+", "", text)
    text = re.sub(r"\bTS\d+\b", "", text)
    return not re.search(r"[a-z]{3,}|_", text)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.STAFF_BASE_URL = "https://cs.example.com"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def people(ladder_org):
    org = ladder_org
    for user, name in ((org.agent_a, "李娜"), (org.manager, "周经理"), (org.head, "吴总")):
        user.email, user.display_name = f"{user.username}@example.com", name
        user.save(update_fields=["email", "display_name"])
    return org


@pytest.fixture
def requested(people, clock, django_capture_on_commit_callbacks):
    clock.at(local(2026, 11, 24, 10))  # Tuesday
    complaint = handling_case(people.agent_a)
    with django_capture_on_commit_callbacks(execute=True):
        solution_propose(
            number=complaint.number,
            actor=people.agent_a,
            options=[OptionData(remedy="refund", amount=500, description="退还多扣费用")],
        )
    return complaint


def _notice(user, kind):
    return StaffNotification.objects.get(user=user, kind=kind)


def test_the_approver_hears_of_a_request_with_amount_case_requester_and_expiry(people, requested):
    org, complaint = people, requested
    notice = _notice(org.manager, "approval_requested")
    assert notice.title == f"待您审批：{complaint.number} 补偿 500.00 元，11月25日 10:00前"
    for line in ("申请人：李娜", "补偿金额：500.00 元", "方案A：退款 500.00 元", "问题：宽带断网",
                 "审批时限：11月25日 10:00（超时未处理将升级到上一层级）", "超出每单补偿权限"):  # fmt: skip
        assert line in notice.body
    assert notice.link == "/approvals/" and notice.case_number == complaint.number
    assert words_only(notice.title + notice.body)
    [message] = [m for m in mail.outbox if m.to == ["manager@example.com"]]
    assert message.subject == notice.title and "打开：https://cs.example.com/approvals/" in message.body
    assert not StaffNotification.objects.filter(user=org.agent_a).exists()


def test_the_approver_is_reminded_before_the_request_expires(
    people, requested, clock, django_capture_on_commit_callbacks
):
    org, complaint = people, requested
    clock.at(local(2026, 11, 25, 6))  # past the warning point, before the due time
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep().warned == 1
    notice = _notice(org.manager, "approval_warning")
    assert notice.title == f"审批即将超时：{complaint.number} 补偿 500.00 元，请在11月25日 10:00前处理"
    assert notice.link == "/approvals/" and words_only(notice.title + notice.body)


def test_the_requester_hears_the_approval(people, requested, django_capture_on_commit_callbacks):
    org, complaint = people, requested
    approval = ApprovalRequest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        approval_decide(
            approval_id=approval.pk, actor=org.manager, decision="approve", reason="多扣费属实，同意退款"
        )
    notice = _notice(org.agent_a, "approval_approved")
    assert notice.title == f"补偿申请已批准：{complaint.number} 500.00 元"
    assert "审批人：周经理" in notice.body and "审批意见：多扣费属实，同意退款" in notice.body
    assert "请告知客户并登记客户的选择" in notice.body
    assert notice.link == f"/complaints/{complaint.number}/#solutions" and words_only(
        notice.title + notice.body
    )
    [message] = [m for m in mail.outbox if m.to == ["agent_a@example.com"]]
    assert f"https://cs.example.com/complaints/{complaint.number}/#solutions" in message.body


def test_the_requester_hears_the_rejection(people, requested, django_capture_on_commit_callbacks):
    org, complaint = people, requested
    approval = ApprovalRequest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        approval_decide(
            approval_id=approval.pk, actor=org.manager, decision="reject", reason="金额过高，请改为优惠券"
        )
    notice = _notice(org.agent_a, "approval_rejected")
    assert notice.title == f"补偿申请被驳回：{complaint.number} 500.00 元"
    assert "审批意见：金额过高，请改为优惠券" in notice.body and "请调整方案后重新提出。" in notice.body
    assert words_only(notice.title + notice.body)


def test_a_lapsed_request_is_told_to_the_requester_and_the_level_above(
    people, requested, clock, django_capture_on_commit_callbacks
):
    org, complaint = people, requested
    clock.at(local(2026, 11, 25, 10, 30))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep().fired == 1
    lapsed = _notice(org.agent_a, "approval_expired")
    assert lapsed.title == f"补偿申请审批超时：{complaint.number} 500.00 元"
    assert "业务经理未在时限内审批。" in lapsed.body and "申请已转交营业机构负责人审批。" in lapsed.body
    assert words_only(lapsed.title + lapsed.body)
    assert _notice(org.head, "approval_requested").link == "/approvals/"
