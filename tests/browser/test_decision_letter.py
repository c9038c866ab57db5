"""A case under the banking & insurance pack: the agent's result form asks for the decision letter's three
parts (the routes prefilled), refuses to send without them and sends with them (desktop and phone sizes).
Screenshots under BROWSER_SCREENSHOTS_DIR."""

import pytest

from complaintdesk.regulation.models import DeadlinePack, PackSelection
from complaintdesk.surveys.models import ResultFeedback

from .conftest import CAUSE, DESKTOP, MEASURES, OUTCOME, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VERIFIED = "经核实，10 月账单出账时计费系统对您的套餐重复计费一次，多扣 58 元"
BASIS = "根据您办理套餐时签订的服务协议第五条，同一计费周期只收取一次月费，重复收取的应全额退还"


@pytest.mark.parametrize("size", [DESKTOP, {"width": 390, "height": 844}], ids=["1366x768", "390x844"])
def test_the_agent_writes_and_sends_a_decision_letter(org, billing_case, new_page, sign_in, screenshot, size):
    PackSelection.objects.create(pack=DeadlinePack.objects.get(code="banking-insurance", version=1))
    org.agent_a.set_password(PASSWORD)
    org.agent_a.save()
    page = new_page(**size)
    sign_in(page, "agent_a", PASSWORD)
    page.goto(f"/complaints/{billing_case.number}/")
    form = page.locator("[data-testid=result-form]")
    form.wait_for()
    letter = form.locator("[data-testid=decision-letter]")
    assert "申请仲裁" in letter.locator("[data-testid=result-routes]").input_value()
    form.locator("[data-testid=result-cause]").fill(CAUSE)
    form.locator("[data-testid=result-measures]").fill(MEASURES)
    form.locator("[data-testid=result-outcome]").fill(OUTCOME)
    letter.scroll_into_view_if_needed()
    name = f"decision-letter-form-{size['width']}x{size['height']}"
    screenshot(page, name)
    form.screenshot(path=f"/tmp/cd_{name}.png")
    # The browser's own "required" check is what a person meets first; the service's is what we test.
    page.evaluate(
        "document.querySelectorAll('[data-testid=result-form] [required]').forEach(e => e.removeAttribute('required'))"
    )
    form.locator("[data-testid=result-send]").click()
    page.locator("[data-testid=result-form] .error").first.wait_for()
    assert "请写明核实情况" in page.locator("[data-testid=feedback-panel]").inner_text()
    assert not ResultFeedback.objects.filter(complaint=billing_case).exists()

    form = page.locator("[data-testid=result-form]")
    form.locator("[data-testid=result-verified]").fill(VERIFIED)
    form.locator("[data-testid=result-basis]").fill(BASIS)
    form.locator("[data-testid=result-check]").click()
    page.locator("[data-testid=result-preview]").wait_for()
    page.locator("[data-testid=result-preview]").scroll_into_view_if_needed()
    name = f"decision-letter-preview-{size['width']}x{size['height']}"
    screenshot(page, name)
    page.locator("[data-testid=result-form]").screenshot(path=f"/tmp/cd_{name}.png")
    page.locator("[data-testid=result-form] [data-testid=result-send]").click()
    page.locator("[data-testid=result-letter]").wait_for()
    sent = ResultFeedback.objects.get(complaint=billing_case)
    assert VERIFIED in sent.message and BASIS in sent.message and "申请仲裁" in sent.message
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"] + 1
