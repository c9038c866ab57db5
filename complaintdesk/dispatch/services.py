"""Writes for work orders. Each service is one transaction that records the case's timeline (kind
`work_order`, field = the order's id) with the acting user; staff messages go out after the commit.

Locks are taken in the order the SLA sweep takes them: the case first, then the order.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import User
from complaintdesk.calendars.selectors import calendar_for_unit
from complaintdesk.common.errors import InvalidInput, PermissionDenied, too_long_message
from complaintdesk.common.names import name_for_people
from complaintdesk.common.time import now, to_local
from complaintdesk.complaints.access import access_complaint, complaints_visible_to
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.states import Status
from complaintdesk.complaints.timeline import event_record
from complaintdesk.orgs.models import OrgUnit, UnitKind
from complaintdesk.sla.clocks import clock_points
from complaintdesk.sla.models import TimerKind
from complaintdesk.sla.selectors import sla_policy_for
from complaintdesk.sla.services import complaint_deadlines_apply
from complaintdesk.sla.timers import WARNING

from . import notify
from .clocks import work_order_of_subject
from .models import UNFINISHED_STATUSES, WorkOrder, WorkOrderStatus
from .selectors import user_in_department, work_order_for_user

HANDLED_TIMER_KINDS = (TimerKind.WORK_ORDER,)
TEXT_MAX = 5_000
DUE_DAYS_MAX = 60


def _clean_text(errors: dict, field: str, value: str | None, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = [_("此项为必填项")]
    elif len(value) > TEXT_MAX:
        errors[field] = [too_long_message(limit=TEXT_MAX, length=len(value))]
    return value


def _notify_after_commit(
    *, order: WorkOrder, user_ids: list[int | None], unit_id: int | None, what: str
) -> None:
    values = {
        "work_order_id": order.pk,
        "complaint_id": order.complaint_id,
        "user_ids": [u for u in user_ids if u],
        "unit_id": unit_id,
        "what": what,
        "due_at": order.due_at,
    }
    transaction.on_commit(lambda: notify.work_order_notified(**values))


def _event(
    *, order: WorkOrder, complaint: Complaint, actor, at: dt.datetime, old: str, new: str, reason: str
) -> None:
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.WORK_ORDER,
        at=at,
        field=str(order.pk),
        old=old,
        new=new,
        reason=reason,
    )


def _due_label(order: WorkOrder) -> str:
    return f"{to_local(order.due_at):%Y-%m-%d %H:%M}"


@transaction.atomic
def work_order_create(
    *, number: str, actor, department: str, instructions: str, due_working_days: int, owner: str = ""
) -> WorkOrder:
    """Dispatch the case to a department (by code) with instructions, a deadline in working days on the
    department's calendar and, optionally, an owner (a username in that department)."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    if not complaint.is_open:
        raise InvalidInput({"status": [_("投诉已结束，不能再派工单")]})
    errors: dict[str, list[str]] = {}
    unit = OrgUnit.objects.filter(
        code=(department or "").strip(), kind=UnitKind.DEPARTMENT, is_active=True
    ).first()
    if unit is None:
        errors["department"] = [_("请选择责任部门（部门编码）")]
    instructions = _clean_text(errors, "instructions", instructions, required=True)
    if (
        isinstance(due_working_days, bool)
        or not isinstance(due_working_days, int)
        or not (1 <= due_working_days <= DUE_DAYS_MAX)
    ):
        errors["due_working_days"] = [_("时限为 1 到 %(max)d 个工作日") % {"max": DUE_DAYS_MAX}]
    owner_user = None
    if (owner or "").strip() and unit is not None:
        owner_user = (
            User.objects.filter(username=owner.strip(), is_active=True, org_unit__path__startswith=unit.path)
            .select_related("org_unit")
            .first()
        )
        if owner_user is None:
            errors["owner"] = [
                _("%(department)s没有这位员工：%(who)s") % {"department": unit.name, "who": owner.strip()}
            ]
    if errors:
        raise InvalidInput(errors)

    at = now()
    policy = sla_policy_for(unit=complaint.org_unit, category_id=complaint.category_id)
    points = clock_points(
        start=at,
        duration=f"{due_working_days}wd",
        calendar=calendar_for_unit(unit=unit),
        warn_share=policy.warn_at_share,
    )
    order = WorkOrder.objects.create(
        complaint=complaint,
        department=unit,
        owner=owner_user,
        instructions=instructions,
        due_working_days=due_working_days,
        created_by=actor,
        created_at=at,
        due_at=points.due_at,
        warn_at=points.warn_at,
        deadline_provisional=points.provisional,
        status=WorkOrderStatus.OPEN,
        updated_at=at,
    )
    who = _("，负责人 %(owner)s") % {"owner": owner_user} if owner_user else ""
    _event(
        order=order,
        complaint=complaint,
        actor=actor,
        at=at,
        old="",
        new=WorkOrderStatus.OPEN,
        reason=_("派工单给%(department)s%(who)s，%(due)s 前完成：%(instructions)s")
        % {"department": unit.name, "who": who, "due": _due_label(order), "instructions": instructions},
    )
    complaint_deadlines_apply(complaint=complaint, actor=actor, at=at, reason=_("派工单时限"))
    _notify_after_commit(order=order, user_ids=[order.owner_id], unit_id=unit.pk, what="dispatched")
    return order


