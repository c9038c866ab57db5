"""The lifecycle's "→ escalated" (case page, API `POST /transitions`, any app) runs the ladder: level,
holder, the level's own clocks and the customer told, exactly as `complaint_escalate` does."""

import pytest

from complaintdesk.common.errors import InvalidInput
from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.complaints.states import Status
from complaintdesk.escalation import notify
from complaintdesk.escalation.models import CaseEscalation, EscalationHandOff, HandOffTrigger
from complaintdesk.escalation.services import complaint_escalate
from complaintdesk.sla.models import LIVE_TIMER_STATES, SlaTimer, TimerKind

from .conftest import handling_case, local, staff_notices_capture


@pytest.fixture
def told(monkeypatch):
    seen = {"customer": [], "staff": []}
    monkeypatch.setattr(notify, "customer_told_new_holder", lambda **values: seen["customer"].append(values))
    staff_notices_capture(monkeypatch, seen["staff"].append)
    return seen


def test_the_generic_transition_to_escalated_moves_the_case_up_the_ladder(
    ladder_org, clock, told, django_capture_on_commit_callbacks
):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))  # Tuesday
    complaint = handling_case(org)
    front_line_resolution = complaint.resolution_due_at
    clock.at(local(2026, 11, 24, 15))

    with django_capture_on_commit_callbacks(execute=True):
        returned = complaint_transition(
            number=complaint.number, actor=org.agent_a, to="escalated", reason="客户要求经理出面"
        )

    complaint.refresh_from_db()
    assert returned.pk == complaint.pk and complaint.status == Status.ESCALATED
    state = CaseEscalation.objects.get(complaint=complaint)
    assert (state.level_position, state.level_name, state.holder) == (1, "业务经理", org.manager)
    assert complaint.assignee == org.manager
    # The business manager's clocks: tell the customer within 2 working days, resolve within 3.
    assert state.acknowledge_due_at == local(2026, 11, 26, 15) and state.resolve_due_at == local(
        2026, 11, 27, 15
    )
    live = dict(
        SlaTimer.objects.filter(complaint=complaint, state__in=LIVE_TIMER_STATES).values_list(
            "kind", "due_at"
        )
    )
    assert live[TimerKind.LEVEL_ACKNOWLEDGE] == state.acknowledge_due_at
    assert live[TimerKind.LEVEL_RESOLVE] == state.resolve_due_at
    assert TimerKind.RESOLUTION not in live  # the front line's clock no longer runs
    assert complaint.due_at == state.acknowledge_due_at != front_line_resolution
    [hand_off] = EscalationHandOff.objects.filter(complaint=complaint)
    assert hand_off.trigger == HandOffTrigger.MANUAL and hand_off.reason == "客户要求经理出面"
    assert hand_off.actor == org.agent_a and hand_off.to_user == org.manager
    # One status event (not two), the level change, and the customer and the new holder are told.
    transitions = ComplaintEvent.objects.filter(
        complaint=complaint, kind=EventKind.TRANSITION, new_value="escalated"
    )
    assert transitions.count() == 1 and "客户要求经理出面" in transitions.get().reason
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.ESCALATED).count() == 1
    [customer] = told["customer"]
    assert customer["level_name"] == "业务经理" and customer["holder_name"] == "manager"
    assert any(call["user_ids"] == [org.manager.pk] for call in told["staff"])


def test_the_generic_transition_still_refuses_what_the_table_or_the_ladder_refuses(ladder_org, clock, told):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(org)
    with pytest.raises(InvalidInput) as error:
        complaint_transition(number=complaint.number, actor=org.agent_a, to="escalated", reason="  ")
    assert "reason" in error.value.fields
    complaint_escalate(number=complaint.number, actor=org.agent_a, reason="直接交管理层", to_level=4)
    complaint_transition(number=complaint.number, actor=org.executive, to="handling", reason="管理层处理")
    # At the top internal level the next step is the customer's referral, not a staff escalation.
    with pytest.raises(InvalidInput) as error:
        complaint_transition(number=complaint.number, actor=org.executive, to="escalated", reason="再升级")
    assert "外部转办" in error.value.fields["level"][0]
    complaint.refresh_from_db()
    assert complaint.status == Status.HANDLING and complaint.escalation.level_position == 4
