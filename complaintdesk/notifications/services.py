"""Writes of the notifications app: queue a notification, deliver it (once), acknowledge a new case.

notification_send(complaint, template_code)   → a queued Notification, in the caller's transaction;
                                                 delivery is queued when that transaction commits
tasks.deliver_notification(id)                 → notification_deliver: claim, send once, record;
                                                 on failure re-queued with exponential back-off
complaint_acknowledge(complaint_id)            → the acknowledgement of a new case, at most once
"""

import datetime as dt
import functools
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from complaintdesk.common import fastsql
from complaintdesk.common.errors import DomainError, InvalidInput
from complaintdesk.common.taskslot import TaskSlot
from complaintdesk.common.time import now
from complaintdesk.complaints.customers import case_contact, case_preferred_channel
from complaintdesk.complaints.models import Complaint, ContactChannel, EventKind
from complaintdesk.complaints.states import ContactKind
from complaintdesk.complaints.timeline import event_record, events_record_changes
from complaintdesk.scripts.rendering import placeholders_in
from complaintdesk.sla.services import complaint_deadlines_refresh
from complaintdesk.sla.timers import batch_row_keep, pass_cached

from .base import NotificationChannel, OutboundMessage, SendResult, notifier_for
from .content import (
    deadline_said_twice,
    message_language,
    notification_language,
    notification_values,
    template_render,
)
from .models import Notification, NotificationStatus, NotificationTemplate, TemplateCode

logger = logging.getLogger(__name__)

# tasks.deliver_notification, registered by NotificationsConfig.ready() (tasks.py imports this module).
DELIVERY_TASK = TaskSlot("notifications.tasks.deliver_notification")

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_RETRY_BASE_SECONDS = 60
DEFAULT_RETRY_MAX_SECONDS = 3600
# A row left `sending` this long was being sent by a worker that stopped: whether it went out is unknown.
DEFAULT_SENDING_STALE_SECONDS = 900
# The sweep re-queues rows this long past due (their own queued job normally runs well before).
DEFAULT_SWEEP_GRACE_SECONDS = 300


class NotificationImpossible(DomainError):
    """There is no way to send this: no contact detail for the channel, or no template for it."""

    code = "notification_impossible"
    status = 422


# The customer's preferred way to hear from us → the channel a notification goes on. A phone call is
# made by a person; the automatic message for "phone" is an SMS to that phone.
CHANNEL_FOR_PREFERENCE = {
    ContactChannel.PHONE: NotificationChannel.SMS,
    ContactChannel.SMS: NotificationChannel.SMS,
    ContactChannel.EMAIL: NotificationChannel.EMAIL,
    ContactChannel.WECHAT: NotificationChannel.WECHAT,
}
# When the preferred channel has no contact detail (or is a letter): the first one that has one.
FALLBACK_ORDER = (NotificationChannel.SMS, NotificationChannel.WECHAT, NotificationChannel.EMAIL)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default) or default)


