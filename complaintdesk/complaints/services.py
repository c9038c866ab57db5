"""Writes to complaints. Each service is one transaction that records the timeline with the actor."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils.translation import gettext as _

from complaintdesk.accounts.access import unit_visible_to, units_visible_to
from complaintdesk.accounts.models import Role, User
from complaintdesk.common import fastsql
from complaintdesk.common.errors import (
    InvalidInput,
    PermissionDenied,
    too_long_message,
    unstorable_text,
    unstorable_text_message,
)
from complaintdesk.common.masking import mask_email, mask_phone, mask_text
from complaintdesk.common.time import local_zone, now
from complaintdesk.orgs.models import OrgUnit
from complaintdesk.orgs.selectors import orgunit_active_by_code

from . import states
from .access import access_complaint, complaints_visible_to
from .clocks import case_clocks
from .customers import customer_fields_validate, customer_match_or_create, phone_normalise, title_from_name
from .models import (
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    Complexity,
    Customer,
    EventKind,
    PerceivedSeverity,
    Priority,
    Responsibility,
    Severity,
)
from .numbering import case_number_allocate
from .states import IllegalTransition, Status
from .timeline import event_record, events_record_changes

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
DEMAND_MAX = 5_000
SHORT_TEXT_MAX = 200
# A clock skew allowance for "when it happened": a customer's phone may run a little fast.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)
# A receipt this much before intake is said in the created event; less is the same moment to a reader.
RECEIVED_EARLIER_SHOWN = dt.timedelta(minutes=1)


@dataclass
class IntakeCustomer:
    name: str = ""
    phone: str = ""
    email: str = ""
    account_no: str = ""
    wechat_openid: str = ""
    preferred_channel: str = ""


@dataclass
class IntakeRecorder:
    """Who took the complaint down on an assisted channel: a user of ours (by username or staff
    number, within the caller's units) or, for an integration's own staff, a name as given."""

    username: str = ""
    employee_no: str = ""
    name: str = ""


# Channels where a member of staff writes down what the customer said (SPEC §2 step 1).
ASSISTED_CHANNELS = frozenset({Channel.PHONE, Channel.WALK_IN, Channel.LETTER, Channel.WEIBO, Channel.CHAT})


@dataclass
class IntakeData:
    """What any channel hands to intake. Channel adapters and the API build this."""

    channel: str
    title: str
    description: str
    customer: IntakeCustomer
    demand: str = ""
    org_unit_code: str = ""
    occurred_at: dt.datetime | None = None
    # When it reached us, if before it is recorded (a letter opened late, a call logged afterwards);
    # None: now. Deadlines count from it.
    received_at: dt.datetime | None = None
    place: str = ""
    product: str = ""
    people_involved: str = ""
    perceived_severity: str = PerceivedSeverity.MEDIUM
    category_code: str = ""
    language: str = "zh-hans"
    recorded_by: IntakeRecorder | None = None
    extra: dict = field(default_factory=dict)


def _text_errors(errors: dict, name: str, value: str, *, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if unstorable_text(value):
        errors[name] = [unstorable_text_message()]
    elif required and not value:
        errors[name] = [_("此项为必填项")]
    elif len(value) > limit:
        errors[name] = [too_long_message(limit=limit, length=len(value))]
    return value


def _recorder_validate(*, data: IntakeData, actor, errors: dict) -> dict:
    """recorded_by / recorded_by_name of the case. A human actor on an assisted channel recorded it
    themself unless told otherwise; an integration (no unit-bound human) names the agent."""
    recorder = data.recorded_by
    if recorder is None or not (recorder.username or recorder.employee_no or recorder.name):
        human = data.channel in ASSISTED_CHANNELS and actor.role != Role.API_CLIENT
        return {"recorded_by": actor if human else None, "recorded_by_name": ""}
    name = (recorder.name or "").strip()
    if len(name) > 100:
        errors["recorded_by.name"] = [too_long_message(limit=100, length=len(name))]
    user = None
    lookup = (
        {"username": recorder.username.strip()}
        if recorder.username.strip()
        else ({"employee_no": recorder.employee_no.strip()} if recorder.employee_no.strip() else None)
    )
    if lookup:
        user = (
            User.objects.filter(is_active=True, org_unit__in=units_visible_to(actor), **lookup)
            .order_by("id")
            .first()
        )
        if user is None:
            field_name = "recorded_by." + next(iter(lookup))
            errors[field_name] = [
                _("在您可见的机构中没有这位员工：%(who)s") % {"who": next(iter(lookup.values()))}
            ]
    return {"recorded_by": user, "recorded_by_name": name if user is None else ""}


def _intake_validate(
    *, data: IntakeData, actor, at: dt.datetime
) -> tuple[dict, dict, OrgUnit, Category | None]:
    errors: dict[str, list[str]] = {}
    values = {
        "title": _text_errors(errors, "title", data.title, limit=TITLE_MAX, required=True),
        "description": _text_errors(
            errors, "description", data.description, limit=DESCRIPTION_MAX, required=True
        ),
        "demand": _text_errors(errors, "demand", data.demand, limit=DEMAND_MAX),
        "place": _text_errors(errors, "place", data.place, limit=SHORT_TEXT_MAX),
        "product": _text_errors(errors, "product", data.product, limit=100),
        "people_involved": _text_errors(
            errors, "people_involved", data.people_involved, limit=SHORT_TEXT_MAX
        ),
    }
    if data.channel not in Channel.values:
        errors["channel"] = [_("未知的渠道，可选：%(choices)s") % {"choices": ", ".join(Channel.values)}]
    if data.perceived_severity not in PerceivedSeverity.values:
        errors["perceived_severity"] = [
            _("可选：%(choices)s") % {"choices": ", ".join(PerceivedSeverity.values)}
        ]
    if data.occurred_at is not None:
        if data.occurred_at.tzinfo is None:
            errors["occurred_at"] = [_("请带上时区，例如 2026-11-22T20:00:00+08:00")]
        elif data.occurred_at > at + FUTURE_TOLERANCE:
            errors["occurred_at"] = [_("发生时间不能晚于现在")]
    if data.received_at is not None:
        if data.received_at.tzinfo is None:
            errors["received_at"] = [_("请带上时区，例如 2026-11-22T20:00:00+08:00")]
        elif data.received_at > at + FUTURE_TOLERANCE:
            errors["received_at"] = [_("收到时间不能晚于现在")]
        elif (
            data.occurred_at is not None
            and data.occurred_at.tzinfo is not None
            and data.received_at < data.occurred_at
        ):
            errors["received_at"] = [_("收到时间不能早于发生时间")]
    customer_clean, customer_errors = customer_fields_validate(
        name=data.customer.name,
        phone=data.customer.phone,
        email=data.customer.email,
        account_no=data.customer.account_no,
        wechat_openid=data.customer.wechat_openid,
        preferred_channel=data.customer.preferred_channel,
    )
    errors.update(customer_errors)
    values.update(_recorder_validate(data=data, actor=actor, errors=errors))

    unit = None
    if data.org_unit_code:
        unit = orgunit_active_by_code(data.org_unit_code)
        if unit is None or not unit_visible_to(actor, unit):
            errors["org_unit"] = [_("未知的机构编码：%(code)s") % {"code": data.org_unit_code}]
    elif actor.org_unit_id is None:
        errors["org_unit"] = [_("请指定受理机构")]
    else:
        unit = actor.org_unit
    category = None
    if data.category_code:
        category = Category.objects.filter(code=data.category_code, is_active=True).first()
        if category is None:
            errors["category"] = [_("未知的类别编码：%(code)s") % {"code": data.category_code}]
    if errors:
        raise InvalidInput(errors)
    return values, customer_clean, unit, category


def details_vouched_by(actor) -> bool:
    """Whether customer details taken in by `actor` may change a known customer's record: only when a
    member of staff took them down. Channel accounts (web form, e-mail, WeChat) and integrations (API
    clients) pass on what anyone typed; those details stay on the complaint."""
    return actor.role != Role.API_CLIENT


def complaint_create(*, data: IntakeData, actor) -> Complaint:
    """Intake: validate everything first, then store the case, its customer, deadlines and the
    first timeline event in one transaction. Nothing is written when anything is wrong."""
    if not actor.has_perm("complaints.add_complaint"):
        raise PermissionDenied(_("您没有登记投诉的权限"))
    at = now()
    values, customer_clean, unit, category = _intake_validate(data=data, actor=actor, at=at)
    # Outside a transaction the number is taken in a tiny transaction of its own (see numbering).
    number = None if connection.in_atomic_block else case_number_allocate(at=at)
    # No savepoint inside a caller's transaction (two statements on every intake): a failure here fails
    # the caller's whole unit of work; a caller that goes on after one wraps the call in its own atomic().
    with transaction.atomic(savepoint=False):
        customer = customer_match_or_create(
            clean=customer_clean, language=data.language, verified=details_vouched_by(actor)
        )
        complaint = Complaint(
            number=number or case_number_allocate(at=at),
            org_unit=unit,
            customer=customer,
            channel=data.channel,
            contact_name=customer_clean["name"],
            contact_phone=customer_clean["phone"],
            contact_email=customer_clean["email"],
            contact_wechat_openid=customer_clean["wechat_openid"],
            contact_channel=customer_clean["preferred_channel"],
            language=data.language,
            occurred_at=data.occurred_at,
            perceived_severity=data.perceived_severity,
            category=category,
            created_by=actor,
            status=Status.NEW,
            is_open=True,
            created_at=at,
            # Within the tolerance a clock a little ahead of ours is "now", never a receipt in the future.
            received_at=min(data.received_at, at) if data.received_at is not None else at,
            updated_at=at,
            **values,
        )
        clocks = case_clocks()
        plan = clocks.refresh(complaint=complaint, at=at)
        fastsql.insert_instance(
            complaint
        )  # complaint.save(force_insert=True), written out: every intake runs it
        # Deadlines were computed before the row existed; their timer rows can only follow the insert.
        clocks.created(complaint=complaint, at=at, plan=plan)
        created = event_record(
            complaint=complaint,
            actor=actor,
            kind=EventKind.CREATED,
            at=at,
            new=Status.NEW,
            reason=_intake_reason(complaint),
        )
    complaint.created_event = created  # the whole timeline of the new case, for whoever presents it next
    return complaint


def _intake_reason(complaint: Complaint) -> str:
    reason = _("通过%(channel)s登记") % {"channel": complaint.get_channel_display()}
    recorder = complaint.recorded_by
    who = complaint.recorded_by_name or (
        " ".join(p for p in (recorder.display_name or recorder.username, recorder.employee_no) if p)
        if recorder
        else ""
    )
    if who:
        reason += _("（记录人：%(who)s）") % {"who": who}
    if complaint.created_at - complaint.received_at >= RECEIVED_EARLIER_SHOWN:
        reason += _("；实际收到时间：%(at)s") % {
            "at": complaint.received_at.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M")
        }
    return reason


# Other apps' conditions on a change of status, e.g. dispatch: a case waits for its open work orders before
# it is resolved. guard(*, complaint, target, actor) raises a DomainError (InvalidInput) to refuse.
TransitionGuard = Callable[..., None]
_TRANSITION_GUARDS: list[TransitionGuard] = []


def transition_guard_register(guard: TransitionGuard) -> None:
    """Called from an AppConfig.ready(); guards run inside complaint_transition, before anything is written."""
    if guard not in _TRANSITION_GUARDS:
        _TRANSITION_GUARDS.append(guard)


# Other apps' reactions to a change of status, in the same transaction, once the case is saved, e.g.
# surveys: a resolved case gets its follow-up (回访) due. hook(*, complaint, old_status, actor, at).
TransitionHook = Callable[..., None]
_TRANSITION_HOOKS: list[TransitionHook] = []


def transition_hook_register(hook: TransitionHook) -> None:
    """Called from an AppConfig.ready(); a hook that raises rolls the whole transition back."""
    if hook not in _TRANSITION_HOOKS:
        _TRANSITION_HOOKS.append(hook)


def _illegal(error: IllegalTransition, target: str) -> InvalidInput:
    allowed = "、".join(f"{s.label}({s.value})" for s in error.allowed) or _("无（终止状态）")
    return InvalidInput(
        {
            "to": [
                _("当前状态为“%(current)s”(%(value)s)，不能转为 %(target)s；允许：%(allowed)s")
                % {
                    "current": error.current.label,
                    "value": error.current.value,
                    "target": target,
                    "allowed": allowed,
                }
            ]
        },
        message=_("不允许的状态变更"),
    )


def _transition_apply(*, complaint: Complaint, actor, target: Status, reason: str, at: dt.datetime) -> None:
    try:
        rule = states.check_transition(complaint.status, target)
    except IllegalTransition as error:
        raise _illegal(error, target) from None
    if not actor.has_perm(f"complaints.{rule.permission}"):
        raise PermissionDenied(_("您没有权限把投诉转为“%(target)s”") % {"target": Status(target).label})
    if rule.reason_required and not reason.strip():
        raise InvalidInput({"reason": [_("转为“%(target)s”需要填写原因") % {"target": Status(target).label}]})
    for guard in _TRANSITION_GUARDS:
        guard(complaint=complaint, target=target, actor=actor)

    old_status = complaint.status
    leaving_pause = complaint.sla_paused_at is not None
    complaint.status = target
    complaint.is_open = states.is_open(target)
    setattr(complaint, rule.stamp, at)
    if target == Status.ACCEPTED or (old_status == Status.NEW and target == Status.ESCALATED):
        # Acceptance is the first human response, and it tells the customer the case is taken. Sending a
        # new case straight up takes it too; the level's own acknowledge clock then covers the customer.
        complaint.first_responded_at = complaint.first_responded_at or at
        complaint.acknowledged_at = complaint.acknowledged_at or at
        if complaint.assignee_id is None and actor.has_perm("complaints.handle_complaint"):
            complaint.assignee = actor
    if leaving_pause:
        case_clocks().resume(complaint=complaint, at=at)
    if target == Status.AWAITING_CUSTOMER:
        case_clocks().pause(complaint=complaint, at=at)
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.TRANSITION,
        at=at,
        field="status",
        old=old_status,
        new=target,
        reason=reason,
    )


# A target status whose meaning a higher app owns: moving there is that app's service, not a status
# change alone, e.g. "escalated" runs escalation's ladder (level, holder, level clocks, the customer
# told). route(*, number, actor, reason) -> Complaint; the owner itself moves the status with
# complaint_status_change. Filled in an AppConfig.ready().
TransitionRoute = Callable[..., Complaint]
_TRANSITION_ROUTES: dict[str, TransitionRoute] = {}


def transition_route_register(*, target: str, route: TransitionRoute) -> None:
    _TRANSITION_ROUTES[Status(target).value] = route


@transaction.atomic
def complaint_transition(*, number: str, actor, to: str, reason: str = "") -> Complaint:
    """Move a case through the lifecycle: table, permission, per-stage stamp, clocks, timeline. A target
    that an app owns (`transition_route_register`) goes through that app's service."""
    route = _TRANSITION_ROUTES.get(to)
    if route is None:
        return complaint_status_change(number=number, actor=actor, to=to, reason=reason)
    complaint = access_complaint(user=actor, number=number, for_update=True)
    try:
        states.check_transition(complaint.status, to)
    except IllegalTransition as error:
        raise _illegal(error, to) from None
    return route(number=number, actor=actor, reason=reason or "")


def _columns(complaint: Complaint) -> dict:
    """The case's column values as loaded, to tell afterwards which ones a step changed."""
    fields = Complaint._meta.concrete_fields
    return {f.attname: getattr(complaint, f.attname) for f in fields if not f.primary_key}


def _save_changed(complaint: Complaint, columns: dict) -> None:
    """Write the columns this step changed (status, stamps, deadlines … whatever the transition, the
    clocks and the analysis set), never the others: a stale copy must not undo another writer's column."""
    changed = [name for name, value in columns.items() if getattr(complaint, name) != value]
    complaint.save(update_fields=changed or ["updated_at"])


@transaction.atomic
def complaint_status_change(*, number: str, actor, to: str, reason: str = "") -> Complaint:
    """The status step itself. Everyone calls `complaint_transition`; only the app a target is routed to
    (`transition_route_register`) calls this, from inside its own service."""
    complaint = access_complaint(user=actor, number=number, for_update=True)
    at = now()
    if to not in Status.values:
        raise InvalidInput({"to": [_("未知的状态：%(to)s") % {"to": to}]})
    columns = _columns(complaint)
    before = _deadline_snapshot(complaint)
    old_status = complaint.status
    _transition_apply(complaint=complaint, actor=actor, target=Status(to), reason=reason or "", at=at)
    case_clocks().refresh(complaint=complaint, at=at)
    events_record_changes(
        complaint=complaint,
        actor=actor,
        at=at,
        before=before,
        kind=EventKind.DEADLINES,
        reason=_("状态变更后重算时限"),
    )
    complaint.updated_at = at
    _save_changed(complaint, columns)
    for hook in _TRANSITION_HOOKS:
        hook(complaint=complaint, old_status=old_status, actor=actor, at=at)
    return complaint


ANALYSIS_FIELDS = (
    "category",
    "complexity",
    "severity",
    "priority",
    "is_batch",
    "reputation_risk",
    "responsibility",
    "root_cause",
    "impact",
    "amount_at_stake",
)
_DEADLINE_FIELDS = (
    "first_response_due_at",
    "acknowledge_due_at",
    "resolution_due_at",
    "deadline_provisional",
    "due_at",
)


def _deadline_snapshot(complaint: Complaint) -> dict:
    return {name: getattr(complaint, name) for name in _DEADLINE_FIELDS}


def _analysis_clean(changes: dict) -> dict:
    errors: dict[str, list[str]] = {}
    clean = {}
    choices = {"complexity": Complexity, "severity": Severity, "responsibility": Responsibility}
    for name, value in changes.items():
        if name not in ANALYSIS_FIELDS:
            errors[name] = [_("此字段不能在分析中修改")]
        elif name in choices:
            if value not in choices[name].values:
                errors[name] = [_("可选：%(choices)s") % {"choices": ", ".join(choices[name].values)}]
            clean[name] = value
        elif name == "priority":
            if value not in Priority.values:
                errors[name] = [_("优先级为 1（紧急）到 4（低）")]
            clean[name] = value
        elif name == "category":
            category = Category.objects.filter(code=value, is_active=True).first() if value else None
            if value and category is None:
                errors[name] = [_("未知的类别编码：%(code)s") % {"code": value}]
            clean[name] = category
        elif name in {"is_batch", "reputation_risk"}:
            if not isinstance(value, bool):
                errors[name] = [_("应为 true 或 false")]
            clean[name] = value
        elif name == "amount_at_stake":
            try:
                clean[name] = None if value in (None, "") else Decimal(str(value))
                if clean[name] is not None and clean[name] < 0:
                    errors[name] = [_("金额不能为负数")]
            except ArithmeticError:
                errors[name] = [_("应为金额数字")]
        else:
            clean[name] = _text_errors(
                errors, name, value if isinstance(value, str) else "", limit=DEMAND_MAX
            )
    if errors:
        raise InvalidInput(errors)
    return clean


@transaction.atomic
def complaint_analyse(*, number: str, actor, changes: dict, reason: str = "") -> Complaint:
    """Record the analysis (category, complexity, severity …); deadlines follow severity and complexity."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    if not complaint.is_open:
        raise InvalidInput({"status": [_("投诉已结束，不能再修改分析结果")]})
    clean = _analysis_clean(changes)
    at = now()
    columns = _columns(complaint)
    before = {name: getattr(complaint, name) for name in clean}
    deadlines_before = _deadline_snapshot(complaint)
    for name, value in clean.items():
        setattr(complaint, name, value)
    case_clocks().refresh(complaint=complaint, at=at)
    events_record_changes(complaint=complaint, actor=actor, at=at, before=before, reason=reason)
    events_record_changes(
        complaint=complaint,
        actor=actor,
        at=at,
        before=deadlines_before,
        kind=EventKind.DEADLINES,
        reason=_("分析结果变更后重算时限"),
    )
    complaint.updated_at = at
    _save_changed(complaint, columns)
    return complaint


@transaction.atomic
def complaint_assign(*, number: str, actor, assignee, reason: str = "") -> Complaint:
    complaint = access_complaint(user=actor, number=number, permission="assign_complaint", for_update=True)
    if assignee is not None and not complaints_visible_to(assignee).filter(pk=complaint.pk).exists():
        raise InvalidInput({"assignee": [_("该用户看不到这张投诉单，不能分派给他")]})
    at = now()
    before = {"assignee": complaint.assignee}
    complaint.assignee = assignee
    events_record_changes(
        complaint=complaint, actor=actor, at=at, before=before, kind=EventKind.ASSIGNED, reason=reason
    )
    complaint.updated_at = at
    complaint.save(update_fields=["assignee", "updated_at"])
    return complaint


MESSAGE_MAX = DESCRIPTION_MAX


@transaction.atomic
def complaint_add_note(*, number: str, actor, text: str) -> ComplaintEvent:
    """An internal note on the timeline (never shown to the customer)."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint")
    errors: dict[str, list[str]] = {}
    text = _text_errors(errors, "text", text, limit=DEMAND_MAX, required=True)
    if errors:
        raise InvalidInput(errors)
    return event_record(complaint=complaint, actor=actor, kind=EventKind.NOTE, at=now(), new=text)


