"""Incidents: declared by staff or received from a business system, matched with the complaints they explain,
each such customer answered with the explanation once, and everyone linked told once when it is over.

incident_declare / incident_event_receive   → an incident in progress (an event delivered again: the same one)
complaint_incident_match(complaint_id)     → the after-intake step: link + the explanation, once
complaint_incident_link(number, incident)  → the same by hand, from the case page
incident_resolve(incident, resolution, mode) → resolved; the feedback job tells every linked customer once
incident_feedback_send(incident_id)        → that job: per link, claimed, so a retry never tells anyone twice
"""

from __future__ import annotations

import datetime as dt
import functools
import logging

from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django_tasks import task

from complaintdesk.accounts.access import unit_visible_to, user_sees_all_units
from complaintdesk.common.errors import DomainError, InvalidInput, NotFound, PermissionDenied, unstorable_text
from complaintdesk.common.time import local_zone, now
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.customers import phone_normalise
from complaintdesk.complaints.models import Category, Complaint, EventKind
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.complaints.states import Status
from complaintdesk.complaints.timeline import event_record
from complaintdesk.notifications.content import message_language
from complaintdesk.notifications.models import TemplateCode
from complaintdesk.notifications.services import NotificationImpossible, notification_send
from complaintdesk.orgs.models import OrgUnit
from complaintdesk.surveys.results import result_send

from . import matching
from .models import (
    Incident,
    IncidentKind,
    IncidentLink,
    IncidentOrigin,
    IncidentStatus,
    MessageStatus,
    NoticeRule,
    OutreachMessage,
    Purpose,
    ResolveMode,
)
from .notices import incident_notices_task
from .sms import sms_too_long, too_long_text
from .texts import answer_text, notice_text, outcome_text, over_text, spoken

logger = logging.getLogger(__name__)

ACTIVE_LIMIT = 50  # incidents in progress compared with each new case (a handful in practice)
ACCOUNTS_LIMIT = 5000
FEEDBACK_BATCH = 500
TITLE_MAX, TEXT_MAX, EN_MAX, DISTRICT_MAX, PRODUCTS_MAX = 100, 120, 240, 50, 200


def user_may_declare(user) -> bool:
    """Supervisors and managers (those who assign cases) declare and resolve incidents."""
    return bool(user.is_active and user.has_perm("complaints.assign_complaint"))


def user_may_send_events(user) -> bool:
    """The API user of a business system given the permission (manage.py outreach_event_sender)."""
    return bool(user.is_active and user.has_perm("outreach.receive_event"))


def user_may_view(user) -> bool:
    return bool(user.is_active and user.has_perm("complaints.view_complaint"))


# --- input ------------------------------------------------------------------------------------------------


def _text(errors: dict, name: str, value, *, limit: int, required: bool = False) -> str:
    value = ("" if value is None else str(value)).strip()
    if unstorable_text(value):
        errors.setdefault(name, []).append(_("含有无法保存的字符"))
    elif required and not value:
        errors.setdefault(name, []).append(_("必填"))
    elif len(value) > limit:
        errors.setdefault(name, []).append(
            _("不能超过 %(limit)d 个字符（当前 %(length)d 个）") % {"limit": limit, "length": len(value)}
        )
    return value


def _when(errors: dict, name: str, value, *, required: bool = False) -> dt.datetime | None:
    """A time from a form (local wall time, 2026-12-06T14:00) or an API (ISO 8601 with its offset)."""
    if value in (None, ""):
        if required:
            errors.setdefault(name, []).append(_("必填"))
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        try:
            parsed = parse_datetime(str(value).strip())
        except ValueError:
            parsed = None
        if parsed is None:
            errors.setdefault(name, []).append(_("时间格式不对，例如 2026-12-06 14:00"))
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=local_zone())
    if parsed.year < 2000:
        errors.setdefault(name, []).append(_("时间不能早于 2000 年"))
        return None
    return parsed


def _accounts(errors: dict, value) -> list[str]:
    """Account or order numbers and phones, one a line (or a list): phones in E.164 like the customer record."""
    items = (
        value
        if isinstance(value, (list, tuple))
        else str(value or "").replace("，", ",").replace(",", "\n").splitlines()
    )
    found: list[str] = []
    for item in items:
        item = str(item).strip()
        if not item:
            continue
        if unstorable_text(item) or len(item) > 64:
            errors.setdefault("accounts", []).append(
                _("“%(item)s”不是账号、订单号或电话") % {"item": item[:20]}
            )
            continue
        digits = item.lstrip("+").replace("-", "").replace(" ", "")
        if digits.isdigit() and 7 <= len(digits) <= 15:
            try:
                item = phone_normalise(item)
            except ValueError:
                pass  # an order number made of digits
        found.append(item)
    if len(found) > ACCOUNTS_LIMIT:
        errors.setdefault("accounts", []).append(_("最多 %(limit)d 个") % {"limit": ACCOUNTS_LIMIT})
    return list(dict.fromkeys(found))


