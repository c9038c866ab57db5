"""Privacy in Chromium (issue 15 item 6): a general-management officer places a legal hold on the case page
and sees it there; an agent reveals a masked phone number, giving the reason the button asks for; the
auditor reads both on /privacy/access-log/, in words. Screenshots at 1366×768 and 390×844 (set
BROWSER_SCREENSHOTS_DIR=docs/screenshots)."""

import os

import pytest
from django.contrib.auth.models import Group

from complaintdesk.accounts.models import Role
from complaintdesk.common.time import now, to_local
from complaintdesk.privacy.access import AUDITOR_GROUP
from complaintdesk.privacy.models import AccessLog, LegalHold

from .conftest import DESKTOP, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["1366x768", "390x844"])
def test_hold_reveal_and_the_auditors_log(org, billing_case, new_page, sign_in, screenshot, screen):
    gm = org.user("gm", Role.GENERAL_MANAGEMENT, org.hq)
    auditor = org.user("audit", Role.QUALITY_INSPECTOR, org.hq)
    auditor.groups.add(Group.objects.get(name=AUDITOR_GROUP))
    for user in (gm, auditor, org.agent_a):
        user.set_password(PASSWORD)
        user.save()
    number = billing_case.number
    size = "x".join(str(v) for v in screen.values())

    page = new_page(**screen)
    sign_in(page, "gm", PASSWORD)
    page.goto(f"/complaints/{number}/#privacy")
    page.locator("[data-testid=privacy-hold-form]").wait_for()
    page.fill("[data-testid=privacy-hold-reason]", "客户已向法院起诉，法院要求保全全部材料")
    page.locator("[data-testid=privacy-hold-submit]").click()
    hold = page.locator("[data-testid=privacy-hold]")
    hold.wait_for()
    assert "法律保全中" in hold.inner_text() and "法院要求保全" in hold.inner_text()
    assert LegalHold.objects.get(complaint=billing_case).placed_by == gm
    screenshot(page, f"privacy-hold-{size}")
    if os.environ.get("BROWSER_SCREENSHOTS_DIR"):  # the panel alone: the page is long
        page.locator("#privacy-panel").screenshot(
            path=os.path.join(os.environ["BROWSER_SCREENSHOTS_DIR"], f"privacy-hold-panel-{size}.png")
        )

    agent = new_page(**screen)
    sign_in(agent, "agent_a", PASSWORD)
    agent.goto(f"/complaints/{number}/")
    assert "138****8000" in agent.locator("[data-testid=customer]").inner_text()
    agent.on("dialog", lambda dialog: dialog.accept("客户要求回电核实退款"))
    agent.locator("[data-testid=reveal]").click()
    agent.locator("[data-testid=revealed]").wait_for()
    assert "138 0013 8000" in agent.locator("[data-testid=customer]").inner_text()
    assert "法律保全中" in agent.locator("[data-testid=privacy-panel]").inner_text()  # shown to the agent too
    assert AccessLog.objects.get(user=org.agent_a).reason == "客户要求回电核实退款"

    log = new_page(**screen)
    sign_in(log, "audit", PASSWORD)
    log.goto("/privacy/access-log/")
    rows = log.locator("[data-testid=access-row]")
    rows.first.wait_for()
    text = log.locator("[data-testid=access-log-rows]").inner_text()
    assert number in text and "电话" in text and "客户要求回电核实退款" in text and "点击查看完整信息" in text
    # The days are typed year first, whatever the browser's language (not Chromium's mm/dd/yyyy).
    day = log.locator("[data-testid=filter-from]")
    assert day.get_attribute("type") == "text" and "2026-12-01" in day.get_attribute("placeholder")
    today = to_local(now()).date()
    day.fill(f"{today.year}/{today.month}/{today.day}")
    log.locator("[data-testid=filter-to]").fill(f"{today.year}年{today.month}月{today.day}日")
    log.locator("[data-testid=access-log-filters] button[type=submit]").click()
    log.locator("[data-testid=access-row]").first.wait_for()
    assert log.locator("[data-testid=filter-from]").input_value() == today.isoformat()
    screenshot(log, f"privacy-access-log-{size}")
