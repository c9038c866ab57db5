"""Messages about a case are in that case's language, the one the customer wrote it in: a returning customer
who filed in Chinese before and now files in English hears about the new case in English, and about the old
one still in Chinese (the customer record keeps the language of the first filing)."""

import json

import pytest

from complaintdesk.notifications.services import complaint_acknowledge, notification_send

pytestmark = pytest.mark.django_db


def test_each_case_of_a_returning_customer_is_told_in_its_own_language(make_complaint, on_commit, sms_outbox):
    chinese = make_complaint(phone="13800138000", language="zh-hans")
    english = make_complaint(name="Ms Wang Li", phone="13800138000", language="en", title="Broadband down")
    assert english.customer_id == chinese.customer_id  # the same customer, whose record says Chinese
    assert english.customer.language == "zh-hans"

    with on_commit():
        complaint_acknowledge(complaint_id=english.pk)
    [ack] = [json.loads(line)["body"] for line in sms_outbox.read_text(encoding="utf-8").splitlines()]
    assert f"Complaint {english.number} received." in ack and "受理" not in ack

    later = notification_send(
        complaint=chinese, template_code="progress", channel="sms", extra={"progress": "已安排工程师明天上门"}
    )
    assert later.body.startswith(f"【ComplaintDesk】投诉{chinese.number}进展：已安排工程师明天上门")
    again = notification_send(
        complaint=english, template_code="progress", channel="sms", extra={"progress": "an engineer visits"}
    )
    assert again.body.startswith(f"【ComplaintDesk】Complaint {english.number}: an engineer visits.")