def _units(errors: dict, codes, *, actor) -> list[OrgUnit]:
    codes = [c.strip() for c in (codes or []) if c and c.strip()]
    units = list(OrgUnit.objects.filter(code__in=codes, is_active=True)[:200])
    unknown = set(codes) - {u.code for u in units}
    if unknown:
        errors.setdefault("units", []).append(
            _("没有这些机构：%(codes)s") % {"codes": "、".join(sorted(unknown))}
        )
    if actor is not None and not user_sees_all_units(actor):
        outside = [u for u in units if not unit_visible_to(actor, u)]
        if outside:
            errors.setdefault("units", []).append(
                _("不在您管辖范围内：%(names)s") % {"names": "、".join(u.name for u in outside)}
            )
    return units


def _categories(errors: dict, codes) -> list[Category]:
    codes = [c.strip() for c in (codes or []) if c and c.strip()]
    found = list(Category.objects.filter(code__in=codes)[:100])
    unknown = set(codes) - {c.code for c in found}
    if unknown:
        errors.setdefault("categories", []).append(
            _("没有这些类别：%(codes)s") % {"codes": "、".join(sorted(unknown))}
        )
    return found


def _clean(*, actor, data: dict) -> tuple[dict, list[OrgUnit], list[Category]]:
    errors: dict[str, list[str]] = {}
    kind = data.get("kind") or IncidentKind.OUTAGE
    if kind not in IncidentKind.values:
        errors["kind"] = [_("请选择事件类型")]
    clean = {
        "kind": kind,
        "title": _text(errors, "title", data.get("title"), limit=TITLE_MAX, required=True),
        "explanation": _text(errors, "explanation", data.get("explanation"), limit=TEXT_MAX, required=True),
        "explanation_en": _text(errors, "explanation_en", data.get("explanation_en"), limit=EN_MAX),
        "district": _text(errors, "district", data.get("district"), limit=DISTRICT_MAX),
        "products": _text(errors, "products", data.get("products"), limit=PRODUCTS_MAX),
        "accounts": _accounts(errors, data.get("accounts")),
        "starts_at": _when(errors, "starts_at", data.get("starts_at"), required=True),
        "ends_at": _when(errors, "ends_at", data.get("ends_at")),
        "expected_end_at": _when(errors, "expected_end_at", data.get("expected_end_at")),
        "notify_customers": bool(data.get("notify_customers")),
    }
    units = _units(errors, data.get("units"), actor=actor)
    categories = _categories(errors, data.get("categories"))
    if not errors and not (units or clean["district"] or clean["accounts"]):
        errors["district"] = [_("请至少填写受影响的机构、地区或客户名单之一")]
    starts, ends = clean["starts_at"], clean["ends_at"]
    if starts and ends and ends <= starts:
        errors.setdefault("ends_at", []).append(_("结束时间要晚于开始时间"))
    if starts and clean["expected_end_at"] and clean["expected_end_at"] <= starts:
        errors.setdefault("expected_end_at", []).append(_("预计恢复时间要晚于开始时间"))
    if clean["notify_customers"] and not errors:
        _notice_fits_sms(errors, clean)
    if errors:
        raise InvalidInput(errors, message=_("事件信息有误，请按提示修改"))
    return clean, units, categories


def _notice_fits_sms(errors: dict, clean: dict) -> None:
    """An incident told to customers: its notice (explanation, expected end, apology) with the opt-out link and
    the signature fits NOTIFY_SMS_MAX_SEGMENTS, in each language it has (outreach.sms)."""
    for field, language in (("explanation", "zh-hans"), ("explanation_en", "en")):
        text = clean[field]
        if not text:
            continue

        def frame(value: str, english: bool = field == "explanation_en", language=language) -> str:
            sample = Incident(
                kind=clean["kind"],
                expected_end_at=clean["expected_end_at"],
                explanation=value,
                explanation_en=value if english else "",
            )
            return notice_text(sample, language=language)

        if problem := sms_too_long(text=text, purpose=Purpose.NOTICE, language=language, frame=frame):
            errors.setdefault(field, []).append(too_long_text(problem))


