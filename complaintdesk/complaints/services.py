"""Writes to complaints. Each service is one transaction that records the timeline with the actor."""

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils.translation import gettext as _

from complaintdesk.accounts.access import unit_visible_to, units_visible_to
from complaintdesk.accounts.models import Role, User, system_user_kind
from complaintdesk.common import fastsql
from complaintdesk.common.errors import InvalidInput, PermissionDenied
from complaintdesk.common.masking import mask_email, mask_phone, mask_text
from complaintdesk.common.time import local_zone, now
from complaintdesk.common.validation import choice_values, validated
from complaintdesk.orgs.models import OrgUnit
from complaintdesk.orgs.selectors import orgunit_active_by_code

from . import states
from .access import access_complaint, complaint_visible_to, complaints_visible_to
from .clocks import case_clocks
from .customers import customer_match_or_create, title_from_name
from .models import Category, Channel, Complaint, ComplaintEvent, Customer, EventKind, PerceivedSeverity
from .numbering import case_number_allocate
from .saves import complaint_save
from .states import ContactKind, IllegalTransition, Status
from .timeline import event_record, events_record_changes
from .validation import ANALYSIS_FIELDS as ANALYSIS_FIELDS
from .validation import DESCRIPTION_MAX as DESCRIPTION_MAX
from .validation import (
    INTAKE_TEXTS,
    REASON_MAX,
    CustomerMessageFields,
    CustomerRecordUpdate,
    IntakeFields,
    NoteFields,
    analysis_checked,
    checked,
    text_validated,
)
from .validation import TITLE_MAX as TITLE_MAX

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
    kind: str = ContactKind.COMPLAINT  # complaint, inquiry, suggestion or praise (states.ContactKind)
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
    # Why the kind is what it is when a channel detected it (channels.kinds), said on the created event.
    kind_note: str = ""


def _intake_validate(
    *, data: IntakeData, actor, at: dt.datetime
) -> tuple[dict, dict, OrgUnit, Category | None]:
    """Everything intake is given, checked before anything is written: the fields (validation.IntakeFields),
    then what needs the database (the recorder, the unit, the category), every error said at once."""
    recorder = data.recorded_by
    fields, errors = checked(
        IntakeFields,
        {
            "at": at,
            **{name: getattr(data, name) for name in INTAKE_TEXTS},
            "channel": data.channel,
            "kind": data.kind,
            "perceived_severity": data.perceived_severity,
            "occurred_at": data.occurred_at,
            "received_at": data.received_at,
            "customer": dataclasses.asdict(data.customer),
            "recorded_by": dataclasses.asdict(recorder) if recorder is not None else None,
        },
    )
    recorded = _recorder_find(recorder=recorder, channel=data.channel, actor=actor, errors=errors)
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
    values = {name: getattr(fields, name) for name in INTAKE_TEXTS} | recorded | {"kind": fields.kind}
    return values, fields.customer.model_dump(), unit, category


def _recorder_find(*, recorder: IntakeRecorder | None, channel: str, actor, errors: dict) -> dict:
    """recorded_by / recorded_by_name of the case. A human actor on an assisted channel recorded it
    themself unless told otherwise; an integration (no unit-bound human) names the agent. A colleague
    named by username or staff number is one the actor may see."""
    if recorder is None or not (recorder.username or recorder.employee_no or recorder.name):
        human = channel in ASSISTED_CHANNELS and actor.role != Role.API_CLIENT
        return {"recorded_by": actor if human else None, "recorded_by_name": ""}
    name = recorder.name.strip() if isinstance(recorder.name, str) else ""
    username = recorder.username.strip() if isinstance(recorder.username, str) else ""
    employee_no = recorder.employee_no.strip() if isinstance(recorder.employee_no, str) else ""
    lookup = {"username": username} if username else ({"employee_no": employee_no} if employee_no else None)
    user = None
    if lookup:
        user = (
            User.objects.filter(is_active=True, org_unit__in=units_visible_to(actor), **lookup)
            .order_by("id")
            .first()
        )
        if user is None:
            errors.setdefault("recorded_by." + next(iter(lookup)), []).append(
                _("在您可见的机构中没有这位员工：%(who)s") % {"who": next(iter(lookup.values()))}
            )
    return {"recorded_by": user, "recorded_by_name": name if user is None else ""}


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
        customer, customer_is_new = customer_match_or_create(
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
            reason=_intake_reason(complaint, kind_note=data.kind_note),
        )
    complaint.created_event = created  # the whole timeline of the new case, for whoever presents it next
    complaint.customer_is_new = customer_is_new  # a first case: no other case of the customer to look up
    return complaint


def _choice_label(choices, value: str) -> str:
    return str(choices(value).label) if value in choice_values(choices) else value


