"""The whole email channel against real servers on loopback: mails delivered to a dovecot by IMAP APPEND,
polled, taken in, flagged; acknowledgements sent through Django's SMTP backend to an aiosmtpd sink;
the customer's reply to one of them appended to the case."""

import email
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core.management import call_command

from complaintdesk.channels.email import poller
from complaintdesk.channels.email.tasks import MAIL_POLL_JOB
from complaintdesk.channels.models import InboundEmail
from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint, ComplaintEvent, EventKind
from complaintdesk.tasks.models import PeriodicJob
from complaintdesk.tasks.periodic import periodic_lease_take, periodic_run
from config.settings.base import _imap_settings

from .conftest import sample

pytestmark = pytest.mark.django_db

SEEN, TAKEN, IGNORED = b"\\Seen", b"ComplaintDesk-Taken", b"ComplaintDesk-Ignored"
INTAKE = [
    "foxmail_gbk_base64.eml",
    "outlook_utf8_qp.eml",
    "apple_mail_html_only.eml",
    "attachments_jpeg_pdf.eml",
    "fake_pdf_executable.eml",
    "no_text_part.eml",
    "unknown_charset.eml",
    "thunderbird_text_with_markup.eml",
]
ROBOTS = ["outlook_auto_reply.eml", "mailer_daemon_bounce.eml"]


def _sent(smtp_sink) -> dict[str, email.message.EmailMessage]:
    """The mails the sink received, by recipient."""
    found = {}
    for _, recipients, raw in smtp_sink.messages:
        message = email.message_from_bytes(raw, policy=policy.default)
        message.replace_header("Subject", str(message["Subject"]).strip())  # folded after "Subject:"
        for recipient in recipients:
            found[recipient] = message
    return found


