"""Taking a mail in: one complaint per mail, replies appended, robots and bad files set aside, the
original kept, nothing half-written."""

import pytest
from django.core import mail as django_mail

from complaintdesk.channels.email.services import email_receive
from complaintdesk.channels.models import InboundEmail, ReceivedMessage
from complaintdesk.channels.services import channel_actor
from complaintdesk.common.testing import run_together
from complaintdesk.complaints.models import Attachment, Complaint, ComplaintEvent, EventKind

from .conftest import sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(org):
    return channel_actor(channel="email")


def test_a_new_mail_opens_a_complaint_and_keeps_the_original(actor, django_capture_on_commit_callbacks):
    raw = sample("foxmail_gbk_base64.eml")
    with django_capture_on_commit_callbacks(execute=True):
        outcome = email_receive(raw=raw, actor=actor)
    assert outcome.outcome == "opened" and not outcome.duplicate
    complaint = Complaint.objects.get()
    assert (
        complaint.number == outcome.number
        and complaint.channel == "email"
        and complaint.language == "zh-hans"
    )
    assert complaint.title == "宽带装机师傅迟到三小时还乱收费"
    assert complaint.customer.email == "zhangwei1988@qq.com" and complaint.customer.name == "张伟"
    assert complaint.customer.preferred_channel == "email"
    row = InboundEmail.objects.get()
    assert row.outcome == "opened" and row.complaint == complaint and row.sender == "zhangwei1988@qq.com"
    with row.raw.open("rb") as stored:
        assert stored.read() == raw  # the original mail, byte for byte
    # The acknowledgement went out by mail, in Chinese, naming the case.
    [ack] = django_mail.outbox
    assert ack.to == ["zhangwei1988@qq.com"] and complaint.number in ack.subject and "您好" in ack.body
    assert ack.extra_headers["In-Reply-To"] == "<202611231012333408125@qq.com>"


def test_the_same_mail_polled_twice_is_one_complaint(actor):
    raw = sample("outlook_utf8_qp.eml")
    first = email_receive(raw=raw, actor=actor)
    again = email_receive(raw=raw, actor=actor)
    assert again.duplicate and again.number == first.number and again.outcome == "opened"
    assert Complaint.objects.count() == 1 and InboundEmail.objects.count() == 1
    assert ReceivedMessage.objects.get().external_id.startswith("<SG2PR06MB")


def test_a_mail_without_message_id_is_recognised_by_its_bytes(actor):
    raw = sample("outlook_utf8_qp.eml").replace(b"Message-ID:", b"X-Old-Message-ID:")
    assert email_receive(raw=raw, actor=actor).outcome == "opened"
    assert email_receive(raw=raw, actor=actor).duplicate
    assert Complaint.objects.count() == 1
    assert InboundEmail.objects.get().external_id.startswith("sha256:")


@pytest.mark.parametrize("name", ["outlook_auto_reply.eml", "mailer_daemon_bounce.eml"])
def test_auto_replies_and_bounces_open_nothing(actor, name):
    outcome = email_receive(raw=sample(name), actor=actor)
    assert outcome.outcome == "ignored" and outcome.final
    assert Complaint.objects.count() == 0 and ReceivedMessage.objects.count() == 0
    row = InboundEmail.objects.get()
    assert row.outcome == "ignored" and row.reason == outcome.reason and row.raw
    assert email_receive(raw=sample(name), actor=actor).duplicate


def test_attachments_are_stored_as_evidence(actor):
    outcome = email_receive(raw=sample("attachments_jpeg_pdf.eml"), actor=actor)
    complaint = Complaint.objects.get(number=outcome.number)
    assert sorted((a.original_name, a.content_type, a.channel) for a in complaint.attachments.all()) == [
        ("购物发票.pdf", "application/pdf", "email"),
        ("门口照片.jpg", "image/jpeg", "email"),
    ]


def test_an_executable_claiming_to_be_pdf_is_left_out_and_the_complaint_kept(actor):
    """Decision: what the customer wrote is taken in (nothing they said is lost); the file is not stored
    as evidence, and an internal note on the case names it and says why. The original mail — file
    included — stays in InboundEmail.raw for whoever needs to look."""
    outcome = email_receive(raw=sample("fake_pdf_executable.eml"), actor=actor)
    assert outcome.outcome == "opened"
    complaint = Complaint.objects.get(number=outcome.number)
    assert complaint.description.startswith("附件是我的缴费发票")
    assert [a.original_name for a in complaint.attachments.all()] == ["bill.jpg"]  # the real photo is kept
    note = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.NOTE)
    assert "invoice.pdf" in note.new_value and "可执行程序" in note.new_value
    assert "invoice.pdf" in InboundEmail.objects.get().reason


