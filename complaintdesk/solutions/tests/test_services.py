"""Solutions and compensation through the services: options within authority are offered at once; above
the proposer's per-case or per-month limit an approval request goes to the next level of the case's
ladder; approve / reject with a reason; an approval that nobody decides expires and escalates (with a
controlled clock, worked by the SLA sweep); the customer's choice goes into the ledger."""

import datetime as dt
from decimal import Decimal

import pytest

from complaintdesk.common.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.complaints.states import Status
from complaintdesk.escalation.models import CaseEscalation, EscalationHandOff, HandOffTrigger
from complaintdesk.scripts.services import script_values
from complaintdesk.sla.models import SlaTimer, TimerKind, TimerState
from complaintdesk.solutions import selectors
from complaintdesk.solutions.models import (
    ApprovalRequest,
    ApprovalStatus,
    CompensationAuthority,
    CompensationEntry,
    ProposalStatus,
    SolutionOption,
    SolutionProposal,
)
from complaintdesk.solutions.services import (
    OptionData,
    approval_decide,
    solution_choose,
    solution_decline,
    solution_propose,
)
from complaintdesk.testing import resolve

from .conftest import handling_case, local, sweep


def _events(complaint, kind):
    return list(ComplaintEvent.objects.filter(complaint=complaint, kind=kind).order_by("id"))


def _approval_timers(complaint):
    return SlaTimer.objects.filter(complaint=complaint, kind=TimerKind.APPROVAL)


def test_options_within_the_agents_authority_are_offered_at_once(ladder_org):
    org = ladder_org
    complaint = handling_case(org.agent_a)

    proposal = solution_propose(
        number=complaint.number,
        actor=org.agent_a,
        note="宽带故障给您添麻烦了",
        options=[
            OptionData(remedy="fee_waiver", amount="100", description="减免本月月租"),
            OptionData(remedy="coupon", amount=Decimal("150.50"), description="150.5 元话费券"),
        ],
    )

    assert proposal.status == ProposalStatus.OFFERED
    assert proposal.authorised_by == org.agent_a and proposal.max_amount == Decimal("150.50")
    assert [(o.label, o.remedy.code, o.amount) for o in proposal.options.order_by("label")] == [
        ("A", "fee_waiver", Decimal("100.00")),
        ("B", "coupon", Decimal("150.50")),
    ]
    assert not ApprovalRequest.objects.exists()
    [event] = _events(complaint, EventKind.SOLUTION_PROPOSED)
    assert event.actor == org.agent_a and event.field == str(proposal.pk)
    assert "方案A：费用减免 100.00 元" in event.new_value and "方案B：优惠券 150.50 元" in event.new_value


def test_above_the_per_case_limit_the_proposal_goes_to_the_next_level_with_a_deadline(ladder_org, clock):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))  # Tuesday
    complaint = handling_case(org.agent_a)

    proposal = solution_propose(
        number=complaint.number,
        actor=org.agent_a,
        options=[OptionData(remedy="refund", amount=500, description="退还多扣费用")],
    )

    assert proposal.status == ProposalStatus.PENDING_APPROVAL and proposal.authorised_by is None
    [approval] = ApprovalRequest.objects.all()
    assert (approval.level_position, approval.level_name, approval.approver) == (1, "业务经理", org.manager)
    assert approval.amount == Decimal(500) and approval.requested_by == org.agent_a
    assert "超出每单补偿权限：上限 200.00 元，本单合计将达 500.00 元" in approval.reason
    # One working day to decide (whole-day calendar), warned at 80 % of it.
    assert approval.due_at == local(2026, 11, 25, 10)
    assert approval.warn_at == local(2026, 11, 25, 5, 12)
    [timer] = _approval_timers(complaint)
    assert (timer.subject, timer.state, timer.due_at) == (
        f"A{approval.pk}",
        TimerState.PENDING,
        approval.due_at,
    )
    [requested] = _events(complaint, EventKind.APPROVAL_REQUESTED)
    assert requested.actor == org.agent_a and "业务经理 manager" in requested.new_value
    # The case's own deadline does not move for an approval.
    complaint.refresh_from_db()
    assert complaint.due_at == complaint.resolution_due_at


