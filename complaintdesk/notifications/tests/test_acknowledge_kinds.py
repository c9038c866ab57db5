"""The acknowledgement of an inquiry, a suggestion or praise says what it is (issue 19): never "your
complaint", on every channel's template, and still once per case."""

import json

import pytest

from complaintdesk.channels.acknowledge import acknowledgement_build
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.states import ContactKind
from complaintdesk.notifications.defaults import DEFAULT_TEMPLATES
from complaintdesk.notifications.models import Notification, NotificationTemplate, TemplateCode
from complaintdesk.notifications.services import complaint_acknowledge

pytestmark = pytest.mark.django_db


def _as(complaint, kind):
    Complaint.objects.filter(pk=complaint.pk).update(kind=kind)
    complaint.refresh_from_db()
    return complaint


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (ContactKind.INQUIRY, "您的咨询已收到"),
        (ContactKind.SUGGESTION, "感谢您的建议"),
        (ContactKind.PRAISE, "感谢您的表扬"),
    ],
)
def test_the_sms_acknowledgement_says_the_kind_and_not_complaint(
    make_complaint, on_commit, sms_outbox, kind, words
):
    contact = _as(make_complaint(), kind)
    with on_commit():
        first = complaint_acknowledge(complaint_id=contact.pk)
    with on_commit():
        again = complaint_acknowledge(complaint_id=contact.pk)
    assert again.pk == first.pk and Notification.objects.filter(complaint=contact).count() == 1
    [sms] = [json.loads(line) for line in sms_outbox.read_text(encoding="utf-8").splitlines()]
    assert words in sms["body"] and contact.number in sms["body"]
    assert "投诉" not in sms["body"]
    assert first.template_code == TemplateCode.ACKNOWLEDGEMENT  # still the case's one acknowledgement


def test_a_complaint_is_still_told_its_complaint_is_taken(make_complaint, on_commit, sms_outbox):
    complaint = make_complaint()
    with on_commit():
        complaint_acknowledge(complaint_id=complaint.pk)
    assert "您的投诉已受理" in sms_outbox.read_text(encoding="utf-8")


def test_every_kind_has_its_acknowledgement_on_every_channel_in_both_languages():
    shipped = {(code, channel, language) for code, channel, language, *_rest in DEFAULT_TEMPLATES}
    for code in (TemplateCode.ACK_INQUIRY, TemplateCode.ACK_SUGGESTION, TemplateCode.ACK_PRAISE):
        for channel in ("sms", "email", "wechat"):
            for language in ("zh-hans", "en"):
                assert (code, channel, language) in shipped
                assert NotificationTemplate.objects.filter(
                    code=code, channel=channel, language=language
                ).exists()
    for code, _channel, language, subject, body, _fields in DEFAULT_TEMPLATES:
        if code.startswith("ack_") and language == "zh-hans":
            assert "投诉" not in subject + body, code


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (ContactKind.COMPLAINT, "您的投诉已登记"),
        (ContactKind.INQUIRY, "您的咨询已登记"),
        (ContactKind.SUGGESTION, "感谢您的建议"),
        (ContactKind.PRAISE, "感谢您的表扬"),
    ],
)
def test_the_acknowledgement_said_at_once_says_the_kind(make_complaint, kind, words):
    contact = _as(make_complaint(), kind)
    text = acknowledgement_build(contact).text
    assert words in text
    if kind != ContactKind.COMPLAINT:
        assert "投诉" not in text