def _create(
    *, actor, clean: dict, units, categories, origin: str, source: str = "", external_id: str = ""
) -> Incident:
    at = now()
    incident = Incident.objects.create(
        **clean, origin=origin, source=source, external_id=external_id, declared_by=actor, declared_at=at,
        updated_at=at,
    )  # fmt: skip
    incident.org_units.set(units)
    incident.categories.set(categories)
    if incident.notify_customers:
        from_commit = functools.partial(_notices_queue, incident.pk)
        transaction.on_commit(from_commit, robust=True)
    return incident


def _notices_queue(incident_id: int) -> None:
    try:
        incident_notices_task.enqueue(incident_id)
    except Exception:  # the incident is stored; staff can send the notices from its page
        logger.exception("could not queue the notices of incident %s", incident_id)


@transaction.atomic
def incident_declare(*, actor, **data) -> Incident:
    """A member of staff declares an incident in progress (supervisors and managers, within their units)."""
    if not user_may_declare(actor):
        raise PermissionDenied(_("只有主管或经理可以登记事件"))
    clean, units, categories = _clean(actor=actor, data=data)
    return _create(
        actor=actor, clean=clean, units=units, categories=categories, origin=IncidentOrigin.DECLARED
    )


def notice_rule_says(*, source: str, kind: str) -> bool:
    """Whether an event of this source and kind is told to the customers concerned: the source's own active
    rule for the kind, else the rule for every source, else not."""
    rules = {
        r.source: r.notify_customers
        for r in NoticeRule.objects.filter(source__in=[source, ""], kind=kind, is_active=True)[:2]
    }
    return rules.get(source, rules.get("", False))


def incident_event_receive(*, actor, source: str, external_id: str, **data) -> tuple[Incident, bool]:
    """A business system tells us of an event ("orders of batch X ship 5 days late", "outage in 徐汇区 until
        18:00"). Delivered again with the same (source, external_id): the incident stored the first time, nothing
        new (False). Whether customers are told first is the event's `notify_customers`, or when it does not say,
    the notice rule of its source and kind (NoticeRule)."""
    if actor is not None and not user_may_send_events(actor):
        raise PermissionDenied(_("这个账号没有报送业务事件的权限"))
    errors: dict[str, list[str]] = {}
    source = _text(errors, "source", source, limit=50, required=True)
    external_id = _text(errors, "event_id", external_id, limit=100, required=True)
    if errors:
        raise InvalidInput(errors)
    existing = Incident.objects.filter(source=source, external_id=external_id).first()
    if existing is not None:
        return existing, False
    if data.get("notify_customers") is None:
        data["notify_customers"] = notice_rule_says(
            source=source, kind=data.get("kind") or IncidentKind.OUTAGE
        )
    clean, units, categories = _clean(actor=None, data=data)
    try:
        with transaction.atomic():
            incident = _create(
                actor=actor, clean=clean, units=units, categories=categories, origin=IncidentOrigin.EVENT,
                source=source, external_id=external_id,
            )  # fmt: skip
    except IntegrityError:  # the same event delivered twice at once: the other one stored it
        return Incident.objects.get(source=source, external_id=external_id), False
    return incident, True


# --- linking complaints -------------------------------------------------------------------------------------


def _facts(incident: Incident) -> matching.IncidentFacts:
    return matching.IncidentFacts(
        id=incident.pk, declared_at=incident.declared_at, starts_at=incident.starts_at, ends_at=incident.ends_at,
        unit_paths=tuple(u.path for u in incident.org_units.all()), district=incident.district,
        products=tuple(matching.words(incident.products)),
        category_ids=frozenset(c.pk for c in incident.categories.all()), accounts=frozenset(incident.accounts),
    )  # fmt: skip


def _case_facts(complaint: Complaint) -> matching.CaseFacts:
    customer = complaint.customer
    keys = {customer.account_no, customer.phone, complaint.contact_phone} - {""}
    return matching.CaseFacts(
        received_at=complaint.received_at, occurred_at=complaint.occurred_at, unit_path=complaint.org_unit.path,
        place=complaint.place, title=complaint.title, description=complaint.description[:2000],
        product=complaint.product, category_id=complaint.category_id, customer_keys=frozenset(keys),
    )  # fmt: skip


def incidents_active() -> list[Incident]:
    return list(
        Incident.objects.filter(status=IncidentStatus.ACTIVE)
        .prefetch_related("org_units", "categories")
        .order_by("-declared_at")[:ACTIVE_LIMIT]
    )


