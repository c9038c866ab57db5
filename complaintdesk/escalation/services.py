"""Writes for escalation: apply the engine's steps to a case, atomically and audited.

Every move between levels, in one transaction: the case's escalation row (level, holder, clocks),
an `EscalationHandOff` row (from whom, to whom, why, when, new deadlines), the status through
`complaints.services.transition_apply`, the assignee through `assign_apply` (both given the case
loaded and locked once, where this app's service begins), the level clocks as timer rows
(`sla.services`), and the timeline. Notifications go out after the commit through the seams in
`notify.py`.

On the timeline a level change is an `escalated` or `de_escalated` event with field `escalation_level`
(old and new level), followed by `deadlines` events for `level_acknowledge_due_at` /
`level_resolve_due_at`; an objection is first an `objection` event with the customer's own words; an
external referral is an `external_referral` event (field `external_referral`, then
`external_referral_outcome`).
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import nullcontext

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from pydantic import BaseModel

from complaintdesk.accounts.models import SystemUser, User
from complaintdesk.accounts.system import system_user
from complaintdesk.common import fastsql
from complaintdesk.common.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.common.time import now
from complaintdesk.common.validation import validated
from complaintdesk.complaints import states
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.services import assign_apply, status_change_apply, transition_apply
from complaintdesk.complaints.states import Status
from complaintdesk.complaints.timeline import event_record
from complaintdesk.complaints.validation import DateOrNone, choice, text, text_validated
from complaintdesk.sla.models import TimerKind
from complaintdesk.sla.selectors import sla_policy_for, unit_calendar
from complaintdesk.sla.services import complaint_deadlines_apply
from complaintdesk.sla.timers import WARNING, batch_row_keep, pass_cached, pass_values

from . import bursts, engine, notify
from .clocks import level_clock_points, level_of_subject
from .models import (
    CaseEscalation,
    EscalationHandOff,
    ExternalReferral,
    HandOffDirection,
    HandOffTrigger,
    ReferralBody,
    ReferralOutcome,
)
from .selectors import (
    Holder,
    case_escalation_for,
    case_escalation_kept,
    holder_taken,
    ladder_rules_for,
    level_holder_find,
    users_to_notify,
)

logger = logging.getLogger(__name__)

REASON_MAX = 5_000

HANDLED_TIMER_KINDS = (
    TimerKind.FIRST_RESPONSE,
    TimerKind.ACKNOWLEDGE,
    TimerKind.RESOLUTION,
    TimerKind.LEVEL_ACKNOWLEDGE,
    TimerKind.LEVEL_RESOLVE,
    TimerKind.ESCALATION_FLAG,
)
LEVEL_KINDS = frozenset({TimerKind.LEVEL_ACKNOWLEDGE, TimerKind.LEVEL_RESOLVE})


# --- facts for the engine ----------------------------------------------------------------------------------


def _case_facts(complaint: Complaint, state: CaseEscalation | None) -> engine.CaseFacts:
    return engine.CaseFacts(
        level=state.level_position if state else 0,
        is_open=complaint.is_open,
        reputation_risk=complaint.reputation_risk,
        is_batch=complaint.is_batch,
        reputation_risk_handled=bool(state and state.reputation_risk_handled_at),
        batch_handled=bool(state and state.batch_handled_at),
    )


def _state_for_update(complaint: Complaint, at: dt.datetime, *, saved: bool = True) -> CaseEscalation:
    """The case's escalation row, locked; a new one when it has none (unsaved with `saved=False`: the
    caller fills it and inserts it with one statement)."""
    state = case_escalation_for(complaint_id=complaint.pk, for_update=True)
    if state is None:
        state = CaseEscalation(complaint=complaint, updated_at=at)
        if saved:
            state.save()
        case_escalation_kept(state)
    return state


# In the worker's SLA batch, a case's new escalation row and its hand-off are written with the batch's
# others, in one INSERT each at the batch's end (sla.timers.batch_row_keep; registered in apps.py). The
# instance is the one the case's later steps read and change (case_escalation_for): it is written as it
# is then. Its `pk` is set when it is written.
STATE_ROWS_KEY = "escalation.case_escalation"
HAND_OFF_ROWS_KEY = "escalation.hand_off"


def _kept_for_batch_end(row, *, key: str) -> bool:
    if batch_row_keep(complaint_id=row.complaint_id, key=key, row=row):
        row._batch_kept = True
        return True
    return False


def _state_save(state: CaseEscalation, *, update_fields: list[str]) -> None:
    """Save these fields of the case's escalation row, unless the row is kept for the batch's end (it is
    then written with every field as it is at that point)."""
    if state.pk is None and getattr(state, "_batch_kept", False):
        return
    state.save(update_fields=update_fields)


def batch_states_write(rows: list[CaseEscalation]) -> None:
    """The escalation rows an SLA batch's cases created, in one INSERT (sla.timers.batch_rows_flush_register)."""
    fastsql.insert_instances(rows, ids=False)  # nobody reads their ids in the batch


