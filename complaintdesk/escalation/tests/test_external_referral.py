"""The customer goes outside (12315, an industry association, an authority, arbitration, a court): the body,
the reference and the dates are recorded, the case keeps its history and can be reopened by the outcome."""

import datetime as dt

import pytest

from complaintdesk.common.errors import InvalidInput, PermissionDenied
from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.complaints.states import Status
from complaintdesk.escalation.models import (
    CaseEscalation,
    EscalationHandOff,
    ExternalReferral,
    HandOffDirection,
    HandOffTrigger,
    ReferralOutcome,
)
from complaintdesk.escalation.services import (
    complaint_escalate,
    external_referral_open,
    external_referral_outcome_record,
)
from complaintdesk.sla.models import SlaTimer
from complaintdesk.testing import resolve

from .conftest import handling_case, local


def _closed_case_at_branch_head(org):
    complaint = handling_case(org)
    complaint_escalate(number=complaint.number, actor=org.agent_a, reason="客户要求", to_level=2)
    from complaintdesk.archive.services import case_summary_write

    resolve(org.head, complaint.number)
    case_summary_write(
        number=complaint.number,
        actor=org.head,
        problem="宽带断网",
        cause="线路老化",
        solution="更换线路",
        lesson="老小区定期巡检",
    )
    complaint_transition(number=complaint.number, actor=org.head, to="closed")
    complaint.refresh_from_db()
    return complaint


def test_a_referral_records_the_body_and_moves_the_case_outside_keeping_its_history(ladder_org, clock):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))
    complaint = _closed_case_at_branch_head(org)
    events_before = list(ComplaintEvent.objects.filter(complaint=complaint).values_list("id", flat=True))
    clock.at(local(2026, 12, 1, 15))

    referral = external_referral_open(
        number=complaint.number,
        actor=org.head,
        body="consumer_association",
        body_name="上海市消费者权益保护委员会",
        reference_no="12315-SH-2026-0815",
        referred_on=dt.date(2026, 11, 30),
        response_due_on=dt.date(2026, 12, 8),
        note="客户来电告知已向 12315 投诉",
    )

    assert (referral.body, referral.reference_no, referral.outcome) == (
        "consumer_association",
        "12315-SH-2026-0815",
        ReferralOutcome.PENDING,
    )
    assert referral.received_at == local(2026, 12, 1, 15) and referral.recorded_by == org.head
    state = CaseEscalation.objects.get(complaint=complaint)
    hand_off = EscalationHandOff.objects.filter(complaint=complaint).last()
    assert state.level_position == 5 and hand_off.trigger == HandOffTrigger.EXTERNAL
    assert hand_off.to_user == org.head  # the holder keeps the case and answers the body
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED  # nothing reopened by the referral itself
    # Only the follow-up (回访) still runs: archiving does not drop it (surveys.follow_ups).
    running = SlaTimer.objects.filter(complaint=complaint, state__in=["pending", "warned"])
    assert [t.kind for t in running] == ["follow_up"]
    # History kept: the old events are all still there, the referral is one more.
    assert set(events_before) <= set(
        ComplaintEvent.objects.filter(complaint=complaint).values_list("id", flat=True)
    )
    assert ComplaintEvent.objects.get(
        complaint=complaint, kind=EventKind.EXTERNAL_REFERRAL, field="external_referral"
    ).new_value == ("消费者协会（12315） 上海市消费者权益保护委员会 12315-SH-2026-0815")


def test_an_outcome_can_reopen_the_case_and_hand_it_back(ladder_org, clock):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))
    complaint = _closed_case_at_branch_head(org)
    referral = external_referral_open(
        number=complaint.number, actor=org.head, body="arbitration", reference_no="仲字123"
    )
    clock.at(local(2026, 12, 10, 10))

    external_referral_outcome_record(
        referral_id=referral.pk,
        actor=org.head,
        outcome="partly_upheld",
        outcome_on=dt.date(2026, 12, 9),
        note="裁决退还一半费用",
        reopen=True,
    )

    referral.refresh_from_db()
    complaint.refresh_from_db()
    assert referral.outcome == "partly_upheld" and referral.reopened_at == local(2026, 12, 10, 10)
    assert complaint.status == Status.REOPENED and complaint.is_open
    back = EscalationHandOff.objects.filter(complaint=complaint).last()
    assert (back.direction, back.from_level_position, back.to_level_position) == (HandOffDirection.DOWN, 5, 2)
    assert back.to_user == org.head and "裁决退还一半费用" in back.instructions
    live = SlaTimer.objects.filter(complaint=complaint, state="pending")
    # Back at the branch head with a fresh 5-working-day resolve window (Thu 10 Dec → Thu 17 Dec).
    assert [(t.kind, t.due_at) for t in live] == [("level_resolve", local(2026, 12, 17, 10))]


def test_a_referral_needs_a_known_body_and_permission(ladder_org, clock):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(org)
    with pytest.raises(InvalidInput) as error:
        external_referral_open(number=complaint.number, actor=org.agent_a, body="newspaper")
    assert set(error.value.fields) == {"body"}
    with pytest.raises(PermissionDenied):
        external_referral_open(number=complaint.number, actor=org.inspector, body="court")
    referral = external_referral_open(number=complaint.number, actor=org.agent_a, body="court")
    with pytest.raises(InvalidInput):
        external_referral_outcome_record(referral_id=referral.pk, actor=org.agent_a, outcome="pending")
    assert ExternalReferral.objects.count() == 1