def _link(*, complaint: Complaint, incident: Incident, actor, at: dt.datetime) -> IncidentLink:
    noticed = OutreachMessage.objects.filter(
        customer_id=complaint.customer_id,
        incident=incident,
        status=MessageStatus.SENT,
        sent_at__lte=complaint.received_at,
    ).exists()
    link = IncidentLink.objects.create(
        incident=incident, complaint=complaint, linked_at=at, linked_by=actor, noticed_before=noticed
    )
    reason = (
        _("已关联到事件“%(title)s”（系统按地区、产品和时间自动匹配）")
        if actor is None
        else _("已关联到事件“%(title)s”")
    ) % {"title": incident.title}
    event_record(
        complaint=complaint, actor=actor, kind=EventKind.NOTE, at=at, field="", new="", reason=reason
    )
    if incident.status == IncidentStatus.ACTIVE:
        _answer(link=link, complaint=complaint, incident=incident, at=at)
    return link


def _answer(*, link: IncidentLink, complaint: Complaint, incident: Incident, at: dt.datetime) -> None:
    """The explanation and its expected end, once per link (answered_at), in the customer's language."""
    language = message_language(complaint)
    try:
        with transaction.atomic():
            notification = notification_send(
                complaint=complaint, template_code=TemplateCode.PROGRESS,
                extra={"progress": answer_text(incident, language=language)},
            )  # fmt: skip
    except (NotificationImpossible, InvalidInput) as error:
        logger.warning(
            "complaint %s not told of incident %s: %s", complaint.number, incident.pk, error.message
        )
        return
    link.answered_at = at
    link.answer_notification_id = notification.pk
    link.save(update_fields=["answered_at", "answer_notification_id"])


def complaint_incident_match(*, complaint_id: int) -> IncidentLink | None:
    """The after-intake step: link a new case to the incident that explains it (matching.py), and tell its
    customer the explanation. A case already linked stays as it is. Runs in the caller's transaction."""
    if IncidentLink.objects.filter(complaint_id=complaint_id).exists():
        return None
    active = incidents_active()
    if not active:
        return None
    complaint = Complaint.objects.select_related("customer", "org_unit").filter(pk=complaint_id).first()
    if complaint is None:
        return None
    found = matching.best_match([_facts(i) for i in active], _case_facts(complaint))
    if found is None:
        return None
    incident = next(i for i in active if i.pk == found)
    return _link(complaint=complaint, incident=incident, actor=None, at=now())