def batch_hand_offs_write(rows: list[EscalationHandOff]) -> None:
    """The hand-offs an SLA batch's cases wrote, in one INSERT (their holders' notices are decided after,
    at the batch's end: bursts.batch_notices_decide)."""
    fastsql.insert_instances(rows)


def _clock_label(clock: str) -> str:
    return TimerKind(clock).label if clock in TimerKind.values else clock


def _why(*, trigger: str, reason: str = "", clock: str = "") -> str:
    text = str(HandOffTrigger(trigger).label)
    if clock:
        text += _("（%(clock)s）") % {"clock": _clock_label(clock)}
    if reason:
        text += _("：%(reason)s") % {"reason": reason}
    return text


def _clean_text(value: str, *, field: str, required: bool = True) -> str:
    return text_validated(value, field=field, limit=REASON_MAX, required=required)


def _body_message() -> str:
    return _("可选：%(choices)s") % {"choices": ", ".join(ReferralBody.values)}


def _outcome_message() -> str:
    return _("可选：%(choices)s") % {"choices": ", ".join(ReferralOutcome.values[1:])}


class ReferralFields(BaseModel):
    """An outside body's referral as recorded (external_referral_open)."""

    body: choice(lambda: ReferralBody.values, _body_message)
    body_name: text(200) = ""
    reference_no: text(100) = ""
    referred_on: DateOrNone = None
    response_due_on: DateOrNone = None
    note: text(REASON_MAX) = ""


class ReferralOutcomeFields(BaseModel):
    """What the outside body decided (external_referral_outcome_record); a reopening says why."""

    outcome: choice(lambda: ReferralOutcome.values[1:], _outcome_message)
    outcome_on: DateOrNone = None


REFUSALS = {
    "at_top": lambda: _("投诉已在升级阶梯的最高层级"),
    "not_higher": lambda: _("只能升级到高于当前层级的层级"),
    "no_such_level": lambda: _("升级阶梯中没有这个层级"),
    "at_bottom": lambda: _("投诉已在最低层级，无法退回"),
    "not_lower": lambda: _("只能退回到低于当前层级的层级"),
    "closed": lambda: _("投诉已结束，不能升级"),
    "external": lambda: _("客户向外部机构申诉请登记外部转办，不能直接升级到外部机构"),
}


# --- applying the steps ------------------------------------------------------------------------------------


def _steps_apply(
    *, complaint: Complaint, steps: list, ladder: engine.LadderRules, actor: User | None, at: dt.datetime
) -> list[EscalationHandOff]:
    hand_offs: list[EscalationHandOff] = []
    for step in steps:
        if isinstance(step, engine.Refused):
            raise InvalidInput({"level": [REFUSALS[step.code]()]}, message=_("无法升级或退回"))
        if isinstance(step, engine.MarkFlagsHandled):
            state = _state_for_update(complaint, at)
            if step.reputation_risk:
                state.reputation_risk_handled_at = at
            if step.batch:
                state.batch_handled_at = at
            state.updated_at = at
            _state_save(state, update_fields=["reputation_risk_handled_at", "batch_handled_at", "updated_at"])
        elif isinstance(step, engine.Warn):
            _notify_after_commit(
                complaint=complaint, users=[], what="warning", clock=step.clock, due_at=step.due_at
            )
        elif isinstance(step, engine.Notify):
            users = users_to_notify(unit=complaint.org_unit, roles=step.roles)
            _notify_after_commit(
                complaint=complaint, users=users, what=step.what, clock=step.clock, due_at=step.due_at
            )
        elif isinstance(step, engine.Escalate):
            hand_offs.append(
                _move(
                    complaint=complaint,
                    ladder=ladder,
                    to_position=step.to_level,
                    direction=HandOffDirection.UP,
                    trigger=step.trigger,
                    reason=step.reason,
                    clock=step.clock,
                    actor=actor,
                    at=at,
                )
            )
        elif isinstance(step, engine.HandBack):
            hand_offs.append(
                _move(
                    complaint=complaint,
                    ladder=ladder,
                    to_position=step.to_level,
                    direction=HandOffDirection.DOWN,
                    trigger=HandOffTrigger.HAND_BACK,
                    instructions=step.instructions,
                    actor=actor,
                    at=at,
                )
            )
    return hand_offs


