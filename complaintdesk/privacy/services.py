"""Writes of the privacy app: legal holds, the access log, the anonymisation of expired cases.

Each public service runs in one transaction and, where it changes a case, says so on the case's
timeline with the acting user."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

from complaintdesk.common.anonymisation import case_anonymise_steps
from complaintdesk.common.errors import Conflict, InvalidInput, PermissionDenied
from complaintdesk.common.time import local_today, now
from complaintdesk.common.validation import validated
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.models import Attachment, Complaint, Customer, EventKind
from complaintdesk.complaints.redaction import timeline_redact
from complaintdesk.complaints.states import Status
from complaintdesk.complaints.timeline import event_record
from complaintdesk.notifications.models import Notification, NotificationStatus

from .access import user_may_hold
from .models import AccessField, AccessKind, AccessLog, AnonymisationRun, AnonymisedCase, LegalHold
from .redaction import text_redacted
from .selectors import ANONYMOUS_NAME, expired_case_ids, hold_active

logger = logging.getLogger(__name__)

REASON_MAX = 500
EXPORT_NUMBERS_MAX = 10000  # analytics.exports.MAX_CASE_ROWS: every number of the largest export
BATCH_SIZE = 200
# Case texts that may hold personal data and are masked; the contact fields and the place are emptied.
TEXT_FIELDS = ("title", "description", "demand", "people_involved", "root_cause", "impact")
EMPTIED_FIELDS = ("contact_name", "contact_phone", "contact_email", "contact_wechat_openid", "place")
CUSTOMER_FIELDS = ("phone", "email", "account_no", "wechat_openid")
FINISHED_NOTIFICATIONS = (NotificationStatus.SENT, NotificationStatus.GAVE_UP)


# --- legal hold ----------------------------------------------------------------------------------


def _reason_checked(value: str) -> str:
    value = (value or "").strip()
    if len(value) < 2:
        raise PydanticCustomError("cd_reason", _("请填写原因（至少 2 个字）"))
    if len(value) > REASON_MAX:
        raise PydanticCustomError("cd_reason", _("不能超过 %(limit)d 个字符") % {"limit": REASON_MAX})
    return value


class _ReasonIn(BaseModel):
    reason: str = Field(default="")

    @field_validator("reason", mode="before")
    @classmethod
    def _reason(cls, value):
        return _reason_checked(value if isinstance(value, str) else "")


@transaction.atomic
def legal_hold_place(*, number: str, actor, reason: str) -> LegalHold:
    """Stop the case's personal data from being anonymised until the hold is released."""
    data = validated(_ReasonIn, {"reason": reason})
    complaint = access_complaint(user=actor, number=number, for_update=True)
    if not user_may_hold(actor):
        raise PermissionDenied(_("您没有设置法律保全的权限"))
    if AnonymisedCase.objects.filter(complaint=complaint).exists():
        raise InvalidInput({"reason": [_("该投诉的个人信息已匿名化，无需保全")]})
    if hold_active(complaint=complaint) is not None:
        raise Conflict(_("该投诉已在法律保全中"))
    at = now()
    try:
        with transaction.atomic():
            hold = LegalHold.objects.create(
                complaint=complaint, reason=data.reason, placed_by=actor, placed_at=at
            )
    except IntegrityError:  # placed by someone else a moment ago
        raise Conflict(_("该投诉已在法律保全中")) from None
    event_record(
        complaint=complaint, actor=actor, kind=EventKind.NOTE, at=at,
        new=_("设置法律保全（保存期满也不匿名化）：%(reason)s") % {"reason": data.reason},
    )  # fmt: skip
    return hold