@transaction.atomic
def complaint_add_customer_message(*, number: str, actor, text: str, channel: str) -> ComplaintEvent:
    """What the customer said after intake, on any channel, as a timeline event (`field` = channel).
    Kept on closed cases too: nothing a customer says is lost; reopening is a decision for people."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint")
    errors: dict[str, list[str]] = {}
    text = _text_errors(errors, "text", text, limit=MESSAGE_MAX, required=True)
    if channel not in Channel.values:
        errors["channel"] = [_("未知的渠道，可选：%(choices)s") % {"choices": ", ".join(Channel.values)}]
    if errors:
        raise InvalidInput(errors)
    at = now()
    event = event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.CUSTOMER_MESSAGE,
        at=at,
        field=channel,
        new=text,
        reason=_("客户通过%(channel)s留言") % {"channel": Channel(channel).label},
    )
    Complaint.objects.filter(pk=complaint.pk).update(updated_at=at)
    return event


# --- the customer's record: changed by staff only, with a reason, on the timeline ---------------------------

CUSTOMER_RECORD_FIELDS = ("name", "phone", "email", "account_no", "wechat_openid")
REASON_MAX = 1_000


def _record_value_shown(field: str, value: str) -> str:
    """What the timeline keeps of a contact detail: masked, as most roles see it."""
    if not value:
        return ""
    if field == "phone":
        return mask_phone(value)
    if field == "email":
        return mask_email(value)
    if field in ("account_no", "wechat_openid"):
        return mask_text(value, keep=2)
    return value


def _customer_record_clean(changes: dict[str, str | None]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Normalised values of the fields asked to change (None: leave as is) and the problems found."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for name, value in changes.items():
        if value is None:
            continue
        value = value.strip()
        key = f"customer.{name}"
        if name == "name":
            if not value:
                errors[key] = [_("请填写客户姓名或称呼")]
            elif len(value) > 100:
                errors[key] = [too_long_message(limit=100, length=len(value))]
        elif name == "phone" and value:
            try:
                value = phone_normalise(value)
            except ValueError as error:
                errors[key] = [str(error)]
        elif name == "email" and value:
            value = value.lower()
            try:
                validate_email(value)
            except ValidationError:
                errors[key] = [_("邮箱地址格式不正确")]
        elif len(value) > 64:
            errors[key] = [too_long_message(limit=64, length=len(value))]
        clean[name] = value
    return clean, errors


@transaction.atomic
def customer_record_update(
    *,
    number: str,
    actor,
    reason: str,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    account_no: str | None = None,
    wechat_openid: str | None = None,
) -> Customer:
    """Staff change the record of the customer of case `number` — typically to adopt a detail the
    customer gave with this case on an unverified channel, after checking it with them. Fields left None
    stay; "" clears one. Every change is a timeline event on the case with the reason (values masked).
    A detail that belongs to another customer's record is refused: that is a merge (customer_merge)."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    errors: dict[str, list[str]] = {}
    reason = _text_errors(errors, "reason", reason, limit=REASON_MAX, required=True)
    clean, field_errors = _customer_record_clean(
        {
            "name": name,
            "phone": phone,
            "email": email,
            "account_no": account_no,
            "wechat_openid": wechat_openid,
        }
    )
    errors.update(field_errors)
    if errors:
        raise InvalidInput(errors)
    customer = Customer.objects.select_for_update().get(pk=complaint.customer_id)
    changed = {f: v for f, v in clean.items() if getattr(customer, f) != v}
    for field_name in ("phone", "email", "account_no", "wechat_openid"):
        value = changed.get(field_name)
        if value and Customer.objects.filter(**{field_name: value}).exclude(pk=customer.pk).exists():
            errors[f"customer.{field_name}"] = [
                _("这项信息已在另一位客户的档案中；若是同一个人，请合并客户档案")
            ]
    after = {f: changed.get(f, getattr(customer, f)) for f in ("phone", "email", "wechat_openid")}
    if not any(after.values()):
        errors["customer.phone"] = [_("请至少留下一种联系方式：电话、邮箱或微信")]
    if errors:
        raise InvalidInput(errors)
    if not changed:
        return customer
    at = now()
    for field_name, value in changed.items():
        event_record(
            complaint=complaint,
            actor=actor,
            kind=EventKind.CUSTOMER_UPDATED,
            at=at,
            field=field_name,
            old=_record_value_shown(field_name, getattr(customer, field_name)),
            new=_record_value_shown(field_name, value),
            reason=reason,
        )
        setattr(customer, field_name, value)
    if "name" in changed:
        customer.title = title_from_name(customer.name)
    customer.save(update_fields=[*changed, *(["title"] if "name" in changed else [])])
    return customer


