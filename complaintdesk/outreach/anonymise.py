"""Personal data out of what this app keeps once its retention has ended (个人信息保护法; `docs/privacy.md`,
"Incidents and care messages").

An incident's messages to the customers it concerned, and care messages, belong to no case: they are not
anonymised with one. Their retention is the organisation's default retention period (`privacy`: 保存期限规则
without a category, 3 years when there is none), counted
- for an incident and its notices, from the day it was resolved (an incident still in progress keeps them);
- for a care message, from the day it was written.

Once it has ended, the daily privacy job (`privacy.tasks.anonymise_expired`, through the retention step
registered in `OutreachConfig.ready()`):
- masks the incident's list of affected accounts and phones, keeping first what its notices achieved as
  counted then (`notice_counts`; `effect.notice_effect` reads it from then on, since the masked list no
  longer finds the customers), and marks it (`anonymised_at`);
- for each message of such an incident, and each expired care message, that is finished (sent or given up):
  masks the recipient (138****8000), takes the personal data out of its subject, body and last error (the
  customer's own details wherever they appear, and whatever looks like a phone, an e-mail, an ID number, a
  card, an address: `privacy.redaction.text_redacted`) and the customer's opt-out token out of its link,
  and marks it (`anonymised_at`). A message still queued or retrying waits until it is finished.

What the figures count stays: every row, its customer, purpose, incident or campaign, channel, status,
attempts and times. Bounded (at most `batch` messages and INCIDENTS_PER_CALL incidents a call), oldest first,
each row once.

Also a case step: an expired case's link to its incident loses the personal data of its notes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from django.db import transaction
from django.db.models import Q

from complaintdesk.common.anonymisation import rows_redact
from complaintdesk.common.masking import mask_phone, mask_text
from complaintdesk.common.time import now, to_local
from complaintdesk.complaints.models import Complaint
from complaintdesk.notifications.base import NotificationChannel
from complaintdesk.notifications.models import mask_recipient
from complaintdesk.privacy.redaction import text_redacted
from complaintdesk.privacy.retention import months_added
from complaintdesk.privacy.selectors import retention_table
from complaintdesk.scripts.checking import DETECTORS

from .effect import notice_effect
from .models import Incident, IncidentLink, IncidentStatus, MessageStatus, OutreachMessage

BATCH = 1000
INCIDENTS_PER_CALL = 20
FINISHED = (MessageStatus.SENT, MessageStatus.GAVE_UP)
MESSAGE_TEXTS = ("subject", "body", "last_error")
RECIPIENT_KIND = {
    NotificationChannel.SMS: "phone",
    NotificationChannel.EMAIL: "email",
    NotificationChannel.WECHAT: "wechat_openid",
}
# The opt-out link's token (portal: stop/<token>/) names the customer: masked, the link stays recognisable.
STOP_TOKEN = re.compile(r"(/stop/)([^/\s]+)")


def retention_months() -> int:
    """The organisation's default retention (privacy.RetentionRule without a category; 3 years without one)."""
    return retention_table().default_months


def expired_before(*, at: dt.datetime, months: int) -> dt.datetime:
    """Resolved (an incident) or written (a care message) before this, its retention has ended at `at`."""
    return months_added(to_local(at), -months)


def _account_masked(value) -> object:
    if not isinstance(value, str) or not value:
        return value
    return mask_phone(value) if DETECTORS["phone"].pattern.fullmatch(value) else mask_text(value, 2)


def incidents_anonymise(*, at: dt.datetime, limit: int = INCIDENTS_PER_CALL) -> tuple[int, bool]:
    """Up to `limit` resolved incidents past their retention: the list masked, the effect kept. Returns
    (how many, whether more wait)."""
    bound = expired_before(at=at, months=retention_months())
    ids = list(
        Incident.objects.filter(
            status=IncidentStatus.RESOLVED, resolved_at__lt=bound, anonymised_at__isnull=True
        )
        .order_by("resolved_at", "id")
        .values_list("id", flat=True)[: limit + 1]
    )
    done = 0
    for incident_id in ids[:limit]:
        with transaction.atomic():
            incident = (
                Incident.objects.select_for_update()
                .filter(pk=incident_id, anonymised_at__isnull=True)
                .first()
            )
            if incident is None:
                continue
            effect = notice_effect(incident=incident)
            Incident.objects.filter(pk=incident.pk).update(
                accounts=[_account_masked(value) for value in incident.accounts or []],
                notice_counts={
                    "noticed_customers": effect.noticed_customers,
                    "noticed_complaints": effect.noticed_complaints,
                    "unnoticed_customers": effect.unnoticed_customers,
                    "unnoticed_complaints": effect.unnoticed_complaints,
                },
                anonymised_at=at,
            )
            done += 1
    return done, len(ids) > limit


def _message_redactor(message: OutreachMessage) -> Callable[[str], str]:
    customer = message.customer
    known = [
        ("name", customer.name), ("phone", customer.phone), ("email", customer.email),
        ("account_no", customer.account_no), ("wechat_openid", customer.wechat_openid),
        (RECIPIENT_KIND.get(message.channel, "wechat_openid"), message.recipient),
    ]  # fmt: skip
    known = [(kind, value) for kind, value in known if value]

    def redact(text: str) -> str:
        text = STOP_TOKEN.sub(lambda m: m.group(1) + "*" * len(m.group(2)), text or "")
        return text_redacted(text, known=known)

    return redact


def messages_anonymise(*, at: dt.datetime, batch: int = BATCH) -> tuple[int, bool]:
    """Up to `batch` finished messages past their retention (of an incident done above, or a care message
    written before the bound), oldest first, in one transaction. Returns (how many, whether more wait)."""
    bound = expired_before(at=at, months=retention_months())
    candidates = (
        OutreachMessage.objects.filter(anonymised_at__isnull=True, created_at__lt=bound, status__in=FINISHED)
        .filter(Q(incident__isnull=True) | Q(incident__anonymised_at__isnull=False))
        .select_related("customer")
        .order_by("created_at", "id")
    )
    rows = list(candidates[: batch + 1])
    with transaction.atomic():
        for message in rows[:batch]:
            redact = _message_redactor(message)
            values = {name: redact(getattr(message, name)) for name in MESSAGE_TEXTS}
            values["recipient"] = mask_recipient(message.channel, message.recipient)
            OutreachMessage.objects.filter(pk=message.pk, anonymised_at__isnull=True).update(
                **values, anonymised_at=at
            )
    return min(len(rows), batch), len(rows) > batch


def outreach_retention_run(*, at: dt.datetime | None = None, batch: int = BATCH) -> dict:
    """The retention step of the daily privacy job (common.anonymisation.retention_step_register)."""
    at = at or now()
    incidents, incidents_left = incidents_anonymise(at=at)
    messages, messages_left = messages_anonymise(at=at, batch=batch)
    return {"incidents": incidents, "messages": messages, "remaining": incidents_left or messages_left}


def incident_link_anonymise(*, complaint: Complaint, redact: Callable[[str], str], **_context) -> int:
    """The case step: the notes on what the customer was told about the incident (恢复告知情况, 未能告知的
    原因). Returns how many links changed."""
    links = IncidentLink.objects.filter(complaint=complaint).only("pk", "feedback_note", "feedback_error")
    return rows_redact(links, ("feedback_note", "feedback_error"), redact)
