"""Escalation in Chromium, as the agent and the branch head see it: the agent escalates a case from the
case page's panel to a named level with a reason; the page then shows the level, its holder and the
level's clocks (not the front line's resolution time), the timeline says it in words; the branch head
finds the case on the supervisor view with its clocks. At 1366×768 and 390×844."""

import re

import pytest

from complaintdesk.escalation.models import CaseEscalation
from complaintdesk.testing import ladder_org as ladder_org

from .conftest import DESKTOP, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
CODES = re.compile(
    r"\b(first_response_due_at|level_resolve_due_at|escalation_level|level_resolve|resolution)\b"
)


@pytest.fixture
def people(ladder_org):
    for user in (ladder_org.agent_a, ladder_org.head):
        user.set_password(PASSWORD)
        user.save()
    return ladder_org


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["1366x768", "390x844"])
def test_escalate_from_the_case_page_and_find_it_on_the_supervisor_view(
    people, billing_case, new_page, sign_in, screenshot, screen
):
    size = f"{screen['width']}x{screen['height']}"
    page = new_page(**screen)
    sign_in(page, "agent_a", PASSWORD)
    page.goto(f"/complaints/{billing_case.number}/")
    page.get_by_test_id("escalation-panel").wait_for()
    panel = page.get_by_test_id("escalate-form")
    assert "上一层级：业务经理" in panel.inner_text()

    # Refused without a reason: the message is next to the field, nothing moved.
    panel.locator("select[name=level]").select_option(label="营业机构负责人")
    panel.locator("textarea[name=reason]").evaluate("e => e.removeAttribute('required')")
    panel.get_by_test_id("escalate").click()
    page.get_by_test_id("escalate-form").get_by_text("此项为必填项").wait_for()
    assert not CaseEscalation.objects.filter(complaint=billing_case, level_position__gt=0).exists()

    panel = page.get_by_test_id("escalate-form")
    panel.locator("select[name=level]").select_option(label="营业机构负责人")
    panel.locator("textarea[name=reason]").fill("客户在两家门店都被重复扣费，需要机构负责人协调")
    panel.get_by_test_id("escalate").click()
    page.get_by_test_id("level").wait_for()

    head = page.get_by_test_id("case-head").inner_text()
    assert "已升级" in head and "营业机构负责人" in head and "head" in head
    deadlines = page.get_by_test_id("deadlines").inner_text()
    assert "营业机构负责人解决时限" in deadlines
    assert "解决时限\n" not in deadlines.replace(
        "营业机构负责人解决时限", ""
    )  # the front line's no longer shown
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "升级层级 一线客服 → 营业机构负责人" in timeline and "本层级解决时限" in timeline
    assert not CODES.search(timeline), CODES.search(timeline)
    panel_text = page.get_by_test_id("escalation-panel").inner_text()
    # The customer is told by SMS who holds the case now; once sent, the level's acknowledge clock is met.
    assert "营业机构负责人解决时限" in panel_text
    assert "营业机构负责人告知客户时限" in panel_text or "告知客户由本层级承接" in panel_text
    screenshot(page, f"escalation-case-{size}")

    supervisor = new_page(**screen)
    sign_in(supervisor, "head", PASSWORD)
    supervisor.goto("/supervisor/")
    escalated = supervisor.get_by_test_id("escalated").inner_text()
    assert billing_case.number in escalated and "营业机构负责人" in escalated
    assert not CODES.search(supervisor.locator("main").inner_text())
    screenshot(supervisor, f"escalation-supervisor-{size}")