def _intake_reason(complaint: Complaint, *, kind_note: str = "") -> str:
    # The label by value (`get_channel_display` builds a dict of the field's choices at every call).
    reason = _("通过%(channel)s登记") % {"channel": _choice_label(Channel, complaint.channel)}
    if complaint.kind != ContactKind.COMPLAINT:
        reason += _("（%(kind)s）") % {"kind": _choice_label(ContactKind, complaint.kind)}
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
    if kind_note and complaint.kind != ContactKind.COMPLAINT:
        reason += "；" + kind_note
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
# surveys: a resolved case gets its follow-up (回访) due. hook(*, complaint, old_status, actor, at, reason).
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


def _kind_conditions(*, complaint: Complaint, target: Status) -> None:
    """The light lifecycles' own conditions: a suggestion is with its owner before it is handled; praise is
    credited to someone before it is closed."""
    if (
        complaint.kind == ContactKind.SUGGESTION
        and target == Status.HANDLING
        and complaint.owner_unit_id is None
    ):
        raise InvalidInput({"owner_unit": [_("请先指定负责这条建议的部门")]})
    if (
        complaint.kind == ContactKind.PRAISE
        and target == Status.CLOSED
        and complaint.credited_user_id is None
        and complaint.credited_unit_id is None
    ):
        raise InvalidInput({"credited": [_("请先登记受表扬的人员或机构")]})


def _status_step(*, complaint: Complaint, actor, target: Status, reason: str, at: dt.datetime) -> None:
    try:
        rule = states.check_transition(complaint.status, target, complaint.kind)
    except IllegalTransition as error:
        raise _illegal(error, target) from None
    if not actor.has_perm(f"complaints.{rule.permission}"):
        raise PermissionDenied(_("您没有权限把投诉转为“%(target)s”") % {"target": Status(target).label})
    if rule.reason_required and not reason.strip():
        raise InvalidInput(
            {
                "reason": [
                    _("转为“%(target)s”需要填写原因")
                    % {"target": states.status_label(target, complaint.kind)}
                ]
            }
        )
    _kind_conditions(complaint=complaint, target=target)
    for guard in _TRANSITION_GUARDS:
        guard(complaint=complaint, target=target, actor=actor)

    old_status = complaint.status
    leaving_pause = complaint.sla_paused_at is not None
    complaint.status = target
    complaint.is_open = states.is_open(target)
    setattr(complaint, rule.stamp, at)
    light_first_step = (
        complaint.kind != ContactKind.COMPLAINT and old_status == Status.NEW and target != Status.WITHDRAWN
    )
    if (
        target == Status.ACCEPTED
        or (old_status == Status.NEW and target == Status.ESCALATED)
        or light_first_step
    ):
        # Acceptance is the first human response, and it tells the customer the case is taken. Sending a
        # new case straight up takes it too; the level's own acknowledge clock then covers the customer.
        complaint.first_responded_at = complaint.first_responded_at or at
        complaint.acknowledged_at = complaint.acknowledged_at or at
        if complaint.assignee_id is None and actor.has_perm("complaints.handle_complaint"):
            complaint.assignee = actor
    elif (
        target == Status.HANDLING
        and complaint.assignee_id is None
        and system_user_kind(actor.username) is None
        and actor.has_perm("complaints.handle_complaint")
    ):
        # Nobody holds the case (handed on to a unit after it was accepted): whoever starts work on it takes
        # it, as acceptance does — a person, never a system account reopening it (a survey, the ladder). A
        # department's staff assign nothing; this is how they take such a case.
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
# told). route(*, complaint, actor, reason) -> Complaint, given the case loaded and locked; the owner
# itself moves the status with status_change_apply. Filled in an AppConfig.ready().
TransitionRoute = Callable[..., Complaint]
_TRANSITION_ROUTES: dict[str, TransitionRoute] = {}


def transition_route_register(*, target: str, route: TransitionRoute) -> None:
    _TRANSITION_ROUTES[Status(target).value] = route


@transaction.atomic
def complaint_transition(*, number: str, actor, to: str, reason: str = "") -> Complaint:
    """Move case `number` through the lifecycle on behalf of `actor` (loaded, scoped and locked once
    here): table, permission, per-stage stamp, clocks, timeline (`transition_apply`)."""
    complaint = access_complaint(user=actor, number=number, for_update=True)
    return transition_apply(complaint=complaint, actor=actor, to=to, reason=reason)


def transition_apply(*, complaint: Complaint, actor, to: str, reason: str = "") -> Complaint:
    """`complaint_transition` on a case the caller has already loaded through access_complaint and
    locked. A target that an app owns (`transition_route_register`) goes through that app's service."""
    route = _TRANSITION_ROUTES.get(to)
    if route is None:
        return status_change_apply(complaint=complaint, actor=actor, to=to, reason=reason)
    try:
        states.check_transition(complaint.status, to, complaint.kind)
    except IllegalTransition as error:
        raise _illegal(error, to) from None
    return route(complaint=complaint, actor=actor, reason=reason or "")


def _columns(complaint: Complaint) -> dict:
    """The case's column values as loaded, to tell afterwards which ones a step changed."""
    fields = Complaint._meta.concrete_fields
    return {f.attname: getattr(complaint, f.attname) for f in fields if not f.primary_key}


