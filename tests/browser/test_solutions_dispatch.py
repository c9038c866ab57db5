"""The solutions and work-order panels of the case page in Chromium: an agent proposes two options above
their authority (方案A refund 500 / 方案B coupon 50), the business manager approves from the same panel,
the agent records the customer's choice (the ledger shows it), dispatches the case to billing, and the
billing clerk accepts and completes the order on the department queue; then the case can be resolved.
Screenshots of the panels at 1366×768 and 390×844 (set BROWSER_SCREENSHOTS_DIR=docs/screenshots)."""

import pytest

from complaintdesk.complaints.models import Complaint
from complaintdesk.dispatch.models import WorkOrder, WorkOrderStatus
from complaintdesk.solutions.models import CompensationEntry
from complaintdesk.testing import resolve

from .conftest import DESKTOP, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def case(org, billing_case):
    for user in (org.agent_a, org.manager, org.dept_staff):
        user.set_password(PASSWORD)
        user.save()
    return billing_case


def _panel(page, testid):
    panel = page.locator(f"[data-testid={testid}]")
    panel.wait_for()
    return panel


def test_propose_approve_choose_dispatch_and_resolve(org, case, new_page, sign_in, screenshot):
    agent = new_page(**DESKTOP)
    sign_in(agent, "agent_a", PASSWORD)
    agent.goto(f"/complaints/{case.number}/")
    solutions = _panel(agent, "solutions-panel")

    # Two options, the larger above the agent's 200 per case: the proposal waits for the manager.
    solutions.locator("select[name=a_remedy]").select_option("refund")
    solutions.locator("input[name=a_amount]").fill("500")
    solutions.locator("input[name=a_description]").fill("退还多扣费用并补偿")
    solutions.locator("select[name=b_remedy]").select_option("coupon")
    solutions.locator("input[name=b_amount]").fill("50")
    solutions.locator("[data-testid=propose-submit]").click()
    status = agent.locator("[data-testid=proposal-status]").first
    status.wait_for()
    assert status.inner_text() == "待审批"
    assert "超出每单补偿权限" in _panel(agent, "solutions-panel").inner_text()
    screenshot(agent, "solutions-pending-1366x768")

    manager = new_page(**PHONE)
    sign_in(manager, "manager", PASSWORD)
    manager.goto(f"/complaints/{case.number}/")
    panel = _panel(manager, "solutions-panel")
    panel.locator("input[name=reason]").fill("多扣费属实，同意退款")
    screenshot(manager, "solutions-approve-390x844")
    panel.locator("[data-testid=approve]").click()
    manager.locator("[data-testid=proposal-status]", has_text="待客户选择").wait_for()
    assert manager.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    agent.reload()
    panel = _panel(agent, "solutions-panel")
    panel.locator("input[name=option][value=A]").check()
    panel.locator("input[name=note]").first.fill("客户选择退款")
    panel.locator("[data-testid=choose]").click()
    agent.locator("[data-testid=ledger-total]").wait_for()
    assert agent.locator("[data-testid=ledger-total]").inner_text() == "500.00"
    assert CompensationEntry.objects.get().authorised_by == org.manager

    # Dispatch to billing; the case now waits for the order.
    orders = _panel(agent, "work-orders-panel")
    orders.locator("select[name=department]").select_option("BILL")
    orders.locator("input[name=due_working_days]").fill("2")
    orders.locator("textarea[name=instructions]").fill("核查 10 月账单并冲正重复扣费")
    orders.locator("[data-testid=dispatch-submit]").click()
    agent.locator("[data-testid=waiting]").wait_for()
    screenshot(agent, "work-orders-1366x768")
    order = WorkOrder.objects.get()

    billing = new_page(**PHONE)
    sign_in(billing, "billing", PASSWORD)
    billing.goto("/work-orders/")
    row = billing.locator(f"[data-testid=work-order-{order.pk}]")
    assert case.number in row.inner_text()
    row.locator(f"[data-testid=accept-{order.pk}]").click()
    billing.wait_for_load_state()
    row = billing.locator(f"[data-testid=work-order-{order.pk}]")
    row.locator("textarea[name=text]").fill("已冲正 58 元")
    screenshot(billing, "work-order-queue-390x844")
    row.locator(f"[data-testid=complete-{order.pk}]").click()
    billing.wait_for_load_state()
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.DONE

    resolve(org.agent_a, case.number)
    assert Complaint.objects.get(pk=case.pk).status == "resolved"
