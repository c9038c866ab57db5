"""The triggers other than a clock: an objection, a manual escalation, a risk or batch flag, a hand-back,
the customer's acknowledgement at a level, and the choice of the level's holder."""

import pytest

from complaintdesk.accounts.models import Role
from complaintdesk.common.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.complaints.services import complaint_analyse
from complaintdesk.complaints.states import Status
from complaintdesk.escalation import notify
from complaintdesk.escalation.models import (
    CaseEscalation,
    EscalationHandOff,
    HandOffDirection,
    HandOffTrigger,
)
from complaintdesk.escalation.services import (
    complaint_escalate,
    complaint_hand_back,
    complaint_object,
    escalation_customer_acknowledged,
)
from complaintdesk.sla.models import SlaTimer, TimerKind
from complaintdesk.testing import resolve

from .conftest import handling_case, intake, local, staff_notices_capture, sweep


@pytest.fixture
def calls(monkeypatch):
    """What went through the notification seams."""
    seen = {"customer": [], "staff": []}
    monkeypatch.setattr(notify, "customer_told_new_holder", lambda **values: seen["customer"].append(values))
    staff_notices_capture(monkeypatch, seen["staff"].append)
    return seen


def _resolved_case(org):
    complaint = handling_case(org)
    resolve(org.agent_a, complaint.number)
    complaint.refresh_from_db()
    return complaint


def test_an_objection_escalates_at_once_with_the_customers_reason_and_tells_the_customer(
    ladder_org, clock, calls, django_capture_on_commit_callbacks
):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))  # Tuesday
    complaint = _resolved_case(org)
    clock.at(local(2026, 11, 24, 15))

    with django_capture_on_commit_callbacks(execute=True):
        hand_off = complaint_object(
            number=complaint.number, actor=org.agent_a, reason="退费金额不对，要求全额退还"
        )

    complaint.refresh_from_db()
    assert (hand_off.trigger, hand_off.direction) == (HandOffTrigger.OBJECTION, HandOffDirection.UP)
    assert (hand_off.from_level_position, hand_off.to_level_position) == (0, 1)
    assert hand_off.reason == "退费金额不对，要求全额退还"
    assert (
        hand_off.actor == org.agent_a
        and hand_off.from_user == org.agent_a
        and hand_off.to_user == org.manager
    )
    # Business manager: tell the customer within 2 working days, resolve a general complaint within 3.
    assert hand_off.acknowledge_due_at == local(2026, 11, 26, 15)
    assert hand_off.resolve_due_at == local(2026, 11, 27, 15)
    # Resolved → reopened → escalated, through the transition table, by the agent who recorded it.
    transitions = ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.TRANSITION).order_by("id")
    assert [(e.old_value, e.new_value, e.actor) for e in transitions][-2:] == [
        ("resolved", "reopened", org.agent_a),
        ("reopened", "escalated", org.agent_a),
    ]
    assert complaint.status == Status.ESCALATED and complaint.assignee == org.manager
    assert "退费金额不对" in transitions.last().reason
    # On the timeline: the customer's own words first, then the move up.
    objection = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.CUSTOMER_OBJECTION)
    escalated = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.ESCALATED)
    assert objection.new_value == "退费金额不对，要求全额退还" and objection.actor == org.agent_a
    assert objection.id < escalated.id and escalated.field == "escalation_level"
    # The customer is told who holds it now (by when: the case's own result deadline, test_notify).
    [told] = calls["customer"]
    assert told["hand_off_id"] == hand_off.pk and told["level_name"] == "业务经理"
    assert told["holder_name"] == "manager" and "resolve_due_at" not in told


def test_an_objection_needs_a_reason_and_a_case_that_is_not_withdrawn(ladder_org, clock):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))
    complaint = _resolved_case(org)
    with pytest.raises(InvalidInput) as error:
        complaint_object(number=complaint.number, actor=org.agent_a, reason="  ")
    assert set(error.value.fields) == {"reason"}
    with pytest.raises(NotFound):
        complaint_object(number=complaint.number, actor=org.agent_b, reason="不满意")
    assert not EscalationHandOff.objects.exists()
    assert not ComplaintEvent.objects.filter(kind=EventKind.CUSTOMER_OBJECTION).exists()


def test_objections_climb_to_the_external_level_and_then_refuse(ladder_org, clock):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))
    complaint = _resolved_case(org)
    for expected in (1, 2, 3, 4, 5):
        hand_off = complaint_object(number=complaint.number, actor=org.agent_a, reason=f"第{expected}次异议")
        assert hand_off.to_level_position == expected
    complaint.refresh_from_db()
    assert complaint.assignee == org.executive  # outside, the executive keeps the case and answers the body
    assert not SlaTimer.objects.filter(complaint=complaint, state__in=["pending", "warned"]).exists()
    with pytest.raises(InvalidInput):
        complaint_object(number=complaint.number, actor=org.agent_a, reason="再次异议")


