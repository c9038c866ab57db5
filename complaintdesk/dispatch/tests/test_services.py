"""Work orders through the services: dispatch with a deadline in working days on the department's
calendar (holidays, 调休, the department's own closures), the department's side (accept, complete,
reject) within its own scope, the case waiting for its orders, and the overdue flag set by the SLA
sweep under a controlled clock."""

import pytest

from complaintdesk.calendars.models import CalendarEntry, EntryKind
from complaintdesk.common.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.complaints.states import Status
from complaintdesk.dispatch.models import WorkOrder, WorkOrderStatus
from complaintdesk.dispatch.selectors import QueueFilters, is_overdue, work_order_queue, work_orders_for_case
from complaintdesk.dispatch.services import (
    work_order_accept,
    work_order_cancel,
    work_order_complete,
    work_order_create,
    work_order_reject,
)
from complaintdesk.sla.models import SlaTimer, TimerKind, TimerState
from complaintdesk.testing import resolve

from .conftest import handling_case, local, sweep


def _dispatch(org, complaint, **overrides):
    values = {"department": "BILL", "instructions": "核查 10 月账单重复扣费并冲正", "due_working_days": 3}
    values.update(overrides)
    return work_order_create(number=complaint.number, actor=org.agent_a, **values)


def _work_order_events(complaint):
    return list(ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.WORK_ORDER).order_by("id"))


def test_a_work_order_is_due_in_working_days_across_the_national_day_holiday(depts, clock):
    org = depts
    clock.at(local(2026, 9, 30, 10))  # Wednesday before 国庆 (1–7 Oct; Saturday 10 Oct is a 调休 working day)

    order = _dispatch(org, handling_case(org.agent_a), owner="billing")

    # 14 h on 30 Sep, 8 and 9 Oct, then 10 h of Saturday 10 Oct (whole-day calendar: 24 h a working day).
    assert order.due_at == local(2026, 10, 10, 10)
    assert order.warn_at == local(2026, 10, 9, 19, 36)  # 80 % of the three days
    assert (order.status, order.owner, order.created_by) == (
        WorkOrderStatus.OPEN,
        org.dept_staff,
        org.agent_a,
    )
    [timer] = SlaTimer.objects.filter(complaint=order.complaint, kind=TimerKind.WORK_ORDER)
    assert (timer.subject, timer.due_at, timer.warn_at, timer.state) == (
        f"W{order.pk}",
        order.due_at,
        order.warn_at,
        TimerState.PENDING,
    )
    [event] = _work_order_events(order.complaint)
    assert (event.actor, event.field, event.new_value) == (org.agent_a, str(order.pk), "open")
    assert "计费部" in event.reason and "2026-10-10 10:00" in event.reason and "重复扣费" in event.reason


def test_the_departments_own_closure_moves_its_deadline(depts, clock):
    org = depts
    CalendarEntry.objects.create(org_unit=org.billing, day=local(2026, 11, 25).date(), kind=EntryKind.CLOSURE)
    clock.at(local(2026, 11, 24, 10))  # Tuesday; billing is closed on Wednesday

    order = _dispatch(org, handling_case(org.agent_a), due_working_days=1)

    assert order.due_at == local(2026, 11, 26, 10)


def test_across_the_spring_festival(depts, clock):
    org = depts
    clock.at(local(2026, 2, 13, 10))  # Friday; Saturday 14 Feb works (调休), 15–23 Feb off

    order = _dispatch(org, handling_case(org.agent_a), due_working_days=2)

    assert order.due_at == local(2026, 2, 24, 10)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"department": "NOPE"}, "department"),
        ({"department": "SH-A"}, "department"),  # a store is not a department
        ({"instructions": "  "}, "instructions"),
        ({"due_working_days": 0}, "due_working_days"),
        ({"due_working_days": 61}, "due_working_days"),
        ({"owner": "engineer"}, "owner"),  # not in billing
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(depts, overrides, field):
    org = depts
    complaint = handling_case(org.agent_a)
    events = ComplaintEvent.objects.count()

    with pytest.raises(InvalidInput) as refused:
        _dispatch(org, complaint, **overrides)

    assert set(refused.value.fields) == {field}
    assert not WorkOrder.objects.exists() and ComplaintEvent.objects.count() == events
    assert not SlaTimer.objects.filter(kind=TimerKind.WORK_ORDER).exists()


def test_department_staff_see_their_departments_orders_but_not_the_case(depts):
    org = depts
    complaint = handling_case(org.agent_a)
    billing_order = _dispatch(org, complaint)
    network_order = _dispatch(org, complaint, department="NET", instructions="检查小区光交箱")

    assert [o.pk for o in work_order_queue(user=org.dept_staff)] == [billing_order.pk]
    assert [o.pk for o in work_order_queue(user=org.engineer)] == [network_order.pk]
    # The case's own handler and their manager see every order of the case; another store sees none.
    assert {o.pk for o in work_order_queue(user=org.agent_a)} == {billing_order.pk, network_order.pk}
    assert {o.pk for o in work_order_queue(user=org.manager)} == {billing_order.pk, network_order.pk}
    assert work_order_queue(user=org.agent_b) == []
    # The order is theirs; the case itself stays outside the department's scope.
    with pytest.raises(NotFound):
        access_complaint(user=org.dept_staff, number=complaint.number)
    with pytest.raises(NotFound):
        work_order_accept(work_order_id=network_order.pk, actor=org.dept_staff)
    with pytest.raises(NotFound):
        work_order_accept(work_order_id=billing_order.pk, actor=org.agent_b)
    with pytest.raises(PermissionDenied):
        work_order_accept(work_order_id=billing_order.pk, actor=org.agent_a)


