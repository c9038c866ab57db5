"""Issue 3: the same complaint arriving by API, web form, e-mail and WeChat gives four complaints with the
same structured fields, and four acknowledgements, each on the channel the customer used or prefers.

(How long each takes is measured by bench/four_channels.py, not asserted here.)
"""

from email.message import EmailMessage

import pytest
from django.core import mail
from django.core.cache import caches
from django.test import Client

from complaintdesk.channels.email.services import email_receive
from complaintdesk.channels.services import channel_actor
from complaintdesk.channels.wechat.tests.wechat_server import (
    APP_ID,
    TOKEN,
    WeChatServer,
    reply_fields,
    text_xml,
)
from complaintdesk.complaints.models import Complaint
from complaintdesk.notifications.models import Notification

TITLE = "宽带连续三天断网"
BODY = "家里宽带从11月20日晚上开始断网，光猫LOS灯一直红，重启也没用，已经影响孩子上网课。"
TEXT = f"{TITLE}\n{BODY}"


@pytest.fixture(autouse=True)
def _channels(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NOTIFY_SMS_OUTBOX = tmp_path / "sms.jsonl"
    settings.WECHAT_CALLBACK = {
        "TOKEN": TOKEN,
        "ENCODING_AES_KEY": "",
        "APP_ID": APP_ID,
        "MAX_CLOCK_SKEW": 300,
        "APPEND_WINDOW_DAYS": 30,
    }
    settings.INTAKE_DEFAULT_UNIT = "SH-A"
    caches["default"].clear()


def _by_api(api_for, org) -> Complaint:
    body = {
        "channel": "api",
        "customer": {"name": "王女士", "phone": "13800138001"},
        "title": TITLE,
        "description": TEXT,
        "org_unit": "SH-A",
    }
    response = api_for(org.api_a).post("/complaints", body)
    assert response.status_code == 201, response.content
    return Complaint.objects.get(number=response.json()["number"])


def _by_web_form() -> tuple[Complaint, str]:
    form = {
        "name": "李先生",
        "phone": "13800138002",
        "preferred_channel": "sms",
        "title": TITLE,
        "description": TEXT,
        "demand": "尽快修好",
        "org_unit": "SH-A",
    }
    client = Client()
    response = client.post("/portal/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"]).content.decode()
    return Complaint.objects.get(number=response["Location"].rstrip("/").rsplit("/", 1)[-1]), page


def _by_email() -> Complaint:
    message = EmailMessage()
    message["From"] = "张女士 <zhang@example.com>"
    message["To"] = "complaints@example.com"
    message["Subject"] = TITLE
    message["Message-ID"] = "<four-channels-1@example.com>"
    message.set_content(TEXT)
    outcome = email_receive(raw=message.as_bytes(), actor=channel_actor(channel="email"))
    return Complaint.objects.get(pk=outcome.complaint_id)


def _by_wechat() -> tuple[Complaint, dict]:
    response = WeChatServer(Client()).post(text_xml(openid="oFourChannels01", content=TEXT, msg_id="9100001"))
    assert response.status_code == 200
    complaint = Complaint.objects.get(channel="wechat")
    return complaint, reply_fields(response.content.decode())


STRUCTURED = (
    "title",
    "status",
    "org_unit_id",
    "category_id",
    "severity",
    "priority",
    "complexity",
    "is_open",
    "language",
)


def test_the_same_complaint_on_four_channels(org, api_for, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        by_api = _by_api(api_for, org)
    with django_capture_on_commit_callbacks(execute=True):
        by_web, ack_page = _by_web_form()
    with django_capture_on_commit_callbacks(execute=True):
        by_email = _by_email()
    with django_capture_on_commit_callbacks(execute=True):
        by_wechat, passive_reply = _by_wechat()

    cases = [by_api, by_web, by_email, by_wechat]
    for case in cases:
        case.refresh_from_db()
    assert [case.channel for case in cases] == ["api", "web", "email", "wechat"]
    assert len({case.number for case in cases}) == 4
    # The same content gives the same structured fields (the enrichment ran on each: same category etc.)
    for name in STRUCTURED:
        assert len({getattr(case, name) for case in cases}) == 1, (name, [getattr(c, name) for c in cases])
    assert all(BODY in case.description for case in cases)
    # Same unit and same policy: the same windows from the moment each was taken in.
    windows = {(case.resolution_due_at - case.created_at).total_seconds() // 60 for case in cases}
    assert len(windows) <= 2  # equal, or one minute apart when a case straddles a minute boundary

    # Four acknowledgements, each on the right channel.
    sms = Notification.objects.get(complaint=by_api, template_code="acknowledgement")
    assert (sms.channel, sms.status) == ("sms", "sent") and by_api.number in sms.body
    web_sms = Notification.objects.get(complaint=by_web, template_code="acknowledgement")
    assert (web_sms.channel, web_sms.status) == ("sms", "sent")
    assert by_web.number in ack_page  # and the acknowledgement page itself
    email_ack = Notification.objects.get(complaint=by_email, template_code="acknowledgement")
    assert (email_ack.channel, email_ack.status) == ("email", "sent")
    assert [m.to for m in mail.outbox if by_email.number in m.subject] == [["zhang@example.com"]]
    # The passive reply says the case is registered and its number, and promises no time; the
    # acknowledgement with the deadlines follows on WeChat, like every channel's.
    assert by_wechat.number in passive_reply["Content"]
    wechat_ack = Notification.objects.get(complaint=by_wechat, template_code="acknowledgement")
    assert wechat_ack.channel == "wechat" and by_wechat.number in wechat_ack.body
    # This test configures no WeChat account to send through: that acknowledgement waits for its retry,
    # and the case counts as told only once it is delivered.
    assert wechat_ack.status != "sent" and by_wechat.acknowledged_at is None
    for case in cases[:3]:
        assert case.acknowledged_at is not None, case.channel
