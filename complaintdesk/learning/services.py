"""The team's learning: choosing a closed case as a training example, the handler's consent, and the
agents' daily service log. Every rule about who may do what lives here; views only call these."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from complaintdesk.accounts.models import User
from complaintdesk.archive.services import summary_latest
from complaintdesk.common.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.common.time import local_today, now
from complaintdesk.common.validation import validated
from complaintdesk.complaints.access import access_complaint, complaints_visible_to
from complaintdesk.complaints.models import Complaint, ComplaintEvent
from complaintdesk.complaints.states import Status
from complaintdesk.inbox.models import StaffNotification
from complaintdesk.inbox.services import staff_notifications_mark_read, staff_notify
from complaintdesk.inbox.text import Words

from .depersonalise import text_depersonalised
from .models import Consent, ExampleKind, ServiceLogEntry, TrainingCase

# Cases that may become examples: handled to the end (closed), not withdrawn halfway.
FINISHED_STATUSES = frozenset({Status.CLOSED, Status.RESOLVED, Status.FOLLOW_UP})
LOG_TEXT_MAX = 1000


def _required(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise PydanticCustomError("cd_required", _("此项为必填项"))
    return value


class ProposalInput(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    kind: ExampleKind
    title: str
    lesson: str

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value):
        if value not in ExampleKind.values:
            raise PydanticCustomError(
                "cd_kind",
                _("请选择：%(choices)s") % {"choices": "、".join(str(k.label) for k in ExampleKind)},
            )
        return value

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        value = _required(value)
        if len(value) > 100:
            raise PydanticCustomError("cd_too_long", _("最多 %(limit)d 个字") % {"limit": 100})
        return value

    @field_validator("lesson")
    @classmethod
    def _lesson(cls, value: str) -> str:
        value = _required(value)
        if len(value) > 2000:
            raise PydanticCustomError("cd_too_long", _("最多 %(limit)d 个字") % {"limit": 2000})
        return value


def user_may_curate(user) -> bool:
    """Supervisors and managers choose examples (those who assign cases)."""
    return bool(user.is_active and user.has_perm("complaints.assign_complaint"))


STAFF_NAMES_MAX = 50


def _known_details(complaint: Complaint) -> list[tuple[str, str]]:
    """The case's people as (kind, value): the customer and the contact as registered, and the staff
    named on it (the handler, whoever acted on its timeline, a recorder in another system)."""
    customer = complaint.customer
    known = [
        ("name", complaint.contact_name),
        ("phone", complaint.contact_phone),
        ("email", complaint.contact_email),
        ("wechat_openid", complaint.contact_wechat_openid),
        ("name", complaint.recorded_by_name),
    ]
    if customer is not None:
        known += [
            ("name", customer.name),
            ("phone", customer.phone),
            ("email", customer.email or ""),
            ("account_no", customer.account_no),
            ("wechat_openid", customer.wechat_openid),
        ]
    actor_ids = set(
        ComplaintEvent.objects.filter(complaint_id=complaint.pk, actor_id__isnull=False)
        .values_list("actor_id", flat=True)
        .distinct()[:STAFF_NAMES_MAX]
    )
    if complaint.assignee_id:
        actor_ids.add(complaint.assignee_id)
    for display_name, employee_no in User.objects.filter(pk__in=actor_ids).values_list(
        "display_name", "employee_no"
    ):
        known += [("name", display_name), ("reference", employee_no)]
    return [(kind, value.strip()) for kind, value in known if value and value.strip()]


def narrative_build(complaint: Complaint) -> str:
    """The case told without anyone in it: what the customer said and asked, what was found and done
    (the archive summary when there is one), with every personal detail replaced by what it was
    (learning.depersonalise). The handler's name is not in it; the library shows who handled it only
    with their consent."""
    known = _known_details(complaint)
    summary = summary_latest(complaint=complaint)
    with translation.override(settings.LANGUAGE_CODE):  # stored once: in the organisation's language
        return _narrative(complaint, summary, known)


def _narrative(complaint: Complaint, summary, known: list[tuple[str, str]]) -> str:
    parts = [
        (_("投诉内容"), complaint.description),
        (_("客户诉求"), complaint.demand),
        (_("根本原因"), summary.cause if summary else complaint.root_cause),
        (_("解决办法"), summary.solution if summary else ""),
        (_("经验教训"), summary.lesson if summary else ""),
    ]
    lines = [
        f"{label}：{text_depersonalised(text.strip(), known=known)}"
        for label, text in parts
        if text and text.strip()
    ]
    return "\n".join(lines)


def _consent_ask(case: TrainingCase) -> None:
    staff_notify(
        recipients=[case.handler_id],
        kind="learning_consent",
        title=Words(
            gettext_lazy("您经办的投诉 %(number)s 被推荐为培训案例，请确认是否同意"),
            {"number": case.complaint.number},
        ),
        body=Words(
            gettext_lazy(
                "类型：%(kind)s；标题：%(title)s。客户的个人信息已去除。同意后案例会出现在团队的培训案例库中。"
            ),
            {"kind": ExampleKind(case.kind).label, "title": case.title},
        ),
        link=f"/learning/cases/{case.pk}/",
        complaint=case.complaint,
    )


@transaction.atomic
def training_case_propose(*, number: str, actor, kind: str, title: str, lesson: str) -> TrainingCase:
    """A supervisor chooses a finished case as a good or bad example. The handler is asked (a notice in
    their workbench); a supervisor choosing their own case has agreed by choosing it."""
    if not user_may_curate(actor):
        raise PermissionDenied(_("只有主管或经理可以推荐培训案例"))
    data = validated(ProposalInput, {"kind": kind, "title": title, "lesson": lesson})
    complaint = access_complaint(user=actor, number=number, for_update=True)
    if complaint.status not in FINISHED_STATUSES:
        raise InvalidInput({"number": [_("只有已解决或已归档的投诉可以作为培训案例")]})
    if complaint.assignee_id is None:
        raise InvalidInput({"number": [_("这件投诉没有经办人，无法征得同意")]})
    if not complaint.assignee.is_active:
        raise InvalidInput({"number": [_("这件投诉的经办人账号已停用，无法征得同意")]})
    if TrainingCase.objects.filter(complaint=complaint).exists():
        raise InvalidInput({"number": [_("这件投诉已是培训案例")]})
    at = now()
    own = complaint.assignee_id == actor.pk
    known = _known_details(complaint)
    with translation.override(settings.LANGUAGE_CODE):
        # The supervisor's own words may name the customer too ("王女士断网三天").
        title = text_depersonalised(data.title, known=known)[:100]
        lesson = text_depersonalised(data.lesson, known=known)
    case = TrainingCase(
        complaint=complaint,
        kind=data.kind,
        title=title,
        lesson=lesson,
        narrative=narrative_build(complaint),
        category_id=complaint.category_id,
        handler_id=complaint.assignee_id,
        consent=Consent.GRANTED if own else Consent.ASKED,
        consent_at=at if own else None,
        curated_by=actor,
        created_at=at,
        published_at=at if own else None,
    )
    try:
        with transaction.atomic():
            case.save(force_insert=True)
    except IntegrityError:
        raise InvalidInput({"number": [_("这件投诉已是培训案例")]}) from None
    if not own:
        transaction.on_commit(lambda: _consent_ask(case))
    return case


def _consent_told(case: TrainingCase) -> None:
    message = (
        gettext_lazy("经办人同意了培训案例“%(title)s”（%(number)s），已发布到案例库")
        if case.consent == Consent.GRANTED
        else gettext_lazy("经办人不同意把“%(title)s”（%(number)s）作为培训案例，案例未发布")
    )
    staff_notify(
        recipients=[case.curated_by_id],
        kind="learning_consent_answer",
        title=Words(message, {"title": case.title, "number": case.complaint.number}),
        body=case.consent_note or None,
        link=f"/learning/cases/{case.pk}/",
        complaint=case.complaint,
    )


@transaction.atomic
def training_case_consent(*, case_id: int, actor, agree: bool, note: str = "") -> TrainingCase:
    """The handler agrees or declines; they may change their mind later (declining unpublishes)."""
    case = TrainingCase.objects.select_for_update().select_related("complaint").filter(pk=case_id).first()
    if case is None or case.handler_id != actor.pk:
        raise NotFound(_("培训案例不存在"))
    note = (note or "").strip()
    if len(note) > 200:
        raise InvalidInput({"note": [_("最多 %(limit)d 个字") % {"limit": 200}]})
    target = Consent.GRANTED if agree else Consent.DECLINED
    if case.consent == target:
        return case
    at = now()
    case.consent, case.consent_at, case.consent_note = target, at, note
    case.published_at = at if agree else None
    case.save(update_fields=["consent", "consent_at", "consent_note", "published_at"])
    # The question is answered: its notice no longer waits among the handler's unread ones.
    asked = StaffNotification.objects.filter(
        user_id=actor.pk, kind="learning_consent", link=f"/learning/cases/{case.pk}/", read_at__isnull=True
    ).values_list("pk", flat=True)[:10]
    staff_notifications_mark_read(user=actor, ids=list(asked))
    transaction.on_commit(lambda: _consent_told(case))
    return case


def user_may_remove(user, case: TrainingCase) -> bool:
    """A supervisor or manager whose units hold the source case."""
    return user_may_curate(user) and complaints_visible_to(user).filter(pk=case.complaint_id).exists()


def _removal_told(*, title: str, number: str, recipients: list[int], complaint: Complaint) -> None:
    staff_notify(
        recipients=recipients,
        kind="learning_removed",
        title=Words(
            gettext_lazy("培训案例“%(title)s”（%(number)s）已从案例库撤下"),
            {"title": title, "number": number},
        ),
        complaint=complaint,
    )


@transaction.atomic
def training_case_remove(*, case_id: int, actor) -> None:
    """A supervisor or manager who can see the source case takes the example out of the library (the case
    itself is untouched). The handler and the one who chose it are told."""
    if not user_may_curate(actor):
        raise PermissionDenied(_("只有主管或经理可以撤下培训案例"))
    case = TrainingCase.objects.select_for_update().select_related("complaint").filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("培训案例不存在"))
    if not user_may_remove(actor, case):
        raise PermissionDenied(_("只有来源投诉所在机构的主管或经理可以撤下这个案例"))
    told = [uid for uid in {case.handler_id, case.curated_by_id} if uid != actor.pk]
    title, complaint = case.title, case.complaint
    case.delete()
    if told:
        transaction.on_commit(
            lambda: _removal_told(title=title, number=complaint.number, recipients=told, complaint=complaint)
        )


# --- the daily service log -----------------------------------------------------------------------------


class LogInput(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    went_well: str = ""
    to_improve: str = ""

    @field_validator("went_well", "to_improve")
    @classmethod
    def _length(cls, value: str) -> str:
        if len(value) > LOG_TEXT_MAX:
            raise PydanticCustomError("cd_too_long", _("最多 %(limit)d 个字") % {"limit": LOG_TEXT_MAX})
        return value


def user_may_log(user) -> bool:
    return bool(user.is_active and user.has_perm("complaints.handle_complaint"))


@transaction.atomic
def service_log_write(
    *, actor, went_well: str, to_improve: str, day: dt.date | None = None
) -> ServiceLogEntry:
    """Today's entry (written again the same day replaces it). Yesterday's may still be written in the
    morning; older days are closed."""
    if not user_may_log(actor):
        raise PermissionDenied(_("只有处理投诉的人员填写服务日志"))
    data = validated(LogInput, {"went_well": went_well, "to_improve": to_improve})
    if not (data.went_well or data.to_improve):
        raise InvalidInput({"went_well": [_("请至少写一项：做得好的，或待改进的")]})
    today = local_today()
    day = day or today
    if day > today or day < today - dt.timedelta(days=1):
        raise InvalidInput({"day": [_("只能填写今天或昨天的日志")]})
    at = now()
    entry, created = ServiceLogEntry.objects.select_for_update().get_or_create(
        agent=actor,
        day=day,
        defaults={
            "went_well": data.went_well,
            "to_improve": data.to_improve,
            "created_at": at,
            "updated_at": at,
        },
    )
    if not created:
        entry.went_well, entry.to_improve, entry.updated_at = data.went_well, data.to_improve, at
        entry.save(update_fields=["went_well", "to_improve", "updated_at"])
    return entry


# --- an unanswered question: reminded once, then expired (issue 19) -----------------------------------------

REMINDER_BATCH = 200


def consent_remind_days() -> int:
    """Days after the question before the handler is reminded, once (LEARNING_CONSENT_REMIND_DAYS, 3)."""
    return max(1, int(getattr(settings, "LEARNING_CONSENT_REMIND_DAYS", 3)))


def consent_expire_days() -> int:
    """Days after the question before it expires unanswered (LEARNING_CONSENT_EXPIRE_DAYS, 14); never before
    the reminder."""
    return max(consent_remind_days() + 1, int(getattr(settings, "LEARNING_CONSENT_EXPIRE_DAYS", 14)))


def _reminded(case: TrainingCase, expires_at: dt.datetime) -> None:
    staff_notify(
        recipients=[case.handler_id],
        kind="learning_consent_reminder",
        title=Words(
            gettext_lazy("提醒：您经办的投诉 %(number)s 被推荐为培训案例，还在等您的意见"),
            {"number": case.complaint.number},
        ),
        body=Words(
            gettext_lazy("标题：%(title)s。请在%(until)s前同意或不同意；到期未答复，案例不会发布。"),
            {"title": case.title, "until": expires_at},
        ),
        link=f"/learning/cases/{case.pk}/",
        complaint=case.complaint,
    )


def _expired(case: TrainingCase) -> None:
    staff_notify(
        recipients=[case.curated_by_id],
        kind="learning_consent_expired",
        title=Words(
            gettext_lazy("经办人未答复，培训案例“%(title)s”（%(number)s）已过期，未发布"),
            {"title": case.title, "number": case.complaint.number},
        ),
        body=Words(
            gettext_lazy("推荐后 %(days)d 天内经办人没有答复。经办人以后仍可在案例页同意发布。"),
            {"days": consent_expire_days()},
        ),
        link=f"/learning/cases/{case.pk}/",
        complaint=case.complaint,
    )


def consent_reminders_send(*, at: dt.datetime | None = None, limit: int = REMINDER_BATCH) -> dict[str, int]:
    """The periodic job's work: a handler who has not answered after `consent_remind_days` is reminded (a
    notice, once: `reminded_at`); a question unanswered after `consent_expire_days` expires and whoever chose
    the case is told (once: the consent moves off "asked"). Each case is claimed by a conditional UPDATE in
    its own transaction, so two runs never remind or tell twice. Bounded: at most `limit` of each per run,
    oldest first (the next run takes the rest)."""
    at = at or now()
    remind_before = at - dt.timedelta(days=consent_remind_days())
    expire_before = at - dt.timedelta(days=consent_expire_days())
    asked = (
        TrainingCase.objects.filter(consent=Consent.ASKED)
        .select_related("complaint")
        .order_by("created_at", "id")
    )
    expired = 0
    for case in list(asked.filter(created_at__lte=expire_before)[:limit]):
        with transaction.atomic():
            claimed = TrainingCase.objects.filter(pk=case.pk, consent=Consent.ASKED).update(
                consent=Consent.EXPIRED, expired_at=at
            )
            if claimed:
                _expired(case)
                expired += 1
    reminded = 0
    for case in list(asked.filter(created_at__lte=remind_before, reminded_at__isnull=True)[:limit]):
        with transaction.atomic():
            claimed = TrainingCase.objects.filter(
                pk=case.pk, consent=Consent.ASKED, reminded_at__isnull=True
            ).update(reminded_at=at)
            if claimed:
                _reminded(case, case.created_at + dt.timedelta(days=consent_expire_days()))
                reminded += 1
    return {"reminded": reminded, "expired": expired}