def test_the_per_case_limit_counts_compensation_already_granted_on_the_case(ladder_org):
    org = ladder_org
    complaint = handling_case(org.agent_a)
    first = solution_propose(
        number=complaint.number, actor=org.agent_a, options=[OptionData(remedy="coupon", amount=150)]
    )
    solution_choose(number=complaint.number, actor=org.agent_a, proposal_id=first.pk, option="A")

    second = solution_propose(
        number=complaint.number, actor=org.agent_a, options=[OptionData(remedy="refund", amount=100)]
    )

    assert second.status == ProposalStatus.PENDING_APPROVAL
    assert "本单合计将达 250.00 元" in ApprovalRequest.objects.get().reason


def test_the_per_month_limit_is_configurable_and_counts_the_persons_month(ladder_org, clock):
    org = ladder_org
    CompensationAuthority.objects.filter(role="agent").update(per_month_limit=Decimal(300))
    clock.at(local(2026, 11, 20, 10))
    one = handling_case(org.agent_a)
    granted = solution_propose(
        number=one.number, actor=org.agent_a, options=[OptionData(remedy="refund", amount=200)]
    )
    solution_choose(number=one.number, actor=org.agent_a, proposal_id=granted.pk, option="A")

    two = handling_case(org.agent_a)
    over = solution_propose(
        number=two.number, actor=org.agent_a, options=[OptionData(remedy="refund", amount=150)]
    )
    assert over.status == ProposalStatus.PENDING_APPROVAL
    assert "超出每月补偿权限：上限 300.00 元，本月合计将达 350.00 元" in ApprovalRequest.objects.get().reason

    # A new month, a new allowance (the open proposal above was authorised by nobody: it does not count).
    clock.at(local(2026, 12, 1, 9))
    three = handling_case(org.agent_a)
    fresh = solution_propose(
        number=three.number, actor=org.agent_a, options=[OptionData(remedy="refund", amount=150)]
    )
    assert fresh.status == ProposalStatus.OFFERED


def test_open_proposals_reserve_the_month_allowance(ladder_org):
    org = ladder_org
    CompensationAuthority.objects.filter(role="agent").update(per_month_limit=Decimal(300))
    one, two = handling_case(org.agent_a), handling_case(org.agent_a)
    solution_propose(number=one.number, actor=org.agent_a, options=[OptionData(remedy="refund", amount=200)])

    second = solution_propose(
        number=two.number, actor=org.agent_a, options=[OptionData(remedy="gift", amount=150)]
    )

    assert second.status == ProposalStatus.PENDING_APPROVAL


def test_an_amount_past_the_next_levels_authority_goes_to_the_level_that_covers_it(ladder_org):
    org = ladder_org
    complaint = handling_case(org.agent_a)

    solution_propose(
        number=complaint.number, actor=org.agent_a, options=[OptionData(remedy="refund", amount=3000)]
    )

    approval = ApprovalRequest.objects.get()
    assert (approval.level_position, approval.approver) == (2, org.head)


def test_a_manager_above_their_own_authority_asks_the_level_above_them(ladder_org):
    org = ladder_org
    complaint = handling_case(org.agent_a)

    within = solution_propose(
        number=complaint.number, actor=org.manager, options=[OptionData(remedy="refund", amount=800)]
    )
    assert within.status == ProposalStatus.OFFERED and within.authorised_by == org.manager
    solution_propose(
        number=complaint.number, actor=org.manager, options=[OptionData(remedy="refund", amount=1200)]
    )

    within.refresh_from_db()
    assert within.status == ProposalStatus.SUPERSEDED
    assert ApprovalRequest.objects.get().approver == org.head