def test_manual_escalation_to_a_chosen_level_and_hand_back_with_instructions(ladder_org, clock):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(org)
    with pytest.raises(PermissionDenied):
        complaint_escalate(number=complaint.number, actor=org.inspector, reason="质检发现问题")

    up = complaint_escalate(number=complaint.number, actor=org.agent_a, reason="涉及金额较大", to_level=2)
    assert (up.trigger, up.to_level_position, up.to_user) == (HandOffTrigger.MANUAL, 2, org.head)

    clock.at(local(2026, 11, 25, 10))
    with pytest.raises(PermissionDenied):  # only the holder, or someone who may assign
        complaint_hand_back(number=complaint.number, actor=org.agent_a, instructions="请补充")
    down = complaint_hand_back(
        number=complaint.number, actor=org.head, instructions="请与客户确认账单明细后答复"
    )
    complaint.refresh_from_db()
    state = CaseEscalation.objects.get(complaint=complaint)
    assert (down.direction, down.from_level_position, down.to_level_position) == (HandOffDirection.DOWN, 2, 1)
    assert down.to_user == org.manager and complaint.assignee == org.manager  # nobody held level 1 before
    assert down.instructions == "请与客户确认账单明细后答复"
    assert complaint.status == Status.HANDLING
    # Handed back: no acknowledgement due (the customer has a contact), a fresh resolve window (3wd:
    # Wed 14 h, Thu, Fri, the weekend off, Mon 10 h).
    assert not state.acknowledge_required and down.acknowledge_due_at is None
    assert down.resolve_due_at == local(2026, 11, 30, 10)
    live = SlaTimer.objects.filter(complaint=complaint, state__in=["pending", "warned"])
    assert [(t.kind, t.subject) for t in live] == [(TimerKind.LEVEL_RESOLVE, "L1")]

    # Handed back to the front line, the agent who had it gets it back.
    down_again = complaint_hand_back(number=complaint.number, actor=org.manager, instructions="按方案执行")
    assert down_again.to_level_position == 0 and down_again.to_user == org.agent_a


def test_a_reputation_risk_flag_escalates_once_through_a_timer_row(ladder_org, clock):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(org)
    complaint_analyse(
        number=complaint.number, actor=org.manager, changes={"reputation_risk": True}, reason="媒体关注"
    )
    flag = SlaTimer.objects.get(complaint=complaint, kind=TimerKind.ESCALATION_FLAG)
    assert flag.state == "pending" and flag.due_at == local(2026, 11, 24, 10)

    assert sweep().fired == 1
    state = CaseEscalation.objects.get(complaint=complaint)
    hand_off = EscalationHandOff.objects.get(complaint=complaint)
    assert (hand_off.trigger, hand_off.to_level_position, hand_off.to_user) == (
        HandOffTrigger.RISK_FLAG,
        3,
        org.gm,
    )
    assert state.reputation_risk_handled_at == local(2026, 11, 24, 10)

    # Analysing again (the flag still set) does not escalate again.
    complaint_analyse(number=complaint.number, actor=org.gm, changes={"impact": "微博转发"}, reason="补充")
    assert sweep().fired == 0
    assert SlaTimer.objects.filter(complaint=complaint, kind=TimerKind.ESCALATION_FLAG).count() == 1
    assert EscalationHandOff.objects.filter(complaint=complaint).count() == 1


def test_a_batch_flag_goes_to_the_branch_head(ladder_org, clock):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(org)
    complaint_analyse(number=complaint.number, actor=org.manager, changes={"is_batch": True})
    sweep()
    assert EscalationHandOff.objects.get(complaint=complaint).to_user == org.head


def test_acknowledging_the_customer_meets_the_levels_acknowledge_deadline(ladder_org, clock):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(org)
    complaint_escalate(number=complaint.number, actor=org.agent_a, reason="客户要求主管处理")
    clock.at(local(2026, 11, 25, 9))
    state = escalation_customer_acknowledged(number=complaint.number, actor=org.manager, note="已电话告知")
    assert state.customer_acknowledged_at == local(2026, 11, 25, 9)
    assert EscalationHandOff.objects.get(complaint=complaint).customer_acknowledged_at == local(
        2026, 11, 25, 9
    )
    acknowledge = SlaTimer.objects.get(complaint=complaint, kind=TimerKind.LEVEL_ACKNOWLEDGE)
    assert (acknowledge.state, acknowledge.cancel_reason) == ("cancelled", "met")
    # After the acknowledge due time (Thu 10:00), before the resolve clock's warning (Thu 19:36):
    clock.at(local(2026, 11, 26, 12))
    result = sweep()
    assert (result.fired, result.warned) == (0, 0)


def test_the_least_loaded_holder_is_chosen_and_a_missing_holder_is_flagged(ladder_org, clock):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))
    second = org.user("manager2", Role.BUSINESS_MANAGER, org.branch)
    first_case, second_case = handling_case(org), handling_case(org)
    assert complaint_escalate(number=first_case.number, actor=org.agent_a, reason="a").to_user == org.manager
    assert complaint_escalate(number=second_case.number, actor=org.agent_a, reason="b").to_user == second

    # Store B's chain has no branch head of its own once the SH head leaves: nobody holds level 2.
    org.head.is_active = False
    org.head.save(update_fields=["is_active"])
    hand_off = complaint_escalate(number=first_case.number, actor=org.manager, reason="c")
    first_case.refresh_from_db()
    state = CaseEscalation.objects.get(complaint=first_case)
    assert hand_off.to_user is None and hand_off.holder_missing and state.holder_missing
    assert hand_off.to_unit == org.store_a and first_case.assignee is None  # the unit's queue


def test_a_new_case_goes_straight_to_escalated_and_changes_hands(ladder_org, clock):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))
    complaint = intake(org.agent_a)
    hand_off = complaint_escalate(number=complaint.number, actor=org.agent_a, reason="客户直接要求经理处理")
    complaint.refresh_from_db()
    assert complaint.status == Status.ESCALATED and complaint.escalated_at is not None
    assert hand_off.to_user == org.manager and complaint.assignee == org.manager
    assert (
        ComplaintEvent.objects.filter(
            complaint=complaint, kind=EventKind.TRANSITION, old_value="new", new_value="escalated"
        ).count()
        == 1
    )
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.ESCALATED).count() == 1
