"""Closing the loop in Chromium: an agent sends the result from the case's feedback panel; the customer opens
the survey link from the SMS on a phone-sized screen (390×844), without signing in, and gives 2 stars; the
case goes back to handling with the customer's comment as the reason. The same link then shows a friendly
"already answered" page."""

import json
import re
import uuid

import pytest

from complaintdesk.complaints.models import Complaint, ComplaintEvent, EventKind
from complaintdesk.complaints.services import (
    IntakeCustomer,
    IntakeData,
    complaint_create,
    complaint_transition,
)
from complaintdesk.surveys.models import SurveyAction, SurveyAnswer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def outbox(settings, tmp_path, live_server):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"sv-{uuid.uuid4().hex}",
        }
    }
    settings.NOTIFY_SMS_BACKEND = "complaintdesk.notifications.sms.backends.file.FileSmsBackend"
    settings.NOTIFY_SMS_OUTBOX = tmp_path / "outbox" / "sms.jsonl"
    settings.NOTIFY_SURVEY_URL = live_server.url + "/s/{token}"

    def lines() -> list[dict]:
        path = settings.NOTIFY_SMS_OUTBOX
        return (
            [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            if path.exists()
            else []
        )

    return lines


@pytest.fixture
def case(org):
    agent = org.agent_a
    agent.set_password(PASSWORD)
    agent.display_name, agent.employee_no, agent.extension = "李敏", "10086", "8021"
    agent.save()
    complaint = complaint_create(
        data=IntakeData(
            channel="phone",
            title="宽带连续三天断网",
            description="家里宽带从周五晚上开始断网，重启光猫也没用。",
            customer=IntakeCustomer(name="王丽", phone="13800138000", preferred_channel="sms"),
            demand="尽快修好，并减免本月月租",
        ),
        actor=agent,
    )
    complaint_transition(number=complaint.number, actor=agent, to="accepted")
    complaint_transition(number=complaint.number, actor=agent, to="handling")
    return complaint


def _sms_text(message: dict) -> str:
    return message.get("text") or message.get("body") or json.dumps(message, ensure_ascii=False)


def test_agent_sends_result_customer_rates_two_stars_on_a_phone_and_the_case_reopens(
    org,
    case,
    new_page,
    outbox,
    screenshot,
    live_server,
):
    # The agent signs in and sends the result from the case's feedback panel.
    agent_page = new_page()
    agent_page.goto("/login/")
    agent_page.fill("input[name=username]", "agent_a")
    agent_page.fill("input[name=password]", PASSWORD)
    agent_page.click("main button[type=submit]")
    agent_page.wait_for_url("**/")
    agent_page.goto(f"/complaints/{case.number}/feedback/panel")
    agent_page.fill("[data-testid=result-cause]", "小区光缆被施工挖断")
    agent_page.fill("[data-testid=result-measures]", "我们已安排工程师更换了光缆")
    agent_page.fill("[data-testid=result-outcome]", "网络已恢复正常")
    agent_page.fill("[data-testid=result-compensation]", "本月宽带月租已全额减免")
    agent_page.click("[data-testid=result-send]")
    agent_page.wait_for_url(f"**/complaints/{case.number}/")
    case.refresh_from_db()
    assert case.status == "awaiting_customer"

    # The customer gets the result and the survey link by SMS.
    texts = [_sms_text(m) for m in outbox()]
    assert any("网络已恢复正常" in t for t in texts)
    [link] = [
        m.group(0) for t in texts for m in [re.search(re.escape(live_server.url) + r"/s/[\w-]+", t)] if m
    ]

    # On a phone, without signing in: 2 stars, not solved, a comment.
    phone = new_page(**PHONE)
    phone.goto(link)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert case.number in phone.content()
    screenshot(phone, "survey-form-phone")
    phone.click("[data-testid=stars-2]")
    phone.click("[data-testid=solved-no]")
    phone.fill("textarea[name=comment]", "网速还是很慢，晚上经常断")
    phone.click("[data-testid=submit]")
    phone.wait_for_selector("[data-testid=thanks]")
    screenshot(phone, "survey-thanks-phone")

    answer = SurveyAnswer.objects.get()
    assert (answer.stars, answer.solved, answer.agent, answer.org_unit) == (
        2,
        False,
        org.agent_a,
        org.store_a,
    )
    assert answer.action == SurveyAction.REOPENED
    case = Complaint.objects.get(pk=case.pk)
    assert case.status == "handling"
    back = ComplaintEvent.objects.filter(complaint=case, kind=EventKind.TRANSITION).latest("id")
    assert (back.old_value, back.new_value) == ("awaiting_customer", "handling")
    assert "网速还是很慢" in back.reason

    # The same link again: a friendly page, nothing more recorded.
    events = ComplaintEvent.objects.filter(complaint=case).count()
    phone.goto(link)
    assert phone.locator("[data-testid=refused]").get_attribute("data-reason") == "used"
    assert ComplaintEvent.objects.filter(complaint=case).count() == events

    # The agent sees the rating on the case's panel.
    agent_page.goto(f"/complaints/{case.number}/feedback/panel")
    assert agent_page.locator(f"[data-testid=answer-{answer.pk}]").is_visible()
