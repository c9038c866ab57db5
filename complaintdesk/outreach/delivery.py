"""Messages about no case of the customer's (proactive notices, care): written queued in the caller's
transaction, sent after it commits through the notifications app's notifier of the channel (the same
providers, the same SMS signature and segment count), claimed by one conditional UPDATE so that of two
runs exactly one sends, retried with the notifications' back-off, given up after its attempts."""

from __future__ import annotations

import datetime as dt
import functools
import logging

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _
from django_tasks import task

from complaintdesk.common.time import now
from complaintdesk.notifications.base import NotificationChannel, OutboundMessage, SendResult, notifier_for
from complaintdesk.notifications.content import notification_language, template_render
from complaintdesk.notifications.services import (
    CHANNEL_FOR_PREFERENCE,
    CONTACT_FIELD_FOR_CHANNEL,
    FALLBACK_ORDER,
    max_attempts,
    retry_delay,
)

from .models import CustomerChoice, MessageStatus, OutreachMessage, Purpose
from .optout import stop_line
from .sms import sms_fit

logger = logging.getLogger(__name__)

TEMPLATE_CODE = {"notice": "outreach_notice", "care": "outreach_care"}


def customer_channel(customer) -> tuple[str, str] | None:
    """(channel, recipient) on the customer's preferred channel, else the first they have a contact for."""
    preferred = CHANNEL_FOR_PREFERENCE.get(customer.preferred_channel)
    for channel in dict.fromkeys([c for c in (preferred, *FALLBACK_ORDER) if c]):
        if recipient := getattr(customer, CONTACT_FIELD_FOR_CHANNEL[channel], ""):
            return channel, recipient
    return None


def message_queue(
    *,
    customer,
    purpose: str,
    body: str,
    subject: str = "",
    shorten=None,
    shorten_max: int = 0,
    **about,
) -> OutreachMessage | None:
    """A queued message to `customer` (None without any contact detail); its delivery is queued on commit.
    `about`: incident= or campaign= and occasion=. The caller holds the uniqueness (one per incident, one per
    campaign and occasion) and handles IntegrityError. An SMS longer than NOTIFY_SMS_MAX_SEGMENTS is cut
    (outreach.sms: `shorten(n)` the body with its explanation cut to n characters; else its end), never its
    opt-out link."""
    found = customer_channel(customer)
    if found is None:
        return None
    channel, recipient = found
    language = notification_language(customer.language)
    stop = stop_line(customer_id=customer.pk, purpose=purpose, language=language)
    if channel == NotificationChannel.SMS:
        body, cut = sms_fit(
            body=body, stop=stop, recipient=recipient, shorten=shorten, shorten_max=shorten_max
        )
        if cut:
            logger.info("outreach: the %s SMS to customer %s was shortened to fit", purpose, customer.pk)
    else:
        body = body.rstrip() + ("\n" if channel == NotificationChannel.EMAIL else " ") + stop
    rendered = template_render(channel=channel, subject=subject, body=body, provider_fields={}, values={},
                               recipient=recipient)  # fmt: skip
    at = now()
    message = OutreachMessage.objects.create(
        customer=customer, purpose=purpose, channel=channel, recipient=recipient,
        language=language, subject=rendered.subject or subject, body=rendered.body,
        created_at=at, next_attempt_at=at, **about,
    )  # fmt: skip
    transaction.on_commit(functools.partial(_enqueue, message.pk), robust=True)
    return message


def _enqueue(message_id: int, run_after: dt.datetime | None = None) -> None:
    job = outreach_deliver_task
    if run_after is not None:
        if not job.get_backend().supports_defer:
            return  # the sweep (outreach_retry_due) sends it when due
        job = job.using(run_after=run_after)
    try:
        job.enqueue(message_id)
    except Exception:
        logger.exception("could not queue outreach message %s", message_id)


def outreach_deliver(*, message_id: int) -> str:
    """One attempt: sent, retry, gave_up, or skipped (done, in hand elsewhere, not due)."""
    message = OutreachMessage.objects.filter(pk=message_id).first()
    if message is None or message.status not in (MessageStatus.QUEUED, MessageStatus.FAILED):
        return "skipped"
    at = now()
    claimed = (
        OutreachMessage.objects.filter(
            pk=message.pk, status__in=[MessageStatus.QUEUED, MessageStatus.FAILED], attempts=message.attempts
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=at))
        .update(status=MessageStatus.SENDING, attempts=F("attempts") + 1, last_attempt_at=at)
    )
    if not claimed:
        return "skipped"
    message.attempts += 1
    if _refused(message):  # opted out after the message was queued: it is never sent
        message.status, message.next_attempt_at = MessageStatus.GAVE_UP, None
        message.last_error = _("客户已退订这类消息，未发送")
        message.save(update_fields=["status", "next_attempt_at", "last_error"])
        return "refused"
    outbound = OutboundMessage(
        channel=message.channel, recipient=message.recipient, language=message.language, subject=message.subject,
        body=message.body, template_code=TEMPLATE_CODE[message.purpose], reference=f"outreach-{message.pk}",
    )  # fmt: skip
    try:
        result = notifier_for(message.channel).send(outbound)
    except Exception as error:
        logger.exception("notifier for %s failed on outreach message %s", message.channel, message.pk)
        result = SendResult.failed(f"{type(error).__name__}: {error}")
    at = now()
    if result.ok:
        message.status, message.sent_at, message.next_attempt_at = MessageStatus.SENT, at, None
        message.provider_message_id, message.last_error = result.provider_message_id[:200], ""
        outcome = "sent"
    elif result.retryable and message.attempts < max_attempts():
        message.status, message.last_error = MessageStatus.FAILED, result.error
        message.next_attempt_at = at + retry_delay(message.attempts)
        outcome = "retry"
    else:
        message.status, message.last_error, message.next_attempt_at = (
            MessageStatus.GAVE_UP,
            result.error,
            None,
        )
        outcome = "gave_up"
    message.save(update_fields=["status", "sent_at", "next_attempt_at", "provider_message_id", "last_error"])
    if outcome == "retry":
        _enqueue(message.pk, run_after=message.next_attempt_at)
    return outcome


def _refused(message: OutreachMessage) -> bool:
    choice = CustomerChoice.objects.filter(customer_id=message.customer_id).first()
    if choice is None:
        return False
    if message.purpose == Purpose.NOTICE:
        return choice.notices_refused_at is not None
    return choice.care_refused_at is not None and (
        choice.care_consent_at is None or choice.care_refused_at > choice.care_consent_at
    )


def outreach_retry_due(*, limit: int = 200) -> int:
    """Queue again what is due (a lost job, a backend without deferred jobs); free rows left sending."""
    at = now()
    OutreachMessage.objects.filter(
        status=MessageStatus.SENDING, last_attempt_at__lt=at - dt.timedelta(minutes=15)
    ).update(status=MessageStatus.FAILED, next_attempt_at=at)
    due = list(
        OutreachMessage.objects.filter(
            status__in=[MessageStatus.QUEUED, MessageStatus.FAILED],
            next_attempt_at__lte=at - dt.timedelta(minutes=1),
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for message_id in due:
        _enqueue(message_id)
    return len(due)


@task()
def outreach_deliver_task(message_id: int) -> str:
    return outreach_deliver(message_id=message_id)
