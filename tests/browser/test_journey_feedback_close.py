"""The end of the agent's journey in Chromium at 1366×768, on a case already being handled: the agent sends
the structured result (cause, measures, outcome) from the feedback panel after the reply checker passes
it, registers the customer's confirmation given on the phone (the case is resolved), tries to close
without a summary (the guard says what is missing), writes the case summary (problem, cause, solution,
lesson) in the summary panel and closes the case with the transition button: the case is 已归档 and the
timeline shows the result and the summary. Screenshot of the closed case at 1366×768
(set BROWSER_SCREENSHOTS_DIR=docs/screenshots)."""

import json
import uuid

import pytest

from complaintdesk.archive.models import CaseSummary
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.surveys.models import ResultFeedback

from .conftest import CAUSE, DESKTOP, MEASURES, OUTCOME, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUMMARY = {
    "problem": "客户 10 月话费被重复扣了 58 元",
    "cause": "计费系统批量出账时同一笔套餐费重复计费",
    "solution": "计费部冲正重复扣费，原路退款 58 元，向客户反馈并经客户确认",
    "lesson": "出账后增加重复计费核对，发现多扣费主动告知客户",
}


@pytest.fixture
def outbox(settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"journey-{uuid.uuid4().hex}",
        }
    }
    settings.NOTIFY_SMS_BACKEND = "complaintdesk.notifications.sms.backends.file.FileSmsBackend"
    settings.NOTIFY_SMS_OUTBOX = tmp_path / "outbox" / "sms.jsonl"

    def lines() -> list[dict]:
        path = settings.NOTIFY_SMS_OUTBOX
        return (
            [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            if path.exists()
            else []
        )

    return lines


@pytest.fixture
def case(org, billing_case):
    org.agent_a.set_password(PASSWORD)
    org.agent_a.save()
    return billing_case


def _panel(page, testid):
    panel = page.locator(f"[data-testid={testid}]")
    panel.wait_for()
    return panel


def _status(page) -> str:
    return page.locator("[data-testid=case-head] [data-testid=status]").inner_text()


def test_feedback_confirm_summary_and_close(org, case, new_page, outbox, sign_in, screenshot):
    page = new_page(**DESKTOP)
    sign_in(page, "agent_a", PASSWORD)
    page.goto(f"/complaints/{case.number}/")
    assert _status(page) == "处理中"

    # The structured result, checked before it goes: a well-written one has no finding at all.
    feedback = _panel(page, "feedback-panel")
    feedback.locator("[data-testid=result-cause]").fill(CAUSE)
    feedback.locator("[data-testid=result-measures]").fill(MEASURES)
    feedback.locator("[data-testid=result-outcome]").fill(OUTCOME)
    feedback.locator("[data-testid=result-check]").click()
    page.locator("[data-testid=findings-ok]").wait_for()
    feedback = _panel(page, "feedback-panel")
    assert feedback.locator("[data-testid=findings]").count() == 0
    preview = feedback.locator("[data-testid=result-preview]").inner_text()
    assert (
        "重复计费" in preview and "原路退回" in preview
    )  # the SMS carries the cause and the outcome (short)
    sent_before = len(outbox())
    feedback.locator("[data-testid=result-send]").click()
    page.locator("[data-testid=feedback-notice]").wait_for()
    assert "处理结果已发送给客户" in page.locator("[data-testid=feedback-notice]").inner_text()
    result = ResultFeedback.objects.get(complaint=case)
    assert (result.cause, result.measures, result.outcome) == (CAUSE, MEASURES, OUTCOME)
    assert any("原路退回" in json.dumps(line, ensure_ascii=False) for line in outbox()[sent_before:])
    page.reload()
    assert _status(page) == "待客户确认"

    # The customer confirms on the phone; the agent registers it in the same panel.
    confirm = _panel(page, "feedback-panel").locator("[data-testid=confirm-form]")
    confirm.locator("input[name=note]").fill("客户来电确认已收到退款")
    confirm.locator("[data-testid=confirm]").click()
    page.locator("[data-testid=result-confirmed]").wait_for()
    page.reload()
    assert _status(page) == "已解决"

    # Closing before the summary is written: the guard refuses and says what is missing.
    with page.expect_navigation():
        page.locator("[data-testid=to-closed]").click()
    process = _panel(page, "process")
    assert "归档前需要填写归档总结，缺少：问题、原因、解决办法、经验教训" in process.inner_text()
    assert _status(page) == "已解决"
    assert Complaint.objects.get(pk=case.pk).status == "resolved"

    # The summary panel: problem, cause, solution, lesson.
    summary = _panel(page, "summary-panel")
    form = summary.locator("[data-testid=summary-form]")
    for name, text in SUMMARY.items():
        form.locator(f"textarea[name={name}]").fill(text)
    form.locator("[data-testid=summary-save]").click()
    page.locator("[data-testid=summary-notice]").wait_for()
    assert "归档总结已保存" in page.locator("[data-testid=summary-notice]").inner_text()
    saved = CaseSummary.objects.get(complaint=case)
    assert {name: getattr(saved, name) for name in SUMMARY} == SUMMARY

    # Now the transition button closes the case (the page is the refused POST's answer: load it afresh).
    page.goto(f"/complaints/{case.number}/")
    assert _status(page) == "已解决"
    with page.expect_navigation():
        page.locator("[data-testid=to-closed]").click()
    assert page.url.endswith(f"/complaints/{case.number}/")
    assert "状态已更新" in page.locator(".messages").inner_text()
    page.locator("[data-testid=case-head] [data-testid=status]", has_text="已归档").wait_for()
    assert _status(page) == "已归档"
    assert Complaint.objects.get(pk=case.pk).status == "closed"

    timeline = page.locator("[data-testid=timeline]").inner_text()
    assert "反馈处理结果" in timeline and CAUSE in timeline and OUTCOME in timeline
    assert "归档总结" in timeline
    assert "已解决 → 已归档" in timeline
    kinds = set(case.events.values_list("kind", flat=True))
    assert {EventKind.RESULT_SENT, EventKind.SUMMARY} <= kinds
    # The summary stays on the closed case's page.
    summary_text = _panel(page, "summary-panel").inner_text()
    assert "第 1 版" in summary_text
    screenshot(page, "journey-closed-1366x768")