def test_a_mail_with_no_text_part_gets_a_fallback_description(actor):
    outcome = email_receive(raw=sample("no_text_part.eml"), actor=actor)
    complaint = Complaint.objects.get(number=outcome.number)
    assert complaint.description == "（邮件没有文字内容，请见附件）"
    assert complaint.attachments.count() == 1


def test_an_unknown_charset_is_taken_in(actor):
    outcome = email_receive(raw=sample("unknown_charset.eml"), actor=actor)
    complaint = Complaint.objects.get(number=outcome.number)
    assert complaint.title == "营业厅不给销户" and "不给办理" in complaint.description
    assert "x-unknown" in InboundEmail.objects.get().reason


def test_html_and_scripts_are_stored_as_text(actor, api_for, org, django_capture_on_commit_callbacks):
    html_only = Complaint.objects.get(
        number=email_receive(raw=sample("apple_mail_html_only.eml"), actor=actor).number
    )
    with django_capture_on_commit_callbacks(execute=True):
        number = email_receive(raw=sample("thunderbird_text_with_markup.eml"), actor=actor).number
    typed = Complaint.objects.get(number=number)
    assert html_only.language == "en" and "document.cookie" not in html_only.description
    assert typed.title == "网站显示 <script>alert(1)</script>"
    assert "<img src=x onerror=alert(2)>" in typed.description
    # Read back as the text it is …
    detail = api_for(org.executive).get(f"/complaints/{number}").json()
    assert detail["title"] == typed.title and detail["description"] == typed.description
    # … and never markup where it is shown: the acknowledgement's HTML part escapes it.
    [ack] = django_mail.outbox
    [(html_part, _)] = ack.alternatives
    assert "<script>alert" not in html_part and "&lt;script&gt;alert(1)&lt;/script&gt;" in html_part


def test_an_empty_mail_still_opens_a_readable_complaint(actor):
    raw = b"From: a@example.com\r\nTo: kefu@complaintdesk.example\r\nMessage-ID: <empty@x>\r\n\r\n"
    outcome = email_receive(raw=raw, actor=actor)
    # Without subject or text the fallbacks still make a readable complaint: nothing a customer sent is dropped.
    assert outcome.outcome == "opened"
    complaint = Complaint.objects.get()
    assert complaint.title == "（无主题）" and complaint.description == "（邮件没有文字内容）"


def test_a_mail_without_a_sender_is_refused_and_recorded(actor):
    raw = sample("foxmail_gbk_base64.eml").replace(b"From: ", b"X-Was-From: ")
    outcome = email_receive(raw=raw, actor=actor)
    assert outcome.outcome == "refused" and outcome.final
    assert Complaint.objects.count() == 0
    row = InboundEmail.objects.get()
    assert row.outcome == "refused" and "发件人" in row.reason


def _reply_to(number: str) -> bytes:
    return sample("qq_reply_with_case_number.eml").replace(b"TS20261123000001", number.encode())


def _gbk_subject_reply(number: str) -> bytes:
    # The sample's subject is a GBK encoded word: put the real number in by re-encoding it.
    import base64

    raw = sample("qq_reply_with_case_number.eml")
    old = "回复：您的投诉已受理（单号 TS20261123000001）".encode("gbk")
    new = f"回复：您的投诉已受理（单号 {number}）".encode("gbk")
    return raw.replace(base64.b64encode(old), base64.b64encode(new))


def test_a_reply_naming_the_case_is_appended_to_it(actor):
    case = Complaint.objects.get(
        number=email_receive(raw=sample("foxmail_gbk_base64.eml"), actor=actor).number
    )
    outcome = email_receive(raw=_gbk_subject_reply(case.number), actor=actor)
    assert outcome.outcome == "appended" and outcome.number == case.number
    assert Complaint.objects.count() == 1
    message = ComplaintEvent.objects.get(complaint=case, kind=EventKind.CUSTOMER_MESSAGE)
    # Only what they wrote: not "Re: <our subject>", not the quoted acknowledgement.
    assert message.new_value == "补充一下：师傅当时开的是公司的车，车牌号沪A·12345，收费的时候没有给收据。"
    assert message.field == "email"
    assert email_receive(raw=_gbk_subject_reply(case.number), actor=actor).duplicate
    assert ComplaintEvent.objects.filter(complaint=case, kind=EventKind.CUSTOMER_MESSAGE).count() == 1


