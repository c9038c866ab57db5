"""SMS: text and segments, the file backend, and Aliyun SendSms against a fake that verifies signatures."""

import json
import logging
import urllib.error
import urllib.request

import pytest

from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.notifications.base import OutboundMessage
from complaintdesk.notifications.models import Notification, NotificationStatus, NotificationTemplate
from complaintdesk.notifications.services import notification_send
from complaintdesk.notifications.sms.backends import aliyun
from complaintdesk.notifications.sms.backends.file import FileSmsBackend
from complaintdesk.notifications.sms.text import sms_segments, sms_sign

from .fakes import FakeAliyunSms

ALIYUN = "complaintdesk.notifications.sms.backends.aliyun.AliyunSmsBackend"


# --- pure -------------------------------------------------------------------------------------------


def test_segments_follow_the_carriers_rule():
    assert sms_segments("") == 0
    assert sms_segments("字" * 70) == 1
    assert sms_segments("字" * 71) == 2 and sms_segments("字" * 134) == 2 and sms_segments("字" * 135) == 3
    # At home every character counts one, letters too; abroad GSM-7 text gets 160 / 153.
    assert sms_segments("a" * 71) == 2
    assert sms_segments("a" * 160, domestic=False) == 1 and sms_segments("a" * 161, domestic=False) == 2
    assert sms_segments("{" * 81, domestic=False) == 2  # extension characters count twice
    assert sms_segments("é字" * 40, domestic=False) == 2  # not GSM: UCS-2, 70 / 67


def test_signature_goes_first_once():
    assert sms_sign(" 您好 ", brand="ComplaintDesk") == "【ComplaintDesk】您好"
    assert sms_sign("【ComplaintDesk】您好", brand="ComplaintDesk") == "【ComplaintDesk】您好"


def test_signature_matches_the_documented_example():
    """The example of Alibaba Cloud's RPC signature documentation (ECS DescribeRegions, GET, testsecret)."""
    params = {
        "AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML", "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26",
    }  # fmt: skip
    assert aliyun.string_to_sign("GET", params) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
        "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0"
        "%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
    )
    assert (
        aliyun.signature(method="GET", params=params, access_key_secret="testsecret")
        == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    )


def test_percent_encoding_rules():
    assert aliyun.percent_encode("a b*c~d+e/f") == "a%20b%2Ac~d%2Be%2Ff"
    assert aliyun.percent_encode("受理") == "%E5%8F%97%E7%90%86"
    assert aliyun.phone_for_aliyun("+8613800138000") == "13800138000"
    assert aliyun.phone_for_aliyun("+85261234567") == "85261234567"


# --- the development backend ----------------------------------------------------------------------