def _notify_after_commit(
    *, complaint: Complaint, users: list[User], what: str, clock: str = "", due_at=None
) -> None:
    """The holder (the assignee, or the unit's queue) and `users`, after the commit."""
    ids = [complaint.assignee_id] if complaint.assignee_id else []
    ids += [user.id for user in users if user.id not in ids]
    complaint_id, unit_id = complaint.pk, complaint.org_unit_id
    transaction.on_commit(
        lambda: notify.staff_notified(
            complaint_id=complaint_id, user_ids=ids, unit_id=unit_id, what=what, clock=clock, due_at=due_at
        )
    )


def _previous_holder(*, complaint: Complaint, position: int) -> User | None:
    """Who held `position` before the case went up from it: that person gets it back."""
    hand_off = (
        EscalationHandOff.objects.filter(
            complaint=complaint, from_level_position=position, direction=HandOffDirection.UP
        )
        .select_related("from_user")
        .order_by("-at", "-id")
        .first()
    )
    user = hand_off.from_user if hand_off else None
    return user if user is not None and user.is_active else None


def _holder_for(*, complaint: Complaint, level: engine.LevelRule, direction: str) -> Holder:
    if level.is_external:  # the customer went outside: whoever has the case keeps it and answers the body
        holder = complaint.assignee
        return Holder(user=holder, unit=holder.org_unit if holder else complaint.org_unit, missing=False)
    if direction == HandOffDirection.DOWN:
        previous = _previous_holder(complaint=complaint, position=level.position)
        if previous is not None:
            return Holder(user=previous, unit=previous.org_unit, missing=False)
    return level_holder_find(unit=complaint.org_unit, level=level)


def _status_up(*, complaint: Complaint, actor: User, reason: str) -> bool:
    """Status ESCALATED through the transition table: directly (also from NEW), or via REOPENED from a
    resolved or closed case."""
    if complaint.status == Status.ESCALATED:
        return False
    # status_change_apply, not transition_apply: "escalated" is routed to this app's service.
    allowed = states.allowed_targets(complaint.status, complaint.kind)
    if Status.ESCALATED in allowed:
        status_change_apply(complaint=complaint, actor=actor, to=Status.ESCALATED, reason=reason)
        return True
    if Status.REOPENED in allowed:
        transition_apply(complaint=complaint, actor=actor, to=Status.REOPENED, reason=reason)
        status_change_apply(complaint=complaint, actor=actor, to=Status.ESCALATED, reason=reason)
        return True
    return False


def _system() -> User:
    """The escalation's system account, read once per SLA batch."""
    return pass_cached(("escalation.system_user",), lambda: system_user(SystemUser.ESCALATION))