def test_a_reply_found_by_its_references_when_the_subject_lost_the_number(actor):
    case = Complaint.objects.get(
        number=email_receive(raw=sample("foxmail_gbk_base64.eml"), actor=actor).number
    )
    raw = _gbk_subject_reply("无单号")  # no case number left in the subject
    outcome = email_receive(raw=raw, actor=actor)  # References names the customer's first mail
    assert outcome.outcome == "appended" and outcome.number == case.number


def test_a_case_number_from_a_stranger_opens_a_new_complaint(actor):
    case = Complaint.objects.get(
        number=email_receive(raw=sample("foxmail_gbk_base64.eml"), actor=actor).number
    )
    raw = _gbk_subject_reply(case.number).replace(b"zhangwei1988@qq.com", b"someone.else@qq.com")
    outcome = email_receive(raw=raw, actor=actor)
    assert outcome.outcome == "opened" and outcome.number != case.number
    assert not ComplaintEvent.objects.filter(complaint=case, kind=EventKind.CUSTOMER_MESSAGE).exists()
    assert "not its customer" in InboundEmail.objects.get(complaint__number=outcome.number).reason


def test_a_failure_of_ours_writes_nothing_and_is_retried_then_given_up(actor, monkeypatch, settings):
    from complaintdesk.channels.email import services

    settings.MAIL_POLL_MAX_ATTEMPTS = 2
    real = services.intake_receive_once

    def storage_down(**kwargs):
        real(**kwargs)  # the complaint is written … then the transaction fails
        raise OSError("disk full")

    monkeypatch.setattr(services, "intake_receive_once", storage_down)
    raw = sample("attachments_jpeg_pdf.eml")
    first = email_receive(raw=raw, actor=actor)
    assert first.outcome == "failed" and not first.final
    assert (
        Complaint.objects.count() == 0
        and Attachment.objects.count() == 0
        and ReceivedMessage.objects.count() == 0
    )
    assert InboundEmail.objects.get().attempts == 1
    second = email_receive(raw=raw, actor=actor)
    assert second.outcome == "gave_up" and second.final and "disk full" in second.reason
    assert Complaint.objects.count() == 0

    monkeypatch.setattr(services, "intake_receive_once", real)
    assert email_receive(raw=raw, actor=actor).duplicate  # given up stays given up: a person looks at it


def test_a_failure_then_success_takes_the_mail_in_once(actor, monkeypatch):
    from complaintdesk.channels.email import services

    real = services.intake_receive_once
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "intake_receive_once", flaky)
    raw = sample("outlook_utf8_qp.eml")
    assert email_receive(raw=raw, actor=actor).outcome == "failed"
    retried = email_receive(raw=raw, actor=actor)
    assert retried.outcome == "opened" and Complaint.objects.count() == 1
    row = InboundEmail.objects.get()
    assert row.attempts == 2 and row.outcome == "opened"


def test_the_admin_lists_the_mails_and_why(actor, admin_client):
    email_receive(raw=sample("mailer_daemon_bounce.eml"), actor=actor)
    page = admin_client.get("/admin/channels/inboundemail/")
    assert page.status_code == 200 and "mailer-daemon@mx.complaintdesk.example" in page.content.decode()
    row = InboundEmail.objects.get()
    detail = admin_client.get(f"/admin/channels/inboundemail/{row.pk}/change/").content.decode()
    assert "multipart/report" in detail


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_pollers_taking_the_same_mail_at_once_open_one_complaint(org):
    """The periodic task and a `mail_poll --loop` (or two workers) can fetch the same unseen mail."""
    actor = channel_actor(channel="email")
    raw = sample("attachments_jpeg_pdf.eml")
    outcomes, errors = run_together(lambda: email_receive(raw=raw, actor=actor), 2)
    assert errors == []
    assert sorted(o.duplicate for o in outcomes) == [False, True]
    assert {o.outcome for o in outcomes} == {"opened"} and len({o.number for o in outcomes}) == 1
    assert Complaint.objects.count() == 1 and Attachment.objects.count() == 2
    row = InboundEmail.objects.get()
    assert row.outcome == "opened" and row.attempts == 1