def test_poll_takes_in_every_mail_once_acknowledges_by_smtp_and_threads_the_reply(
    org, mailbox, smtp_sink, django_capture_on_commit_callbacks
):
    mailbox.deliver(*(sample(name) for name in INTAKE + ROBOTS))

    with django_capture_on_commit_callbacks(execute=True):
        result = poller.mailbox_poll(config=mailbox.config)

    assert result.unseen == 10
    assert result.outcomes == {"opened": 8, "ignored": 2} and result.duplicates == 0
    assert Complaint.objects.count() == 8 and InboundEmail.objects.count() == 10
    flags = mailbox.flags()
    assert all(SEEN in f for f in flags)
    assert [TAKEN in f for f in flags] == [True] * 8 + [False] * 2
    assert [IGNORED in f for f in flags] == [False] * 8 + [True] * 2

    # Acknowledgements: one per new case, by SMTP, in the customer's language, the case number in the
    # subject, threaded to the customer's mail.
    sent = _sent(smtp_sink)
    assert len(smtp_sink.messages) == 8
    zhang = Complaint.objects.get(customer__email="zhangwei1988@qq.com")
    ack = sent["zhangwei1988@qq.com"]
    assert ack["Subject"] == f"您的投诉已受理（单号 {zhang.number}）"
    assert (
        ack["In-Reply-To"] == "<202611231012333408125@qq.com>" and ack["Auto-Submitted"] == "auto-generated"
    )
    assert zhang.number in ack.get_body(("plain",)).get_content()
    john = Complaint.objects.get(customer__email="john.smith@example.co.uk")
    english = sent["john.smith@example.co.uk"]
    assert john.language == "en" and english["Subject"] == f"We have received your complaint ({john.number})"
    assert "What happens next" in english.get_body(("plain",)).get_content()
    assert english["Content-Language"] == "en"

    # Polled again: nothing unseen, nothing new.
    again = poller.mailbox_poll(config=mailbox.config)
    assert again.unseen == 0 and Complaint.objects.count() == 8

    # The customer answers the acknowledgement from their mail client: Re: + our subject, In-Reply-To.
    reply = EmailMessage()
    reply["From"] = "张伟 <zhangwei1988@qq.com>"
    reply["To"] = ack["From"]
    reply["Subject"] = "Re: " + ack["Subject"]
    reply["Message-ID"] = make_msgid(domain="qq.com")
    reply["In-Reply-To"] = ack["Message-ID"]
    reply["References"] = f"{ack['References'] or ''} {ack['Message-ID']}".strip()
    reply.set_content("师傅的工号是 0571，请一并处理。\n\n> 我们已收到您的投诉\n", charset="gb18030")
    mailbox.deliver(reply.as_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        appended = poller.mailbox_poll(config=mailbox.config)
    assert appended.outcomes == {"appended": 1} and appended.numbers == [zhang.number]
    event = ComplaintEvent.objects.get(complaint=zhang, kind=EventKind.CUSTOMER_MESSAGE)
    assert event.new_value == "师傅的工号是 0571，请一并处理。"
    assert (
        Complaint.objects.count() == 8 and len(smtp_sink.messages) == 8
    )  # a reply is not acknowledged again


def test_a_mail_left_unseen_after_it_was_taken_in_is_not_taken_twice(org, mailbox):
    mailbox.deliver(sample("foxmail_gbk_base64.eml"))
    poller.mailbox_poll(config=mailbox.config)
    client = mailbox.dovecot.client()  # as if the process died before flagging it, or a person unread it
    client.select_folder(mailbox.folder)
    client.remove_flags(client.search(["ALL"]), [SEEN])
    client.logout()

    second = poller.mailbox_poll(config=mailbox.config)
    assert second.unseen == 1 and second.duplicates == 1 and second.numbers == []
    assert Complaint.objects.count() == 1
    assert SEEN in mailbox.flags()[0]


def test_robots_and_refusals_are_moved_aside_when_a_folder_is_set(org, mailbox, settings):
    settings.IMAP_SET_ASIDE_FOLDER = f"{mailbox.folder}-aside"
    no_sender = sample("outlook_utf8_qp.eml").replace(b"\nFrom: ", b"\nX-From: ")
    mailbox.deliver(sample("outlook_auto_reply.eml"), sample("foxmail_gbk_base64.eml"), no_sender)

    result = poller.mailbox_poll(config=mailbox.config)

    assert result.outcomes == {"ignored": 1, "opened": 1, "refused": 1}
    assert mailbox.flags() == [{SEEN, TAKEN}]  # only the taken mail stays in the inbox
    aside = mailbox.flags(settings.IMAP_SET_ASIDE_FOLDER)
    assert aside == [{SEEN, IGNORED}, {SEEN, b"ComplaintDesk-Refused"}]
    refused = InboundEmail.objects.get(outcome="refused")
    assert "发件人" in refused.reason


def test_a_failing_mail_stays_unseen_then_is_set_aside_after_the_last_attempt(
    org, mailbox, settings, monkeypatch
):
    from complaintdesk.channels.email import services

    settings.MAIL_POLL_MAX_ATTEMPTS = 2

    def broken(**kwargs):
        raise RuntimeError("intake is broken")

    monkeypatch.setattr(services, "intake_receive_once", broken)
    mailbox.deliver(sample("foxmail_gbk_base64.eml"))

    assert poller.mailbox_poll(config=mailbox.config).outcomes == {"failed": 1}
    assert mailbox.flags() == [set()]  # left for the next pass
    assert poller.mailbox_poll(config=mailbox.config).outcomes == {"gave_up": 1}
    assert mailbox.flags() == [{SEEN, b"ComplaintDesk-Failed"}]
    row = InboundEmail.objects.get()
    assert row.outcome == "gave_up" and row.attempts == 2 and "intake is broken" in row.reason
    assert poller.mailbox_poll(config=mailbox.config).unseen == 0  # not retried forever


def test_the_task_and_the_command_poll_the_mailbox_of_imap_url(org, mailbox, settings):
    settings.IMAP = _imap_settings(
        f"imap://kefu:kefu-secret@127.0.0.1:{mailbox.dovecot.port}/{mailbox.folder}"
    )
    mailbox.deliver(sample("foxmail_gbk_base64.eml"))
    result = periodic_run.call(MAIL_POLL_JOB)  # the test backend cannot defer: no next run is scheduled
    assert result["outcomes"] == {"opened": 1}
    state = PeriodicJob.objects.get(name=MAIL_POLL_JOB)
    assert state.last_result["outcomes"] == {"opened": 1} and state.last_result["mailbox"].endswith(
        f"/{mailbox.folder}"
    )

    mailbox.deliver(sample("outlook_utf8_qp.eml"))
    call_command("mail_poll")
    assert Complaint.objects.count() == 2


def test_a_mail_server_that_is_down_is_recorded_and_the_chain_goes_on(org, settings):
    settings.IMAP = _imap_settings("imap://kefu:x@127.0.0.1:9/INBOX?timeout=2")
    result = periodic_run.call(MAIL_POLL_JOB)
    assert "error" in result and "Connection" in result["error"]
    assert "error" in PeriodicJob.objects.get(name=MAIL_POLL_JOB).last_result


def test_lease_keeps_one_periodic_chain(db):
    at = now()
    assert periodic_lease_take(MAIL_POLL_JOB, at=at)
    assert not periodic_lease_take(MAIL_POLL_JOB, at=at)  # a duplicate chain stops


def test_imap_url_parsing():
    assert _imap_settings("") == {}
    parsed = _imap_settings("imaps://me%40example.com:p%2Fss@mail.example.com/Complaints")
    assert parsed == {"HOST": "mail.example.com", "PORT": 993, "USER": "me@example.com", "PASSWORD": "p/ss",
                      "FOLDER": "Complaints", "SSL": True, "STARTTLS": False, "TIMEOUT": 30.0}  # fmt: skip
    plain = _imap_settings("imap://u:p@127.0.0.1:1143/INBOX?starttls=1")
    assert plain["PORT"] == 1143 and plain["STARTTLS"] and not plain["SSL"] and plain["FOLDER"] == "INBOX"
