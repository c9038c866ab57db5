"""The acknowledgement of a case recorded after it arrived (complaints: received_at) whose first-contact time
has already passed when it goes out: the customer is told "as soon as possible", never a time gone by."""

import datetime as dt
import json

import pytest

from complaintdesk.common.phrasing import customer_deadline
from complaintdesk.common.time import local_zone
from complaintdesk.complaints.services import IntakeCustomer, IntakeData, complaint_create
from complaintdesk.notifications.services import complaint_acknowledge

pytestmark = pytest.mark.django_db

RECEIVED = dt.datetime(2026, 11, 23, 8, 0, tzinfo=local_zone())  # the clock is Tuesday 24th, 09:00


def _late_case(org, language):
    return complaint_create(
        data=IntakeData(
            channel="letter", title="信用卡年费争议", description="来信称未开卡即被收取年费。", demand="退还年费",
            language=language, received_at=RECEIVED,
            customer=IntakeCustomer(name="王丽女士", phone="13800138000"),
        ),
        actor=org.agent_a,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("language", "soon", "by"),
    [("zh-hans", "我们将尽快联系您", "前告知处理结果"), ("en", "We'll contact you soon", "result by")],
)
def test_a_late_recorded_case_is_told_as_soon_as_possible_not_a_past_time(
    org, clock, on_commit, sms_outbox, language, soon, by
):
    complaint = _late_case(org, language)
    assert complaint.first_response_due_at < clock()  # breached on arrival
    assert complaint.resolution_due_at > clock()

    with on_commit():
        complaint_acknowledge(complaint_id=complaint.pk)

    [sms] = [json.loads(line) for line in sms_outbox.read_text(encoding="utf-8").splitlines()]
    body = sms["body"]
    assert soon in body, body
    past = customer_deadline(complaint.first_response_due_at, language=language, zone=local_zone())
    assert past not in body
    # The result is still promised by its deadline, which lies ahead.
    assert by in body
