"""Known incidents in Chromium (issue 19 item 2): a manager declares a broadband outage in 徐汇区, 20 complaints
arrive and are linked to it, each customer is answered with the explanation and the expected end, and resolving
it tells all 20 once. Screenshots of the incident page at 1366×768 and 390×844 (BROWSER_SCREENSHOTS_DIR)."""

import datetime as dt
import json

import pytest

from complaintdesk.common.time import local_zone, now
from complaintdesk.complaints.intake import complaint_take_in
from complaintdesk.complaints.services import IntakeCustomer
from complaintdesk.outreach.models import Incident, IncidentLink
from complaintdesk.testing import intake_data

from .conftest import DESKTOP, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
CUSTOMERS = 20


def _sms(settings) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    path = settings.NOTIFY_SMS_OUTBOX
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            found.setdefault(row["to"], []).append(row["body"])
    return found


@pytest.fixture
def manager(org, settings, tmp_path):
    settings.NOTIFY_SMS_OUTBOX = tmp_path / "sms.jsonl"
    settings.NOTIFY_SMS_BACKEND = "complaintdesk.notifications.sms.backends.file.FileSmsBackend"
    settings.NOTIFY_SMS_SIGNATURE = "示例宽带"
    org.manager.set_password(PASSWORD)
    org.manager.save()
    return org.manager


def test_an_outage_answers_twenty_complaints_and_its_end_tells_each_once(org, manager, settings, new_page, sign_in,
                                                                         screenshot):  # fmt: skip
    page = new_page(**DESKTOP)
    sign_in(page, "manager", PASSWORD)
    page.locator("[data-testid=nav-incidents]").click()
    form = page.locator("[data-testid=incident-form]")
    form.locator("input[name=title]").fill("徐汇区宽带中断")
    form.locator("input[name=explanation]").fill("一处光缆被施工挖断，工程师正在抢修")
    form.locator("input[name=district]").fill("徐汇区")
    form.locator("select[name=units]").select_option(label="徐汇门店")
    form.locator("input[name=products]").fill("宽带")
    local = now().astimezone(local_zone())
    form.locator("input[name=starts_at]").fill((local - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    expected = (local + dt.timedelta(hours=2)).replace(minute=0)
    form.locator("input[name=expected_end_at]").fill(expected.strftime("%Y-%m-%dT%H:%M"))
    page.locator("[data-testid=incident-declare]").click()
    page.locator("[data-testid=incident]").wait_for()
    incident = Incident.objects.get()

    phones = [f"+861390013{n:04d}" for n in range(CUSTOMERS)]
    for n, phone in enumerate(phones):
        complaint_take_in(
            data=intake_data(title="家里宽带断了", product="家庭宽带", place="徐汇区漕溪北路",
                             customer=IntakeCustomer(name=f"客户{n}", phone=phone[3:])),
            actor=org.agent_a,
        )  # fmt: skip
    assert IncidentLink.objects.filter(incident=incident).count() == CUSTOMERS
    sent = _sms(settings)
    clock = f"{expected.hour}:{expected.minute:02d}"
    for phone in phones:
        told = [t for t in sent[phone] if "光缆" in t]
        assert len(told) == 1, (phone, sent[phone])
        assert "一处光缆被施工挖断，工程师正在抢修" in told[0] and "预计" in told[0] and clock in told[0]

    page.reload()
    assert page.locator("[data-testid=count-complaints]").inner_text() == str(CUSTOMERS)
    assert page.locator("[data-testid=count-answered]").inner_text() == str(CUSTOMERS)
    page.locator("[data-testid=incident-resolution]").fill("已更换受损光缆，网络恢复正常")
    page.locator("input[name=mode][value=continue]").check()
    page.locator("[data-testid=incident-resolve]").click()
    page.locator("[data-testid=incident-status]").wait_for()
    assert "已解决" in page.locator("[data-testid=incident-status]").inner_text()
    page.reload()
    assert page.locator("[data-testid=count-told]").inner_text() == str(CUSTOMERS)
    sent = _sms(settings)
    for phone in phones:
        over = [t for t in sent[phone] if "已于" in t]
        assert len(over) == 1 and "徐汇区宽带中断已于今天" in over[0] and "已更换受损光缆" in over[0], sent[
            phone
        ]
    body = page.locator("body").inner_text()
    assert "outage" not in body and "continue" not in body
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "incident-1366x768")

    phone_page = new_page(**PHONE)
    sign_in(phone_page, "manager", PASSWORD)
    phone_page.goto(f"/incidents/{incident.pk}/")
    phone_page.locator("[data-testid=incident-counts]").wait_for()
    screenshot(phone_page, "incident-390x844")
    number = IncidentLink.objects.filter(incident=incident).first().complaint.number
    phone_page.goto(f"/complaints/{number}/")
    phone_page.locator("[data-testid=incident-panel]").wait_for()
    assert "徐汇区宽带中断" in phone_page.locator("[data-testid=incident-panel]").inner_text()
    screenshot(phone_page, "incident-case-panel-390x844")
