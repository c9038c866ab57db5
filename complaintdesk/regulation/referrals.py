"""Cases forwarded by a regulator or hotline (issue 15 item 3): recording the referral on a case, recording
the report-back, and reading them (a case's referrals, the queue of referrals by remaining time).

A referral's report-back due date is what the forwarding body asked for, else the pack's report-back rule for
forwarded cases (e.g. 12305: 15 日 from receipt), counted on the unit's calendar; it is stored on the row
(end of its last day, local time) and runs as a clock of the case (`clocks.regulation_clocks`). Writes run in
one transaction, on the case's timeline with the acting person, and move the case's clocks in the same
transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from complaintdesk.accounts.models import Role
from complaintdesk.calendars.selectors import calendar_for_unit
from complaintdesk.common.errors import Conflict, InvalidInput, NotFound
from complaintdesk.common.time import DAY_EARLIEST, DAY_LATEST, local_today, now, to_local
from complaintdesk.common.validation import TypedDay, refusal, said, text, validated
from complaintdesk.complaints.access import access_complaint, complaints_visible_to
from complaintdesk.complaints.customers import phone_normalise
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.timeline import event_record
from complaintdesk.sla.services import complaint_deadlines_apply

from . import deadlines
from .clocks import warn_point
from .models import DeadlineRule, ReferralDueBasis, ReferralSource, RegulatorReferral, ReportChannel
from .selectors import complaint_pack, pack_terms

QUEUE_LIMIT = 100
EARLIEST = DAY_EARLIEST
REFERRAL_FIELD = "regulator_referral"
REPORT_FIELD = "regulator_report_back"
DEFAULT_WARN_SHARE = 80


def _own(code: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(f"cd_{code}", message)


class ReferralIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    source: ReferralSource
    source_name: str = Field("", max_length=100)
    reference: str = Field(min_length=1, max_length=64)
    forwarded_on: TypedDay
    due_on: TypedDay | None = None
    content_required: str | None = Field(None, max_length=4000)

    @field_validator("forwarded_on")
    @classmethod
    def _forwarded_on(cls, value: dt.date) -> dt.date:
        if value > local_today():
            raise _own("future", _("转办日期不能晚于今天"))
        if value < EARLIEST:
            raise _own("too_early", _("转办日期不能早于 2000-01-01"))
        return value

    @field_validator("due_on")
    @classmethod
    def _due_on(cls, value: dt.date | None) -> dt.date | None:
        # Its end of day is computed in UTC: 9999-12-31 24:00 is no date at all.
        if value is not None and value > DAY_LATEST:
            raise _own("too_late", _("回复截止日不能晚于 %(day)s") % {"day": DAY_LATEST.isoformat()})
        return value

    @model_validator(mode="after")
    def _together(self):
        problems = {}
        if self.source == ReferralSource.OTHER and not self.source_name:
            problems["source_name"] = _("转办机构为“其他机构”时，请填写机构名称")
        if self.due_on is not None and self.due_on < self.forwarded_on:
            problems["due_on"] = _("回复截止日不能早于转办日期")
        if problems:
            # Raised through pydantic as it is (not a ValueError): the same {field: [reason]} shape.
            raise InvalidInput({name: [text] for name, text in problems.items()})
        return self


def _aware_past(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return value
    if value.tzinfo is None:
        raise _own("naive", _("请带上时区，例如 2026-11-22T20:00:00+08:00"))
    if value > now():
        raise _own("future", _("回复时间不能晚于现在"))
    return value


def _contact_phone(value: str) -> str:
    """A phone number the forwarding body can call back (mobile, landline with area code, 400/800), kept as
    typed."""
    if value:
        try:
            phone_normalise(value)
        except ValueError:
            raise refusal(_("请填写可以回拨的电话号码，例如 021-12345678 或 13800138000")) from None
    return value


class ReportIn(BaseModel):
    """A report-back. Every source: the channel, the content (required but for 12305, whose report is made of
    the parts below), a reference and the time. The parts are optional here; `PostalReportIn` requires them."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    content: text(8000) = ""
    channel: ReportChannel
    reference: text(200) = ""
    reported_at: dt.datetime | None = None
    investigation: text(4000) = ""
    liability: text(2000) = ""
    compensation_amount: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    complainant_satisfied: bool | None = None
    handler: text(50) = ""
    contact_phone: Annotated[text(30), AfterValidator(_contact_phone)] = ""

    @field_validator("reported_at")
    @classmethod
    def _reported_at(cls, value: dt.datetime | None) -> dt.datetime | None:
        return _aware_past(value)

    parts_required: ClassVar[bool] = False

    @model_validator(mode="after")
    def _content_given(self):
        if not self.content and not self.parts_required:
            raise InvalidInput({"content": [_("请填写回复内容")]})
        return self