CUSTOMER_MERGE_CASES_MAX = 500


@transaction.atomic
def customer_merge(*, number: str, actor, duplicate_number: str, reason: str) -> Customer:
    """The customer of case `duplicate_number` is the same person as the customer of case `number`
    (checked by staff, the reason says how): every case of the duplicate record moves to the kept one,
    details the kept record lacks are taken over, and the duplicate record is removed. Each moved case
    and case `number` get a timeline event. The actor must be able to see every case that moves."""
    errors: dict[str, list[str]] = {}
    reason = _text_errors(errors, "reason", reason, limit=REASON_MAX, required=True)
    if errors:
        raise InvalidInput(errors)
    kept_case = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    duplicate_case = access_complaint(
        user=actor, number=duplicate_number, permission="handle_complaint", for_update=True
    )
    if kept_case.customer_id == duplicate_case.customer_id:
        raise InvalidInput({"duplicate_number": [_("两件投诉已属于同一位客户")]})
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update()
        .filter(pk__in=(kept_case.customer_id, duplicate_case.customer_id))
        .order_by("pk")
    }
    kept, duplicate = locked[kept_case.customer_id], locked[duplicate_case.customer_id]
    moving = Complaint.objects.filter(customer=duplicate).order_by("id")
    total = moving.count()
    visible = complaints_visible_to(actor).filter(customer=duplicate).count()
    if visible < total:
        raise PermissionDenied(
            _("这位客户还有 %(n)d 件投诉在您无权查看的机构，请由可查看全部机构的人员合并")
            % {"n": total - visible}
        )
    if total > CUSTOMER_MERGE_CASES_MAX:
        raise InvalidInput(
            {
                "duplicate_number": [
                    _("该客户档案下的投诉超过 %(n)d 件，请联系管理员合并") % {"n": CUSTOMER_MERGE_CASES_MAX}
                ]
            }
        )
    at = now()
    taken = [
        f
        for f in ("phone", "email", "account_no", "wechat_openid")
        if getattr(duplicate, f) and not getattr(kept, f)
    ]
    moved = list(moving.select_for_update())
    for complaint in moved:
        event_record(
            complaint=complaint,
            actor=actor,
            kind=EventKind.CUSTOMERS_MERGED,
            at=at,
            field="customer",
            old=duplicate.name,
            new=kept.name,
            reason=reason,
        )
    event_record(
        complaint=kept_case,
        actor=actor,
        kind=EventKind.CUSTOMERS_MERGED,
        at=at,
        field="customer",
        old=duplicate.name,
        new=kept.name,
        reason=_("%(reason)s（并入 %(n)d 件投诉，含 %(number)s）")
        % {"reason": reason, "n": len(moved), "number": duplicate_case.number},
    )
    Complaint.objects.filter(pk__in=[c.pk for c in moved]).update(customer=kept, updated_at=at)
    values = {f: getattr(duplicate, f) for f in taken}
    duplicate.delete()  # its unique-ish details must be free before the kept record takes them
    for field_name, value in values.items():
        setattr(kept, field_name, value)
    if taken:
        kept.save(update_fields=taken)
    return kept
