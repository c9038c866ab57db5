"""The one intake: stored first, side effects queued on commit; adapters; the acknowledgement seam."""

import pytest
from django.http import QueryDict

from complaintdesk.channels import acknowledge
from complaintdesk.channels.api import ApiChannelAdapter
from complaintdesk.channels.base import InboundMessage, IncomingFile
from complaintdesk.channels.intake import complaint_intake, intake_receive
from complaintdesk.channels.phone import AssistedChannelAdapter
from complaintdesk.channels.services import channel_actor
from complaintdesk.channels.web import WebFormAdapter
from complaintdesk.common.errors import InvalidInput
from complaintdesk.complaints.models import Attachment, Complaint, ComplaintEvent, Customer

PNG_HEAD = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
EXE = b"MZ" + b"\x00" * 100

RAW = {
    "channel": "phone",
    "customer": {"name": "王女士", "phone": "138 0013 8000", "email": "Wang@Example.com"},
    "title": "宽带断网",
    "description": "从周五开始断网",
    "demand": "尽快修好",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def sent():
    got = []
    acknowledge.acknowledgement_sender_register(got.append)
    yield got
    acknowledge.acknowledgement_sender_unregister(got.append)


def test_intake_stores_first_then_queues_acknowledgement_and_enrichment(
    org, sent, django_capture_on_commit_callbacks
):
    message = ApiChannelAdapter().parse(RAW)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        complaint = complaint_intake(data=message.data, actor=org.agent_a)
        # Stored before anything is queued; nothing was sent inside the transaction.
        assert Complaint.objects.filter(pk=complaint.pk).exists()
        assert sent == []
    assert len(callbacks) >= 1  # acknowledgement (+ enrichment when the intelligence app is installed)
    for callback in callbacks:
        callback()
    assert [ack.number for ack in sent] == [complaint.number]
    ack = sent[0]
    assert ack.phone == "+8613800138000" and ack.reply_channel == "phone"
    assert complaint.number in ack.text and len(ack.next_steps) == 3
    assert ack.resolution_due_at.utcoffset().total_seconds() == 8 * 3600


def test_customer_is_matched_by_phone_email_account_or_openid(org):
    first = complaint_intake(data=ApiChannelAdapter().parse(RAW).data, actor=org.agent_a)
    by_email = dict(RAW, customer={"name": "王女士", "email": "wang@example.com"})
    second = complaint_intake(data=ApiChannelAdapter().parse(by_email).data, actor=org.agent_a)
    by_openid = dict(RAW, customer={"name": "王女士", "phone": "13800138000", "wechat_openid": "oAbc123"})
    third = complaint_intake(data=ApiChannelAdapter().parse(by_openid).data, actor=org.agent_a)
    only_openid = dict(RAW, customer={"name": "微信用户", "wechat_openid": "oAbc123"})
    fourth = complaint_intake(data=ApiChannelAdapter().parse(only_openid).data, actor=org.agent_a)
    assert first.customer_id == second.customer_id == third.customer_id == fourth.customer_id
    assert Customer.objects.get().wechat_openid == "oAbc123"


def test_refused_file_writes_nothing(org):
    message = InboundMessage(
        data=ApiChannelAdapter().parse(RAW).data,
        files=[
            IncomingFile(name="照片.png", content=PNG_HEAD),
            IncomingFile(name="invoice.pdf", content=EXE, declared_type="application/pdf"),
        ],
    )
    with pytest.raises(InvalidInput) as error:
        intake_receive(message=message, actor=org.agent_a)
    assert set(error.value.fields) == {"files.1"}
    assert (
        not Complaint.objects.exists() and not Customer.objects.exists() and not Attachment.objects.exists()
    )


def test_files_arrive_with_the_complaint(org):
    message = InboundMessage(
        data=ApiChannelAdapter().parse(RAW).data,
        files=[IncomingFile(name="照片.png", content=PNG_HEAD, declared_type="image/jpeg")],
    )
    result = intake_receive(message=message, actor=org.agent_a)
    assert result.created
    attachment = result.complaint.attachments.get()
    assert attachment.content_type == "image/png" and attachment.channel == "phone"


def test_message_naming_a_case_is_appended_not_a_new_case(org):
    complaint = complaint_intake(data=ApiChannelAdapter().parse(RAW).data, actor=org.agent_a)
    follow_up = InboundMessage(
        data=ApiChannelAdapter()
        .parse(dict(RAW, channel="email", title="补充", description="光猫照片见附件"))
        .data,
        case_number=complaint.number,
        files=[IncomingFile(name="a.png", content=PNG_HEAD)],
    )
    result = intake_receive(message=follow_up, actor=org.agent_a)
    assert not result.created and result.complaint.pk == complaint.pk
    assert Complaint.objects.count() == 1
    event = ComplaintEvent.objects.get(kind="customer_message")
    assert (event.field, event.new_value) == ("email", "补充\n\n光猫照片见附件")
    assert complaint.attachments.count() == 1


def test_web_form_adapter_reads_flat_fields_in_local_time(org):
    form = QueryDict(mutable=True)
    form.update(
        {
            "name": "李先生",
            "phone": "13900139000",
            "title": "快递丢件",
            "description": "显示签收但没收到",
            "occurred_at": "2026-11-20T20:00",
            "language": "fr",
            "preferred_channel": "sms",
        }
    )
    message = WebFormAdapter().parse(form)
    assert message.data.channel == "web" and message.data.language == "zh-hans"
    assert message.data.occurred_at.isoformat() == "2026-11-20T20:00:00+08:00"
    assert message.data.customer.preferred_channel == "sms"
    with pytest.raises(InvalidInput) as error:
        WebFormAdapter().parse({"name": "李", "occurred_at": "昨天"})
    assert "occurred_at" in error.value.fields

    actor = channel_actor(channel="web")
    assert channel_actor(channel="web") == actor and actor.org_unit == org.hq
    complaint = complaint_intake(data=message.data, actor=actor)
    assert complaint.org_unit == org.hq and complaint.recorded_by is None
    reply = WebFormAdapter().send_reply(complaint=complaint)
    assert reply.delivered and reply.detail["number"] == complaint.number


def test_assisted_adapter_takes_the_five_channels_with_their_recorder(org):
    for channel in ("phone", "walk_in", "letter", "weibo", "chat"):
        message = AssistedChannelAdapter().parse(
            dict(RAW, channel=channel, recorded_by={"name": "坐席 8801"})
        )
        assert message.data.channel == channel and message.data.recorded_by.name == "坐席 8801"
    with pytest.raises(InvalidInput):
        AssistedChannelAdapter().parse(dict(RAW, channel="web"))
    with pytest.raises(InvalidInput) as error:
        AssistedChannelAdapter().parse(dict(RAW, title=["x"]))
    assert "title" in error.value.fields
    complaint = complaint_intake(
        data=AssistedChannelAdapter().parse(dict(RAW, channel="walk_in")).data, actor=org.agent_a
    )
    reply = AssistedChannelAdapter().send_reply(complaint=complaint)
    assert not reply.delivered and complaint.number in reply.text


def test_acknowledge_without_a_sender_is_logged_not_lost(org, monkeypatch):
    monkeypatch.setattr(acknowledge, "_senders", [])
    complaint = complaint_intake(
        data=ApiChannelAdapter().parse(dict(RAW, language="en")).data, actor=org.agent_a
    )
    outcome = acknowledge.complaint_acknowledge(complaint.pk)
    assert outcome.status == "no_sender" and outcome.acknowledgement.language == "en"
    assert acknowledge.complaint_acknowledge(10**9).status == "missing"