def max_attempts() -> int:
    return _setting("NOTIFY_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed attempt: base, 2×base, 4×base … capped."""
    base = _setting("NOTIFY_RETRY_BASE_SECONDS", DEFAULT_RETRY_BASE_SECONDS)
    cap = _setting("NOTIFY_RETRY_MAX_SECONDS", DEFAULT_RETRY_MAX_SECONDS)
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


CONTACT_FIELD_FOR_CHANNEL = {
    NotificationChannel.SMS: "phone",
    NotificationChannel.EMAIL: "email",
    NotificationChannel.WECHAT: "wechat_openid",
}


def recipient_for(complaint, channel: str) -> str:
    """The case's own contact on that channel (given with it), else the customer record's."""
    field = CONTACT_FIELD_FOR_CHANNEL.get(channel)
    return case_contact(complaint, field) if field else ""


def notification_channel_choose(*, complaint, channel: str | None = None) -> tuple[str, str]:
    """(channel, recipient) for a message about this case: the one asked for, else the customer's
    preferred, else the first with a contact."""
    if channel:
        if channel not in NotificationChannel.values:
            raise InvalidInput(
                {"channel": [_("可选：%(choices)s") % {"choices": ", ".join(NotificationChannel.values)}]}
            )
        if recipient := recipient_for(complaint, channel):
            return channel, recipient
        raise NotificationImpossible(
            _("客户没有%(channel)s的联系方式") % {"channel": NotificationChannel(channel).label}
        )
    preferred = CHANNEL_FOR_PREFERENCE.get(case_preferred_channel(complaint))
    for candidate in dict.fromkeys([c for c in (preferred, *FALLBACK_ORDER) if c]):
        if recipient := recipient_for(complaint, candidate):
            return candidate, recipient
    raise NotificationImpossible(_("客户没有可用于通知的联系方式（手机、邮箱或微信）"))


def notification_template_for(*, code: str, channel: str, language: str) -> NotificationTemplate:
    """The active template in the customer's language, else in Chinese (the product's first language).
    Read once per SLA batch (`sla.timers.pass_cached`: nobody edits a template inside a worker's batch)."""
    return pass_cached(
        ("notifications.template", code, channel, language),
        lambda: _template_find(code=code, channel=channel, language=language),
    )


def _template_placeholders(template: NotificationTemplate) -> frozenset[str]:
    """The placeholders the template's subject, body and provider fields use."""
    texts = [template.subject or "", template.body or ""]
    texts += [str(text) for text in (template.provider_fields or {}).values()]
    return frozenset(name for text in texts for name in placeholders_in(text))


def _template_find(*, code: str, channel: str, language: str) -> NotificationTemplate:
    for candidate in dict.fromkeys([notification_language(language), "zh-hans", "en"]):
        template = NotificationTemplate.objects.filter(
            code=code, channel=channel, language=candidate, is_active=True
        ).first()
        if template is not None:
            return template
    raise NotificationImpossible(
        _("没有可用的通知模板：%(code)s / %(channel)s") % {"code": code, "channel": channel}
    )


def _delivery_enqueue(notification_id: int, *, run_after: dt.datetime | None = None) -> None:
    task = DELIVERY_TASK.get()
    if run_after is not None:
        if not task.get_backend().supports_defer:
            # Without deferred jobs (the in-process backend) the retry waits for notifications_retry_due.
            logger.info("notification %s: retry due at %s left to the sweep", notification_id, run_after)
            return
        task = task.using(run_after=run_after)
    try:
        task.enqueue(notification_id)
    except Exception:  # the row is stored: the sweep (notifications_retry_due) queues it again
        logger.exception("could not queue delivery of notification %s", notification_id)


# The acknowledgement's words for each contact type that is not a complaint (an inquiry is not "您的投诉已受理").
ACKNOWLEDGEMENT_OF_KIND = {
    ContactKind.INQUIRY: TemplateCode.ACK_INQUIRY,
    ContactKind.SUGGESTION: TemplateCode.ACK_SUGGESTION,
    ContactKind.PRAISE: TemplateCode.ACK_PRAISE,
}


# The progress message's words for each contact type that is not a complaint ("投诉…进展" is wrong for an answer).
PROGRESS_OF_KIND = {
    ContactKind.INQUIRY: TemplateCode.PROGRESS_INQUIRY,
    ContactKind.SUGGESTION: TemplateCode.PROGRESS_SUGGESTION,
    ContactKind.PRAISE: TemplateCode.PROGRESS_PRAISE,
}


# Messages of the complaint process (SPEC §2 steps 5-6, §3): an inquiry, a suggestion or praise never gets them
# (it is answered, told what became of it, thanked: the progress message in its own words).
COMPLAINT_ONLY_TEMPLATES = frozenset(
    {TemplateCode.RESULT, TemplateCode.SURVEY, TemplateCode.ESCALATED, TemplateCode.STATUTORY_EXTENSION}
)


def _template_of_kind(template_code: str, kind: str) -> str:
    """The template a contact of `kind` gets for `template_code`: its kind's own words where there are some
    (acknowledgement, progress); result, survey and escalation are complaint-only stages."""
    if template_code == TemplateCode.ACKNOWLEDGEMENT:
        return ACKNOWLEDGEMENT_OF_KIND.get(kind, template_code)
    if template_code == TemplateCode.PROGRESS:
        return PROGRESS_OF_KIND.get(kind, template_code)
    return template_code


def notification_send(
    *, complaint: Complaint, template_code: str, channel: str | None = None, extra: dict | None = None
) -> Notification:
    """Queue a message to the complaint's customer: the row is written in the caller's transaction and
    its delivery is queued when that transaction commits (nothing goes out for a rolled-back change).

    `channel`: sms / email / wechat; default the customer's preferred channel, falling back to one they
    have contact details for. The language is the customer's. `extra` fills placeholders the case does
    not (progress, result, cause, compensation, survey_url). Raises NotificationImpossible when there is
    no contact or template, InvalidInput when a placeholder the template needs has no value.
    """
    if template_code not in TemplateCode.values:
        raise InvalidInput(
            {"template_code": [_("可选：%(choices)s") % {"choices": ", ".join(TemplateCode.values)}]}
        )
    if template_code in COMPLAINT_ONLY_TEMPLATES and complaint.kind not in ("", ContactKind.COMPLAINT):
        raise NotificationImpossible(
            _("“%(message)s”只发给投诉的客户，这是一条%(kind)s")
            % {"message": TemplateCode(template_code).label, "kind": complaint.get_kind_display()}
        )
    language = message_language(complaint)
    channel, recipient = notification_channel_choose(complaint=complaint, channel=channel)
    template = notification_template_for(
        code=_template_of_kind(template_code, complaint.kind), channel=channel, language=language
    )
    needed = pass_cached(
        ("notifications.placeholders", template.pk), lambda: _template_placeholders(template)
    )
    values = notification_values(complaint=complaint, language=template.language, extra=extra, needed=needed)
    rendered = template_render(
        channel=channel, subject=template.subject, body=template.body,
        provider_fields=template.provider_fields or {}, values=values, recipient=recipient,
    )  # fmt: skip
    if deadline_said_twice(rendered, values) and not template.provider_template_id:
        # The caller's text (an agent's reply as {progress}) already promises the deadline: the template's
        # optional "[[by {deadline}]]" falls away rather than say it twice. A template that needs it, or one
        # registered with the provider (its parameters are fixed there), keeps it.
        once = template_render(
            channel=channel, subject=template.subject, body=template.body,
            provider_fields=template.provider_fields or {},
            values={name: value for name, value in values.items() if name != "deadline"},
            recipient=recipient,
        )  # fmt: skip
        if not once.missing:
            rendered = once
    if rendered.missing:
        raise InvalidInput(
            {
                "extra": [
                    _("模板需要这些占位符的取值：%(names)s")
                    % {"names": "、".join(f"{{{n}}}" for n in rendered.missing)}
                ]
            }
        )
    at = now()
    notification = Notification(
        complaint=complaint, template=template, template_code=template_code, channel=channel,
        recipient=recipient, language=template.language, subject=rendered.subject, body=rendered.body,
        params=rendered.params, segments=rendered.segments, status=NotificationStatus.QUEUED,
        created_at=at, updated_at=at, next_attempt_at=at,
    )  # fmt: skip
    # In the worker's SLA batch the row is written with the batch's other messages, in one INSERT before
    # the batch commits (`batch_notifications_write`); its `pk` is set then. Else now.
    if batch_row_keep(complaint_id=complaint.pk, key=BATCH_ROWS_KEY, row=notification):
        return notification
    with transaction.atomic():
        notification.save(force_insert=True)
        transaction.on_commit(functools.partial(_delivery_enqueue, notification.pk), robust=True)
    return notification


BATCH_ROWS_KEY = "notifications.notification"


def batch_notifications_write(rows: list[Notification]) -> None:
    """The messages an SLA batch's cases queued (`notification_send` inside the batch), in one INSERT;
    their deliveries queued together when the batch commits (registered with
    `sla.timers.batch_rows_flush_register` in AppConfig.ready())."""
    fastsql.insert_instances(rows)
    ids = [row.pk for row in rows]
    transaction.on_commit(functools.partial(_deliveries_enqueue, ids), robust=True)


def _deliveries_enqueue(notification_ids: list[int]) -> None:
    """`_delivery_enqueue` of each, their task rows in one INSERT where the backend can
    (`tasks.backend.DatabaseBackend.enqueue_many`)."""
    task = DELIVERY_TASK.get()
    backend = task.get_backend()
    if not hasattr(backend, "enqueue_many"):
        for notification_id in notification_ids:
            _delivery_enqueue(notification_id)
        return
    try:
        backend.enqueue_many([(task, (notification_id,), {}) for notification_id in notification_ids])
    except Exception:  # the rows are stored: the sweep (notifications_retry_due) queues them again
        logger.exception("could not queue delivery of %d notifications", len(notification_ids))


# --- delivery -------------------------------------------------------------------------------------


def _message(notification: Notification) -> OutboundMessage:
    template = notification.template
    return OutboundMessage(
        channel=notification.channel,
        recipient=notification.recipient,
        language=notification.language,
        subject=notification.subject,
        body=notification.body,
        template_code=notification.template_code,
        complaint_id=notification.complaint_id,
        # Read at each attempt: an administrator may fill in the provider's template id meanwhile.
        provider_template_id=template.provider_template_id if template else "",
        params=dict(notification.params or {}),
        reference=str(notification.pk),
    )


def _claim(notification: Notification, *, at: dt.datetime) -> bool:
    """Take the row for one attempt: one conditional UPDATE, so of two workers holding the same job
    (a redelivered RQ job, the sweep and the queue together) exactly one sends."""
    claimed = (
        Notification.objects.filter(
            pk=notification.pk,
            status__in=[NotificationStatus.QUEUED, NotificationStatus.FAILED],
            attempts=notification.attempts,
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=at))
        .update(
            status=NotificationStatus.SENDING, attempts=F("attempts") + 1, last_attempt_at=at, updated_at=at
        )
    )
    if claimed:
        notification.status = NotificationStatus.SENDING
        notification.attempts += 1
        notification.last_attempt_at = at
    return bool(claimed)