def _missing(words) -> Any:
    return said(lambda: _("邮政业用户申诉（12305）转办的回复须写明%(what)s") % {"what": words()})


class PostalReportIn(ReportIn):
    """The report-back of a case forwarded by the postal appeal centre (12305): the investigation, the
    liability, the compensation amount (0 when none), whether the complainant is satisfied, the handler and
    a phone number, each required (邮政业用户申诉处理办法)."""

    # Defaults are validated too: a part left out reads as the same words as a part left empty.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_default=True)
    parts_required: ClassVar[bool] = True

    investigation: Annotated[text(4000, required=True), _missing(lambda: _("调查情况"))] = ""
    liability: Annotated[text(2000, required=True), _missing(lambda: _("责任认定"))] = ""
    compensation_amount: Annotated[
        Decimal,
        Field(ge=0, max_digits=12, decimal_places=2),
        _missing(lambda: _("赔偿金额（没有赔偿请填 0）")),
    ] = None
    complainant_satisfied: Annotated[bool, _missing(lambda: _("投诉人是否满意"))] = None
    handler: Annotated[
        text(50, required=True), _missing(lambda: pgettext("report-back handler", "处理人"))
    ] = ""
    contact_phone: Annotated[
        text(30, required=True), _missing(lambda: _("联系电话")), AfterValidator(_contact_phone)
    ] = ""


REPORT_PARTS = (
    ("investigation", gettext_lazy("调查情况")),
    ("liability", gettext_lazy("责任认定")),
    ("compensation_amount", gettext_lazy("赔偿金额")),
    ("complainant_satisfied", gettext_lazy("是否满意")),
    ("handler", pgettext_lazy("report-back handler", "处理人")),
    ("contact_phone", gettext_lazy("联系电话")),
)


def _report_text(values: ReportIn) -> str:
    """The report as the body receives it: the parts given, each on its line in words, then the content."""
    lines = []
    for name, label in REPORT_PARTS:
        value = getattr(values, name)
        if value is None or value == "":
            continue
        if name == "compensation_amount":
            value = _("%(amount)s 元") % {"amount": f"{value:.2f}"}
        elif name == "complainant_satisfied":
            value = _("满意") if value else _("不满意")
        lines.append(_("%(label)s：%(value)s") % {"label": label, "value": value})
    if values.content:
        lines.append(values.content)
    return "\n".join(lines)


def _report_back_rule(complaint: Complaint) -> DeadlineRule | None:
    pack = complaint_pack(complaint=complaint)
    if pack is None:
        return None
    return (
        pack.rules.filter(clock=deadlines.Clock.REPORT_BACK.value)
        .order_by("-condition", "sort_order", "id")  # "forwarded" before "all"
        .first()
    )


def _rule_due(complaint: Complaint, rule: DeadlineRule, calendar) -> deadlines.StatutoryDue | None:
    terms = pack_terms(rule.pack)
    facts = deadlines.CaseFacts(
        received_at=complaint.received_at, complexity=complaint.complexity, forwarded=True
    )
    dues = deadlines.statutory_due_dates(pack=terms, facts=facts, calendar=calendar)
    return next((d for d in dues if d.clock is deadlines.Clock.REPORT_BACK), None)


def _end_of(day: dt.date, calendar) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=calendar.tz).astimezone(dt.UTC)


def referral_content_required(*, complaint: Complaint) -> str:
    """What the pack's report-back rule says the report must contain ("" when it says nothing)."""
    rule = _report_back_rule(complaint)
    return rule.content_required if rule else ""


