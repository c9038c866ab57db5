"""A channel message with an id of its own is taken in at most once (WeChat MsgId, email Message-ID)."""

import pytest

from complaintdesk.channels import intake
from complaintdesk.channels.api import ApiChannelAdapter
from complaintdesk.channels.intake import intake_receive_once
from complaintdesk.channels.models import ReceivedMessage
from complaintdesk.channels.services import channel_actor
from complaintdesk.common.testing import run_together
from complaintdesk.complaints.models import Complaint, ComplaintEvent, EventKind

RAW = {
    "customer": {"name": "李先生", "phone": "13900139000"},
    "title": "快递丢件",
    "description": "包裹显示已签收但我没有收到",
    "demand": "找回包裹或赔偿",
}


def _message(*, external_id: str, channel: str = "wechat", case_number: str = ""):
    message = ApiChannelAdapter().parse(RAW)
    message.data.channel = channel
    message.external_id = external_id
    message.case_number = case_number
    return message


def test_the_same_message_twice_opens_one_case_and_answers_the_same(org):
    actor = channel_actor(channel="wechat")
    first = intake_receive_once(message=_message(external_id="6001"), actor=actor)
    again = intake_receive_once(message=_message(external_id="6001"), actor=actor)
    assert first.created and not first.duplicate
    assert again.duplicate and again.created  # answered as the first time: the passive reply is identical
    assert again.complaint.pk == first.complaint.pk
    assert Complaint.objects.count() == 1
    assert ReceivedMessage.objects.get().complaint_id == first.complaint.pk


def test_ids_are_per_channel_and_an_empty_id_is_not_deduplicated(org):
    wechat = intake_receive_once(message=_message(external_id="42"), actor=channel_actor(channel="wechat"))
    email = intake_receive_once(
        message=_message(external_id="42", channel="email"), actor=channel_actor(channel="email")
    )
    assert wechat.complaint.pk != email.complaint.pk
    intake_receive_once(message=_message(external_id=""), actor=channel_actor(channel="wechat"))
    intake_receive_once(message=_message(external_id="  "), actor=channel_actor(channel="wechat"))
    assert Complaint.objects.count() == 4
    assert ReceivedMessage.objects.count() == 2


def test_a_repeated_follow_up_message_is_appended_once(org):
    actor = channel_actor(channel="wechat")
    case = intake_receive_once(message=_message(external_id="7001"), actor=actor).complaint
    for _ in range(3):
        result = intake_receive_once(
            message=_message(external_id="7002", case_number=case.number), actor=actor
        )
        assert result.complaint.pk == case.pk and not result.created
    assert ComplaintEvent.objects.filter(complaint=case, kind=EventKind.CUSTOMER_MESSAGE).count() == 1


def test_a_failed_intake_leaves_no_claim_and_the_retry_is_taken_in(org, monkeypatch):
    actor = channel_actor(channel="wechat")
    real = intake.intake_receive

    def failing(**kwargs):
        real(**kwargs)
        raise RuntimeError("the process died after storing")

    monkeypatch.setattr(intake, "intake_receive", failing)
    with pytest.raises(RuntimeError):
        intake_receive_once(message=_message(external_id="8001"), actor=actor)
    assert Complaint.objects.count() == 0 and ReceivedMessage.objects.count() == 0
    monkeypatch.setattr(intake, "intake_receive", real)
    result = intake_receive_once(message=_message(external_id="8001"), actor=actor)
    assert result.created and Complaint.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_three_concurrent_deliveries_open_one_case(org):
    actor = channel_actor(channel="wechat")
    results, errors = run_together(
        lambda: intake_receive_once(message=_message(external_id="9001"), actor=actor), 3
    )
    assert errors == []
    assert len({result.complaint.pk for result in results}) == 1
    assert sorted(result.duplicate for result in results) == [False, True, True]
    assert Complaint.objects.count() == 1