def notification_deliver(*, notification_id: int) -> str:
    """One delivery attempt. Returns what happened: sent, retry, gave_up, or skipped (someone else has
    it, it is done, or its next attempt is not due) / missing."""
    notification = Notification.objects.select_related("template").filter(pk=notification_id).first()
    if notification is None:
        return "missing"
    if notification.status not in (NotificationStatus.QUEUED, NotificationStatus.FAILED):
        return "skipped"
    if not _claim(notification, at=now()):
        return "skipped"
    try:
        result = notifier_for(notification.channel).send(_message(notification))
    except Exception as error:  # a notifier bug must not leave the row `sending`
        logger.exception("notifier for %s failed on notification %s", notification.channel, notification.pk)
        result = SendResult.failed(f"{type(error).__name__}: {error}")
    return _delivery_record(notification, result)


DeliveredHook = Callable[..., None]
_delivered_hooks: dict[str, list[DeliveredHook]] = {}


def notification_delivered_hook_register(*, template_code: str, hook: DeliveredHook) -> None:
    """Call `hook(notification=…, at=…)` when a message of `template_code` has reached the provider, in
    the transaction that records it (another app's deadline met by the message being sent: the
    escalation level's acknowledge limit). Registered once, from the other app's AppConfig.ready()."""
    hooks = _delivered_hooks.setdefault(template_code, [])
    if hook not in hooks:
        hooks.append(hook)