@transaction.atomic
def legal_hold_release(*, number: str, actor, reason: str) -> LegalHold:
    """End the case's hold; its retention then runs again from closure."""
    data = validated(_ReasonIn, {"reason": reason})
    complaint = access_complaint(user=actor, number=number, for_update=True)
    if not user_may_hold(actor):
        raise PermissionDenied(_("您没有解除法律保全的权限"))
    hold = hold_active(complaint=complaint)
    if hold is None:
        raise Conflict(_("该投诉没有生效的法律保全"))
    at = now()
    hold.released_by, hold.released_at, hold.release_reason = actor, at, data.reason
    hold.save(update_fields=["released_by", "released_at", "release_reason"])
    event_record(
        complaint=complaint, actor=actor, kind=EventKind.NOTE, at=at,
        new=_("解除法律保全：%(reason)s") % {"reason": data.reason},
    )  # fmt: skip
    return hold


# --- the access log --------------------------------------------------------------------------------


def access_log_record(
    *,
    user,
    kind: str,
    field: str,
    complaint: Complaint | None = None,
    reason: str = "",
    detail: str = "",
    rows: int = 0,
    unmasked: bool = True,
    numbers: Iterable[str] = (),
) -> AccessLog | None:
    """Record that `user` saw personal data: a reveal (with the reason they gave), a page showing it
    whole (once per user, case, field and local day), or an export (what, how many rows, which cases).
    Returns the row, or None for a page view already recorded today."""
    at = now()
    numbers = list(numbers)[:EXPORT_NUMBERS_MAX]
    row = AccessLog(
        at=at, day=local_today(), user=user, kind=AccessKind(kind), field=AccessField(field), complaint=complaint,
        case_number=complaint.number if complaint is not None else "", reason=(reason or "").strip()[:REASON_MAX],
        detail=(detail or "")[:500], rows=rows or len(numbers), unmasked=unmasked, numbers=" ".join(numbers),
    )  # fmt: skip
    if kind == AccessKind.VIEW:
        created = AccessLog.objects.bulk_create([row], ignore_conflicts=True)
        return created[0] if created and created[0].pk else None
    row.save()
    return row


def access_log_views_record(*, user, complaint: Complaint, fields: Iterable[str]) -> int:
    """A page showed the case's personal data whole to `user` without a click (their role sees it): one
    row per user, case, field and local day, in one statement (a conflict is today's row already there)."""
    at, day = now(), local_today()
    rows = [
        AccessLog(
            at=at,
            day=day,
            user=user,
            kind=AccessKind.VIEW,
            field=AccessField(f),
            complaint=complaint,
            case_number=complaint.number,
        )  # fmt: skip
        for f in dict.fromkeys(fields)
    ]
    if not rows:
        return 0
    AccessLog.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- anonymisation ---------------------------------------------------------------------------------


def cases_anonymise(*, at: dt.datetime | None = None, batch_size: int = BATCH_SIZE) -> AnonymisationRun:
    """Anonymise up to `batch_size` cases whose retention has ended and that have no legal hold, each in
    its own transaction, and record the run. What statistics read stays: category, unit, channel,
    status, every time stamp and deadline, severity, complexity, priority, responsibility, satisfaction,
    regulatory codes, the case number; the customer row stays (its details emptied once none of its cases
    keeps them) so repeat-complaint counts do not change. A case already done is never touched again."""
    at = at or now()
    run = AnonymisationRun.objects.create(started_at=now())
    ids, held = expired_case_ids(at=at, limit=batch_size + 1)
    for complaint_id in ids[:batch_size]:
        try:
            with transaction.atomic():
                outcome = _case_anonymise(complaint_id=complaint_id, run=run, at=now())
        except Exception:  # one case must not stop the batch; it is tried again on the next run
            logger.exception("privacy: anonymising case id %s failed", complaint_id)
            continue
        if outcome is not None:
            run.cases += 1
            run.customers += outcome[0]
            run.attachments += outcome[1]
    run.held = held
    run.remaining = len(ids) > batch_size
    run.finished_at = now()
    run.save(update_fields=["cases", "customers", "attachments", "held", "remaining", "finished_at"])
    logger.info(
        "privacy: anonymised %d cases, %d customers, %d attachments deleted, %d held back, more waiting: %s",
        run.cases, run.customers, run.attachments, run.held, run.remaining,
    )  # fmt: skip
    return run


