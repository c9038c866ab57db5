"""Approvals in Chromium (issue 13 point 1): an agent proposes a compensation above their authority on the
case page; the business manager signs in and sees 待审批 with a count in the header (and a notice in
通知), opens the queue, sees the amount, the case (a link), the requester and the expiry, and approves
there; the agent's header then counts an unread notice, and 我的通知 shows the decision with a link back
to the case. Screenshots at 1366×768 and 390×844 (set BROWSER_SCREENSHOTS_DIR=docs/screenshots)."""

import pytest
from django.utils import translation

from complaintdesk.inbox.text import when
from complaintdesk.solutions.models import ApprovalRequest, ApprovalStatus

from .conftest import DESKTOP, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def case(org, billing_case):
    names = {org.agent_a: "李娜", org.manager: "周经理"}
    for user, name in names.items():
        user.display_name = name
        user.set_password(PASSWORD)
        user.save()
    return billing_case


def _propose_above_authority(page, number):
    page.goto(f"/complaints/{number}/")
    panel = page.locator("[data-testid=solutions-panel]")
    panel.wait_for()
    panel.locator("select[name=a_remedy]").select_option("refund")
    panel.locator("input[name=a_amount]").fill("500")
    panel.locator("input[name=a_description]").fill("退还多扣费用并补偿")
    panel.locator("[data-testid=propose-submit]").click()
    page.locator("[data-testid=proposal-status]", has_text="待审批").wait_for()


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_manager_finds_the_request_in_the_approvals_queue_and_the_agent_hears_the_decision(
    org, case, new_page, sign_in, screenshot
):
    agent = new_page(**DESKTOP)
    sign_in(agent, "agent_a", PASSWORD)
    # The agent approves nothing: no approvals entry in their header.
    assert agent.locator("[data-testid=nav-approvals]").count() == 0
    _propose_above_authority(agent, case.number)
    approval = ApprovalRequest.objects.get()
    with translation.override("zh-hans"):
        expiry = when(approval.due_at)  # e.g. 12月7日 24:00

    manager = new_page(**DESKTOP)
    sign_in(manager, "manager", PASSWORD)
    assert manager.locator("[data-testid=approvals-count]").inner_text() == "1"
    assert manager.locator("[data-testid=unread-count]").inner_text() == "1"  # the request's notice
    manager.click("[data-testid=nav-approvals]")
    card = manager.locator(f"[data-testid=approval-{approval.pk}]")
    card.wait_for()
    assert card.locator("[data-testid=approval-amount]").inner_text() == "500.00 元"
    link = card.locator("[data-testid=approval-case]")
    assert (
        link.inner_text() == case.number
        and link.get_attribute("href") == f"/complaints/{case.number}/#solutions"
    )
    assert card.locator("[data-testid=approval-requester]").inner_text() == "李娜"
    assert card.locator("[data-testid=approval-expiry]").inner_text().startswith(expiry)
    text = card.inner_text()
    assert "方案A：退款 500.00 元" in text and "超出每单补偿权限" in text
    screenshot(manager, "approvals-queue-1366x768")

    # The same queue on a phone: nothing wider than the screen.
    phone = new_page(**PHONE)
    sign_in(phone, "manager", PASSWORD)
    phone.goto("/approvals/")
    phone.locator(f"[data-testid=approval-{approval.pk}]").wait_for()
    assert _no_sideways_scroll(phone)
    screenshot(phone, "approvals-queue-390x844")

    card.locator("[data-testid=approval-reason]").fill("多扣费属实，同意退款")
    card.locator("[data-testid=approval-approve]").click()
    manager.locator("[data-testid=approvals-empty]").wait_for()
    assert f"{case.number}：已批准" in manager.locator(".messages").inner_text()
    assert manager.locator("[data-testid=approvals-count]").count() == 0
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED and approval.decided_by == org.manager

    agent.goto("/")
    assert agent.locator("[data-testid=unread-count]").inner_text() == "1"
    agent.click("[data-testid=nav-notifications]")
    notice = agent.locator("[data-testid=notification]").first
    notice.wait_for()
    assert (
        notice.locator("[data-testid=notification-title]").inner_text()
        == f"补偿申请已批准：{case.number} 500.00 元"
    )
    assert "审批人：周经理" in notice.inner_text() and "审批意见：多扣费属实，同意退款" in notice.inner_text()
    screenshot(agent, "approvals-decision-notification-1366x768")
    notice.locator("[data-testid=notification-open]").click()
    agent.wait_for_url(f"**/complaints/{case.number}/#solutions")
    agent.locator("[data-testid=proposal-status]", has_text="待客户选择").wait_for()
    assert agent.locator("[data-testid=unread-count]").count() == 0

    phone_agent = new_page(**PHONE)
    sign_in(phone_agent, "agent_a", PASSWORD)
    phone_agent.goto("/notifications/")
    phone_agent.locator("[data-testid=notification]").first.wait_for()
    assert _no_sideways_scroll(phone_agent)
    screenshot(phone_agent, "approvals-decision-notification-390x844")