def referral_record(*, number: str, actor, data: Mapping[str, Any]) -> RegulatorReferral:
    """Record that case `number` was forwarded by a regulator or hotline (`data`: source, source_name,
    reference, forwarded_on, due_on, content_required). Its report-back deadline is `due_on` when the body
    gave one, else the pack's report-back rule; a case with neither is refused (a referral always has a
    clock)."""
    values = validated(ReferralIn, data)
    with transaction.atomic():
        complaint = access_complaint(
            user=actor, number=number, permission="handle_complaint", for_update=True
        )
        calendar = calendar_for_unit(unit=complaint.org_unit)
        rule = _report_back_rule(complaint)
        if values.due_on is not None:
            due_on, basis, provisional = (
                values.due_on,
                ReferralDueBasis.GIVEN,
                calendar.is_provisional(values.due_on),
            )
        else:
            due = _rule_due(complaint, rule, calendar) if rule is not None else None
            if due is None:
                raise InvalidInput(
                    {"due_on": [_("该投诉适用的法定时限包没有转办回复时限，请填写转办机构要求的回复截止日")]}
                )
            due_on, basis, provisional = due.last_day, ReferralDueBasis.PACK, due.provisional
        source_name = values.source_name if values.source == ReferralSource.OTHER else ""
        clash = (
            RegulatorReferral.objects.filter(
                source=values.source, source_name=source_name, reference=values.reference
            )
            .select_related("complaint")
            .first()
        )
        if clash is not None:
            raise Conflict(
                _("转办编号 %(reference)s 已登记在投诉 %(number)s 上")
                % {"reference": values.reference, "number": clash.complaint.number},
                fields={"reference": [_("该转办编号已登记")]},
            )
        at = now()
        due_at = _end_of(due_on, calendar)
        content = (
            values.content_required
            if values.content_required is not None
            else (rule.content_required if rule else "")
        )
        referral = RegulatorReferral.objects.create(
            complaint=complaint, source=values.source, source_name=source_name, reference=values.reference,
            forwarded_on=values.forwarded_on, due_on=due_on, due_at=due_at,
            warn_at=warn_point(start=at, due=due_at, share=DEFAULT_WARN_SHARE), due_basis=basis,
            due_provisional=provisional, content_required=content, created_by=actor, created_at=at,
        )  # fmt: skip
        event_record(
            complaint=complaint, actor=actor, kind=EventKind.FIELD_CHANGED, at=at, field=REFERRAL_FIELD,
            new=_("%(source)s 转办，编号 %(reference)s，%(forwarded)s 转来，须于 %(due)s 前回复")
            % {"source": referral.source_label, "reference": referral.reference,
               "forwarded": referral.forwarded_on.isoformat(), "due": _due_words(referral)},
        )  # fmt: skip
        complaint_deadlines_apply(complaint=complaint, at=at, actor=actor, reason=_("监管转办的回复时限"))
        return referral


def referral_report_back(
    *, number: str, referral_id: int, actor, data: Mapping[str, Any]
) -> RegulatorReferral:
    """Record the report-back of referral `referral_id` of case `number` (`data`: content, channel,
    reference, reported_at — default now; for a 12305 referral also investigation, liability,
    compensation_amount, complainant_satisfied, handler and contact_phone, each required). Its clock stops;
    a second report is refused. Nothing is written when anything is missing or wrong."""
    with transaction.atomic():
        complaint = access_complaint(
            user=actor, number=number, permission="handle_complaint", for_update=True
        )
        referral = (
            RegulatorReferral.objects.select_for_update().filter(pk=referral_id, complaint=complaint).first()
        )
        if referral is None:
            raise InvalidInput({"referral": [_("该投诉没有这条转办记录")]})
        if referral.reported_at is not None:
            raise Conflict(
                _("已于 %(at)s 回复过%(source)s")
                % {"at": _local_text(referral.reported_at), "source": referral.source_label}
            )
        values = validated(
            PostalReportIn if referral.source == ReferralSource.POSTAL_12305 else ReportIn, data
        )
        at = now()
        reported_at = values.reported_at or at
        if reported_at < referral.created_at - dt.timedelta(days=366):
            raise InvalidInput({"reported_at": [_("回复时间早于转办登记时间太多，请核对")]})
        referral.reported_at, referral.reported_by = reported_at, actor
        report_text = _report_text(values)
        referral.report_content, referral.report_channel = report_text, values.channel
        referral.report_reference = values.reference
        referral.report_investigation, referral.report_liability = values.investigation, values.liability
        referral.report_compensation = (
            values.compensation_amount.quantize(Decimal("0.01"))
            if values.compensation_amount is not None
            else None
        )
        referral.report_satisfied = values.complainant_satisfied
        referral.report_handler, referral.report_phone = values.handler, values.contact_phone
        referral.save(
            update_fields=[
                "reported_at", "reported_by", "report_content", "report_channel", "report_reference",
                "report_investigation", "report_liability", "report_compensation", "report_satisfied",
                "report_handler", "report_phone",
            ]
        )  # fmt: skip
        late = reported_at > referral.due_at
        event_record(
            complaint=complaint, actor=actor, kind=EventKind.FIELD_CHANGED, at=at, field=REPORT_FIELD,
            new=_("已通过%(channel)s回复%(source)s（编号 %(reference)s）") % {
                "channel": referral.get_report_channel_display(), "source": referral.source_label,
                "reference": referral.reference},
            reason=report_text[:2000] + ("\n" + _("（晚于回复时限）") if late else ""),
        )  # fmt: skip
        complaint_deadlines_apply(complaint=complaint, at=at, actor=actor, reason=_("已向转办机构回复"))
        return referral