def _order_and_case_for_update(*, user, work_order_id: int) -> tuple[WorkOrder, Complaint]:
    """The order as the user may see it (else NotFound), with its case locked first, then the order."""
    seen = work_order_for_user(user=user, work_order_id=work_order_id)
    complaint = (
        Complaint.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=seen.complaint_id)
    )
    order = (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("department", "owner")
        .get(pk=seen.pk)
    )
    return order, complaint


def _department_side(*, actor, order: WorkOrder) -> None:
    if order.owner_id == actor.pk or user_in_department(user=actor, department_id=order.department_id):
        return
    raise PermissionDenied(
        _("只有%(department)s的人员可以处理这张派工单") % {"department": name_for_people(order.department)}
    )


def _unfinished(order: WorkOrder, *, allowed=UNFINISHED_STATUSES) -> None:
    if order.status not in allowed:
        raise InvalidInput(
            {
                "status": [
                    _("派工单当前为“%(status)s”，不能这样处理")
                    % {"status": WorkOrderStatus(order.status).label}
                ]
            }
        )


@transaction.atomic
def work_order_accept(*, work_order_id: int, actor, note: str = "") -> WorkOrder:
    """The department takes the order; whoever accepts it becomes its owner when it has none."""
    order, complaint = _order_and_case_for_update(user=actor, work_order_id=work_order_id)
    _department_side(actor=actor, order=order)
    errors: dict[str, list[str]] = {}
    note = _clean_text(errors, "note", note)
    if errors:
        raise InvalidInput(errors)
    _unfinished(order, allowed=(WorkOrderStatus.OPEN,))
    at = now()
    order.status, order.accepted_at, order.updated_at = WorkOrderStatus.ACCEPTED, at, at
    order.owner = order.owner or actor
    order.save(update_fields=["status", "accepted_at", "owner", "updated_at"])
    _event(
        order=order,
        complaint=complaint,
        actor=actor,
        at=at,
        old=WorkOrderStatus.OPEN,
        new=WorkOrderStatus.ACCEPTED,
        reason=" ".join(
            part
            for part in (
                _("%(department)s已接单，负责人 %(owner)s")
                % {"department": order.department.name, "owner": order.owner},
                note,
            )
            if part
        ),
    )
    _notify_after_commit(
        order=order, user_ids=[complaint.assignee_id], unit_id=complaint.org_unit_id, what="accepted"
    )
    return order


def _finish(
    *,
    work_order_id: int,
    actor,
    status: WorkOrderStatus,
    text: str,
    field: str,
    department_side: bool,
    what: str,
) -> WorkOrder:
    order, complaint = _order_and_case_for_update(user=actor, work_order_id=work_order_id)
    if department_side:
        _department_side(actor=actor, order=order)
    elif (
        not actor.has_perm("complaints.handle_complaint")
        or not complaints_visible_to(actor).filter(pk=complaint.pk).exists()
    ):
        raise PermissionDenied(_("只有投诉的处理人员可以撤销派工单"))
    errors: dict[str, list[str]] = {}
    text = _clean_text(errors, field, text, required=True)
    if errors:
        raise InvalidInput(errors)
    _unfinished(order)
    at = now()
    old = order.status
    order.status, order.finished_at, order.finished_by, order.result, order.updated_at = (
        status,
        at,
        actor,
        text,
        at,
    )
    order.save(update_fields=["status", "finished_at", "finished_by", "result", "updated_at"])
    _event(order=order, complaint=complaint, actor=actor, at=at, old=old, new=status, reason=text)
    complaint_deadlines_apply(complaint=complaint, actor=actor, at=at, reason=_("派工单已结束"))
    if department_side:
        _notify_after_commit(
            order=order,
            user_ids=[complaint.assignee_id, order.created_by_id],
            unit_id=complaint.org_unit_id,
            what=what,
        )
    else:
        _notify_after_commit(order=order, user_ids=[order.owner_id], unit_id=order.department_id, what=what)
    return order