def test_file_backend_writes_a_json_line_and_logs_a_masked_number(sms_outbox, caplog):
    message = OutboundMessage(channel="sms", recipient="+8613800138000", language="zh-hans", subject="",
                              body="【ComplaintDesk】您的投诉已受理", template_code="acknowledgement",
                              complaint_id=7, reference="42")  # fmt: skip
    with caplog.at_level(logging.INFO, logger="complaintdesk.notifications.sms.backends.file"):
        result = FileSmsBackend().send(message)
        FileSmsBackend().send(message)
    assert result.ok and result.provider_message_id.startswith("file-")
    lines = [json.loads(line) for line in sms_outbox.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 2
    assert lines[0] | {"id": "", "at": ""} == {
        "id": "", "at": "", "to": "+8613800138000", "language": "zh-hans", "template": "acknowledgement",
        "complaint_id": 7, "reference": "42", "body": "【ComplaintDesk】您的投诉已受理",
    }  # fmt: skip
    assert "138****8000" in caplog.text and "13800138000" not in caplog.text


# --- Aliyun SendSms against the fake ---------------------------------------------------------------


@pytest.fixture
def fake_aliyun():
    with FakeAliyunSms(keys={"LTAI5tTestKeyId": "s3cr3t-Key+/="}, templates=("SMS_4711",)) as fake:
        yield fake


@pytest.fixture
def aliyun_settings(settings, fake_aliyun):
    settings.NOTIFY_SMS_BACKEND = ALIYUN
    settings.NOTIFY_ALIYUN_SMS = {
        "ACCESS_KEY_ID": "LTAI5tTestKeyId", "ACCESS_KEY_SECRET": "s3cr3t-Key+/=", "SIGN_NAME": "ComplaintDesk",
        "ENDPOINT": fake_aliyun.base_url + "/", "REGION_ID": "cn-hangzhou", "TIMEOUT": 5,
    }  # fmt: skip
    NotificationTemplate.objects.filter(channel="sms").update(provider_template_id="SMS_4711")
    return settings


def test_sendsms_is_signed_as_aliyun_verifies_it(
    make_complaint, queue, aliyun_settings, fake_aliyun, on_commit
):
    complaint = make_complaint()
    with on_commit():
        notification = notification_send(complaint=complaint, template_code="result",
                                         extra={"cause_short": "光缆被挖断", "measures_short": "更换光缆",
                                                "outcome_short": "光缆已修复 & 网络恢复"})  # fmt: skip
    assert queue.run_all() == ["sent"]

    notification.refresh_from_db()
    [accepted] = fake_aliyun.accepted
    assert (
        notification.status == NotificationStatus.SENT
        and notification.provider_message_id == accepted["BizId"]
    )
    assert accepted["PhoneNumbers"] == "13800138000" and accepted["SignName"] == "ComplaintDesk"
    assert accepted["TemplateCode"] == "SMS_4711" and accepted["OutId"] == str(notification.pk)
    assert accepted["TemplateParam"] == {
        "case_number": complaint.number,
        "cause_short": "光缆被挖断",
        "measures_short": "更换光缆",
        "outcome_short": "光缆已修复 & 网络恢复",
        "track_url": f"http://localhost:8000/t/{complaint.number}",
    }
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.NOTIFIED).count() == 1

    # The fake is strict the way the service is: the same signed request again is a replay.
    replay = urllib.request.Request(
        fake_aliyun.base_url + "/", method="POST",
        data="&".join(f"{aliyun.percent_encode(k)}={aliyun.percent_encode(v)}"
                      for k, v in fake_aliyun.requests[-1].items()).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(replay, timeout=5)
    assert json.loads(refused.value.read())["Code"] == "SignatureNonceUsed"


def test_wrong_secret_is_refused_retried_with_backoff_and_given_up(
    make_complaint, queue, aliyun_settings, fake_aliyun, on_commit, clock
):
    aliyun_settings.NOTIFY_ALIYUN_SMS = {**aliyun_settings.NOTIFY_ALIYUN_SMS, "ACCESS_KEY_SECRET": "wrong"}
    complaint = make_complaint()
    with on_commit():
        notification = notification_send(complaint=complaint, template_code="acknowledgement")
    started = clock()

    outcomes = queue.run_all()

    assert outcomes == ["retry", "retry", "retry", "retry", "gave_up"]
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.GAVE_UP and notification.attempts == 5
    assert "SignatureDoesNotMatch" in notification.last_error
    assert fake_aliyun.accepted == [] and len(fake_aliyun.requests) == 5
    # 1 + 2 + 4 + 8 minutes of back-off between the five attempts.
    assert (clock() - started).total_seconds() == 60 + 120 + 240 + 480
    [failed] = ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.NOTIFY_FAILED)
    assert (
        failed.field == "sms"
        and failed.new_value == "acknowledgement"
        and "SignatureDoesNotMatch" in failed.reason
    )
    complaint.refresh_from_db()
    assert complaint.acknowledged_at is None


def test_a_server_error_is_retried_then_sent(make_complaint, queue, aliyun_settings, fake_aliyun, on_commit):
    fake_aliyun.fail_next.append((500, b"<html>502 Bad Gateway</html>"))
    fake_aliyun.fail_next.append((503, {"Code": "ServiceUnavailable", "Message": "busy", "RequestId": "R1"}))
    with on_commit():
        notification = notification_send(complaint=make_complaint(), template_code="acknowledgement")

    assert queue.run_all() == ["retry", "retry", "sent"]
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT and notification.attempts == 3
    assert notification.last_error == "" and len(fake_aliyun.accepted) == 1


def test_a_refused_number_is_given_up_at_once(make_complaint, queue, aliyun_settings, fake_aliyun, on_commit):
    complaint = make_complaint(phone="+85261234567")  # the fake takes mainland mobiles only
    with on_commit():
        notification_send(complaint=complaint, template_code="acknowledgement")
    assert queue.run_all() == ["gave_up"]
    notification = Notification.objects.get(complaint=complaint)
    assert "isv.MOBILE_NUMBER_ILLEGAL" in notification.last_error and notification.attempts == 1
