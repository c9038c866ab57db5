"""A proactive SMS within NOTIFY_SMS_MAX_SEGMENTS (issue 19): checked where its text is written (an incident told
to customers, a care campaign in the admin: a clear refusal saying how short it must be) and when it is queued
(the explanation cut with "…", the expected end, the apology and the opt-out link kept whole)."""

import datetime as dt
import re

import pytest
from django.test import Client

from complaintdesk.common.errors import InvalidInput
from complaintdesk.common.time import now
from complaintdesk.complaints.models import Customer
from complaintdesk.notifications.sms.text import sms_segments
from complaintdesk.outreach.delivery import message_queue
from complaintdesk.outreach.models import Campaign, Incident, OutreachMessage, Purpose
from complaintdesk.outreach.notices import incident_notices_send
from complaintdesk.outreach.sms import sms_too_long

from .test_incidents import _outage

pytestmark = pytest.mark.django_db

LONG = (
    "徐汇区漕溪北路一带一处主干光缆在市政道路施工中被挖断，影响周边十二个小区的宽带和固定电话，"
    "工程师已经到场抢修，正在逐段熔接光纤，恢复后请重启光猫，如仍无法上网请拨打客服热线告诉我们。"
)
STOP = re.compile(r"点此退订：(https?://\S+/portal/stop/[^\s/]+/)")


def test_an_incident_told_to_customers_with_an_explanation_too_long_for_an_sms_is_refused(org, settings):
    settings.NOTIFY_SMS_MAX_SEGMENTS = 3  # the default: the opt-out link alone is about 100 characters
    with pytest.raises(InvalidInput) as refused:
        _outage(org, explanation=LONG[:100], notify_customers=True)
    [message] = refused.value.fields["explanation"]
    assert message.startswith("作为短信太长") and "最多 3 条" in message
    room = int(re.search(r"缩短到 (\d+) 字以内", message).group(1))
    assert 0 < room < 100
    assert not Incident.objects.exists()
    # The room it names is right: that many characters are accepted.
    assert _outage(org, explanation=LONG[:room], notify_customers=True).pk
    # Not told to customers: no SMS to fit, the explanation answers complaints only.
    assert _outage(org, explanation=LONG[:100], notify_customers=False).pk


def test_the_english_explanation_is_checked_too(org, settings):
    settings.NOTIFY_SMS_MAX_SEGMENTS = 1
    with pytest.raises(InvalidInput) as refused:
        _outage(org, explanation="光缆被挖断", explanation_en="A fibre cable was cut by road works " * 6,
                notify_customers=True)  # fmt: skip
    assert "explanation_en" in refused.value.fields


def test_a_care_message_too_long_for_an_sms_is_refused_in_the_admin_form(admin_client, settings):
    settings.NOTIFY_SMS_MAX_SEGMENTS = 1
    form = {
        "name": "春节问候", "kind": "festival", "message": "春节快乐！" * 8, "send_on": "2027-02-06",
        "is_active": "on", "consent_required": "on", "quiet_from": "21:00", "quiet_until": "09:00",
        "min_days_between": "7",
    }  # fmt: skip
    refused = admin_client.post("/admin/outreach/campaign/add/", form)
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "作为短信太长" in text and "最多 1 条" in text
    assert not Campaign.objects.exists()
    settings.NOTIFY_SMS_MAX_SEGMENTS = 3
    assert admin_client.post("/admin/outreach/campaign/add/", form).status_code == 302


def test_at_send_time_the_explanation_is_cut_never_the_opt_out_link(org, settings):
    settings.NOTIFY_SMS_MAX_SEGMENTS = 3
    settings.PUBLIC_BASE_URL = "https://cs.example.com"
    incident = Incident.objects.create(  # sent by a business system: nobody checked its length
        kind="outage", title="徐汇区宽带中断", explanation=LONG[:120], district="徐汇区",
        starts_at=now() - dt.timedelta(hours=1), expected_end_at=now() + dt.timedelta(hours=3),
        notify_customers=True, declared_at=now(), updated_at=now(), accounts=["ORD-1"],
    )  # fmt: skip
    assert sms_too_long(text=incident.explanation, purpose=Purpose.NOTICE, language="zh-hans") is not None
    Customer.objects.create(name="甲", phone="+8613700000001", account_no="ORD-1", preferred_channel="sms")
    incident_notices_send(incident_id=incident.pk)
    message = OutreachMessage.objects.get()
    assert message.channel == "sms"
    assert sms_segments(message.body) <= 3
    assert "…" in message.body and LONG[:20] in message.body  # the explanation, cut
    assert "预计" in message.body and "非常抱歉" in message.body  # the expected end and the apology stay
    link = STOP.search(message.body)
    assert link and message.body.endswith(link.group(1))  # the whole opt-out link, last
    # The link works: it opens the opt-out page.
    assert Client().get(link.group(1).removeprefix("https://cs.example.com")).status_code == 200


def test_a_message_that_fits_is_not_touched_and_email_is_never_cut(org, settings):
    settings.NOTIFY_SMS_MAX_SEGMENTS = 3
    customer = Customer.objects.create(name="乙", phone="+8613700000002", preferred_channel="sms")
    message = message_queue(customer=customer, purpose=Purpose.CARE, body="新年快乐！")
    assert message.body.startswith("【示例公司】新年快乐！ 不想再收到关怀消息") and "…" not in message.body
    settings.NOTIFY_SMS_MAX_SEGMENTS = 2
    long_care = message_queue(customer=customer, purpose=Purpose.CARE, body="祝您新年快乐，万事如意！" * 10)
    assert sms_segments(long_care.body) == 2 and "…" in long_care.body and "/portal/stop/" in long_care.body
    reader = Customer.objects.create(name="丙", email="c@example.com", preferred_channel="email")
    mail = message_queue(customer=reader, purpose=Purpose.CARE, body="祝您新年快乐，万事如意！" * 10)
    assert "…" not in mail.body and mail.body.count("万事如意") == 10
