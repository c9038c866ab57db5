"""Proactive notice and its opt-out in Chromium (issue 19 items 3-4): a manager declares a delayed shipment
with notice; each customer on its list gets one message ending with a link; on a 390×844 phone the link opens a
page without signing in that says what will stop, the customer confirms, and the next incident's notice does
not reach them. Screenshots (BROWSER_SCREENSHOTS_DIR)."""

import datetime as dt
import re

import pytest

from complaintdesk.common.time import local_zone, now
from complaintdesk.complaints.models import Customer
from complaintdesk.outreach.models import CustomerChoiceChange

from .conftest import DESKTOP, PASSWORD
from .test_incident_journey import PHONE, _sms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager(org, settings, tmp_path, live_server):
    settings.NOTIFY_SMS_OUTBOX = tmp_path / "sms.jsonl"
    settings.NOTIFY_SMS_BACKEND = "complaintdesk.notifications.sms.backends.file.FileSmsBackend"
    settings.NOTIFY_SMS_SIGNATURE = "示例商城"
    settings.PUBLIC_BASE_URL = live_server.url
    org.manager.set_password(PASSWORD)
    org.manager.save()
    return org.manager


def _declare(page, title: str) -> None:
    page.goto("/incidents/")
    form = page.locator("[data-testid=incident-form]")
    form.locator("select[name=kind]").select_option("shipment_delay")
    form.locator("input[name=title]").fill(title)
    form.locator("input[name=explanation]").fill("仓库系统升级，订单要晚3天发货")
    form.locator("textarea[name=accounts]").fill("ORD-1\nORD-2")
    local = now().astimezone(local_zone())
    form.locator("input[name=starts_at]").fill((local - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    expected = (local + dt.timedelta(days=1)).replace(hour=18, minute=0)
    form.locator("input[name=expected_end_at]").fill(expected.strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name=notify_customers]").check()
    page.locator("[data-testid=incident-declare]").click()
    page.locator("[data-testid=incident]").wait_for()


def test_the_notice_link_stops_notices_on_a_phone(org, manager, settings, new_page, sign_in, screenshot):
    Customer.objects.create(name="甲", phone="+8613700000001", account_no="ORD-1")
    Customer.objects.create(name="乙", phone="+8613700000002", account_no="ORD-2")
    page = new_page(**DESKTOP)
    sign_in(page, "manager", PASSWORD)
    _declare(page, "第7批订单延迟发货")
    [text] = _sms(settings)["+8613700000001"]
    assert "提前告诉您：仓库系统升级，订单要晚3天发货，预计明天18:00发货" in text
    link = re.search(r"https?://\S+/portal/stop/\S+/", text).group(0)

    phone = new_page(**PHONE, is_mobile=True, has_touch=True)  # the customer's phone: nobody signed in
    phone.goto(link)
    card = phone.locator("[data-testid=outreach-stop]")
    assert "不想再收到事件的主动通知？" in card.inner_text() and "137****0001" in card.inner_text()
    button = phone.locator("[data-testid=outreach-stop-confirm]")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300  # a thumb can hit it
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "outreach-stop-390x844")
    button.tap()
    phone.locator("[role=status]").wait_for()
    assert "从现在起，我们不会再主动通知您停电断网、延迟发货、门店停业这类事件" in card.inner_text()
    screenshot(phone, "outreach-stopped-390x844")
    change = CustomerChoiceChange.objects.get()
    assert (change.topic, change.agreed, change.channel) == ("notices", False, "link")

    _declare(page, "第8批订单延迟发货")
    sent = _sms(settings)
    assert len(sent["+8613700000001"]) == 1  # stopped: nothing more
    assert len(sent["+8613700000002"]) == 2