def test_the_department_accepts_and_completes_and_the_case_hears_of_it(depts):
    org = depts
    complaint = handling_case(org.agent_a)
    order = _dispatch(org, complaint)

    work_order_accept(work_order_id=order.pk, actor=org.billing2)
    with pytest.raises(InvalidInput):
        work_order_complete(work_order_id=order.pk, actor=org.billing2, result="")
    work_order_complete(work_order_id=order.pk, actor=org.billing2, result="已冲正 10 月重复扣费 58 元")

    order.refresh_from_db()
    assert (order.status, order.owner, order.finished_by) == (
        WorkOrderStatus.DONE,
        org.billing2,
        org.billing2,
    )
    assert order.result == "已冲正 10 月重复扣费 58 元"
    assert [(e.actor, e.old_value, e.new_value) for e in _work_order_events(complaint)] == [
        (org.agent_a, "", "open"),
        (org.billing2, "open", "accepted"),
        (org.billing2, "accepted", "done"),
    ]
    assert not SlaTimer.objects.filter(
        kind=TimerKind.WORK_ORDER, state__in=[TimerState.PENDING, TimerState.WARNED]
    )
    with pytest.raises(InvalidInput):
        work_order_reject(work_order_id=order.pk, actor=org.billing2, reason="晚了")


def test_a_case_cannot_be_resolved_while_a_department_still_owes_it_an_order(depts):
    org = depts
    complaint = handling_case(org.agent_a)
    billing = _dispatch(org, complaint)
    network = _dispatch(org, complaint, department="NET", instructions="检查小区光交箱")

    with pytest.raises(InvalidInput) as refused:
        resolve(org.agent_a, complaint.number)

    assert refused.value.message == "派工单未完成，不能解决投诉"
    [message] = refused.value.fields["to"]
    assert message.startswith("还有 2 张派工单未完成：") and "计费部" in message and "网络部" in message
    complaint.refresh_from_db()
    # The result was told, but the customer's acceptance cannot resolve the case while orders are open.
    assert complaint.status == Status.AWAITING_CUSTOMER
    assert not ComplaintEvent.objects.filter(
        complaint=complaint, kind=EventKind.TRANSITION, new_value="resolved"
    )

    work_order_complete(work_order_id=billing.pk, actor=org.dept_staff, result="已冲正")
    work_order_reject(work_order_id=network.pk, actor=org.engineer, reason="经核查网络正常，非网络问题")
    resolve(org.agent_a, complaint.number)
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED


def test_the_case_side_cancels_an_order_it_no_longer_needs(depts):
    org = depts
    complaint = handling_case(org.agent_a)
    order = _dispatch(org, complaint)

    with pytest.raises(PermissionDenied):
        work_order_cancel(work_order_id=order.pk, actor=org.dept_staff, reason="不想做")
    with pytest.raises(InvalidInput):
        work_order_cancel(work_order_id=order.pk, actor=org.agent_a, reason=" ")
    work_order_cancel(work_order_id=order.pk, actor=org.agent_a, reason="客户已自行到营业厅办理")

    order.refresh_from_db()
    assert order.status == WorkOrderStatus.CANCELLED and order.result == "客户已自行到营业厅办理"
    resolve(org.agent_a, complaint.number)


def test_an_order_past_its_deadline_is_warned_then_flagged_overdue_once(depts, clock):
    org = depts
    clock.at(local(2026, 11, 24, 10))  # Tuesday
    complaint = handling_case(org.agent_a)
    order = _dispatch(org, complaint, due_working_days=1)  # Wednesday 10:00 (before the case's own 48 h)
    assert order.warn_at == local(2026, 11, 25, 5, 12)  # 80 % of 24 working hours

    clock.at(local(2026, 11, 25, 6))
    assert sweep().warned == 1
    assert ComplaintEvent.objects.filter(
        complaint=complaint, kind=EventKind.SLA_WARNING, field="work_order"
    ).exists()
    assert work_order_queue(user=org.dept_staff, filters=QueueFilters(overdue=True)) == []

    clock.at(local(2026, 11, 25, 10, 5))
    assert sweep().fired == 1
    order.refresh_from_db()
    assert order.overdue_at == local(2026, 11, 25, 10, 5) and is_overdue(order)
    assert [o.pk for o in work_order_queue(user=org.dept_staff, filters=QueueFilters(overdue=True))] == [
        order.pk
    ]
    overdue = [e for e in _work_order_events(complaint) if e.new_value == "overdue"]
    assert (
        len(overdue) == 1
        and overdue[0].actor is None
        and "计费部未在 2026-11-25 10:00 前完成" in overdue[0].reason
    )
    assert (
        ComplaintEvent.objects.filter(
            complaint=complaint, kind=EventKind.SLA_BREACH, field="work_order"
        ).count()
        == 1
    )

    # Handled once; a late completion is still taken.
    assert sweep().fired == 0
    work_order_complete(work_order_id=order.pk, actor=org.dept_staff, result="已处理")
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.DONE and not is_overdue(order)


def test_the_case_shows_all_its_orders(depts):
    org = depts
    complaint = handling_case(org.agent_a)
    first = _dispatch(org, complaint)
    work_order_complete(work_order_id=first.pk, actor=org.dept_staff, result="已冲正")
    second = _dispatch(org, complaint, department="NET", instructions="检查光猫")

    assert [(o.pk, o.status) for o in work_orders_for_case(complaint=complaint)] == [
        (first.pk, WorkOrderStatus.DONE),
        (second.pk, WorkOrderStatus.OPEN),
    ]


def test_a_closed_case_takes_no_new_orders(depts):
    org = depts
    complaint = handling_case(org.agent_a)
    resolve(org.agent_a, complaint.number)
    with pytest.raises(InvalidInput):
        _dispatch(org, complaint)
