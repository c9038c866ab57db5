"""Writes of the staff inbox: the one way the system tells members of staff something.

staff_notify(recipients, kind, title, body, link, complaint)
    → one StaffNotification per active recipient, its text rendered in that person's language
      (User.language, else the organisation's); for those with an e-mail address the mail is queued
      when the caller's transaction commits (at once outside one).
tasks.deliver_staff_email(id) → staff_email_deliver: claim, send once through the e-mail Notifier
      (notifications.base.notifier_for), record; a failure is retried with back-off
      (staff_emails_retry_due, run by the SLA sweep, picks up what a queue lost).
staff_notifications_mark_read(user, ids) → the reader's own notices marked read.

Process apps call `staff_notify` from their own `notify.py` after their commit, with the texts as
gettext_lazy msgids or `text.Words`; links are workbench paths, made absolute (STAFF_BASE_URL) in mail.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext as _

from complaintdesk.common.taskslot import TaskSlot
from complaintdesk.common.time import now
from complaintdesk.notifications.base import NotificationChannel, OutboundMessage, SendResult, notifier_for

from .models import EmailStatus, StaffNotification
from .text import Text, render

logger = logging.getLogger(__name__)

# tasks.deliver_staff_email, registered by InboxConfig.ready() (tasks.py imports this module).
EMAIL_TASK = TaskSlot("inbox.tasks.deliver_staff_email")

TITLE_MAX = 200
BODY_MAX = 20_000
RECIPIENTS_MAX = 200
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_RETRY_BASE_SECONDS = 60
DEFAULT_RETRY_MAX_SECONDS = 3600
# A claimed e-mail not recorded after this long was being sent by a worker that stopped: tried again.
CLAIM_SECONDS = 900
# The sweep leaves a fresh row this long to its own queued job before queueing it again.
SWEEP_GRACE_SECONDS = 60


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default) or default)


def staff_url(path: str) -> str:
    """An absolute workbench link: STAFF_BASE_URL + path (a full URL is returned as it is)."""
    if not path or "://" in path:
        return path
    base = (getattr(settings, "STAFF_BASE_URL", "") or "").rstrip("/")
    return f"{base}/{path.lstrip('/')}"


def recipient_language(user) -> str:
    """The language of messages to `user`: theirs when set and offered, else the organisation's."""
    offered = {code for code, _name in settings.LANGUAGES}
    language = (getattr(user, "language", "") or "").lower()
    return language if language in offered else settings.LANGUAGE_CODE


def _users(recipients: Iterable) -> list:
    """Active users among `recipients` (users or ids, None skipped), each once, in the given order."""
    ids = list(dict.fromkeys(r if isinstance(r, int) else r.pk for r in recipients if r is not None))
    if not ids:
        return []
    found = {
        u.pk: u
        for u in get_user_model()
        .objects.filter(pk__in=ids[:RECIPIENTS_MAX], is_active=True)
        .only("pk", "email", "language", "username", "display_name")
    }
    return [found[pk] for pk in ids if pk in found]


@dataclass(frozen=True)
class StaffNotice:
    """One notice for `staff_notify_many`: the arguments of `staff_notify`."""

    recipients: tuple
    kind: str
    title: Text
    body: Text | None = None
    link: str = ""
    complaint: object = None


def staff_notify(
    *,
    recipients: Iterable,
    kind: str,
    title: Text,
    body: Text | None = None,
    link: str = "",
    complaint=None,
) -> list[StaffNotification]:
    """Tell each of `recipients` (users or user ids; inactive ones and repeats are skipped): `title` and
    `body` in their language, `link` the workbench path to open (a case, the approvals queue …),
    `complaint` the case it is about when there is one (its number is kept with the notice). `kind`
    names the notice for filtering; it is never shown. Returns the rows written."""
    users = _users(recipients)
    if not users:
        return []
    rows = _notices_build(
        users=users, kind=kind, title=title, body=body, link=link, complaint=complaint, at=now()
    )
    with transaction.atomic():
        _notices_write(rows)
    return rows


def staff_notify_many(notices: list[StaffNotice]) -> list[StaffNotification]:
    """`staff_notify` for many notices at once (the end of an SLA batch): one query for all the recipients,
    one INSERT for all the rows, in the caller's transaction. Returns the rows written."""
    wanted = [
        list(dict.fromkeys(r if isinstance(r, int) else r.pk for r in n.recipients if r is not None))
        for n in notices
    ]
    ids = {pk for group in wanted for pk in group[:RECIPIENTS_MAX]}
    if not ids:
        return []
    found = {
        u.pk: u
        for u in get_user_model()
        .objects.filter(pk__in=ids, is_active=True)
        .only("pk", "email", "language", "username", "display_name")
    }
    at = now()
    rows: list[StaffNotification] = []
    for notice, group in zip(notices, wanted, strict=True):
        users = [found[pk] for pk in group[:RECIPIENTS_MAX] if pk in found]
        if users:
            rows += _notices_build(
                users=users, kind=notice.kind, title=notice.title, body=notice.body, link=notice.link,
                complaint=notice.complaint, at=at,
            )  # fmt: skip
    _notices_write(rows)
    return rows