def test_the_approver_approves_with_a_reason_and_the_options_are_offered(ladder_org):
    org = ladder_org
    complaint = handling_case(org.agent_a)
    proposal = solution_propose(
        number=complaint.number,
        actor=org.agent_a,
        options=[OptionData(remedy="refund", amount=500), OptionData(remedy="apology")],
    )
    approval = ApprovalRequest.objects.get()

    with pytest.raises(PermissionDenied):
        approval_decide(approval_id=approval.pk, actor=org.agent_a, decision="approve", reason="我自己批")
    with pytest.raises(InvalidInput) as missing:
        approval_decide(approval_id=approval.pk, actor=org.manager, decision="approve", reason="  ")
    assert missing.value.fields == {"reason": ["此项为必填项"]}

    approval_decide(
        approval_id=approval.pk, actor=org.manager, decision="approve", reason="多扣费属实，同意退款"
    )

    approval.refresh_from_db()
    proposal.refresh_from_db()
    assert (approval.status, approval.decided_by, approval.decision_reason) == (
        ApprovalStatus.APPROVED,
        org.manager,
        "多扣费属实，同意退款",
    )
    assert proposal.status == ProposalStatus.OFFERED and proposal.authorised_by == org.manager
    [decided] = _events(complaint, EventKind.APPROVAL_DECIDED)
    assert (decided.actor, decided.old_value, decided.new_value) == (org.manager, "pending", "approved")
    # The approval's timer is gone with it.
    assert not _approval_timers(complaint).filter(state__in=[TimerState.PENDING, TimerState.WARNED]).exists()
    with pytest.raises(InvalidInput) as again:
        approval_decide(approval_id=approval.pk, actor=org.manager, decision="reject", reason="改主意")
    assert "已处理" in again.value.fields["approval"][0]


def test_the_approver_rejects_with_a_reason(ladder_org):
    org = ladder_org
    complaint = handling_case(org.agent_a)
    proposal = solution_propose(
        number=complaint.number, actor=org.agent_a, options=[OptionData(remedy="refund", amount=500)]
    )
    approval = ApprovalRequest.objects.get()

    approval_decide(
        approval_id=approval.pk, actor=org.manager, decision="reject", reason="按规定只能退差价 120 元"
    )

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED
    with pytest.raises(InvalidInput):
        solution_choose(number=complaint.number, actor=org.agent_a, proposal_id=proposal.pk, option="A")


def test_an_approver_cannot_approve_beyond_their_own_month(ladder_org):
    org = ladder_org
    CompensationAuthority.objects.filter(role="business_manager").update(per_month_limit=Decimal(400))
    complaint = handling_case(org.agent_a)
    solution_propose(
        number=complaint.number, actor=org.agent_a, options=[OptionData(remedy="refund", amount=500)]
    )
    approval = ApprovalRequest.objects.get()

    with pytest.raises(InvalidInput) as refused:
        approval_decide(approval_id=approval.pk, actor=org.manager, decision="approve", reason="同意")

    assert "超出每月补偿权限" in refused.value.fields["decision"][0]
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING
    # A higher level may decide it instead.
    approval_decide(approval_id=approval.pk, actor=org.head, decision="approve", reason="同意")