@transaction.atomic
def complaint_incident_link(*, number: str, actor, incident_id: int) -> IncidentLink:
    """Link a case to an incident by hand (one that matching missed); its customer hears the explanation."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None:
        raise InvalidInput({"incident": [_("请选择事件")]})
    if IncidentLink.objects.filter(complaint=complaint).exists():
        raise InvalidInput({"incident": [_("这件投诉已关联到一个事件")]})
    return _link(complaint=complaint, incident=incident, actor=actor, at=now())


def incident_for_user(*, user, incident_id: int) -> Incident:
    if not user_may_view(user):
        raise NotFound()
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None:
        raise NotFound(_("没有这个事件"))
    return incident


# --- resolving -----------------------------------------------------------------------------------------------


@transaction.atomic
def incident_resolve(*, incident_id: int, actor, resolution: str, mode: str) -> Incident:
    """The incident is over: recorded once; every linked customer is then told by the feedback job, each once,
    and their cases are answered with the result (mode close) or go on (mode continue)."""
    if not user_may_declare(actor):
        raise PermissionDenied(_("只有主管或经理可以登记事件已解决"))
    incident = Incident.objects.select_for_update().filter(pk=incident_id).first()
    if incident is None:
        raise NotFound(_("没有这个事件"))
    errors: dict[str, list[str]] = {}
    resolution = _text(errors, "resolution", resolution, limit=TEXT_MAX, required=True)
    if mode not in ResolveMode.values:
        errors["mode"] = [_("请选择投诉如何处理")]
    elif mode == ResolveMode.CLOSE and not actor.has_perm("complaints.handle_complaint"):
        errors["mode"] = [_("作为处理结果反馈需要处理投诉的权限；请选择“只告知已恢复”，或请经理登记")]
    if incident.status == IncidentStatus.RESOLVED:
        errors["resolution"] = [
            _("这个事件已于 %(at)s 登记为已解决") % {"at": spoken(incident.resolved_at, "zh-hans")}
        ]
    if errors:
        raise InvalidInput(errors, message=_("未能登记事件已解决"))
    at = now()
    incident.status = IncidentStatus.RESOLVED
    incident.resolution = resolution
    incident.resolve_mode = mode
    incident.resolved_by = actor
    incident.resolved_at = at
    incident.ends_at = incident.ends_at or at
    incident.updated_at = at
    incident.save(
        update_fields=[
            "status",
            "resolution",
            "resolve_mode",
            "resolved_by",
            "resolved_at",
            "ends_at",
            "updated_at",
        ]
    )
    transaction.on_commit(functools.partial(incident_feedback_task.enqueue, incident.pk), robust=True)
    return incident


def _to_handling(complaint: Complaint, actor) -> Complaint:
    for target in {
        Status.NEW: (Status.ACCEPTED, Status.HANDLING),
        Status.ACCEPTED: (Status.HANDLING,),
        Status.ANALYSING: (Status.HANDLING,),
        Status.REOPENED: (Status.HANDLING,),
    }.get(complaint.status, ()):
        complaint = complaint_transition(
            number=complaint.number, actor=actor, to=target, reason=_("事件已解决，统一处理")
        )
    return complaint


def _feedback_one(link: IncidentLink, incident: Incident, at: dt.datetime) -> None:
    complaint = link.complaint
    language = message_language(complaint)
    if incident.resolve_mode == ResolveMode.CLOSE and complaint.is_open and incident.resolved_by is not None:
        try:
            with transaction.atomic():
                _to_handling(complaint, incident.resolved_by)
                outcome = outcome_text(incident, language=language)
                override = _("事件“%(title)s”统一反馈") % {"title": incident.title}
                result = result_send(
                    number=complaint.number, actor=incident.resolved_by, cause=incident.explanation,
                    measures=incident.resolution, outcome=outcome, override_reason=override,
                )  # fmt: skip
            link.feedback_notification_id = result.notification_id
            link.feedback_note = _("已作为处理结果反馈，等待客户确认")
            return
        except DomainError as error:  # the case cannot take a result now: the customer still hears it is over
            link.feedback_note = _("未能作为处理结果反馈（%(why)s），已改为告知恢复") % {
                "why": error.message[:200]
            }
    with transaction.atomic():
        notification = notification_send(
            complaint=complaint, template_code=TemplateCode.PROGRESS,
            extra={"progress": over_text(incident, language=language)},
        )  # fmt: skip
        event_record(
            complaint=complaint, actor=incident.resolved_by, kind=EventKind.NOTE, at=at, field="", new="",
            reason=_("事件“%(title)s”已解决，已告知客户：%(text)s") % {"title": incident.title, "text": incident.resolution},
        )  # fmt: skip
    link.feedback_notification_id = notification.pk
    if not link.feedback_note:
        link.feedback_note = _("已告知恢复，投诉继续处理")


def incident_feedback_send(*, incident_id: int, limit: int = FEEDBACK_BATCH) -> dict:
    """Tell every linked customer that the incident is over, each once: each link is taken with
    SELECT … FOR UPDATE SKIP LOCKED and stamped in the transaction that queues its message, so a retried or
    doubled job skips those done or in hand. Returns counts; `remaining` links wait for the next run."""
    incident = Incident.objects.filter(pk=incident_id, status=IncidentStatus.RESOLVED).first()
    if incident is None:
        return {"told": 0, "failed": 0, "remaining": 0}
    told = failed = 0
    ids = list(
        IncidentLink.objects.filter(incident=incident, feedback_at__isnull=True, feedback_error="")
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for link_id in ids:
        with transaction.atomic():
            link = (
                IncidentLink.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("complaint__customer", "complaint__org_unit")
                .filter(pk=link_id, feedback_at__isnull=True)
                .first()
            )
            if link is None:
                continue
            at = now()
            try:
                with transaction.atomic():
                    _feedback_one(link, incident, at)
                link.feedback_at = at
                told += 1
            except DomainError as error:
                link.feedback_error = error.message[:300]
                failed += 1
            except (
                Exception
            ):  # a bug or an outage must not stop the others: shown on the page, retried by hand
                logger.exception(
                    "incident %s: telling complaint %s failed", incident.pk, link.complaint.number
                )
                link.feedback_error = _("发送时出错，请稍后重试")
                failed += 1
            link.save(
                update_fields=["feedback_at", "feedback_note", "feedback_notification_id", "feedback_error"]
            )
    remaining = IncidentLink.objects.filter(
        incident=incident, feedback_at__isnull=True, feedback_error=""
    ).count()
    if remaining and told + failed:  # a large incident: the next batch in a job of its own
        incident_feedback_task.enqueue(incident.pk)
    return {"told": told, "failed": failed, "remaining": remaining}


@task()
def incident_feedback_task(incident_id: int) -> dict:
    return incident_feedback_send(incident_id=incident_id)
