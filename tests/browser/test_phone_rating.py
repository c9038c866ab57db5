"""The agent records, on the case page, the rating a customer gives on the phone (desktop and phone sizes):
no bare “转为已解决” button; the panel offers the rating and the unreachable-customer forms; the rating
resolves the case. Screenshots under BROWSER_SCREENSHOTS_DIR (docs/screenshots)."""

import pytest

from complaintdesk.complaints.models import Complaint
from complaintdesk.surveys.results import result_send

from .conftest import CAUSE, DESKTOP, MEASURES, OUTCOME, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", [DESKTOP, {"width": 390, "height": 844}], ids=["1366x768", "390x844"])
def test_the_agent_records_a_phone_rating(org, billing_case, new_page, sign_in, screenshot, size):
    org.agent_a.set_password(PASSWORD)
    org.agent_a.save()
    page = new_page(**size)
    sign_in(page, "agent_a", PASSWORD)
    page.goto(f"/complaints/{billing_case.number}/")
    panel = page.locator("[data-testid=feedback-panel]")
    panel.wait_for()
    assert page.locator("[data-testid=to-resolved]").count() == 0
    assert panel.locator("[data-testid=unreachable]").count() == 1
    result_send(
        number=billing_case.number, actor=org.agent_a, cause=CAUSE, measures=MEASURES, outcome=OUTCOME
    )

    page.reload()
    form = page.locator("[data-testid=rating-form]")
    form.wait_for()
    form.scroll_into_view_if_needed()
    name = f"phone-rating-{size['width']}x{size['height']}"
    page.screenshot(path=f"/tmp/cd_{name}.png", full_page=False)
    form.locator("[data-testid=rating-stars]").select_option("5")
    form.get_by_label("客户表示问题已解决").check()
    form.locator("textarea[name=comment]").fill("退款已到账，很满意")
    form.locator("[data-testid=rating-record]").click()
    notice = page.locator("[data-testid=feedback-notice]")
    notice.wait_for()
    assert "已登记客户的电话评价" in notice.inner_text()
    assert "退款已到账，很满意" in page.locator("[data-testid=feedback-panel]").inner_text()
    screenshot(page, name)
    assert Complaint.objects.get(pk=billing_case.pk).status == "resolved"
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"] + 1