def test_an_approval_nobody_decides_warns_at_80_percent_then_expires_and_escalates(ladder_org, clock):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))  # Tuesday
    complaint = handling_case(org.agent_a)
    proposal = solution_propose(
        number=complaint.number, actor=org.agent_a, options=[OptionData(remedy="refund", amount=500)]
    )
    first = ApprovalRequest.objects.get()

    clock.at(local(2026, 11, 25, 6))  # past the warning point (05:12), before the due time
    assert sweep().warned == 1
    [warning] = ComplaintEvent.objects.filter(
        complaint=complaint, kind=EventKind.SLA_WARNING, field="approval"
    )
    assert warning.new_value.startswith("2026-11-25T10:00")
    first.refresh_from_db()
    assert first.status == ApprovalStatus.PENDING

    clock.at(local(2026, 11, 25, 10, 30))
    result = sweep()

    assert result.fired == 1
    first.refresh_from_db()
    assert first.status == ApprovalStatus.EXPIRED
    # The case goes above the approver who let it lapse: to the branch head, as a recorded hand-off.
    complaint.refresh_from_db()
    state = CaseEscalation.objects.get(complaint=complaint)
    assert (state.level_position, state.holder) == (2, org.head)
    assert complaint.status == Status.ESCALATED and complaint.assignee == org.head
    hand_off = EscalationHandOff.objects.get(complaint=complaint)
    assert hand_off.trigger == HandOffTrigger.MANUAL and "补偿审批超时未处理（业务经理）" in hand_off.reason
    # The request is not lost: it now waits for the branch head, with a fresh deadline.
    second = ApprovalRequest.objects.get(status=ApprovalStatus.PENDING)
    assert (second.proposal_id, second.level_position, second.approver) == (proposal.pk, 2, org.head)
    assert second.due_at == local(2026, 11, 26, 10, 30)
    decided = _events(complaint, EventKind.APPROVAL_DECIDED)
    assert [(e.field, e.new_value, e.actor) for e in decided] == [(str(first.pk), "expired", None)]
    assert len(_events(complaint, EventKind.APPROVAL_REQUESTED)) == 2

    # Handled once: another pass finds nothing more to do.
    again = sweep()
    assert (again.warned, again.fired) == (0, 0)
    assert ApprovalRequest.objects.count() == 2 and EscalationHandOff.objects.count() == 1


def test_the_deadline_to_decide_skips_the_national_day_holiday(ladder_org, clock):
    org = ladder_org
    clock.at(local(2026, 9, 30, 10))  # Wednesday before 国庆 (1–7 Oct)
    complaint = handling_case(org.agent_a)

    solution_propose(
        number=complaint.number, actor=org.agent_a, options=[OptionData(remedy="refund", amount=500)]
    )

    assert ApprovalRequest.objects.get().due_at == local(2026, 10, 8, 10)


def test_an_approval_at_the_top_that_expires_leaves_the_proposal_expired(ladder_org, clock):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(org.agent_a)
    proposal = solution_propose(
        number=complaint.number, actor=org.gm, options=[OptionData(remedy="refund", amount=50000)]
    )
    assert ApprovalRequest.objects.get().approver == org.executive

    clock.at(local(2026, 11, 26, 10))
    sweep()

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.EXPIRED
    assert not ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING).exists()


def test_the_customers_choice_goes_into_the_ledger_under_the_authoriser(ladder_org):
    org = ladder_org
    complaint = handling_case(org.agent_a)
    proposal = solution_propose(
        number=complaint.number,
        actor=org.agent_a,
        options=[OptionData(remedy="refund", amount=500), OptionData(remedy="coupon", amount=80)],
    )
    approval_decide(
        approval_id=ApprovalRequest.objects.get().pk, actor=org.manager, decision="approve", reason="同意"
    )

    with pytest.raises(InvalidInput) as wrong:
        solution_choose(number=complaint.number, actor=org.agent_a, proposal_id=proposal.pk, option="C")
    assert wrong.value.fields == {"option": ["可选：A、B"]}
    solution_choose(
        number=complaint.number,
        actor=org.agent_a,
        proposal_id=proposal.pk,
        option="a",
        note="客户选择全额退款",
    )

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CHOSEN and proposal.chosen_option.label == "A"
    entry = CompensationEntry.objects.get()
    assert (entry.amount, entry.remedy.code, entry.authorised_by, entry.recorded_by, entry.org_unit) == (
        Decimal(500),
        "refund",
        org.manager,
        org.agent_a,
        org.store_a,
    )
    [chosen] = _events(complaint, EventKind.SOLUTION_CHOSEN)
    assert chosen.reason == "客户选择全额退款" and "方案A：退款 500.00 元" in chosen.new_value
    [paid] = _events(complaint, EventKind.COMPENSATION_PAID)
    assert paid.field == str(entry.pk) and paid.new_value == "退款 500.00 元"
    assert selectors.ledger_case_total(complaint=complaint) == Decimal(500)


