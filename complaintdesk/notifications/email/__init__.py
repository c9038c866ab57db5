"""Email through Django's email framework (EMAIL_BACKEND): a plain-text body with an HTML alternative,
in the customer's language. The Message-ID we set is the provider id in the log."""

import re
import smtplib
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.utils.html import escape, linebreaks

from complaintdesk.notifications.base import NotificationChannel, Notifier, OutboundMessage, SendResult

# (*, complaint_id, subject) -> (subject, headers): the case number in the subject and the threading headers
# (In-Reply-To, References) of a mail about a case. Registered by the channels app (its e-mail channel knows
# the customer's mails) in its AppConfig.ready(); without one a mail goes out as the template wrote it.
MailThread = Callable[..., tuple[str, dict[str, str]]]
_mail_thread: list[MailThread] = []


def mail_thread_register(thread: MailThread) -> None:
    _mail_thread[:] = [thread]


# A web address in the escaped body: up to a space, a tag, a quote or the Chinese punctuation a sentence puts
# right after it ("请访问 https://…/track/?number=TS…。") — never part of the address.
# An English sentence's full stop or comma after it is left outside too.
_ADDRESS = re.compile(r"https?://(?:(?!&quot;|&#x27;|&lt;|&gt;)[^\s<>\"'，。；：、！？）」』】])+")
_TRAILING = ".,;:!?)"


def _link(match: re.Match) -> str:
    address = match.group(0)
    kept = address.rstrip(_TRAILING)
    return f'<a href="{kept}">{kept}</a>{address[len(kept) :]}'


def _linked(html: str) -> str:
    """The escaped body with each web address a link the reader can tap (the tracking page, the survey, a
    staff member's case page), as in the plain text where mail programs guess them."""
    return _ADDRESS.sub(_link, html)


def _html(message: OutboundMessage) -> str:
    # The body is our template filled with case values: escaped, never rendered as markup.
    return (
        f'<!DOCTYPE html><html lang="{escape(message.language)}"><head><meta charset="utf-8">'
        f"<title>{escape(message.subject)}</title></head>"
        f"<body>{_linked(linebreaks(message.body, autoescape=True))}</body></html>"
    )


def from_address() -> str:
    return getattr(settings, "NOTIFY_EMAIL_FROM", "") or settings.DEFAULT_FROM_EMAIL


class EmailNotifier(Notifier):
    channel = NotificationChannel.EMAIL

    def send(self, message: OutboundMessage) -> SendResult:
        if not message.recipient:
            return SendResult.failed("no email address", retryable=False)
        message_id = make_msgid(idstring=f"notification-{message.reference}" if message.reference else None)
        subject, thread = message.subject, {}
        if message.complaint_id and _mail_thread:  # the case number in the subject, threading headers
            subject, thread = _mail_thread[0](complaint_id=message.complaint_id, subject=message.subject)
        mail = EmailMultiAlternatives(
            subject=subject,
            body=message.body,
            from_email=from_address(),
            to=[message.recipient],
            headers={
                "Message-ID": message_id,
                "Content-Language": message.language,
                # Acknowledgements and results are transactional: ask auto-responders not to answer them.
                "Auto-Submitted": "auto-generated",
                **thread,
            },
        )
        mail.attach_alternative(_html(message), "text/html")
        try:
            sent = mail.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            return SendResult.failed(f"recipient refused: {error.recipients}", retryable=False)
        except (smtplib.SMTPException, OSError) as error:
            return SendResult.failed(f"{type(error).__name__}: {error}")
        if not sent:
            return SendResult.failed("the email backend sent nothing")
        return SendResult.sent(message_id)
