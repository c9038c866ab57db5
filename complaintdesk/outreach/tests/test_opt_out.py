"""Opt-out (issue 19 item 3-4): the link at the end of every notice and care message opens a portal page
without signing in; it says what stops, stops it when confirmed, and nothing of that kind is sent after.
Staff record the same on the case page. Each change is kept with its time and how it reached us."""

import datetime as dt
import re
import uuid

import pytest
from django.test import Client

from complaintdesk.common.time import now
from complaintdesk.complaints.models import Customer
from complaintdesk.outreach.care import campaign_run, customer_choice_record
from complaintdesk.outreach.delivery import outreach_deliver
from complaintdesk.outreach.models import (
    ChoiceChannel,
    CustomerChoice,
    CustomerChoiceChange,
    MessageStatus,
    OutreachMessage,
    Purpose,
)
from complaintdesk.outreach.optout import stop_token
from complaintdesk.outreach.services import incident_event_receive

from .test_incidents import take_in
from .test_notices_and_care import _campaign

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/portal/stop/\S+/")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.PUBLIC_BASE_URL = "https://cs.example.com"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"test-{uuid.uuid4().hex}"}}  # fmt: skip


def _event(committed, external_id: str):
    return committed(
        incident_event_receive, actor=None, source="wms", external_id=external_id, kind="shipment_delay",
        title=f"批次{external_id}延迟发货", explanation="仓库调配出错，订单要晚几天发货", accounts=["ORD-1"],
        starts_at=now() - dt.timedelta(hours=1), expected_end_at=now() + dt.timedelta(days=2), notify_customers=True,
    )[0]  # fmt: skip


def test_the_link_in_a_notice_stops_notices_and_none_is_sent_after(org, committed, sms_sent):
    customer = Customer.objects.create(name="甲", phone="+8613700000001", account_no="ORD-1")
    _event(committed, "1")
    [text] = sms_sent()["+8613700000001"]
    assert "不想再收到这类通知，点此退订：https://cs.example.com/portal/stop/" in text
    path = LINK.search(text).group(0).removeprefix("https://cs.example.com")
    browser = Client()  # the customer's phone: nobody signed in
    page = browser.get(path)
    assert page.status_code == 200
    body = page.content.decode()
    assert "不想再收到事件的主动通知？" in body and "137****0001" in body and "13700000001" not in body
    assert not CustomerChoice.objects.filter(customer=customer, notices_refused_at__isnull=False).exists()
    done = browser.post(path)
    assert done.status_code == 200 and "已退订主动通知" in done.content.decode()
    assert "不会再主动通知您停电断网、延迟发货、门店停业这类事件" in done.content.decode()
    change = CustomerChoiceChange.objects.get(customer=customer)
    assert (change.topic, change.agreed, change.channel) == (
        "notices",
        False,
        ChoiceChannel.LINK,
    ) and change.at
    _event(committed, "2")  # the next event: not told
    assert len(sms_sent()["+8613700000001"]) == 1
    assert browser.post(path).status_code == 200  # tapping again is harmless
    assert CustomerChoiceChange.objects.filter(customer=customer).count() == 1


def test_a_link_we_did_not_make_stops_nothing(org):
    customer = Customer.objects.create(name="甲", phone="+8613700000001")
    token = stop_token(customer_id=customer.pk, purpose=Purpose.NOTICE)
    forged = token.replace(f"{customer.pk}.n", f"{customer.pk}.c")
    response = Client().post(f"/portal/stop/{forged}/")
    assert response.status_code == 404 and "无法识别" in response.content.decode()
    assert not CustomerChoice.objects.exists()


def test_care_stopped_by_the_link_and_a_message_queued_before_is_never_sent(org, committed, sms_sent):
    customer = Customer.objects.create(name="乙", phone="+8613600000001")
    customer_choice_record(customer=customer, actor=org.manager, care=True)
    campaign = _campaign()
    with_link = committed(campaign_run, campaign=campaign)
    assert with_link["queued"] == 1
    [text] = sms_sent()["+8613600000001"]
    assert "不想再收到关怀消息，点此退订" in text
    path = LINK.search(text).group(0).removeprefix("https://cs.example.com")
    page = Client().get(path).content.decode()
    assert "节日问候、生日祝福和定期回访" in page
    # A message queued but not yet delivered when the customer taps the link.
    queued = OutreachMessage.objects.create(
        customer=customer, purpose=Purpose.CARE, channel="sms", recipient=customer.phone, language="zh-hans",
        body="生日快乐", created_at=now(), next_attempt_at=now(),
    )  # fmt: skip
    Client().post(path)
    assert outreach_deliver(message_id=queued.pk) == "refused"
    queued.refresh_from_db()
    assert queued.status == MessageStatus.GAVE_UP and "退订" in queued.last_error
    assert len(sms_sent()["+8613600000001"]) == 1
    other = _campaign(name="另一个", min_days_between=0)
    assert campaign_run(campaign=other)["queued"] == 0


def test_staff_record_the_choice_on_the_case_page(org, committed):
    case = take_in(committed, org.agent_a, title="问个问题")
    browser = Client()
    browser.force_login(org.agent_a)
    panel = browser.get(f"/complaints/{case.number}/incident/panel").content.decode()
    assert "客户的通知意愿" in panel and "接收事件主动通知" in panel
    bad = browser.post(f"/complaints/{case.number}/outreach/choices", {"care": "on", "birthday": "明年"})
    assert bad.status_code == 302
    assert (
        "请按“年-月-日”填写日期，例如 1990-05-20"
        in browser.get(f"/complaints/{case.number}/incident/panel").content.decode()
    )
    assert not CustomerChoiceChange.objects.exists()
    done = browser.post(
        f"/complaints/{case.number}/outreach/choices",
        {"care": "on", "birthday": "1990-05-20", "note": "来电说的"},
    )
    assert done.status_code == 302
    choice = CustomerChoice.objects.get(customer=case.customer)
    assert (
        choice.notices_refused_at is not None
        and choice.care_consent_at
        and choice.birthday == dt.date(1990, 5, 20)
    )
    changes = {(c.topic, c.agreed, c.channel, c.recorded_by_id) for c in CustomerChoiceChange.objects.all()}
    assert changes == {("notices", False, "staff", org.agent_a.pk), ("care", True, "staff", org.agent_a.pk),
                       ("birthday", True, "staff", org.agent_a.pk)}  # fmt: skip
    panel = browser.get(f"/complaints/{case.number}/incident/panel").content.decode()
    assert "不接收事件主动通知" in panel and "同意接收关怀消息" in panel and "客服登记" in panel
    outsider = Client()
    outsider.force_login(org.agent_b)
    assert outsider.post(f"/complaints/{case.number}/outreach/choices", {"care": "on"}).status_code == 404