def _case_anonymise(*, complaint_id: int, run: AnonymisationRun, at: dt.datetime) -> tuple[int, int] | None:
    """One case, locked, checked again under the lock. Returns (customers emptied, files deleted)."""
    complaint = (
        Complaint.objects.select_for_update(of=("self",)).select_related("customer").get(pk=complaint_id)
    )
    if complaint.status not in (Status.CLOSED, Status.WITHDRAWN):
        return None
    if AnonymisedCase.objects.filter(complaint=complaint).exists() or hold_active(complaint=complaint):
        return None
    customer = complaint.customer
    known = [
        ("name", customer.name), ("phone", customer.phone), ("email", customer.email),
        ("account_no", customer.account_no), ("wechat_openid", customer.wechat_openid),
        ("name", complaint.contact_name), ("phone", complaint.contact_phone), ("email", complaint.contact_email),
        ("wechat_openid", complaint.contact_wechat_openid),
    ]  # fmt: skip
    known = [(kind, value) for kind, value in known if value]

    case_known = known

    def redact(text: str, *, known: Iterable[tuple[str, str]] = ()) -> str:
        """The case's text without personal data; `known` adds a step's own people (a handler's name)."""
        return text_redacted(text, known=[*case_known, *known])

    changes = {name: redact(getattr(complaint, name) or "") for name in TEXT_FIELDS}
    changes |= dict.fromkeys(EMPTIED_FIELDS, "")
    Complaint.objects.filter(pk=complaint.pk).update(**changes)
    for name, value in changes.items():  # the steps below read the case as it is now
        setattr(complaint, name, value)

    files = []
    for attachment in Attachment.objects.filter(complaint=complaint).only("id", "file"):
        if attachment.file.name:
            files.append(attachment.file.name)
    deleted = Attachment.objects.filter(complaint=complaint).delete()[0] if files else 0
    if files:
        transaction.on_commit(lambda names=tuple(files): _files_delete(names))

    for notification in Notification.objects.filter(complaint=complaint, status__in=FINISHED_NOTIFICATIONS):
        notification.recipient = notification.recipient_masked
        notification.subject = redact(notification.subject)
        notification.body = redact(notification.body)
        notification.params = {}
        notification.save(update_fields=["recipient", "subject", "body", "params"])

    # The records the other apps keep about the case (their steps, registered in their AppConfig.ready),
    # then its timeline, before the note that says so.
    for _name, step in case_anonymise_steps():
        step(complaint=complaint, known=list(known), redact=redact)
    events = timeline_redact(complaint=complaint, redact=redact, at=at)

    AnonymisedCase.objects.create(complaint=complaint, run=run, anonymised_at=at)
    others = (
        Complaint.objects.filter(customer_id=customer.pk)
        .exclude(pk=complaint.pk)
        .exclude(Exists(AnonymisedCase.objects.filter(complaint_id=OuterRef("pk"))))
    )
    emptied = 0
    if not others.exists():
        Customer.objects.filter(pk=customer.pk).update(
            name=ANONYMOUS_NAME, title="", **dict.fromkeys(CUSTOMER_FIELDS, "")
        )
        emptied = 1
    event_record(
        complaint=complaint, actor=None, kind=EventKind.NOTE, at=at,
        new=_("保存期限已满：客户个人信息已匿名化（处理记录中 %(events)d 条已去除个人信息），附件已删除（统计数据保留）")
        % {"events": events},
    )  # fmt: skip
    return emptied, deleted


def _files_delete(names: Iterable[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # gone already, or the storage refuses: the row is gone, the file is an orphan
            logger.warning("privacy: could not delete attachment file %s", name)
