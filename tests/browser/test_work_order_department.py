"""Department staff do their work order in Chromium (issue 13 point 2): the billing clerk signs in and lands
on the work-order queue, opens the case from the order (never a "Not Found"), reads the description, the
demand, the address and the phone to call, accepts and completes the order; the case's handler is told.
Also: a case that is not theirs is the product's own 404 page, in Chinese and in English.
Screenshots at 1366×768 and 390×844 (set BROWSER_SCREENSHOTS_DIR=docs/screenshots)."""

import pytest

from complaintdesk.complaints.models import Complaint
from complaintdesk.dispatch.models import WorkOrderStatus
from complaintdesk.dispatch.services import work_order_create

from .conftest import DESKTOP, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PLACE = "上海市徐汇区漕溪北路 88 号 3 楼"


@pytest.fixture
def order(org, billing_case):
    for user in (org.agent_a, org.dept_staff):
        user.set_password(PASSWORD)
        user.save()
    Complaint.objects.filter(pk=billing_case.pk).update(place=PLACE)
    return work_order_create(
        number=billing_case.number,
        actor=org.agent_a,
        department="BILL",
        instructions="核查 10 月账单是否重复扣费，如属实请冲正",
        due_working_days=2,
    )


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["1366x768", "390x844"])
def test_department_staff_open_the_case_from_their_order_and_complete_it(
    org, order, billing_case, new_page, sign_in, screenshot, screen
):
    size = f"{screen['width']}x{screen['height']}"
    page = new_page(**screen)
    sign_in(page, "billing", PASSWORD)

    # Lands on the work-order queue, not on an empty workbench.
    page.wait_for_url("**/work-orders/")
    row = page.locator(f"[data-testid=work-order-{order.pk}]")
    assert "核查 10 月账单是否重复扣费" in row.inner_text()
    screenshot(page, f"work-order-queue-{size}")

    # The case number is a link to the case as the department sees it.
    row.locator(f"[data-testid=open-{order.pk}]", has_text=billing_case.number).click()
    page.wait_for_url(f"**/work-orders/{order.pk}/")
    case = page.locator("[data-testid=order-case]")
    assert "Not Found" not in page.content()
    assert (
        case.locator("[data-testid=order-description]").inner_text()
        == "10 月账单重复扣了 58 元，客户要求退还。"
    )
    assert case.locator("[data-testid=order-demand]").inner_text() == "退还多扣费用"
    assert case.locator("[data-testid=order-place]").inner_text() == PLACE
    phone = case.locator("[data-testid=order-phone] a")
    assert phone.inner_text() == "138 0013 8000" and phone.get_attribute("href") == "tel:+8613800138000"
    assert _no_sideways_scroll(page)
    screenshot(page, f"work-order-case-{size}")

    # Accept, then complete with the result; the page stays on the order.
    page.locator("[data-testid=accept]").click()
    page.locator("[data-testid=order-status]", has_text="处理中").wait_for()
    page.fill("#order-text", "已核实 10 月重复扣费 58 元，已冲正，11 月账单退回")
    page.locator("[data-testid=complete]").click()
    page.locator("[data-testid=order-status]", has_text="已完成").wait_for()
    assert "已核实 10 月重复扣费 58 元" in page.locator("[data-testid=order-result]").inner_text()
    # The order is over: the phone is masked now, and there is nothing left to do.
    assert page.locator("[data-testid=order-phone]").inner_text().startswith("138****8000")
    assert page.locator("[data-testid=complete]").count() == 0
    screenshot(page, f"work-order-done-{size}")
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.DONE and order.finished_by == org.dept_staff

    # The case's handler is told, in the workbench.
    agent = new_page(**screen)
    sign_in(agent, "agent_a", PASSWORD)
    agent.locator("[data-testid=unread-count]").wait_for()
    agent.goto("/notifications/")
    assert f"派工单已完成：{billing_case.number}" in agent.locator("main").inner_text()


def test_a_case_that_is_not_theirs_is_our_404_in_the_users_language(
    org, order, billing_case, new_page, sign_in, screenshot
):

    page = new_page(**PHONE)
    sign_in(page, "billing", PASSWORD)
    page.goto("/complaints/TS20990101000001/")
    assert page.locator("h1").inner_text() == "找不到这个页面"
    assert page.locator("[data-testid=error-home]").get_attribute("href") == "/"
    screenshot(page, "work-order-404-zh-390x844")

    english = new_page(locale="en-US", **DESKTOP)
    sign_in(english, "billing", PASSWORD)
    english.goto("/complaints/TS20990101000001/")
    assert english.locator("h1").inner_text() == "Page not found"
    assert english.locator("[data-testid=error-home]").inner_text() == "Back to the workbench"
    screenshot(english, "work-order-404-en-1366x768")
