"""The short tracking link of an English SMS, opened on a phone (390×844) whose browser speaks Chinese: the
tracking page in English with the case number filled in, fitting the phone. Screenshots under
BROWSER_SCREENSHOTS_DIR."""

import re

import pytest

from complaintdesk.complaints.services import IntakeCustomer
from complaintdesk.notifications.services import notification_send
from complaintdesk.testing import intake

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def test_the_short_link_of_an_english_sms_opens_the_tracking_page_in_english_on_a_phone(
    org, new_page, settings, live_server, screenshot
):
    settings.NOTIFY_TRACK_URL = ""
    settings.PUBLIC_BASE_URL = live_server.url  # the address the customer's phone reaches
    case = intake(org.agent_a, language="en", customer=IntakeCustomer(name="Ms Wang", phone="13900139000"))
    sms = notification_send(complaint=case, template_code="acknowledgement", channel="sms").body
    [link] = re.findall(re.escape(live_server.url) + r"/t/\S+", sms)
    assert link == f"{live_server.url}/t/{case.number}/en"

    page = new_page(**PHONE, locale="zh-CN")
    page.goto(link)
    page.wait_for_url(re.compile(r"/portal/track/\?number=" + case.number + "&lang=en$"))
    assert page.input_value("input[name=number]") == case.number
    body = page.inner_text("body")
    assert "Track your case" in body and "查询办理进度" not in body
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "short-track-link-en-phone")
