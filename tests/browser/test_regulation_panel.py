"""The regulation panel in Chromium (issue 15 items 2 and 4): a bank's agent opens a card-fraud complaint,
sees its statutory decision deadline in words, asks for suggested JR/T 0169-2018 codes, confirms them, and
finds the confirmation on the timeline in words. Screenshots at 1366×768 and 390×844 (set
BROWSER_SCREENSHOTS_DIR=docs/screenshots)."""

import pytest

from complaintdesk.complaints.services import complaint_create
from complaintdesk.regulation.models import CaseCode, CaseCodeStatus, DeadlinePack, PackSelection
from complaintdesk.testing import intake_data

from .conftest import DESKTOP, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def fraud_case(org):
    PackSelection.objects.create(pack=DeadlinePack.objects.get(code="banking-insurance", version=1))
    org.agent_a.set_password(PASSWORD)
    org.agent_a.save()
    return complaint_create(
        data=intake_data(
            title="信用卡被盗刷",
            description="我在手机银行APP里看到信用卡被盗刷了三笔，共 4,800 元。",
            demand="追回被盗刷的钱",
        ),  # fmt: skip
        actor=org.agent_a,
    )


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["1366x768", "390x844"])
def test_the_agent_confirms_suggested_codes_on_the_case_page(
    org, fraud_case, new_page, sign_in, screenshot, screen
):
    page = new_page(**screen)
    sign_in(page, "agent_a", PASSWORD)
    page.goto(f"/complaints/{fraud_case.number}/")
    panel = page.locator("[data-testid=regulation-panel]")
    panel.wait_for()
    assert "银行保险机构消费投诉处理" in panel.inner_text() and "作出处理决定" in panel.inner_text()
    page.locator("[data-testid=regulation-suggest]").click()
    page.locator("[data-testid=regulation-notice]").wait_for()
    assert page.locator("[data-testid=regulation-code-C]").input_value() == "C09"
    page.locator("[data-testid=regulation-confirm]").click()
    page.get_by_text("监管分类已确认").wait_for()
    assert set(CaseCode.objects.filter(complaint=fraud_case).values_list("status", flat=True)) == {
        CaseCodeStatus.CONFIRMED
    }
    page.reload()
    page.locator("[data-testid=regulation-panel]").wait_for()
    assert "资金安全 (C09)" in page.locator("body").inner_text()  # the timeline, in words
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("#regulation").scroll_into_view_if_needed()
    screenshot(page, f"regulation-panel-{screen['width']}x{screen['height']}")