def _move(
    *,
    complaint: Complaint,
    ladder: engine.LadderRules,
    to_position: int,
    direction: str,
    trigger: str,
    actor: User | None,
    at: dt.datetime,
    reason: str = "",
    instructions: str = "",
    clock: str = "",
) -> EscalationHandOff:
    system = _system()
    actor = actor or system
    level = ladder.level(to_position)
    state = _state_for_update(complaint, at, saved=False)
    from_position = state.level_position
    from_rule = ladder.level(from_position)
    holder = _holder_for(complaint=complaint, level=level, direction=direction)

    acknowledge_required = direction == HandOffDirection.UP and not level.is_external
    acknowledge_points = resolve_points = None
    if not level.is_external:
        acknowledge_points, resolve_points = level_clock_points(
            level=level,
            policy=sla_policy_for(unit=complaint.org_unit, category_id=complaint.category_id),
            complexity=complaint.complexity,
            calendar=unit_calendar(unit=complaint.org_unit),
            started_at=at,
            resolve_from=at,
            acknowledge=acknowledge_required,
        )
    acknowledge_due = acknowledge_points.due_at if acknowledge_points else None
    resolve_due = resolve_points.due_at if resolve_points else None
    provisional = bool(
        (acknowledge_points and acknowledge_points.provisional)
        or (resolve_points and resolve_points.provisional)
    )

    state.ladder_id = ladder.ladder_id
    state.level_position, state.level_code, state.level_name = level.position, level.code, level.name
    state.holder, state.holder_unit, state.holder_missing = holder.user, holder.unit, holder.missing
    state.level_started_at = at
    state.acknowledge_required = acknowledge_required
    state.acknowledge_due_at, state.resolve_due_at, state.deadline_provisional = (
        acknowledge_due,
        resolve_due,
        provisional,
    )
    state.customer_acknowledged_at = None
    state.updated_at = at
    if state.pk is not None or not _kept_for_batch_end(state, key=STATE_ROWS_KEY):
        state.save()
    why = _why(trigger=trigger, reason=reason or instructions, clock=clock)
    hand_off = EscalationHandOff(
        complaint=complaint,
        at=at,
        actor=actor,
        trigger=trigger,
        direction=direction,
        from_level_position=from_position,
        from_level_name=from_rule.name if from_rule else "",
        to_level_position=level.position,
        to_level_name=level.name,
        from_user=complaint.assignee,
        to_user=holder.user,
        to_unit=holder.unit,
        holder_missing=holder.missing,
        reason=reason,
        instructions=instructions,
        acknowledge_due_at=acknowledge_due,
        resolve_due_at=resolve_due,
        deadline_provisional=provisional,
        notice_pending=True,  # the holder's notice: on its own, or in a digest (bursts.py)
    )
    if not _kept_for_batch_end(hand_off, key=HAND_OFF_ROWS_KEY):
        hand_off.save(force_insert=True)

    # Status (and with it the clocks, through sla.services), then the holder.
    moved = False
    if direction == HandOffDirection.UP and not level.is_external:
        moved = _status_up(complaint=complaint, actor=actor, reason=why)
    elif direction == HandOffDirection.DOWN and complaint.status == Status.ESCALATED:
        transition_apply(complaint=complaint, actor=actor, to=Status.HANDLING, reason=why)
        moved = True
    if not moved:
        complaint_deadlines_apply(complaint=complaint, at=at, actor=actor, reason=why)
    if holder.user != complaint.assignee and not level.is_external:
        assign_apply(complaint=complaint, actor=system, assignee=holder.user, reason=why)
        if holder.user is not None:
            holder_taken(user=holder.user)

    kind = EventKind.ESCALATED if direction == HandOffDirection.UP else EventKind.DE_ESCALATED
    event_record(
        complaint=complaint,
        actor=actor,
        kind=kind,
        at=at,
        field="escalation_level",
        old=from_rule.name if from_rule else from_position,
        new=level.name,
        reason=why,
    )
    for field, value in (
        ("level_acknowledge_due_at", acknowledge_due),
        ("level_resolve_due_at", resolve_due),
    ):
        if value is not None:
            event_record(
                complaint=complaint,
                actor=actor,
                kind=EventKind.DEADLINES,
                at=at,
                field=field,
                new=value,
                reason=why,
            )
    _after_move_commit(complaint=complaint, hand_off=hand_off, holder=holder, level=level)
    return hand_off


def _after_move_commit(*, complaint: Complaint, hand_off: EscalationHandOff, holder: Holder, level) -> None:
    """Who is told, written in the move's own transaction (so a worker killed before the commit tells
    nobody, and one killed after it leaves nothing untold): the holder — a notice of their own, or their
    burst digest (`bursts.py`) — and, for a move up, the customer (a message of their own, always)."""
    bursts.holder_notice_queue(hand_off=hand_off)
    if hand_off.direction == HandOffDirection.UP and not level.is_external:
        values = {
            "complaint_id": complaint.pk,
            "hand_off_id": hand_off.pk,
            "level_name": level.name,
            "holder_name": str(holder.user) if holder.user else "",
            "holder_extension": holder.user.extension if holder.user else "",
            "acknowledge_due_at": hand_off.acknowledge_due_at,
            "reason": hand_off.reason,
        }
        # In an SLA batch the message row is kept for the batch's one INSERT (notifications.notification_send):
        # nothing is written here, so no savepoint; a database error fails the case, which is retried.
        in_batch = pass_values() is not None
        try:
            with nullcontext() if in_batch else transaction.atomic():
                notify.customer_told_new_holder(**values, complaint=complaint, level=level)
        except Exception as error:
            if in_batch and isinstance(error, DatabaseError):
                raise  # without its own savepoint the transaction is unusable: the case fails, to be retried
            # The case has moved and its holder sees it; a message that cannot be written is logged.
            logger.exception("escalation: the customer of complaint %s could not be told", complaint.pk)


