"""Email through Django's email framework (EMAIL_BACKEND): a plain-text body with an HTML alternative,
in the customer's language. The Message-ID we set is the provider id in the log."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.utils.html import escape, linebreaks

from complaintdesk.channels.email.selectors import mail_thread_for
from complaintdesk.notifications.base import NotificationChannel, Notifier, OutboundMessage, SendResult


def _html(message: OutboundMessage) -> str:
    # The body is our template filled with case values: escaped, never rendered as markup.
    return (
        f'<!DOCTYPE html><html lang="{escape(message.language)}"><head><meta charset="utf-8">'
        f"<title>{escape(message.subject)}</title></head><body>{linebreaks(message.body, autoescape=True)}</body></html>"
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
        if message.complaint_id:  # the case number in the subject and threading headers (channels.email)
            subject, thread = mail_thread_for(complaint_id=message.complaint_id, subject=message.subject)
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
