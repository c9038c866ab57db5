"""The header's counts, the notifications page and the approvals queue (待审批) through Django's test
client: an approver sees the count and each pending request's amount, case, requester and expiry,
decides there (a missing reason is refused in place, nothing decided), and the requester's header then
counts the decision; a person opens and marks only their own notices."""

import re

import pytest
from django.test import Client

from complaintdesk.inbox.models import StaffNotification
from complaintdesk.inbox.text import when
from complaintdesk.solutions.models import ApprovalRequest, ApprovalStatus
from complaintdesk.solutions.services import OptionData, approval_decide, solution_propose
from complaintdesk.testing import handling_case
from complaintdesk.testing import ladder_org as ladder_org


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def pending(ladder_org, django_capture_on_commit_callbacks):
    org = ladder_org
    org.agent_a.display_name = "李娜"
    org.agent_a.save(update_fields=["display_name"])
    complaint = handling_case(org.agent_a)
    with django_capture_on_commit_callbacks(execute=True):
        solution_propose(
            number=complaint.number, actor=org.agent_a, options=[OptionData(remedy="refund", amount=500)]
        )
    return complaint


def test_the_approver_sees_the_count_and_the_request_in_the_queue(ladder_org, pending):
    org, complaint = ladder_org, pending
    approval = ApprovalRequest.objects.get()
    page = _client(org.manager).get("/approvals/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="approvals-count">1<' in html and 'data-testid="unread-count"' in html
    text = _text(page)
    assert "500.00 元" in text and complaint.number in text and "李娜" in text
    assert f"审批时限 {when(approval.due_at)}" in text
    assert f'href="/complaints/{complaint.number}/#solutions"' in html
    # The agent has no approvals entry in the header; nothing waits for them.
    assert 'data-testid="nav-approvals"' not in _client(org.agent_a).get("/").content.decode()


def test_approving_from_the_queue_tells_the_requester(
    ladder_org, pending, django_capture_on_commit_callbacks
):
    org = ladder_org
    approval = ApprovalRequest.objects.get()
    manager = _client(org.manager)

    refused = manager.post(
        f"/approvals/{approval.pk}/decide", {"decision": "approve", "reason": " "}, follow=True
    )
    assert "此项为必填项" in _text(refused)
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        done = manager.post(
            f"/approvals/{approval.pk}/decide", {"decision": "approve", "reason": "同意"}, follow=True
        )
    assert "已批准" in _text(done) and "没有等待您审批的申请" in _text(done)
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED

    agent = _client(org.agent_a)
    home = agent.get("/").content.decode()
    assert 'data-testid="unread-count" title="未读">1<' in home
    notices = _text(agent.get("/notifications/"))
    assert "补偿申请已批准" in notices and "审批意见：同意" in notices


def test_opening_a_notice_marks_it_read_and_goes_to_its_link(ladder_org, pending):
    org, complaint = ladder_org, pending
    notice = StaffNotification.objects.get(user=org.manager)
    manager = _client(org.manager)
    # Someone else cannot open it.
    assert _client(org.agent_a).post(f"/notifications/{notice.pk}/open").status_code == 404
    response = manager.post(f"/notifications/{notice.pk}/open")
    assert response.status_code == 302 and response["Location"] == "/approvals/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert 'data-testid="unread-count"' not in manager.get("/notifications/").content.decode()
    assert complaint.number in _text(manager.get("/notifications/"))


def test_mark_all_read(ladder_org, pending):
    org = ladder_org
    manager = _client(org.manager)
    assert manager.post("/notifications/read").status_code == 302
    assert not StaffNotification.objects.filter(user=org.manager, read_at__isnull=True).exists()


def test_a_person_chooses_the_language_of_their_notices(ladder_org, django_capture_on_commit_callbacks):
    org = ladder_org
    agent = _client(org.agent_a)
    refused = agent.post("/notifications/", {"language": "fr"}, follow=True)
    assert "可选：" in _text(refused)
    org.agent_a.refresh_from_db()
    assert org.agent_a.language == ""

    assert agent.post("/notifications/", {"language": "en"}).status_code == 302
    org.agent_a.refresh_from_db()
    assert org.agent_a.language == "en"
    complaint = handling_case(org.agent_a)
    with django_capture_on_commit_callbacks(execute=True):
        solution_propose(
            number=complaint.number, actor=org.agent_a, options=[OptionData(remedy="refund", amount=500)]
        )
    approval = ApprovalRequest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        approval_decide(approval_id=approval.pk, actor=org.manager, decision="reject", reason="金额过高")
    notice = StaffNotification.objects.get(user=org.agent_a)
    assert notice.title == f"Compensation rejected: {complaint.number} CNY 500.00"
    assert "Please change the options and propose again." in notice.body


def test_the_header_renders_without_its_counts_when_the_database_fails_them(ladder_org, pending, monkeypatch):
    from django.db import DatabaseError

    from complaintdesk.web import context

    def broken(**kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(context, "staff_unread_count", broken)
    monkeypatch.setattr(context, "approvals_pending_count", broken)
    page = _client(ladder_org.manager).get("/notifications/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="nav-notifications"' in html and 'data-testid="unread-count"' not in html
    assert 'data-testid="approvals-count"' not in html
