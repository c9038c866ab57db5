"""The regulation panel in Chromium (issue 15 items 2 and 4): a bank's agent opens a card-fraud complaint,
sees its statutory decision deadline in words, asks for suggested JR/T 0169-2018 codes, confirms them, and
finds the confirmation on the timeline in words. Screenshots at 1366×768 and 390×844 (set
BROWSER_SCREENSHOTS_DIR=docs/screenshots)."""

import os

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


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["1366x768", "390x844"])
def test_the_agent_sees_the_admissibility_hints_right_after_phone_intake(
    org, new_page, sign_in, screenshot, screen
):
    PackSelection.objects.create(pack=DeadlinePack.objects.get(code="telecom", version=1))
    org.agent_a.set_password(PASSWORD)
    org.agent_a.save()
    page = new_page(**screen)
    sign_in(page, "agent_a", PASSWORD)
    page.goto("/intake/phone/")
    page.fill("input[name=phone]", "13812345678")
    page.fill("input[name=name]", "王女士")
    page.fill("input[name=title]", "两年前的月租多扣")
    page.fill("textarea[name=description]", "2024 年 1 月的月租多扣了 30 元，一直没退。")
    page.fill("textarea[name=demand]", "退还多扣的月租")
    page.fill("input[name=occurred_at]", "2024-01-10T10:00")
    page.check("input[name=restated]")
    page.focus("textarea[name=demand]")
    page.keyboard.press("Control+Enter")  # saves, as the form's hint says
    page.wait_for_url("**/complaints/TS*/", timeout=90_000)  # the first intake loads the classifier
    banner = page.locator("[data-testid=regulation-hints-banner]")
    banner.wait_for()
    text = banner.inner_text()
    assert "受理提示" in text and "申诉期限" in text and "已照常受理" in text
    assert "appeal_window" not in page.locator("body").inner_text()  # words, not codes
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"regulation-intake-hints-{screen['width']}x{screen['height']}")
    if os.environ.get("BROWSER_SCREENSHOTS_DIR"):  # what the agent sees first, without scrolling
        page.screenshot(
            path=os.path.join(
                os.environ["BROWSER_SCREENSHOTS_DIR"],
                f"regulation-intake-hints-first-screen-{screen['width']}x{screen['height']}.png",
            )
        )