def _save_changed(complaint: Complaint, columns: dict) -> None:
    """Write the columns this step changed (status, stamps, deadlines … whatever the transition, the
    clocks and the analysis set), never the others: a stale copy must not undo another writer's column."""
    changed = [name for name, value in columns.items() if getattr(complaint, name) != value]
    complaint_save(complaint, changed or ["updated_at"])


@transaction.atomic
def complaint_status_change(*, number: str, actor, to: str, reason: str = "") -> Complaint:
    """The status step itself, by number. Everyone calls `complaint_transition`; only the app a target is
    routed to (`transition_route_register`) changes the status alone, with `status_change_apply`."""
    complaint = access_complaint(user=actor, number=number, for_update=True)
    return status_change_apply(complaint=complaint, actor=actor, to=to, reason=reason)


def status_change_apply(*, complaint: Complaint, actor, to: str, reason: str = "") -> Complaint:
    """The status step on a case the caller has loaded and locked: table, the rule's permission, guards,
    stamp, pause, deadlines, timeline, hooks. Changes `complaint` in place and returns it."""
    at = now()
    if to not in Status.values:
        raise InvalidInput({"to": [_("未知的状态：%(to)s") % {"to": to}]})
    columns = _columns(complaint)
    before = _deadline_snapshot(complaint)
    old_status = complaint.status
    _status_step(complaint=complaint, actor=actor, target=Status(to), reason=reason or "", at=at)
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
        hook(complaint=complaint, old_status=old_status, actor=actor, at=at, reason=reason or "")
    return complaint


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
    """The analysis's values (validation.AnalysisFields), the category found by its code."""
    clean, errors = analysis_checked(changes)
    if "category" in changes:
        code = changes["category"]
        category = Category.objects.filter(code=code, is_active=True).first() if code else None
        if code and category is None:
            errors["category"] = [_("未知的类别编码：%(code)s") % {"code": code}]
        clean["category"] = category
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
    _deadlines_recorded_and_saved(
        complaint=complaint, actor=actor, at=at, before=deadlines_before, columns=columns,
        reason=_("分析结果变更后重算时限"),
    )  # fmt: skip
    return complaint


def _deadlines_recorded_and_saved(
    *, complaint: Complaint, actor, at, before: dict, columns: list[str], reason: str
) -> None:
    """After the clocks were refreshed: one timeline event per moved deadline (`before`: the snapshot taken
    before the change), then the changed columns saved."""
    events_record_changes(
        complaint=complaint, actor=actor, at=at, before=before, kind=EventKind.DEADLINES, reason=reason
    )
    complaint.updated_at = at
    _save_changed(complaint, columns)


@transaction.atomic
def complaint_assign(*, number: str, actor, assignee, reason: str = "") -> Complaint:
    """Give case `number` to `assignee` (None: back to the unit's queue); `actor` needs the assign
    permission."""
    complaint = access_complaint(user=actor, number=number, permission="assign_complaint", for_update=True)
    return assign_apply(complaint=complaint, actor=actor, assignee=assignee, reason=reason)


def assign_apply(*, complaint: Complaint, actor, assignee, reason: str = "") -> Complaint:
    """`complaint_assign` on a case the caller has loaded and locked: the assignee must be able to see it."""
    if assignee is not None and not complaint_visible_to(assignee, complaint):
        raise InvalidInput({"assignee": [_("该用户看不到这张投诉单，不能分派给他")]})
    at = now()
    before = {"assignee": complaint.assignee}
    complaint.assignee = assignee
    events_record_changes(
        complaint=complaint, actor=actor, at=at, before=before, kind=EventKind.ASSIGNED, reason=reason
    )
    complaint.updated_at = at
    complaint_save(complaint, ["assignee", "updated_at"])
    return complaint


@transaction.atomic
def complaint_add_note(*, number: str, actor, text: str) -> ComplaintEvent:
    """An internal note on the timeline (never shown to the customer)."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint")
    text = validated(NoteFields, {"text": text}).text
    return event_record(complaint=complaint, actor=actor, kind=EventKind.NOTE, at=now(), new=text)


@transaction.atomic
def complaint_add_customer_message(*, number: str, actor, text: str, channel: str) -> ComplaintEvent:
    """What the customer said after intake, on any channel, as a timeline event (`field` = channel).
    Kept on closed cases too: nothing a customer says is lost; reopening is a decision for people."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint")
    message = validated(CustomerMessageFields, {"text": text, "channel": channel})
    text, channel = message.text, message.channel
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
    update = validated(
        CustomerRecordUpdate,
        {
            "reason": reason,
            "customer": {
                "name": name,
                "phone": phone,
                "email": email,
                "account_no": account_no,
                "wechat_openid": wechat_openid,
            },
        },
    )
    reason, clean = update.reason, update.customer.model_dump(exclude_none=True)
    errors: dict[str, list[str]] = {}
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
    reason = text_validated(reason, field="reason", limit=REASON_MAX, required=True)
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