# Reads ---------------------------------------------------------------------------------------------------


def _local_text(value: dt.datetime) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M")


def _due_words(referral: RegulatorReferral) -> str:
    return _("%(day)s 24:00") % {"day": referral.due_on.isoformat()}


def remaining_words(*, due_at: dt.datetime, at: dt.datetime | None = None) -> str:
    """How long is left before a deadline that ends at a local midnight, in whole days, in words:
    "还剩 2 天", "今天到期", "已逾期 1 天"."""
    at = at or now()
    last_day = (to_local(due_at) - dt.timedelta(seconds=1)).date()
    today = to_local(at).date()
    days = (last_day - today).days
    if at >= due_at:
        over = max((today - last_day).days, 1)
        return ngettext("已逾期 %(n)d 天", "已逾期 %(n)d 天", over) % {"n": over}
    if days == 0:
        return _("今天到期")
    return ngettext("还剩 %(n)d 天", "还剩 %(n)d 天", days) % {"n": days}


@dataclass(frozen=True)
class ReferralRow:
    referral: RegulatorReferral
    last_day: dt.date
    remaining: str
    overdue: bool


def _row(referral: RegulatorReferral, at: dt.datetime) -> ReferralRow:
    return ReferralRow(
        referral=referral,
        last_day=referral.due_on,
        remaining=remaining_words(due_at=referral.due_at, at=at) if referral.reported_at is None else "",
        overdue=referral.reported_at is None and at >= referral.due_at,
    )


def referral_row(*, referral: RegulatorReferral) -> ReferralRow:
    """One referral with its remaining time in words, as the queue shows it."""
    return _row(referral, now())


def complaint_referrals(*, complaint: Complaint) -> list[ReferralRow]:
    at = now()
    rows = (
        RegulatorReferral.objects.filter(complaint=complaint)
        .select_related("reported_by")
        .order_by("id")[:20]
    )
    return [_row(r, at) for r in rows]


def _visible(user) -> QuerySet[RegulatorReferral]:
    return RegulatorReferral.objects.filter(complaint__in=complaints_visible_to(user).values("id"))


def referral_queue_open_to(user) -> bool:
    """Whether `user` works the queue of referred cases (/regulation/referrals/, nav 监管转办): people who handle
    complaints for the units that answer a regulator. Not a department's staff (责任部门人员): the cases handed to
    their department reach them in their own queues, already ordered by the same report-back deadline, and they
    record a report-back on the case's page."""
    return user.has_perm("complaints.handle_complaint") and getattr(user, "role", "") != Role.DEPARTMENT_STAFF


def referral_queue(*, user, reported: bool = False, limit: int = QUEUE_LIMIT) -> list[ReferralRow]:
    """Referrals of the cases `user` may see: not yet reported back, the least time left first (served by
    the partial index regulation_referral_open_due); or, with `reported`, the latest reported back. NotFound
    for those the queue is not open to (`referral_queue_open_to`): the page and the API answer alike."""
    if not referral_queue_open_to(user):
        raise NotFound()
    limit = min(max(limit, 1), QUEUE_LIMIT)
    rows = _visible(user).select_related("complaint", "complaint__org_unit", "complaint__assignee")
    if reported:
        rows = rows.filter(reported_at__isnull=False).order_by("-reported_at", "-id")
    else:
        rows = rows.filter(reported_at__isnull=True).order_by("due_at", "id")
    at = now()
    return [_row(r, at) for r in rows[:limit]]
