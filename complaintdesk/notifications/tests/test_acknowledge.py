"""The acknowledgement of a new case: content, channel, language, once only."""

import json

import pytest
from django.core import mail
from django.db import transaction

from complaintdesk.common.errors import InvalidInput
from complaintdesk.common.time import local_zone
from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.notifications.models import Notification, NotificationStatus
from complaintdesk.notifications.services import (
    NotificationImpossible,
    complaint_acknowledge,
    notification_send,
)
from complaintdesk.notifications.sms.text import sms_segments
from complaintdesk.scripts.rendering import format_deadline

pytestmark = pytest.mark.django_db


def outbox_lines(path):
    return (
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    )


def test_acknowledgement_is_sent_once_with_number_steps_deadline_and_tracking(
    make_complaint, on_commit, sms_outbox, settings, clock
):
    settings.NOTIFY_TRACK_URL = "https://cs.example.com/t/{case_number}"
    complaint = make_complaint()

    with on_commit():
        first = complaint_acknowledge(complaint_id=complaint.pk)
    with on_commit():
        second = complaint_acknowledge(complaint_id=complaint.pk)

    assert second.pk == first.pk and Notification.objects.filter(complaint=complaint).count() == 1
    [sms] = outbox_lines(sms_outbox)
    assert sms["to"] == "+8613800138000" and sms["template"] == "acknowledgement"
    body = sms["body"]
    assert body.startswith("【ComplaintDesk】") and complaint.number in body
    # Deadlines in the organisation's zone (Asia/Shanghai), as the customer reads them.
    zone = local_zone()
    assert (
        format_deadline(complaint.first_response_due_at, language="zh-hans", zone=zone, today=clock().date())
        in body
    )
    assert (
        format_deadline(complaint.resolution_due_at, language="zh-hans", zone=zone, today=clock().date())
        in body
    )
    assert f"https://cs.example.com/t/{complaint.number}" in body

    first.refresh_from_db()
    assert first.status == NotificationStatus.SENT and first.attempts == 1
    assert first.body == body and first.segments == sms_segments(body) == 3  # the tracking address is long
    complaint.refresh_from_db()
    assert complaint.acknowledged_at == clock()
    events = ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.NOTIFIED)
    assert [(e.field, e.new_value) for e in events] == [("sms", "acknowledgement")]
    assert "138****8000" in events[0].reason and "13800138000" not in events[0].reason


def test_english_customer_gets_the_english_template(make_complaint, on_commit):
    complaint = make_complaint(name="John Smith", phone="", email="john@example.com", language="en",
                               title="<b>Broadband</b> down")  # fmt: skip

    with on_commit():
        notification = complaint_acknowledge(complaint_id=complaint.pk)

    assert notification.channel == "email" and notification.language == "en"
    [message] = mail.outbox
    assert message.subject == f"We have received your complaint ({complaint.number})"
    assert "What happens next" in message.body and "您" not in message.body
    assert message.to == ["john@example.com"] and message.extra_headers["Content-Language"] == "en"
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and '<html lang="en">' in html
    assert "&lt;b&gt;Broadband&lt;/b&gt;" in html and "<b>Broadband" not in html  # text, never markup
    notification.refresh_from_db()
    assert notification.provider_message_id == message.extra_headers["Message-ID"]


def test_chinese_customer_gets_the_chinese_template(make_complaint, on_commit):
    complaint = make_complaint(phone="", email="wang@example.com", language="zh-hans")
    with on_commit():
        complaint_acknowledge(complaint_id=complaint.pk)
    [message] = mail.outbox
    assert message.subject == f"您的投诉已受理（单号 {complaint.number}）" and "接下来" in message.body


@pytest.mark.parametrize(
    ("contacts", "expected"),
    [
        ({"preferred_channel": "email", "email": "a@example.com"}, "email"),
        ({"preferred_channel": "phone"}, "sms"),  # a phone preference gets its automatic message by SMS
        ({"preferred_channel": "wechat", "wechat_openid": "oPENID123"}, "wechat"),
        (
            {"preferred_channel": "wechat", "email": "a@example.com"},
            "sms",
        ),  # no openid: the first with a contact
        ({"preferred_channel": "letter", "phone": "", "email": "a@example.com"}, "email"),
    ],
)
def test_channel_follows_the_preference_then_what_contact_exists(make_complaint, contacts, expected):
    complaint = make_complaint(**contacts)
    notification = notification_send(complaint=complaint, template_code="acknowledgement")
    assert notification.channel == expected


def test_no_way_to_reach_the_customer(make_complaint):
    complaint = make_complaint(phone="", email="", wechat_openid="oPENID123", preferred_channel="wechat")
    complaint.customer.wechat_openid = ""
    complaint.customer.save(update_fields=["wechat_openid"])
    # Nor was one given with the case itself.
    type(complaint).objects.filter(pk=complaint.pk).update(contact_wechat_openid="")
    assert complaint_acknowledge(complaint_id=complaint.pk) is None
    assert complaint_acknowledge(complaint_id=10**9) is None
    with pytest.raises(NotificationImpossible):
        notification_send(complaint=make_complaint(), template_code="progress", channel="email",
                          extra={"progress": "x"})  # fmt: skip
    assert not Notification.objects.exists()


def test_nothing_is_sent_for_a_rolled_back_change(
    make_complaint, sms_outbox, django_capture_on_commit_callbacks
):
    complaint = make_complaint()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notification_send(complaint=complaint, template_code="acknowledgement")
            raise RuntimeError("the caller's change failed")
    assert callbacks == [] and not Notification.objects.exists() and outbox_lines(sms_outbox) == []


def test_a_template_value_the_case_lacks_is_an_error_not_a_message(make_complaint):
    complaint = make_complaint()
    with pytest.raises(InvalidInput) as error:
        notification_send(complaint=complaint, template_code="progress")
    assert "{progress}" in error.value.fields["extra"][0]
    with pytest.raises(InvalidInput) as error:  # the result SMS needs the cause and the outcome
        notification_send(complaint=complaint, template_code="result", extra={"result": "光缆已修复"})
    assert "{cause_short}" in error.value.fields["extra"][0]
    notification = notification_send(complaint=complaint, template_code="result",
                                     extra={"cause_short": "光缆被挖断", "measures_short": "更换光缆",
                                            "outcome_short": "光缆已修复",
                                            "compensation_short": "减免本月月租"})  # fmt: skip
    # All four parts of SPEC §2.5, and the tracking link whole and absolute.
    assert "原因：光缆被挖断；措施：更换光缆；结果：光缆已修复；补偿：减免本月月租" in notification.body
    assert "http://" in notification.body or "https://" in notification.body


def test_intake_acknowledges_the_new_complaint_after_commit(
    org, sms_outbox, django_capture_on_commit_callbacks
):
    """End to end: the intake every channel uses queues the acknowledgement, which goes out by SMS."""
    from complaintdesk.channels.api import ApiChannelAdapter
    from complaintdesk.channels.intake import complaint_intake

    raw = {"channel": "phone", "customer": {"name": "王丽女士", "phone": "13800138000"},
           "title": "宽带连续三天断网", "description": "家里宽带从周五晚上开始断网。", "demand": "尽快修好"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        complaint = complaint_intake(data=ApiChannelAdapter().parse(raw).data, actor=org.agent_a)
    notification = Notification.objects.get(complaint=complaint, template__code="acknowledgement")
    assert notification.channel == "sms" and notification.recipient == "+8613800138000"
    assert complaint.number in notification.body