def _notices_build(
    *, users: list, kind: str, title: Text, body: Text | None, link: str, complaint, at
) -> list:
    by_language: dict[str, list] = {}
    for user in users:
        by_language.setdefault(recipient_language(user), []).append(user)
    rows = []
    for language, group in by_language.items():
        with translation.override(language):
            title_text, body_text = render(title)[:TITLE_MAX], render(body)[:BODY_MAX]
        for user in group:
            rows.append(
                StaffNotification(
                    user=user,
                    kind=kind[:40],
                    title=title_text,
                    body=body_text,
                    link=link[:500],
                    language=language,
                    case_number=getattr(complaint, "number", "") or "",
                    complaint_id=getattr(complaint, "pk", None),
                    created_at=at,
                    email_status=EmailStatus.QUEUED if user.email else EmailStatus.NONE,
                    email_to=user.email or "",
                    email_next_attempt_at=at if user.email else None,
                )
            )
    return rows


def _notices_write(rows: list[StaffNotification]) -> None:
    if not rows:
        return
    StaffNotification.objects.bulk_create(rows)
    mailed = [row.pk for row in rows if row.email_status == EmailStatus.QUEUED]
    if mailed:
        transaction.on_commit(functools.partial(_emails_enqueue, mailed), robust=True)


def staff_notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark `user`'s unread notices read (those of `ids`, or all). Others' notices are never touched."""
    rows = StaffNotification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids)[:RECIPIENTS_MAX])
    return rows.update(read_at=now())


# --- e-mail ----------------------------------------------------------------------------------------------


def _emails_enqueue(ids: list[int], *, run_after: dt.datetime | None = None) -> None:
    task = EMAIL_TASK.get()
    if run_after is not None:
        if not getattr(task.get_backend(), "supports_defer", False):
            return  # left to staff_emails_retry_due
        task = task.using(run_after=run_after)
    for notification_id in ids:
        try:
            task.enqueue(notification_id)
        except Exception:  # the row is stored: the sweep queues it again
            logger.exception("could not queue the e-mail of staff notification %s", notification_id)


def retry_delay(attempts: int) -> dt.timedelta:
    base = _setting("NOTIFY_RETRY_BASE_SECONDS", DEFAULT_RETRY_BASE_SECONDS)
    cap = _setting("NOTIFY_RETRY_MAX_SECONDS", DEFAULT_RETRY_MAX_SECONDS)
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def email_text(notification: StaffNotification) -> str:
    """The mail's body: the notice, then the absolute link to open, in the notice's language."""
    with translation.override(notification.language):
        lines = [notification.title, ""]
        if notification.body:
            lines += [notification.body, ""]
        if notification.link:
            lines.append(_("打开：%(link)s") % {"link": staff_url(notification.link)})
    return "\n".join(lines)


def staff_email_deliver(*, notification_id: int) -> str:
    """One attempt at the e-mail of a notice: sent, retry, gave_up, or skipped (done, not due, or
    another worker has it)."""
    at = now()
    claimed = (
        StaffNotification.objects.filter(
            pk=notification_id, email_status__in=[EmailStatus.QUEUED, EmailStatus.FAILED]
        )
        .filter(Q(email_next_attempt_at__isnull=True) | Q(email_next_attempt_at__lte=at))
        .update(
            email_attempts=F("email_attempts") + 1,
            email_next_attempt_at=at + dt.timedelta(seconds=CLAIM_SECONDS),
        )
    )
    if not claimed:
        return "skipped"
    notification = StaffNotification.objects.get(pk=notification_id)
    message = OutboundMessage(
        channel=NotificationChannel.EMAIL,
        recipient=notification.email_to,
        language=notification.language,
        subject=notification.title,
        body=email_text(notification),
        template_code=notification.kind,
        reference=f"staff-{notification.pk}",
    )
    try:
        result = notifier_for(NotificationChannel.EMAIL).send(message)
    except Exception as error:  # a notifier bug must not leave the row claimed
        logger.exception("e-mail notifier failed on staff notification %s", notification.pk)
        result = SendResult.failed(f"{type(error).__name__}: {error}")
    return _email_record(notification, result)


def _email_record(notification: StaffNotification, result: SendResult) -> str:
    at = now()
    if result.ok:
        notification.email_status, notification.email_sent_at = EmailStatus.SENT, at
        notification.email_error, notification.email_next_attempt_at = "", None
        outcome = "sent"
    elif result.retryable and notification.email_attempts < _setting(
        "NOTIFY_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS
    ):
        notification.email_status, notification.email_error = EmailStatus.FAILED, result.error
        notification.email_next_attempt_at = at + retry_delay(notification.email_attempts)
        outcome = "retry"
    else:
        notification.email_status, notification.email_error = EmailStatus.GAVE_UP, result.error
        notification.email_next_attempt_at = None
        outcome = "gave_up"
    notification.save(update_fields=["email_status", "email_sent_at", "email_error", "email_next_attempt_at"])
    if outcome == "retry":
        _emails_enqueue([notification.pk], run_after=notification.email_next_attempt_at)
    (logger.info if result.ok else logger.warning)(
        "staff notification %s (%s) e-mail attempt %d: %s %s",
        notification.pk, notification.kind, notification.email_attempts, outcome, result.error,
    )  # fmt: skip
    return outcome


def staff_emails_retry_due(*, limit: int = 200) -> int:
    """Queue again the e-mails whose attempt is due (a lost job, a backend without deferred jobs, a
    worker that stopped mid-attempt). Returns how many were queued."""
    at = now()
    due = list(
        StaffNotification.objects.filter(
            email_status__in=[EmailStatus.QUEUED, EmailStatus.FAILED],
            email_next_attempt_at__lte=at - dt.timedelta(seconds=SWEEP_GRACE_SECONDS),
        )
        .order_by("email_next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    _emails_enqueue(due)
    return len(due)
