"""One case across every role, in Chromium, each person in their own browser (issue 13, "How it is shown"):

 1. the agent takes a phone complaint on the fast form (1366×768) and accepts it;
 2. analyses it (category, severity, root cause, amount at stake);
 3. proposes a refund above their authority: the proposal waits for approval;
 4. the business manager sees 待审批 with a count in the header, opens the inbox, approves (and looks at the
    inbox on a 390×844 phone too);
 5. the agent's header counts the decision's notice; the notice links back to the case, whose solution
    scripts now quote the approved option;
 6. the agent records the customer's choice and dispatches a work order to the billing department;
 7. the billing clerk signs in, lands on the work-order queue, opens the case from the order (scoped,
    read-only: description, demand, address, phone), accepts and completes it;
 8. the agent's header counts two notices: the order taken, and done with the department's result;
 9. the agent feeds the result back to the customer from a form that starts with the analysis' cause and
    the chosen compensation (checked first);
10. the customer's SMS with the survey link is taken from the outbox (Notification rows): the link is
    absolute; the customer opens it on a 390×844 page and rates 5 stars, solved;
11. the agent does the follow-up (回访) — it cannot archive yet, the summary is missing — writes the
    summary (prefilled from the case) and archives;
12. the quality inspector draws the period's sample on the quality page and scores this case.

Every page a person sees is scanned for raw codes (tests.raw_codes) and photographed:
BROWSER_SCREENSHOTS_DIR=docs/screenshots gives docs/screenshots/journey-NN-<step>-<width>.png."""

import re
import uuid

import pytest

from complaintdesk.common.time import local_today
from complaintdesk.complaints.models import Complaint
from complaintdesk.dispatch.models import WorkOrder, WorkOrderStatus
from complaintdesk.notifications.models import Notification, TemplateCode
from complaintdesk.quality.models import QaSample
from complaintdesk.solutions.models import ApprovalRequest, ApprovalStatus
from complaintdesk.surveys.models import SurveyAnswer
from tests.raw_codes import forbidden_tokens, raw_codes_in, visible_text

from .conftest import CAUSE, DESKTOP, MEASURES, OUTCOME, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
CUSTOMER_PHONE = "13812345678"
PLACE = "上海市徐汇区漕溪北路 88 号 3 楼"
CASE_PANELS = ("escalation-panel", "solutions-panel", "work-orders-panel", "feedback-panel", "summary-panel")
LESSON = "出账后增加重复计费核对，发现多扣费主动告知客户"


@pytest.fixture
def team(org):
    names = {
        org.agent_a: "李娜",
        org.manager: "周经理",
        org.dept_staff: "计费部王工",
        org.inspector: "质检员陈敏",
    }
    for user, name in names.items():
        user.display_name = name
        user.set_password(PASSWORD)
        user.save()
    return org