def _delivered_hooks_run(notification: Notification, *, at: dt.datetime) -> None:
    """A failing hook is logged and rolled back on its own: the message went out and stays recorded as
    sent (recording it as failed would send it again)."""
    for hook in _delivered_hooks.get(notification.template_code, ()):
        try:
            with transaction.atomic():
                hook(notification=notification, at=at)
        except Exception:
            logger.exception("after-delivery hook %r failed for notification %s", hook, notification.pk)


def _delivery_record(notification: Notification, result: SendResult) -> str:
    at = now()
    fields = ["status", "last_error", "next_attempt_at", "updated_at"]
    notification.updated_at = at
    with transaction.atomic():
        if result.ok:
            notification.status = NotificationStatus.SENT
            notification.sent_at = at
            notification.provider_message_id = result.provider_message_id[:200]
            notification.last_error = ""
            notification.next_attempt_at = None
            notification.save(update_fields=[*fields, "sent_at", "provider_message_id"])
            _event(notification, kind=EventKind.NOTIFIED, at=at)
            if notification.template_code == TemplateCode.ACKNOWLEDGEMENT:
                _complaint_acknowledged_mark(complaint_id=notification.complaint_id, at=at)
            _delivered_hooks_run(notification, at=at)
            outcome = "sent"
        elif result.retryable and notification.attempts < max_attempts():
            notification.status = NotificationStatus.FAILED
            notification.last_error = result.error
            notification.next_attempt_at = at + retry_delay(notification.attempts)
            notification.save(update_fields=fields)
            transaction.on_commit(
                functools.partial(_delivery_enqueue, notification.pk, run_after=notification.next_attempt_at),
                robust=True,
            )
            outcome = "retry"
        else:
            notification.status = NotificationStatus.GAVE_UP
            notification.last_error = result.error
            notification.next_attempt_at = None
            notification.save(update_fields=fields)
            _event(notification, kind=EventKind.NOTIFY_FAILED, at=at)
            outcome = "gave_up"
    log = logger.info if result.ok else logger.warning
    log(
        "notification %s (%s %s to %s) attempt %d: %s %s",
        notification.pk, notification.template_code, notification.channel, notification.recipient_masked,
        notification.attempts, outcome, result.error,
    )  # fmt: skip
    return outcome