# --- what the timers call ---------------------------------------------------------------------------------


def escalation_on_timer(*, timer, complaint: Complaint, phase: str, at: dt.datetime) -> None:
    """A timer warned or fired (inside the worker's claim transaction, the complaint row locked)."""
    if not states.runs_complaint_process(complaint.kind):
        return  # the sweep recorded the breach of an inquiry's clock; the ladder is for complaints only
    state = case_escalation_for(complaint_id=complaint.pk, for_update=True)
    ladder = ladder_rules_for(unit=complaint.org_unit)
    if timer.kind == TimerKind.ESCALATION_FLAG:
        trigger = engine.FlagsRaised()
    else:
        level = level_of_subject(timer.subject) if timer.kind in LEVEL_KINDS else 0
        if phase == WARNING:
            trigger = engine.ClockWarning(clock=timer.kind, level=level, due_at=timer.due_at)
        else:
            trigger = engine.ClockBreach(clock=timer.kind, level=level, due_at=timer.due_at)
    steps = engine.decide(case=_case_facts(complaint, state), ladder=ladder, trigger=trigger, now=at)
    _steps_apply(
        complaint=complaint,
        steps=[s for s in steps if not isinstance(s, engine.Refused)],
        ladder=ladder,
        actor=None,
        at=at,
    )


# --- what people do ----------------------------------------------------------------------------------------


def _decide_and_apply(*, complaint: Complaint, trigger, actor: User, at: dt.datetime) -> EscalationHandOff:
    state = case_escalation_for(complaint_id=complaint.pk, for_update=True)
    ladder = ladder_rules_for(unit=complaint.org_unit)
    steps = engine.decide(case=_case_facts(complaint, state), ladder=ladder, trigger=trigger, now=at)
    hand_offs = _steps_apply(complaint=complaint, steps=steps, ladder=ladder, actor=actor, at=at)
    return hand_offs[-1]