def test_an_apology_has_no_amount_and_writes_no_ledger_entry(ladder_org):
    org = ladder_org
    complaint = handling_case(org.agent_a)
    proposal = solution_propose(
        number=complaint.number,
        actor=org.agent_a,
        options=[OptionData(remedy="apology", description="店长当面致歉")],
    )
    solution_choose(number=complaint.number, actor=org.agent_a, proposal_id=proposal.pk, option="A")

    assert not CompensationEntry.objects.exists()
    assert not _events(complaint, EventKind.COMPENSATION_PAID)


def test_the_customer_may_decline_both_options_with_their_words(ladder_org):
    org = ladder_org
    complaint = handling_case(org.agent_a)
    proposal = solution_propose(
        number=complaint.number, actor=org.agent_a, options=[OptionData(remedy="coupon", amount=50)]
    )
    with pytest.raises(InvalidInput):
        solution_decline(number=complaint.number, actor=org.agent_a, proposal_id=proposal.pk, note="")
    solution_decline(
        number=complaint.number, actor=org.agent_a, proposal_id=proposal.pk, note="客户要求退款而不是券"
    )

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECLINED and proposal.customer_note == "客户要求退款而不是券"


@pytest.mark.parametrize(
    ("options", "errors"),
    [
        ([], {"options": ["请至少提出一个方案"]}),
        ([OptionData("refund", 1)] * 3, {"options": ["最多提出两个方案（方案A、方案B）"]}),
        ([OptionData("cash", 10)], {"options.0.remedy"}),
        ([OptionData("refund", -5)], {"options.0.amount": ["金额不能为负数"]}),
        ([OptionData("refund", "12.345")], {"options.0.amount"}),
        ([OptionData("refund", "abc")], {"options.0.amount"}),
        ([OptionData("refund", 10), OptionData("apology", 30)], {"options.1.amount": ["“道歉”不涉及金额"]}),
        ([OptionData("repair", 0)], {"options.0.description": ["请写明方案内容或填写金额"]}),
    ],
)
def test_bad_input_is_refused_with_field_errors_and_nothing_is_written(ladder_org, options, errors):
    org = ladder_org
    complaint = handling_case(org.agent_a)
    events_before = ComplaintEvent.objects.count()

    with pytest.raises(InvalidInput) as refused:
        solution_propose(number=complaint.number, actor=org.agent_a, options=options)

    fields = refused.value.fields
    assert (fields == errors) if isinstance(errors, dict) else (set(fields) == errors)
    assert not SolutionProposal.objects.exists() and not SolutionOption.objects.exists()
    assert ComplaintEvent.objects.count() == events_before


def test_a_new_proposal_replaces_the_open_one_and_withdraws_its_approval(ladder_org):
    org = ladder_org
    complaint = handling_case(org.agent_a)
    first = solution_propose(
        number=complaint.number, actor=org.agent_a, options=[OptionData(remedy="refund", amount=500)]
    )

    second = solution_propose(
        number=complaint.number, actor=org.agent_a, options=[OptionData(remedy="refund", amount=150)]
    )

    first.refresh_from_db()
    assert first.status == ProposalStatus.SUPERSEDED and second.status == ProposalStatus.OFFERED
    assert ApprovalRequest.objects.get().status == ApprovalStatus.CANCELLED
    assert not _approval_timers(complaint).filter(state__in=[TimerState.PENDING, TimerState.WARNED]).exists()


