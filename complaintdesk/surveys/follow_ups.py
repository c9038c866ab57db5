"""Follow-up (回访) after resolution: the task, its timer, and recording what each call brought.

The task is created by the resolving transition (`follow_up_on_transition`, a complaints transition hook), due
the SLA policy's `follow_up` after the resolution; its timer is the clock clocks.py contributes. An agent records each attempt: not reached (the third closes the case as
"not reached", FOLLOW_UP_MAX_NOT_REACHED), reached and still satisfied (the case is closed), reached and not
satisfied (the case is reopened with the note as the reason), or a new issue (a new complaint linked to this
one, named on both timelines). The first attempt moves the case resolved → follow_up; closing goes through
the transition table in one place (`_case_close`).

Archiving never drops a due follow-up: a case archived (closed) before its follow-up is recorded keeps the
open task, its timer and its place in the follow-up queue, and the timeline says so. Recording the call
then leaves the case archived when the customer is still satisfied (or not reached), and reopens it when
not.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from complaintdesk.calendars.selectors import calendar_for_unit
from complaintdesk.common.errors import DomainError, InvalidInput, NotFound, too_long_message
from complaintdesk.common.time import now, to_local
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.intake import complaint_take_in
from complaintdesk.complaints.models import Channel, Complaint, EventKind
from complaintdesk.complaints.services import IntakeCustomer, IntakeData, complaint_transition
from complaintdesk.complaints.states import Status
from complaintdesk.complaints.timeline import event_record
from complaintdesk.escalation.alerts import staff_alert_send
from complaintdesk.sla.clocks import clock_points
from complaintdesk.sla.models import TimerKind
from complaintdesk.sla.selectors import sla_policy_for
from complaintdesk.sla.services import complaint_deadlines_apply
from complaintdesk.sla.timers import WARNING

from . import notify
from .clocks import ENDING_STATUSES, follow_up_of_subject
from .models import FollowUp, FollowUpAttempt, FollowUpOutcome, FollowUpState

logger = logging.getLogger(__name__)

NOTE_MAX = 2_000
# A follow-up outcome is recorded on a resolved case (which then moves to follow-up), one in follow-up, or
# one archived before its follow-up was done (it stays archived unless the customer is unhappy).
FOLLOW_UP_FROM = frozenset({Status.RESOLVED, Status.FOLLOW_UP, Status.CLOSED})
NEW_ISSUE_MAX = 5_000
TITLE_MAX = 60


def max_not_reached() -> int:
    return max(1, int(getattr(settings, "FOLLOW_UP_MAX_NOT_REACHED", 3) or 3))


def _when(value: dt.datetime) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M")


# --- the task, from the resolving transition ------------------------------------------------------------------


def follow_up_on_transition(
    *, complaint: Complaint, old_status: str, actor, at: dt.datetime, reason: str = ""
) -> None:
    """complaints.services transition hook (same transaction, case saved and locked): a resolution gets its
    follow-up task and, through a clock refresh, the task's timer; a case that is reopened, closed or
    withdrawn while its task is open has the task cancelled (its timer went with the transition's refresh);
    a case archived while its task is open keeps the task (and its timer), said on the timeline; archiving
    clears the note of a follow-up whose own attempt to archive was refused."""
    if complaint.status == Status.RESOLVED:
        if follow_up_ensure(complaint=complaint, at=at, actor=actor) is not None:
            complaint_deadlines_apply(complaint=complaint, at=at, actor=actor, reason=_("回访时限"))
    elif complaint.status == Status.CLOSED:
        # Why an earlier archiving had to wait (a summary missing) is no longer true once it is archived.
        FollowUp.objects.filter(complaint_id=complaint.pk).exclude(close_note="").update(close_note="")
        task = FollowUp.objects.filter(complaint_id=complaint.pk, state=FollowUpState.OPEN).first()
        if task is not None:
            event_record(
                complaint=complaint,
                actor=actor,
                kind=EventKind.FOLLOW_UP,
                at=at,
                field="due",
                new=task.due_at,
                reason=_("已归档，回访仍待完成：须在 %(due)s 前回访客户") % {"due": _when(task.due_at)},
            )
    elif complaint.status in ENDING_STATUSES:
        follow_ups_cancel_open(complaint=complaint, at=at)


def follow_up_ensure(*, complaint: Complaint, at: dt.datetime, actor=None) -> FollowUp | None:
    """The open follow-up task of the case's current resolution, created if missing (due the SLA policy's
    `follow_up` after the resolution, warning at its warning share). None when this resolution's follow-up
    is already finished. The caller holds the case's row lock. Whoever has to do a task created here is told
    after the commit (notify.follow_up_created_notified; not `actor`, who resolved it, about their own)."""
    resolved_at = complaint.resolved_at or at
    open_task = FollowUp.objects.filter(complaint_id=complaint.pk, state=FollowUpState.OPEN).first()
    if open_task is not None and open_task.resolved_at == resolved_at:
        return open_task
    if FollowUp.objects.filter(complaint_id=complaint.pk, resolved_at=resolved_at).exists():
        return None  # this resolution's follow-up is done; the case waits to be closed by hand
    if open_task is not None:  # an earlier resolution's task: that resolution did not hold
        FollowUp.objects.filter(pk=open_task.pk, state=FollowUpState.OPEN).update(
            state=FollowUpState.CANCELLED, finished_at=at
        )
    policy = sla_policy_for(unit=complaint.org_unit, category_id=complaint.category_id)
    points = clock_points(
        start=resolved_at,
        duration=policy.follow_up,
        calendar=calendar_for_unit(unit=complaint.org_unit),
        warn_share=policy.warn_at_share,
    )
    task = FollowUp.objects.create(
        complaint_id=complaint.pk,
        org_unit_id=complaint.org_unit_id,
        assignee_id=complaint.assignee_id,
        resolved_at=resolved_at,
        due_at=points.due_at,
        warn_at=points.warn_at,
        deadline_provisional=points.provisional,
        state=FollowUpState.OPEN,
        created_at=at,
    )
    event_record(
        complaint=complaint,
        actor=None,
        kind=EventKind.FOLLOW_UP,
        at=at,
        field="due",
        new=points.due_at,
        reason=_("投诉已解决，须在 %(due)s 前回访客户") % {"due": _when(points.due_at)},
    )
    task_id, actor_id = task.pk, getattr(actor, "pk", None)
    transaction.on_commit(lambda: notify.follow_up_created_notified(follow_up_id=task_id, actor_id=actor_id))
    return task


def follow_ups_cancel_open(*, complaint: Complaint, at: dt.datetime) -> int:
    """The case left resolution (reopened, closed without a follow-up, withdrawn): its open task goes."""
    return FollowUp.objects.filter(complaint_id=complaint.pk, state=FollowUpState.OPEN).update(
        state=FollowUpState.CANCELLED, finished_at=at
    )


# --- the timer -------------------------------------------------------------------------------------------


def follow_up_on_timer(*, timer, complaint: Complaint, phase: str, at: dt.datetime) -> None:
    """The follow-up timer warned (80 %) or fired (inside the sweep's claim transaction, the case locked;
    the timeline's warning/breach event is written by the timers module): the task is stamped and its
    agent (else the unit's managers) is told by e-mail after the commit — once per phase: not when the stamp
    is there already (the first notice of a task created past this point said so)."""
    task_id = follow_up_of_subject(timer.subject)
    task = (
        FollowUp.objects.select_for_update().filter(pk=task_id, state=FollowUpState.OPEN).first()
        if task_id
        else None
    )
    if task is None:
        return
    field = "warned_at" if phase == WARNING else "overdue_at"
    if getattr(task, field) is not None:
        # Its people were told already: the task's first notice came past this point (notify._phases_told).
        return
    setattr(task, field, at)
    task.save(update_fields=[field])
    complaint_id, user_ids, unit_id, due_at = (
        complaint.pk,
        [u for u in (task.assignee_id,) if u],
        task.org_unit_id,
        task.due_at,
    )
    what = "warning" if phase == WARNING else "breach"

    def alert() -> None:
        try:
            staff_alert_send(
                complaint_id=complaint_id,
                user_ids=user_ids,
                unit_id=unit_id,
                what=what,
                clock=str(TimerKind.FOLLOW_UP.label),
                due_at=due_at,
            )
        except Exception:  # the stamp and the timeline stand; the queue shows it anyway
            logger.exception("follow-up alert for complaint %s could not be sent", complaint_id)

    transaction.on_commit(alert)


# --- recording an attempt -----------------------------------------------------------------------------------


def follow_up_recordable(*, complaint: Complaint) -> bool:
    """Whether the case's status lets a follow-up outcome be recorded (the guard of
    `follow_up_outcome_record`; pages ask it too)."""
    return complaint.status in FOLLOW_UP_FROM


@dataclass(frozen=True)
class FollowUpRecorded:
    follow_up: FollowUp
    attempt: FollowUpAttempt
    linked_complaint: Complaint | None = None
    closed: bool = False
    reopened: bool = False
    close_error: str = (
        ""  # the case could not be closed (e.g. a summary is still missing): it stays in follow-up
    )


def _text(errors: dict, name: str, value: str, *, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[name] = [_("此项为必填项")]
    elif len(value) > limit:
        errors[name] = [too_long_message(limit=limit, length=len(value))]
    return value


def _outcome_clean(
    *, reached: bool, satisfied: bool | None, new_issue: str, note: str
) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    if not isinstance(reached, bool):
        errors["reached"] = [_("应为 true 或 false")]
    new_issue = _text(errors, "new_issue", new_issue, limit=NEW_ISSUE_MAX)
    note = _text(errors, "note", note, limit=NOTE_MAX)
    outcome = FollowUpOutcome.NOT_REACHED
    if reached is True:
        if satisfied is None:
            errors["satisfied"] = [_("请选择客户是否仍然满意")]
        elif not isinstance(satisfied, bool):
            errors["satisfied"] = [_("应为 true 或 false")]
        elif satisfied is False and not note:
            errors["note"] = [_("客户不满意时，请记录客户的意见（将作为重新处理的原因）")]
        outcome = (
            FollowUpOutcome.NEW_ISSUE
            if new_issue
            else (FollowUpOutcome.SATISFIED if satisfied else FollowUpOutcome.UNSATISFIED)
        )
    elif reached is False and (new_issue or satisfied is not None):
        errors["reached"] = [_("未联系上客户时不能登记满意度或新问题")]
    if errors:
        raise InvalidInput(errors)
    return outcome, new_issue, note


def _case_close(*, complaint: Complaint, actor, reason: str) -> str:
    """The one place a follow-up closes a case (follow_up → closed, through the transition table and its
    guards). In a savepoint: when a guard refuses (e.g. closing needs a case summary), the follow-up stays
    recorded and the case stays in follow-up; the refusal is returned for the agent to act on."""
    try:
        with transaction.atomic():
            complaint_transition(number=complaint.number, actor=actor, to=Status.CLOSED, reason=reason)
    except DomainError as error:
        details = [m for messages in (error.fields or {}).values() for m in messages]
        return "；".join(details) or error.message
    return ""


def _linked_case_open(*, complaint: Complaint, actor, new_issue: str) -> Complaint:
    """The customer raised something new on the follow-up call: a new complaint (phone channel, recorded
    by the agent) for the same customer and unit, linked both ways on the timelines."""
    customer = complaint.customer
    first_line = new_issue.splitlines()[0].strip() if new_issue.strip() else ""
    title = first_line[:TITLE_MAX] or _("回访中客户反映的新问题")
    data = IntakeData(
        channel=Channel.PHONE,
        title=title,
        description=new_issue,
        customer=IntakeCustomer(
            name=customer.name,
            phone=customer.phone,
            email=customer.email,
            account_no=customer.account_no,
            wechat_openid=customer.wechat_openid,
            preferred_channel=customer.preferred_channel,
        ),
        org_unit_code=complaint.org_unit.code,
        language=complaint.language,
        product=complaint.product,
    )
    linked = complaint_take_in(data=data, actor=actor)  # with its acknowledgement and enrichment
    at = now()
    event_record(
        complaint=linked,
        actor=actor,
        kind=EventKind.FOLLOW_UP,
        at=at,
        field="linked_from",
        new=complaint.number,
        reason=_("在投诉 %(number)s 的回访中登记的新问题") % {"number": complaint.number},
    )
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.FOLLOW_UP,
        at=at,
        field="linked_complaint",
        new=linked.number,
        reason=_("回访中客户反映新问题，已登记新投诉 %(number)s") % {"number": linked.number},
    )
    return linked


@transaction.atomic
def follow_up_outcome_record(
    *,
    follow_up_id: int,
    actor,
    reached: bool,
    satisfied: bool | None = None,
    new_issue: str = "",
    note: str = "",
) -> FollowUpRecorded:
    """Record one follow-up attempt and act on it (see the module's docstring). Bad input writes nothing."""
    found = FollowUp.objects.select_related("complaint").filter(pk=follow_up_id).first()
    if found is None:
        raise NotFound(_("回访任务不存在"))
    complaint = access_complaint(
        user=actor, number=found.complaint.number, permission="close_complaint", for_update=True
    )
    outcome, new_issue, note = _outcome_clean(
        reached=reached, satisfied=satisfied, new_issue=new_issue, note=note
    )
    task = FollowUp.objects.select_for_update().get(pk=follow_up_id)
    if task.state != FollowUpState.OPEN or complaint.status not in FOLLOW_UP_FROM:
        raise InvalidInput({"follow_up": [_("这项回访已结束，不能再登记")]})
    at = now()
    if complaint.status == Status.RESOLVED:
        complaint = complaint_transition(
            number=complaint.number, actor=actor, to=Status.FOLLOW_UP, reason=_("开始回访")
        )
    attempt = FollowUpAttempt.objects.create(
        follow_up=task,
        at=at,
        actor=actor,
        reached=reached,
        satisfied=satisfied if reached else None,
        new_issue=new_issue,
        note=note,
        outcome=outcome,
    )
    label = FollowUpOutcome(outcome).label
    if outcome == FollowUpOutcome.NOT_REACHED:
        task.not_reached_count += 1
        event_new = _("第 %(count)d 次未联系上") % {"count": task.not_reached_count}
    else:
        event_new = str(label)
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.FOLLOW_UP,
        at=at,
        field=outcome,
        new=event_new,
        reason=note,
    )

    linked = None
    closed = reopened = False
    close_error = ""
    finished = outcome != FollowUpOutcome.NOT_REACHED or task.not_reached_count >= max_not_reached()
    if finished:
        task.state = (
            FollowUpState.NOT_REACHED if outcome == FollowUpOutcome.NOT_REACHED else FollowUpState.DONE
        )
        task.outcome, task.finished_at, task.finished_by = outcome, at, actor
    if new_issue:
        linked = _linked_case_open(complaint=complaint, actor=actor, new_issue=new_issue)
        task.linked_complaint = linked
    task.save()

    if finished and complaint.status == Status.CLOSED:
        if outcome == FollowUpOutcome.UNSATISFIED:  # archived already: only an unhappy customer moves it
            complaint_transition(
                number=complaint.number,
                actor=actor,
                to=Status.REOPENED,
                reason=_("回访时客户不满意：%(note)s") % {"note": note},
            )
            reopened = True
    elif finished:
        if outcome == FollowUpOutcome.NOT_REACHED:
            reason = _("%(count)d 次回访均未联系上客户，按“未联系上”结案") % {"count": task.not_reached_count}
        elif satisfied:
            reason = (
                _("回访：客户仍然满意")
                if not linked
                else _("回访：原问题客户满意，新问题已另立投诉 %(number)s") % {"number": linked.number}
            )
        else:
            reason = ""
        if reason:
            close_error = _case_close(complaint=complaint, actor=actor, reason=reason)
            closed = not close_error
            if close_error:
                FollowUp.objects.filter(pk=task.pk).update(close_note=close_error[:2000])
                task.close_note = close_error
        else:
            complaint_transition(
                number=complaint.number,
                actor=actor,
                to=Status.REOPENED,
                reason=_("回访时客户不满意：%(note)s") % {"note": note},
            )
            reopened = True
    return FollowUpRecorded(
        follow_up=task,
        attempt=attempt,
        linked_complaint=linked,
        closed=closed,
        reopened=reopened,
        close_error=close_error,
    )


def follow_ups_backfill(*, batch: int = 200) -> int:
    """Resolved (or in follow-up) cases without any follow-up task for their resolution get one, through the
    same clock refresh as a live resolution (case locked, one transaction each). Returns how many."""
    from django.db.models import Exists, OuterRef

    created = 0
    last_id = 0
    while True:
        has_task = FollowUp.objects.filter(complaint_id=OuterRef("pk"), resolved_at=OuterRef("resolved_at"))
        ids = list(
            Complaint.objects.filter(status__in=(Status.RESOLVED, Status.FOLLOW_UP), pk__gt=last_id)
            .exclude(Exists(has_task))
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        for complaint_id in ids:
            with transaction.atomic():
                complaint = (
                    Complaint.objects.select_for_update(of=("self",))
                    .select_related("org_unit")
                    .get(pk=complaint_id)
                )
                if follow_up_ensure(complaint=complaint, at=now()) is not None:
                    complaint_deadlines_apply(
                        complaint=complaint, at=now(), actor=None, reason=_("补建回访任务")
                    )
                    created += 1
        if len(ids) < batch:
            return created
        last_id = ids[-1]
