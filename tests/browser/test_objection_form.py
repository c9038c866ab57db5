"""The agent registers, on the case page, a customer's objection to the result given on the phone (desktop
and phone sizes): the form is in the case's escalation panel once the result is out, the case goes to the
business manager, and the timeline says so in words. Screenshots under BROWSER_SCREENSHOTS_DIR."""

import os
from pathlib import Path

import pytest

from complaintdesk.complaints.models import Complaint
from complaintdesk.surveys.results import result_send

from .conftest import CAUSE, DESKTOP, MEASURES, OUTCOME, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _viewport(page, name: str) -> None:
    """What the person sees on the screen at that moment (not the whole page)."""
    directory = os.environ.get("BROWSER_SCREENSHOTS_DIR", "")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=False)


@pytest.mark.parametrize("size", [DESKTOP, {"width": 390, "height": 844}], ids=["1366x768", "390x844"])
def test_the_agent_registers_an_objection(org, billing_case, new_page, sign_in, size):
    org.agent_a.set_password(PASSWORD)
    org.agent_a.save()
    result_send(
        number=billing_case.number, actor=org.agent_a, cause=CAUSE, measures=MEASURES, outcome=OUTCOME
    )
    page = new_page(**size)
    sign_in(page, "agent_a", PASSWORD)
    page.goto(f"/complaints/{billing_case.number}/")
    form = page.locator("[data-testid=objection-form]")
    form.wait_for()
    form.scroll_into_view_if_needed()
    name = f"objection-form-{size['width']}x{size['height']}"
    _viewport(page, name)

    form.locator("textarea[name=reason]").fill("客户说只退了 58 元里的 30 元，要求全部退还")
    form.locator("[data-testid=object]").click()
    page.wait_for_url(f"**/complaints/{billing_case.number}/#escalation")
    page.locator("[data-testid=escalation-level]").wait_for()
    assert "业务经理" in page.locator("[data-testid=escalation-level]").inner_text()
    assert page.locator("[data-testid=objection-form]").count() == 0
    timeline = page.locator("[data-testid=timeline]").inner_text()
    assert "客户有异议" in timeline and "客户说只退了 58 元里的 30 元，要求全部退还" in timeline
    assert "一线客服 → 业务经理" in timeline
    page.locator("[data-testid=timeline]").scroll_into_view_if_needed()
    _viewport(page, f"{name}-done")
    assert Complaint.objects.get(pk=billing_case.pk).status == "escalated"
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"] + 1