def test_a_case_outside_the_users_units_does_not_exist_for_them(ladder_org):
    org = ladder_org
    complaint = handling_case(org.agent_a)
    with pytest.raises(NotFound):
        solution_propose(
            number=complaint.number, actor=org.agent_b, options=[OptionData(remedy="coupon", amount=10)]
        )
    solution_propose(
        number=complaint.number, actor=org.agent_a, options=[OptionData(remedy="refund", amount=500)]
    )
    with pytest.raises(NotFound):
        approval_decide(
            approval_id=ApprovalRequest.objects.get().pk, actor=org.agent_b, decision="approve", reason="x"
        )


def test_ledger_totals_per_unit_and_month_within_the_users_units(ladder_org, clock):
    org = ladder_org
    for when, agent, amount in (
        (local(2026, 10, 12, 10), org.agent_a, 120),
        (local(2026, 11, 3, 10), org.agent_a, 80),
        (local(2026, 11, 4, 10), org.agent_a, 50),
        (local(2026, 11, 5, 10), org.agent_b, 30),
    ):
        clock.at(when)
        complaint = handling_case(agent)
        proposal = solution_propose(
            number=complaint.number, actor=agent, options=[OptionData(remedy="gift", amount=amount)]
        )
        solution_choose(number=complaint.number, actor=agent, proposal_id=proposal.pk, option="A")

    totals = selectors.ledger_totals(user=org.manager)
    assert [(t.unit_code, t.month, t.total, t.entries) for t in totals] == [
        ("SH-A", dt.date(2026, 11, 1), Decimal(130), 2),
        ("SH-B", dt.date(2026, 11, 1), Decimal(30), 1),
        ("SH-A", dt.date(2026, 10, 1), Decimal(120), 1),
    ]
    assert [(t.unit_code, t.total) for t in selectors.ledger_totals(user=org.agent_b)] == [
        ("SH-B", Decimal(30))
    ]
    november = selectors.ledger_totals(user=org.executive, unit=org.store_a, month_from=dt.date(2026, 11, 1))
    assert [(t.unit_code, t.total) for t in november] == [("SH-A", Decimal(130))]


def test_a_case_is_not_resolved_while_its_compensation_awaits_approval(ladder_org):
    org = ladder_org
    complaint = handling_case(org.agent_a)
    solution_propose(
        number=complaint.number, actor=org.agent_a, options=[OptionData(remedy="refund", amount=500)]
    )

    with pytest.raises(InvalidInput) as refused:
        resolve(org.agent_a, complaint.number)

    assert refused.value.message == "补偿审批未完成，不能解决投诉"
    assert "业务经理" in refused.value.fields["to"][0]
    approval_decide(
        approval_id=ApprovalRequest.objects.get().pk, actor=org.manager, decision="reject", reason="不符"
    )
    resolve(org.agent_a, complaint.number)
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED


def test_the_latest_proposal_fills_the_reply_scripts_options(ladder_org):
    org = ladder_org
    complaint = handling_case(org.agent_a)
    assert selectors.script_values_for_case(complaint=complaint) == {}
    proposal = solution_propose(
        number=complaint.number,
        actor=org.agent_a,
        options=[
            OptionData("fee_waiver", 100, "减免本月月租"),
            OptionData("service_adjustment", 0, "免费提速一个月"),
        ],
    )
    assert selectors.script_values_for_case(complaint=complaint) == {
        "option_a": "费用减免 100.00 元 减免本月月租",
        "option_b": "服务调整 免费提速一个月",
    }
    # Registered with the scripts: the solution script "我可以为您{option_a}" is filled, not left to type.
    filled = script_values(complaint=complaint, agent=org.agent_a, language="zh-hans")
    assert filled["option_a"] == "费用减免 100.00 元 减免本月月租"
    solution_choose(number=complaint.number, actor=org.agent_a, proposal_id=proposal.pk, option="B")
    assert selectors.script_values_for_case(complaint=complaint)["compensation"] == "服务调整 免费提速一个月"
    filled = script_values(complaint=complaint, agent=org.agent_a, language="zh-hans")
    assert filled["compensation"] == "服务调整 免费提速一个月"