@transaction.atomic
def complaint_object(*, number: str, actor: User, reason: str) -> EscalationHandOff:
    """The customer objects to the result (有异议), recorded by an agent: the case goes up one level at
    once, with the customer's reason; the customer is told who holds it now and by when."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    reason = _clean_text(reason, field="reason")
    if complaint.status == Status.WITHDRAWN:
        raise InvalidInput({"status": [_("客户已撤诉，不能登记异议")]})
    at = now()
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.CUSTOMER_OBJECTION,
        at=at,
        field="result",
        new=reason,
        reason=reason,
    )
    return _decide_and_apply(complaint=complaint, trigger=engine.Objection(reason=reason), actor=actor, at=at)


@transaction.atomic
def complaint_escalate(
    *, number: str, actor: User, reason: str, to_level: int | None = None, level_code: str = ""
) -> EscalationHandOff:
    """Escalation by hand, with a reason: one level up, or to a given higher level (its position, or
    its code on the case's ladder)."""
    complaint = access_complaint(user=actor, number=number, permission="escalate_complaint", for_update=True)
    return _escalate(
        complaint=complaint, actor=actor, reason=reason, to_level=to_level, level_code=level_code
    )


def _escalate(
    *, complaint: Complaint, actor: User, reason: str, to_level: int | None = None, level_code: str = ""
) -> EscalationHandOff:
    reason = _clean_text(reason, field="reason")
    if level_code:
        level = next(
            (lv for lv in ladder_rules_for(unit=complaint.org_unit).levels if lv.code == level_code), None
        )
        if level is None:
            raise InvalidInput({"level_code": [REFUSALS["no_such_level"]()]})
        to_level = level.position
    trigger = engine.ManualEscalation(reason=reason, to_level=to_level)
    return _decide_and_apply(complaint=complaint, trigger=trigger, actor=actor, at=now())


def escalation_transition_route(*, complaint: Complaint, actor: User, reason: str) -> Complaint:
    """The lifecycle's "→ escalated" (complaints.services.transition_route_register), given the case the
    transition loaded and locked: one level up the ladder, as `complaint_escalate`. A status change alone
    would leave holder, level and clocks behind."""
    if not actor.has_perm("complaints.escalate_complaint"):
        raise PermissionDenied(_("您没有权限执行此操作"), code="permission_denied")
    _escalate(complaint=complaint, actor=actor, reason=reason)
    return complaint


@transaction.atomic
def complaint_hand_back(
    *, number: str, actor: User, instructions: str, to_level: int | None = None
) -> EscalationHandOff:
    """De-escalation: the level that holds the case hands it back down (one level, or to a given lower
    one) with instructions; the person who held that level gets it back, with a fresh resolve clock."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    instructions = _clean_text(instructions, field="instructions")
    if complaint.assignee_id != actor.pk and not actor.has_perm("complaints.assign_complaint"):
        raise PermissionDenied(_("只有当前承接人或有分派权限的人员可以退回投诉"))
    trigger = engine.HandBackRequest(instructions=instructions, to_level=to_level)
    return _decide_and_apply(complaint=complaint, trigger=trigger, actor=actor, at=now())


def _level_acknowledged_mark(
    *, complaint: Complaint, state: CaseEscalation, actor: User, at: dt.datetime, reason: str
) -> None:
    state.customer_acknowledged_at = at
    state.updated_at = at
    _state_save(state, update_fields=["customer_acknowledged_at", "updated_at"])
    last = (
        EscalationHandOff.objects.filter(complaint=complaint, to_level_position=state.level_position)
        .order_by("-at", "-id")
        .first()
    )
    if last is not None and last.customer_acknowledged_at is None:
        EscalationHandOff.objects.filter(pk=last.pk).update(customer_acknowledged_at=at)
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.DEADLINES,
        at=at,
        field="level_acknowledged_at",
        new=at,
        reason=reason,
    )
    complaint_deadlines_apply(complaint=complaint, at=at, actor=actor, reason=reason)


@transaction.atomic
def escalation_customer_acknowledged(*, number: str, actor: User, note: str = "") -> CaseEscalation:
    """The customer has been told that this level has the case (by the holder, or by the notifier when
    it sends the message): the level's acknowledge deadline is met now."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    note = _clean_text(note, field="note", required=False)
    state = case_escalation_for(complaint_id=complaint.pk, for_update=True)
    if state is None or state.level_started_at is None or not state.acknowledge_required:
        raise InvalidInput({"level": [_("当前层级无需告知客户")]})
    if state.customer_acknowledged_at is not None:
        return state
    reason = _("已告知客户由%(level)s承接") % {"level": state.level_name}
    _level_acknowledged_mark(
        complaint=complaint,
        state=state,
        actor=actor,
        at=now(),
        reason=f"{reason}：{note}" if note else reason,
    )
    return state


@transaction.atomic
def customer_told_delivered(*, notification, at: dt.datetime) -> None:
    """The `escalated` message reached the provider (a notifications delivered hook, registered in
    AppConfig.ready()): the level's acknowledge deadline is met now."""
    escalation_customer_told(
        complaint_id=notification.complaint_id, at=at, sent_after=notification.created_at
    )


def escalation_customer_told(*, complaint_id: int, at: dt.datetime, sent_after: dt.datetime) -> bool:
    """The `escalated` message queued at `sent_after` has gone out: if the case is still at the level
    that message was about (it started no later than the message was queued) and the customer had not
    been told yet, the level's acknowledge deadline is met. False when there was nothing to meet."""
    complaint = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("org_unit")
        .filter(pk=complaint_id)
        .first()
    )
    state = case_escalation_for(complaint_id=complaint_id, for_update=True) if complaint else None
    if (
        state is None
        or state.level_started_at is None
        or not state.acknowledge_required
        or state.customer_acknowledged_at is not None
        or state.level_started_at > sent_after
    ):
        return False
    reason = _("已通知客户由%(level)s承接") % {"level": state.level_name}
    system = system_user(SystemUser.ESCALATION)
    _level_acknowledged_mark(complaint=complaint, state=state, actor=system, at=at, reason=reason)
    return True


# --- external referral -------------------------------------------------------------------------------------