@transaction.atomic
def work_order_complete(*, work_order_id: int, actor, result: str) -> WorkOrder:
    """The department has done what was asked; `result` says what (the case handler feeds it back)."""
    return _finish(
        work_order_id=work_order_id,
        actor=actor,
        status=WorkOrderStatus.DONE,
        text=result,
        field="result",
        department_side=True,
        what="done",
    )


@transaction.atomic
def work_order_reject(*, work_order_id: int, actor, reason: str) -> WorkOrder:
    """The department sends the order back (not theirs, not enough information …), with a reason."""
    return _finish(
        work_order_id=work_order_id,
        actor=actor,
        status=WorkOrderStatus.REJECTED,
        text=reason,
        field="reason",
        department_side=True,
        what="rejected",
    )


@transaction.atomic
def work_order_cancel(*, work_order_id: int, actor, reason: str) -> WorkOrder:
    """The case's side withdraws an order it no longer needs, with a reason."""
    return _finish(
        work_order_id=work_order_id,
        actor=actor,
        status=WorkOrderStatus.CANCELLED,
        text=reason,
        field="reason",
        department_side=False,
        what="cancelled",
    )


def work_order_on_timer(*, timer, complaint: Complaint, phase: str, at: dt.datetime) -> None:
    """A work-order timer warned or fired (inside the sweep's claim transaction, the case locked): the
    warning is told to the department; at the due time the order is flagged overdue, on the timeline too."""
    order_id = work_order_of_subject(timer.subject)
    order = (
        WorkOrder.objects.select_for_update()
        .select_related("department")
        .filter(pk=order_id, status__in=UNFINISHED_STATUSES)
        .first()
        if order_id
        else None
    )
    if order is None:
        return
    if phase == WARNING:
        _notify_after_commit(
            order=order, user_ids=[order.owner_id], unit_id=order.department_id, what="warning"
        )
        return
    if order.overdue_at is None:
        order.overdue_at, order.updated_at = at, at
        order.save(update_fields=["overdue_at", "updated_at"])
        _event(
            order=order,
            complaint=complaint,
            actor=None,
            at=at,
            old=order.status,
            new="overdue",
            reason=_("%(department)s未在 %(due)s 前完成派工单")
            % {"department": order.department.name, "due": _due_label(order)},
        )
    _notify_after_commit(
        order=order,
        user_ids=[order.owner_id, complaint.assignee_id],
        unit_id=order.department_id,
        what="overdue",
    )


def resolution_waits_for_work_orders(*, complaint: Complaint, target: str, actor) -> None:
    """complaints.services transition guard: a case is not resolved while a department still owes it a
    work order; the error names them."""
    if target != Status.RESOLVED:
        return
    unfinished = list(
        WorkOrder.objects.filter(complaint_id=complaint.pk, status__in=UNFINISHED_STATUSES)
        .select_related("department")
        .order_by("due_at", "id")[:10]
    )
    if not unfinished:
        return
    names = "、".join(
        _("%(department)s（%(status)s，%(due)s 前）")
        % {
            "department": name_for_people(order.department),
            "status": WorkOrderStatus(order.status).label,
            "due": _due_label(order),
        }
        for order in unfinished
    )
    raise InvalidInput(
        {
            "to": [
                _("还有 %(count)d 张派工单未完成：%(orders)s。请等部门完成，或撤销不再需要的派工单后再解决。")
                % {"count": len(unfinished), "orders": names}
            ]
        },
        message=_("派工单未完成，不能解决投诉"),
    )