def _event(notification: Notification, *, kind: EventKind, at: dt.datetime) -> None:
    values = {
        "what": notification.get_template_code_display(),
        "channel": notification.get_channel_display(),
        "to": notification.recipient_masked,
        "attempts": notification.attempts,
    }
    if kind == EventKind.NOTIFIED:
        reason = _("%(what)s已通过%(channel)s发送至 %(to)s（第 %(attempts)d 次尝试）") % values
    else:
        reason = _("%(what)s经 %(attempts)d 次尝试仍未能通过%(channel)s发送至 %(to)s：%(error)s") % {
            **values, "error": notification.last_error[:300]}  # fmt: skip
    event_record(
        complaint=notification.complaint, actor=None, kind=kind, at=at, field=notification.channel,
        new=notification.template_code, reason=reason,
    )  # fmt: skip


_DEADLINE_FIELDS = (
    "first_response_due_at",
    "acknowledge_due_at",
    "resolution_due_at",
    "deadline_provisional",
    "due_at",
)


def _complaint_acknowledged_mark(*, complaint_id: int, at: dt.datetime) -> None:
    """The customer has been told the case is taken: stamp `acknowledged_at` (once) and let the clocks
    follow (the acknowledgement deadline stops counting towards `due_at`).

    Stand-in for a complaints service (`complaints.services.complaint_acknowledged_mark`), which that
    app does not have yet; it uses only the complaints app's public pieces and writes the timeline."""
    complaint = (
        Complaint.objects.select_for_update().select_related("org_unit").filter(pk=complaint_id).first()
    )
    if complaint is None or complaint.acknowledged_at is not None:
        return
    before = {name: getattr(complaint, name) for name in _DEADLINE_FIELDS}
    complaint.acknowledged_at = at
    complaint_deadlines_refresh(complaint=complaint, at=at)
    events_record_changes(
        complaint=complaint, actor=None, at=at, before=before, kind=EventKind.DEADLINES,
        reason=_("已告知客户受理情况，重算时限"),
    )  # fmt: skip
    complaint.updated_at = at
    complaint.save(update_fields=["acknowledged_at", *_DEADLINE_FIELDS, "updated_at"])


def notifications_retry_due(*, limit: int = 200) -> int:
    """The sweep: queue again what should have been attempted by now (a queue that lost a job, a backend
    without deferred jobs) and release rows left `sending` by a worker that stopped mid-attempt (they are
    retried: the customer may get a message twice rather than never). Returns how many were queued."""
    at = now()
    stale = at - dt.timedelta(seconds=_setting("NOTIFY_SENDING_STALE_SECONDS", DEFAULT_SENDING_STALE_SECONDS))
    Notification.objects.filter(status=NotificationStatus.SENDING, last_attempt_at__lt=stale).update(
        status=NotificationStatus.FAILED, next_attempt_at=at, updated_at=at,
        last_error=_("发送过程中断（工作进程停止），结果未知，将重试"),
    )  # fmt: skip
    grace = at - dt.timedelta(seconds=_setting("NOTIFY_SWEEP_GRACE_SECONDS", DEFAULT_SWEEP_GRACE_SECONDS))
    due = list(
        Notification.objects.filter(
            status__in=[NotificationStatus.QUEUED, NotificationStatus.FAILED], next_attempt_at__lte=grace
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for notification_id in due:
        _delivery_enqueue(notification_id)
    return len(due)


# --- the acknowledgement of a new case (SPEC §2 step 1) ----------------------------------------------


def complaint_acknowledge(*, complaint_id: int) -> Notification | None:
    """Send a new case's acknowledgement — case number, next steps, deadline, how to track, how they
    will hear back — on the customer's preferred channel. Idempotent: a case has at most one
    acknowledgement (a unique constraint), so a second call returns the first one and sends nothing.
    Called by intake after its transaction commits; returns None when the case cannot be notified
    (no such case, no contact detail), which is logged."""
    existing = Notification.objects.filter(
        complaint_id=complaint_id, template_code=TemplateCode.ACKNOWLEDGEMENT
    )
    if (found := existing.first()) is not None:
        return found
    complaint = Complaint.objects.select_related("customer").filter(pk=complaint_id).first()
    if complaint is None:
        logger.warning("complaint_acknowledge: no complaint %s", complaint_id)
        return None
    try:
        with transaction.atomic():
            return notification_send(complaint=complaint, template_code=TemplateCode.ACKNOWLEDGEMENT)
    except IntegrityError:  # a concurrent call stored it first
        return existing.first()
    except NotificationImpossible as error:
        logger.warning("complaint %s not acknowledged: %s", complaint.number, error.message)
        return None


def acknowledgement_sender(acknowledgement) -> Notification | None:
    """Adapter for the channels app's seam (`channels.acknowledge.acknowledgement_sender_register`)."""
    return complaint_acknowledge(complaint_id=acknowledgement.complaint_id)