@transaction.atomic
def external_referral_open(
    *,
    number: str,
    actor: User,
    body: str,
    body_name: str = "",
    reference_no: str = "",
    referred_on: dt.date | None = None,
    response_due_on: dt.date | None = None,
    note: str = "",
) -> ExternalReferral:
    """The customer took the complaint to an outside body. The case moves to the ladder's external
    level (its holder keeps it and answers the body); its history stays as it is."""
    complaint = access_complaint(user=actor, number=number, permission="escalate_complaint", for_update=True)
    given = validated(
        ReferralFields,
        {
            "body": body,
            "body_name": body_name,
            "reference_no": reference_no,
            "referred_on": referred_on,
            "response_due_on": response_due_on,
            "note": note,
        },
    )
    note = given.note
    at = now()
    referral = ExternalReferral.objects.create(
        complaint=complaint,
        body=body,
        body_name=given.body_name,
        reference_no=given.reference_no,
        referred_on=given.referred_on,
        received_at=at,
        response_due_on=given.response_due_on,
        recorded_by=actor,
        created_at=at,
        updated_at=at,
    )
    label = " ".join(
        p for p in (str(ReferralBody(body).label), referral.body_name, referral.reference_no) if p
    )
    ladder = ladder_rules_for(unit=complaint.org_unit)
    external = next((level for level in ladder.levels if level.is_external), None)
    state = case_escalation_for(complaint_id=complaint.pk)
    if external is not None and (state.level_position if state else 0) < external.position:
        _move(
            complaint=complaint,
            ladder=ladder,
            to_position=external.position,
            direction=HandOffDirection.UP,
            trigger=HandOffTrigger.EXTERNAL,
            reason=label,
            actor=actor,
            at=at,
        )
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.EXTERNAL_REFERRAL,
        at=at,
        field="external_referral",
        new=label,
        reason=note,
    )
    return referral


@transaction.atomic
def external_referral_outcome_record(
    *,
    referral_id: int,
    actor: User,
    outcome: str,
    outcome_on: dt.date | None = None,
    note: str = "",
    reopen: bool = False,
) -> ExternalReferral:
    """What the outside body decided. With `reopen`, the case is reopened (when it was resolved or
    closed) and handed back from the external level to the level it came from, with the outcome as
    the instructions."""
    referral = ExternalReferral.objects.select_related("complaint").filter(pk=referral_id).first()
    try:
        if referral is None:
            raise NotFound(_("没有这条外部申诉记录"))
        complaint = access_complaint(
            user=actor, number=referral.complaint.number, permission="escalate_complaint", for_update=True
        )
    except NotFound:
        # Absent or on a case the actor cannot see: the same answer, without the case's number.
        raise NotFound(_("没有这条外部申诉记录")) from None
    referral = ExternalReferral.objects.select_for_update().get(pk=referral_id)
    outcome_on = validated(ReferralOutcomeFields, {"outcome": outcome, "outcome_on": outcome_on}).outcome_on
    note = _clean_text(note, field="note", required=reopen)
    at = now()
    referral.outcome, referral.outcome_on, referral.outcome_note, referral.updated_at = (
        outcome,
        outcome_on,
        note,
        at,
    )
    summary = _("外部申诉结果：%(outcome)s") % {"outcome": ReferralOutcome(outcome).label}
    if reopen:
        referral.reopened_at = at
    referral.save()
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.EXTERNAL_REFERRAL,
        at=at,
        field="external_referral_outcome",
        old=ReferralOutcome.PENDING,
        new=outcome,
        reason=f"{summary}；{note}" if note else summary,
    )
    if reopen:
        if not complaint.is_open and Status.REOPENED in states.allowed_targets(
            complaint.status, complaint.kind
        ):
            transition_apply(
                complaint=complaint, actor=actor, to=Status.REOPENED, reason=f"{summary}；{note}"
            )
        ladder = ladder_rules_for(unit=complaint.org_unit)
        state = case_escalation_for(complaint_id=complaint.pk, for_update=True)
        current = ladder.level(state.level_position) if state else None
        if current is not None and current.is_external:
            came_from = (
                EscalationHandOff.objects.filter(complaint=complaint, to_level_position=current.position)
                .order_by("-at", "-id")
                .values_list("from_level_position", flat=True)
                .first()
            )
            _move(
                complaint=complaint,
                ladder=ladder,
                to_position=came_from or 0,
                direction=HandOffDirection.DOWN,
                trigger=HandOffTrigger.HAND_BACK,
                instructions=f"{summary}；{note}",
                actor=actor,
                at=at,
            )
    return referral
