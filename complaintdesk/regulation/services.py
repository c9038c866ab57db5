"""Writes: importing a classification scheme, a case's regulatory codes (suggested, confirmed), an approved
extension of a case's statutory deadline. Each runs in one transaction; a change to a case is on its
timeline with the acting person."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import Role
from complaintdesk.calendars.selectors import calendar_for_unit
from complaintdesk.common.errors import Conflict, InvalidInput, PermissionDenied
from complaintdesk.common.phrasing import customer_day
from complaintdesk.common.time import local_today, now
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.timeline import event_record
from complaintdesk.intelligence import classifier
from complaintdesk.notifications.content import message_language
from complaintdesk.notifications.models import Notification, TemplateCode
from complaintdesk.notifications.services import (
    NotificationImpossible,
    notification_channel_choose,
    notification_send,
)
from complaintdesk.sla.services import complaint_deadlines_apply

from . import code_models, deadlines
from .classification_csv import parse_scheme_csv
from .models import (
    CaseCode,
    CaseCodeStatus,
    ClassificationCode,
    ClassificationDimension,
    ClassificationScheme,
    StatutoryExtension,
)
from .selectors import pack_for, pack_terms, scheme_active
from .suggest import suggest_codes
from .timeline import FIELD, STATUTORY_DECISION_FIELD, codes_value

logger = logging.getLogger(__name__)

# Classification schemes --------------------------------------------------------------------------------


def scheme_import_csv(
    *,
    code: str,
    version: int,
    name: str,
    data: bytes | str,
    name_en: str = "",
    source: str = "",
    activate: bool = True,
) -> ClassificationScheme:
    """A new version `version` of scheme `code` from a CSV file (see classification_csv): every row is checked
    first (SchemeCsvError with line numbers), then all of it is written in one transaction, or nothing.
    With `activate` the new version replaces the active one for new classifications."""
    dimensions = parse_scheme_csv(data)
    if ClassificationScheme.objects.filter(code=code, version=version).exists():
        raise Conflict(
            _("分类标准 %(code)s 的版本 %(version)d 已存在，请使用新的版本号。")
            % {"code": code, "version": version}
        )
    try:
        with transaction.atomic():
            if activate:
                ClassificationScheme.objects.filter(code=code, is_active=True).update(is_active=False)
            scheme = ClassificationScheme.objects.create(
                code=code, version=version, name=name, name_en=name_en, source=source, is_active=activate,
                imported_at=now(),
            )  # fmt: skip
            count = 0
            for dimension_row in dimensions:
                dimension = ClassificationDimension.objects.create(
                    scheme=scheme, code=dimension_row.code, name=dimension_row.name, name_en=dimension_row.name_en,
                    sort_order=dimension_row.order,
                )  # fmt: skip
                created: dict[str, ClassificationCode] = {}
                for row in dimension_row.codes:
                    created[row.code] = ClassificationCode.objects.create(
                        dimension=dimension, code=row.code, name=row.name, name_en=row.name_en,
                        parent=created.get(row.parent), level=row.level, keywords=row.keywords,
                    )  # fmt: skip
                    count += 1
    except IntegrityError:
        raise Conflict(
            _("分类标准 %(code)s 的版本 %(version)d 已存在，请使用新的版本号。")
            % {"code": code, "version": version}
        ) from None
    scheme.code_count = count
    return scheme


# A case's codes ----------------------------------------------------------------------------------------


def _case_text(complaint: Complaint) -> str:
    return code_models.case_text(
        title=complaint.title, description=complaint.description, demand=complaint.demand,
        product=complaint.product,
    )  # fmt: skip


def case_codes_suggest(*, complaint: Complaint, scheme: ClassificationScheme) -> list[CaseCode]:
    """Step: store the suggestion (a most specific code) for each dimension of `scheme` not yet confirmed on
    the case (a confirmed code is never replaced by a suggestion). Per dimension, the dimension's trained
    classifier's code when it is at least `code_models.threshold()` confident, else the keyword match, else
    nothing. Returns the case's suggested rows. The codes and models are the process's cached ones."""
    codes = code_models.scheme_codes(scheme_id=scheme.pk)
    text = _case_text(complaint)
    chosen: dict[int, tuple[str, str, float | None]] = {}  # dimension id → (code, basis, confidence)
    for dimension_key, found in suggest_codes(text=text, codes=list(codes.keywords)).items():
        chosen[int(dimension_key)] = (found.code, "、".join(found.matched)[:200], None)
    for active in code_models.active_models(scheme_id=scheme.pk):
        model = code_models.model_loaded(active)
        if model is None:
            continue
        predicted = classifier.predict(model, text, version=active.version)
        code = predicted.category_code
        if code is None or predicted.confidence < code_models.threshold():
            continue
        if (active.dimension_id, code) not in codes.ids:  # a code the scheme no longer gives: keywords decide
            continue
        chosen[active.dimension_id] = (code, "、".join(predicted.explanation)[:200], predicted.confidence)
    if not chosen:
        return []
    confirmed = set(
        CaseCode.objects.filter(complaint=complaint, status=CaseCodeStatus.CONFIRMED).values_list(
            "dimension_id", flat=True
        )
    )
    stored = []
    for dimension_id, (code, basis, confidence) in chosen.items():
        if dimension_id in confirmed:
            continue
        row, _created = CaseCode.objects.update_or_create(
            complaint=complaint, dimension_id=dimension_id,
            defaults={
                "code_id": codes.ids[(dimension_id, code)], "status": CaseCodeStatus.SUGGESTED,
                "suggestion_basis": basis, "suggestion_confidence": confidence,
                "confirmed_by": None, "confirmed_at": None,
            },
        )  # fmt: skip
        stored.append(row)
    return stored


def complaint_codes_suggest_at_intake(*, complaint_id: int) -> int:
    """The after-intake step: suggest the new case's codes in every active scheme, nobody pressing anything
    (the agent confirms on the case page). The case is locked, as when an agent confirms. Returns how many
    codes were suggested; no active scheme, nothing."""
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().filter(pk=complaint_id).first()
        if complaint is None:
            return 0
        schemes = ClassificationScheme.objects.filter(is_active=True).order_by("code")[:10]
        return sum(len(case_codes_suggest(complaint=complaint, scheme=scheme)) for scheme in schemes)


def complaint_codes_suggest(*, number: str, actor, scheme_code: str | None = None) -> list[CaseCode]:
    """Suggest the regulatory codes of case `number` from its text (nothing is confirmed)."""
    with transaction.atomic():
        complaint = access_complaint(
            user=actor, number=number, permission="handle_complaint", for_update=True
        )
        return case_codes_suggest(complaint=complaint, scheme=scheme_active(code=scheme_code))


def complaint_codes_confirm(
    *, number: str, actor, codes: list[str], scheme_code: str | None = None
) -> list[CaseCode]:
    """Confirm case `number`'s codes: one most specific code per dimension of the active scheme, every
    dimension given. Records who confirmed and when, and one timeline event with the codes in words (none
    when the same codes were already confirmed)."""
    with transaction.atomic():
        complaint = access_complaint(
            user=actor, number=number, permission="handle_complaint", for_update=True
        )
        scheme = scheme_active(code=scheme_code)
        dimensions = list(scheme.dimensions.all().order_by("sort_order", "code"))
        chosen = _validated_codes(scheme=scheme, dimensions=dimensions, codes=codes)
        existing = {
            c.dimension_id: c for c in CaseCode.objects.filter(complaint=complaint).select_related("code")
        }
        before = [
            existing[d.pk].code.code
            for d in dimensions
            if d.pk in existing and existing[d.pk].status == CaseCodeStatus.CONFIRMED
        ]
        after = [chosen[d.pk].code for d in dimensions]
        if before == after and len(before) == len(dimensions):
            return [existing[d.pk] for d in dimensions]
        at = now()
        rows = []
        for dimension in dimensions:
            row, _created = CaseCode.objects.update_or_create(
                complaint=complaint, dimension=dimension,
                defaults={
                    "code": chosen[dimension.pk], "status": CaseCodeStatus.CONFIRMED, "confirmed_by": actor,
                    "confirmed_at": at,
                },
            )  # fmt: skip
            rows.append(row)
        event_record(
            complaint=complaint, actor=actor, kind=EventKind.FIELD_CHANGED, at=at, field=FIELD,
            old=codes_value(scheme_id=scheme.pk, codes=before) if before else "",
            new=codes_value(scheme_id=scheme.pk, codes=after),
        )  # fmt: skip
        return rows


def _validated_codes(*, scheme, dimensions, codes: list[str]) -> dict[int, ClassificationCode]:
    wanted = [c.strip() for c in codes if c and c.strip()]
    found = {
        c.code: c
        for c in ClassificationCode.objects.filter(dimension__scheme=scheme, code__in=wanted)
        .select_related("dimension")
        .prefetch_related("children")
    }
    problems: list[str] = []
    chosen: dict[int, ClassificationCode] = {}
    for code in wanted:
        entry = found.get(code)
        if entry is None:
            problems.append(_("代码 %(code)s 不在 %(scheme)s 中。") % {"code": code, "scheme": scheme})
        elif entry.dimension_id in chosen:
            problems.append(_("维度“%(dimension)s”只能选一个代码。") % {"dimension": entry.dimension.name})
        elif entry.children.all():
            problems.append(
                _("“%(name)s”（%(code)s）还有下级分类，请选择最末级的代码。")
                % {"name": entry.name, "code": code}
            )
        else:
            chosen[entry.dimension_id] = entry
    for dimension in dimensions:
        if dimension.pk not in chosen and not any(f.dimension_id == dimension.pk for f in found.values()):
            problems.append(_("请选择“%(dimension)s”的代码。") % {"dimension": dimension.name})
    if problems:
        raise InvalidInput({"codes": problems})
    return chosen


# Statutory extensions ----------------------------------------------------------------------------------

_REFUSALS = {
    "not_extendable": lambda rule: _("该法定时限不可延长。"),
    "not_complex": lambda rule: _("只有情况复杂的案件才能延长法定时限，请先将复杂程度改为复杂。"),
    "amount": lambda rule: (
        _("每次最多延长 %(amount)d 日。") % {"amount": rule.extension_amount if rule else 0}
    ),
    "approver": lambda rule: _("延长须由“%(role)s”审批。") % {"role": _role_label(rule)},
    "notice": lambda rule: _(
        "延长须告知投诉人，但投诉人没有可发送通知的手机、邮箱或微信。请先电话或书面告知投诉人，再勾选“已另行告知投诉人”。"
    ),
    "cap": lambda rule: (
        _("延长后总期限不能超过 %(total)d 日。") % {"total": rule.extension_max_total if rule else 0}
    ),
}


def _role_label(rule) -> str:
    role = rule.extension_approver_role if rule else ""
    return str(Role(role).label) if role in Role.values else role


def statutory_extension_approve(
    *, number: str, actor, amount: int, reason: str, customer_notified_at=None
) -> StatutoryExtension:
    """Approve an extension of case `number`'s statutory decision deadline. Refused unless the case's pack
    allows it (complex case, the approver has the pack's designated role, the complainant is told when the
    pack requires it, the total within the cap).

    The complainant is told by a message on their preferred channel (`statutory_extension`: the new decision
    day and the reason), queued in this transaction and sent when it commits; it is on the case's timeline
    once delivered. `customer_notified_at` records that they were told otherwise (by phone, by letter): it
    is what allows the extension when they have no contact a message can go to."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": [_("请填写延长理由。")]})
    with transaction.atomic():
        complaint = access_complaint(
            user=actor, number=number, permission="handle_complaint", for_update=True
        )
        pack = pack_for(
            unit=complaint.org_unit, category_id=complaint.category_id, received_at=complaint.received_at
        )
        if pack is None:
            raise PermissionDenied(_("该投诉没有适用的法定时限包，无需延长。"), code="no_statutory_pack")
        terms = pack_terms(pack)
        try:
            notification_channel_choose(complaint=complaint)
            reachable = True
        except NotificationImpossible:
            reachable = False
        grant = deadlines.ExtensionGrant(
            amount=amount,
            approver_role=actor.role,
            customer_notified=reachable or customer_notified_at is not None,
        )
        earlier = tuple(e.grant() for e in StatutoryExtension.objects.filter(complaint=complaint)[:20])
        facts = deadlines.CaseFacts(received_at=complaint.received_at, complexity=complaint.complexity)
        rule = next((r for r in deadlines.rules_for(terms, facts) if r.extendable), None)
        try:
            dues = deadlines.statutory_due_dates(
                pack=terms, facts=facts, calendar=_calendar(complaint), extensions=(*earlier, grant)
            )
        except deadlines.ExtensionRefused as refused:
            raise PermissionDenied(
                _REFUSALS[refused.reason](rule), code=f"extension_{refused.reason}"
            ) from None
        at = now()
        decision = next(d for d in dues if d.extended_by)
        notice = (
            _extension_notice_send(complaint=complaint, decision_day=decision.last_day, reason=reason)
            if reachable
            else None
        )
        if notice is None and customer_notified_at is None and rule is not None and rule.extension_notice:
            raise PermissionDenied(_REFUSALS["notice"](rule), code="extension_notice")
        extension = StatutoryExtension.objects.create(
            complaint=complaint, amount=amount, reason=reason, approved_by=actor, approver_role=actor.role,
            approved_at=at, customer_notified_at=customer_notified_at or (at if notice else None),
            customer_notice=notice,
        )  # fmt: skip
        event_record(
            complaint=complaint, actor=actor, kind=EventKind.DEADLINES, at=at, field=STATUTORY_DECISION_FIELD,
            new=decision.last_day.isoformat(), reason=reason,
        )  # fmt: skip
        # The statutory clock moved: the case's timer and its place in the queue follow.
        complaint_deadlines_apply(complaint=complaint, at=at, actor=actor, reason=reason)
        return extension


REASON_SHORT = 30  # characters of the reason in an SMS or a WeChat message


def _extension_notice_send(*, complaint: Complaint, decision_day, reason: str) -> Notification | None:
    """Queue the `statutory_extension` message to the complainant (their language, their preferred channel):
    the last day of the decision, as people say it, and the reason. None when it cannot be sent (no template
    for the channel, a placeholder without value): the caller decides whether the extension may go on."""
    language = message_language(complaint)
    with translation.override(language):
        day = customer_day(decision_day, language=language, today=local_today())
    short = reason if len(reason) <= REASON_SHORT else reason[: REASON_SHORT - 1].rstrip() + "…"
    extra = {
        "decision_day": day,
        "extension_reason": reason,
        "extension_reason_short": short.rstrip("。.；;，, "),
    }
    try:
        with transaction.atomic():
            return notification_send(
                complaint=complaint, template_code=TemplateCode.STATUTORY_EXTENSION, extra=extra
            )
    except (NotificationImpossible, InvalidInput) as error:
        logger.warning("complaint %s: extension notice not sent (%s)", complaint.number, error)
        return None


def _calendar(complaint: Complaint):
    return calendar_for_unit(unit=complaint.org_unit)