@pytest.fixture
def customer_sms(settings, tmp_path, live_server):
    """SMS go through the file backend into a temporary outbox; links point at the live server (the address
    the customer's phone reaches). Returns the SMS rows of the notifications outbox, oldest first."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"journey-{uuid.uuid4().hex}",
        }
    }
    settings.NOTIFY_SMS_BACKEND = "complaintdesk.notifications.sms.backends.file.FileSmsBackend"
    settings.NOTIFY_SMS_OUTBOX = tmp_path / "outbox" / "sms.jsonl"
    settings.NOTIFY_SURVEY_URL = ""
    settings.NOTIFY_TRACK_URL = ""
    settings.PUBLIC_BASE_URL = live_server.url

    def rows(complaint) -> list[Notification]:
        return list(
            Notification.objects.filter(complaint=complaint, channel="sms").order_by("created_at", "pk")
        )

    return rows


class Journey:
    """Screenshots (docs/screenshots/journey-NN-<step>-<width>.png) and the raw-code scan of every page seen."""

    def __init__(self, screenshot):
        self._screenshot = screenshot
        self._tokens = forbidden_tokens()
        self.step = 0

    def saw(self, page, name: str) -> str:
        self.step += 1
        if page.locator("[data-testid=case-head]").count():
            for panel in CASE_PANELS:  # the case page's panels come by htmx after the page
                page.locator(f"[data-testid={panel}]").wait_for()
        width = page.viewport_size["width"]
        self._screenshot(page, f"journey-{self.step:02d}-{name}-{width}")
        text = visible_text(page.content())
        found = raw_codes_in(text, self._tokens)
        assert not found, f"step {self.step} ({name}) shows codes {found}"
        assert "Not Found" not in text and "Server Error" not in text, f"step {self.step} ({name})"
        return text


def _panel(page, testid):
    panel = page.locator(f"[data-testid={testid}]")
    panel.wait_for()
    return panel


def _status(page) -> str:
    return page.locator("[data-testid=case-head] [data-testid=status]").inner_text()


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_one_case_through_every_role(team, new_page, sign_in, screenshot, customer_sms, live_server):
    journey = Journey(screenshot)

    # 1. Phone intake on the fast form, by the agent.
    agent = new_page(**DESKTOP)
    sign_in(agent, "agent_a", PASSWORD)
    agent.keyboard.press("n")
    agent.wait_for_url("**/intake/phone/")
    agent.fill("input[name=phone]", CUSTOMER_PHONE)
    agent.fill("input[name=name]", "王女士")
    agent.fill("input[name=title]", "话费重复扣费")
    agent.fill("textarea[name=description]", "10 月账单重复扣了 58 元，客户要求退还。")
    agent.fill("input[name=place]", PLACE)
    agent.fill("input[name=product]", "手机套餐")
    agent.fill("textarea[name=demand]", "退还多扣费用")
    agent.click("[data-testid=restate]")
    agent.locator("[data-testid=restate-script]").first.wait_for()
    agent.check("input[name=restated]")
    journey.saw(agent, "intake")
    agent.focus("textarea[name=demand]")
    agent.keyboard.press("Control+Enter")
    agent.wait_for_url("**/complaints/TS*/")
    case = Complaint.objects.get(title="话费重复扣费")
    number = case.number
    assert f"投诉已登记，单号 {number}" in agent.locator(".messages").inner_text()
    assert _status(agent) == "待受理"

    # Acceptance.
    with agent.expect_navigation():
        agent.locator("[data-testid=to-accepted]").click()
    assert _status(agent) == "已受理"
    journey.saw(agent, "accepted")

    # 2. Analysis.
    with agent.expect_navigation():
        agent.locator("[data-testid=to-analysing]").click()
    analysis = agent.locator("#analysis")
    analysis.locator("select[name=category]").select_option("billing_dispute")
    analysis.locator("select[name=severity]").select_option(label="一般投诉")
    analysis.locator("textarea[name=root_cause]").fill(CAUSE)
    analysis.locator("input[name=amount_at_stake]").fill("58")
    with agent.expect_navigation():
        analysis.locator("button[type=submit]").click()
    assert "分析结果已保存" in agent.locator(".messages").inner_text()
    assert "计费争议" in agent.locator("[data-testid=timeline]").inner_text()
    with agent.expect_navigation():
        agent.locator("[data-testid=to-handling]").click()
    assert _status(agent) == "处理中"
    journey.saw(agent, "analysed")

    # 3. A solution above the agent's authority.
    solutions = _panel(agent, "solutions-panel")
    solutions.locator("select[name=a_remedy]").select_option("refund")
    solutions.locator("input[name=a_amount]").fill("500")
    solutions.locator("input[name=a_description]").fill("退还多扣费用并补偿")
    solutions.locator("[data-testid=propose-submit]").click()
    agent.locator("[data-testid=proposal-status]", has_text="待审批").wait_for()
    assert "超出每单补偿权限" in _panel(agent, "solutions-panel").inner_text()
    journey.saw(agent, "proposal-pending")
    approval = ApprovalRequest.objects.get(proposal__complaint=case)

    # 4. The approver: the count in the header, the inbox, the decision.
    manager = new_page(**DESKTOP)
    sign_in(manager, "manager", PASSWORD)
    assert manager.locator("[data-testid=approvals-count]").inner_text() == "1"
    manager.click("[data-testid=nav-approvals]")
    card = manager.locator(f"[data-testid=approval-{approval.pk}]")
    card.wait_for()
    assert card.locator("[data-testid=approval-amount]").inner_text() == "500.00 元"
    assert card.locator("[data-testid=approval-case]").inner_text() == number
    assert card.locator("[data-testid=approval-requester]").inner_text() == "李娜"
    journey.saw(manager, "approvals-inbox")
    manager_phone = new_page(**PHONE)
    sign_in(manager_phone, "manager", PASSWORD)
    manager_phone.click("[data-testid=nav-approvals]")
    manager_phone.locator(f"[data-testid=approval-{approval.pk}]").wait_for()
    assert _fits(manager_phone)
    journey.saw(manager_phone, "approvals-inbox")
    card.locator("[data-testid=approval-reason]").fill("多扣费属实，同意退款并补偿")
    card.locator("[data-testid=approval-approve]").click()
    manager.locator("[data-testid=approvals-empty]").wait_for()
    assert f"{number}：已批准" in manager.locator(".messages").inner_text()
    assert manager.locator("[data-testid=approvals-count]").count() == 0
    journey.saw(manager, "approved")
    assert ApprovalRequest.objects.get(pk=approval.pk).status == ApprovalStatus.APPROVED

    # 5. The agent is told.
    agent.goto("/")
    assert agent.locator("[data-testid=unread-count]").inner_text() == "1"
    agent.click("[data-testid=nav-notifications]")
    notice = agent.locator("[data-testid=notification]").first
    notice.wait_for()
    assert (
        notice.locator("[data-testid=notification-title]").inner_text()
        == f"补偿申请已批准：{number} 500.00 元"
    )
    journey.saw(agent, "approval-notice")
    notice.locator("[data-testid=notification-open]").click()
    agent.wait_for_url(f"**/complaints/{number}/#solutions")
    # The solution scripts quote the approved option (only one was offered: {option_b} is flagged 待填).
    agent.select_option("select[name=stage]", "proposing")
    script = agent.locator("[data-testid=script]", has_text="退款 500.00 元").first
    script.wait_for()
    assert "方案A，退款 500.00 元" in script.inner_text() and "{option_a}" not in script.inner_text()

    # 6. The customer's choice, then a work order to billing.
    panel = _panel(agent, "solutions-panel")
    panel.locator("input[name=option][value=A]").check()
    panel.locator("input[name=note]").first.fill("客户电话确认选择退款")
    panel.locator("[data-testid=choose]").click()
    agent.locator("[data-testid=ledger-total]").wait_for()
    assert agent.locator("[data-testid=ledger-total]").inner_text() == "500.00"
    orders = _panel(agent, "work-orders-panel")
    orders.locator("select[name=department]").select_option("BILL")
    orders.locator("input[name=due_working_days]").fill("2")
    orders.locator("textarea[name=instructions]").fill("核查 10 月账单是否重复扣费，如属实请冲正")
    orders.locator("[data-testid=dispatch-submit]").click()
    agent.locator("[data-testid=waiting]").wait_for()
    order = WorkOrder.objects.get(complaint=case)
    journey.saw(agent, "dispatched")

    # 7. Department staff: their queue, the case from the order, completion.
    clerk = new_page(**DESKTOP)
    sign_in(clerk, "billing", PASSWORD)
    clerk.wait_for_url("**/work-orders/")
    assert clerk.locator("[data-testid=unread-count]").inner_text() == "1"  # the new order's notice
    row = clerk.locator(f"[data-testid=work-order-{order.pk}]")
    assert "核查 10 月账单是否重复扣费" in row.inner_text()
    journey.saw(clerk, "work-order-queue")
    row.locator(f"[data-testid=open-{order.pk}]", has_text=number).click()
    clerk.wait_for_url(f"**/work-orders/{order.pk}/")
    scoped = clerk.locator("[data-testid=order-case]")
    assert (
        scoped.locator("[data-testid=order-description]").inner_text()
        == "10 月账单重复扣了 58 元，客户要求退还。"
    )
    assert scoped.locator("[data-testid=order-demand]").inner_text() == "退还多扣费用"
    assert scoped.locator("[data-testid=order-place]").inner_text() == PLACE
    assert scoped.locator("[data-testid=order-phone] a").get_attribute("href") == f"tel:+86{CUSTOMER_PHONE}"
    journey.saw(clerk, "work-order-case")
    clerk.locator("[data-testid=accept]").click()
    clerk.locator("[data-testid=order-status]", has_text="处理中").wait_for()
    clerk.fill("#order-text", "已核实 10 月重复扣费 58 元，已冲正，退款 500 元已提交")
    clerk.locator("[data-testid=complete]").click()
    clerk.locator("[data-testid=order-status]", has_text="已完成").wait_for()
    journey.saw(clerk, "work-order-done")
    assert WorkOrder.objects.get(pk=order.pk).status == WorkOrderStatus.DONE

    # 8. The agent is told: a count in the header, the notice in 我的通知.
    agent.goto("/")
    unread = agent.locator("[data-testid=unread-count]").inner_text()
    agent.click("[data-testid=nav-notifications]")
    notice = agent.locator("[data-testid=notification]").first
    notice.wait_for()
    # Two unread: the department took the order, and finished it (with its result).
    assert unread == "2"
    assert f"派工单已完成：{number}（计费部）" in notice.inner_text()
    assert "处理结果：已核实 10 月重复扣费 58 元" in notice.inner_text()
    assert f"计费部已接单：{number}" in agent.locator("[data-testid=notification]").nth(1).inner_text()
    journey.saw(agent, "work-order-notice")
    notice.locator("[data-testid=notification-open]").click()
    agent.wait_for_url(f"**/complaints/{number}/**")

    # 9. The result fed back to the customer.
    feedback = _panel(agent, "feedback-panel")
    # The form starts from what the case holds: the analysis' cause, the compensation the customer chose.
    assert feedback.locator("[data-testid=result-cause]").input_value() == CAUSE
    assert (
        feedback.locator("[data-testid=result-compensation]").input_value()
        == "退款 500.00 元 退还多扣费用并补偿"
    )
    feedback.locator("[data-testid=result-measures]").fill(MEASURES)
    feedback.locator("[data-testid=result-outcome]").fill(OUTCOME)
    feedback.locator("[data-testid=result-check]").click()
    agent.locator("[data-testid=findings-ok]").wait_for()
    _panel(agent, "feedback-panel").locator("[data-testid=result-send]").click()
    agent.locator("[data-testid=feedback-notice]").wait_for()
    assert "处理结果已发送给客户" in agent.locator("[data-testid=feedback-notice]").inner_text()
    agent.reload()
    assert _status(agent) == "待客户确认"
    journey.saw(agent, "result-sent")

    # 10. The customer: the survey SMS from the outbox, an absolute link, rated on a phone.
    survey_sms = [n for n in customer_sms(case) if n.template_code == TemplateCode.SURVEY]
    assert len(survey_sms) == 1 and survey_sms[0].recipient.endswith(CUSTOMER_PHONE)
    [link] = re.findall(r"https?://[^\s，。]+/s/[\w-]+", survey_sms[0].body)
    assert link.startswith(live_server.url + "/s/")
    customer = new_page(**PHONE)
    customer.goto(link)
    customer.locator("[data-testid=survey-form]").wait_for()
    assert number in customer.inner_text("body") and _fits(customer)
    journey.saw(customer, "survey")
    customer.locator("[data-testid=stars-5]").click()
    customer.locator("[data-testid=solved-yes]").click()
    customer.locator("[data-testid=submit]").click()
    customer.locator("[data-testid=thanks]").wait_for()
    journey.saw(customer, "survey-thanks")
    assert SurveyAnswer.objects.get(complaint=case).stars == 5

    # 11. Follow-up (回访) by the agent, then the archive.
    agent.goto("/follow-ups/")
    row = agent.locator(f"[data-testid=follow-up-row-{number}]")
    row.wait_for()
    journey.saw(agent, "follow-up-queue")
    row.locator("a", has_text=number).click()
    agent.wait_for_url(f"**/complaints/{number}/#feedback")
    assert _status(agent) == "已解决"
    form = _panel(agent, "follow-up-form")
    form.locator("input[name=result][value=satisfied]").check()
    form.locator("textarea[name=note]").fill("客户表示退款已到账，很满意")
    form.locator("[data-testid=follow-up-record]").click()
    agent.locator("[data-testid=feedback-notice]").wait_for()
    journey.saw(agent, "follow-up-done")
    panel_text = _panel(agent, "feedback-panel").inner_text()
    assert "客户仍满意" in panel_text and "暂未归档：归档前需要填写归档总结" in panel_text
    # The summary starts from the case (problem, cause, what was done); the agent adds the lesson.
    summary_form = _panel(agent, "summary-panel").locator("[data-testid=summary-form]")
    assert (
        summary_form.locator("textarea[name=problem]").input_value()
        == "话费重复扣费（客户诉求：退还多扣费用）"
    )
    assert summary_form.locator("textarea[name=cause]").input_value() == CAUSE
    assert "原路退回" in summary_form.locator("textarea[name=solution]").input_value()
    summary_form.locator("textarea[name=lesson]").fill(LESSON)
    summary_form.locator("[data-testid=summary-save]").click()
    agent.locator("[data-testid=summary-notice]").wait_for()
    agent.goto(f"/complaints/{number}/")
    with agent.expect_navigation():
        agent.locator("[data-testid=to-closed]").click()
    agent.locator("[data-testid=case-head] [data-testid=status]", has_text="已归档").wait_for()
    assert "回访中 → 已归档" in agent.locator("[data-testid=timeline]").inner_text()
    assert "暂未归档" not in _panel(agent, "feedback-panel").inner_text()  # archived: the old refusal is gone
    journey.saw(agent, "archived")
    agent.goto("/follow-ups/")
    assert "没有待回访的投诉" in agent.locator("[data-testid=follow-up-queue]").inner_text()

    # 12. The quality inspector draws the sample on the page and scores this case.
    inspector = new_page(**DESKTOP)
    sign_in(inspector, "qa", PASSWORD)
    inspector.goto("/quality/")
    today = local_today().isoformat()
    draw = inspector.locator("[data-testid=quality-draw]")
    draw.locator("input[name=period_start]").fill(today)
    draw.locator("input[name=period_end]").fill(today)
    with inspector.expect_navigation():
        draw.locator("[data-testid=draw]").click()
    assert "份样本" in inspector.locator(".messages").inner_text()
    sample = QaSample.objects.get(complaint=case)
    row = inspector.locator(f"[data-testid=sample-{sample.pk}]")
    assert number in row.inner_text()
    journey.saw(inspector, "quality-drawn")
    row.locator("a").click()
    inspector.wait_for_url(f"**/quality/{sample.pk}/")
    journey.saw(inspector, "quality-sample")
    # The inspector reads the case as it happened: the history in words, what the customer was sent.
    assert "待受理 → 已受理" in inspector.locator("[data-testid=timeline]").inner_text()
    messages = inspector.locator("[data-testid=quality-messages]").inner_text()
    assert "满意度调查邀请" in messages and "处理结果" in messages
    scores = {"listening": 5, "apology": 5, "accuracy": 4, "solution": 5, "scripts": 5, "follow_up": 5}
    form = inspector.locator("[data-testid=quality-form]")
    for code, value in scores.items():
        form.locator(f"input[name={code}][value='{value}']").check()
    form.locator("textarea[name=comment]").fill("复述确认到位，方案超权限及时报批；金额口径可再准确些")
    with inspector.expect_navigation():
        form.locator("[data-testid=score-submit]").click()
    assert f"已保存 {number} 的质检评分" in inspector.locator(".messages").inner_text()
    inspector.goto("/quality/?view=done")
    done = inspector.locator(f"[data-testid=sample-{sample.pk}]")
    assert number in done.inner_text() and "96" in done.inner_text()
    journey.saw(inspector, "quality-scored")
