"""The pack's clock runs beside the organisation's SLA: the case's `due_at` (the queue's order) is the earlier
of the two, the statutory decision deadline is a timer of the case, and its warning and breach are on the
timeline in words (issue 15 item 2)."""

import datetime as dt

import pytest

from complaintdesk.complaints.event_text import events_for_people
from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.complaints.services import complaint_analyse, complaint_transition
from complaintdesk.regulation.clocks import STATUTORY_KIND
from complaintdesk.regulation.services import statutory_extension_approve
from complaintdesk.sla.models import LIVE_TIMER_STATES, SlaPolicy, SlaTimer
from complaintdesk.testing import resolve, sweep

from .conftest import intake, local

pytestmark = pytest.mark.django_db

# Banking, received Mon 28 Sep 2026 15:00 (before 国庆): 15 日 end on Tue 13 Oct, due at its 24:00.
RECEIVED = local(2026, 9, 28, 15)
STATUTORY_DUE = local(2026, 10, 14, 0)


def lax_sla():
    """The organisation's own clocks all longer than the statutory 15 days."""
    return SlaPolicy.objects.create(
        name="宽松", first_response_major="30d", first_response_general="30d", resolution_general="30d",
        resolution_complex="40d", acknowledge="30d",
    )  # fmt: skip


def strict_sla():
    return SlaPolicy.objects.create(
        name="严格", first_response_general="24h", resolution_general="5d", acknowledge="2wd"
    )


def statutory_timer(case):
    return SlaTimer.objects.get(complaint=case, kind=STATUTORY_KIND, state__in=LIVE_TIMER_STATES)


def test_golden_banking_case_before_national_day_is_due_at_the_statutory_date_when_the_sla_is_laxer(
    org, banking, clock
):
    lax_sla()
    clock.at(RECEIVED)
    case = intake(org.agent_a, title="信用卡年费争议")
    assert case.due_at == STATUTORY_DUE
    assert case.resolution_due_at > STATUTORY_DUE  # the SLA's own clock still shown, later
    timer = statutory_timer(case)
    assert (timer.due_at, timer.subject) == (STATUTORY_DUE, "decision")


def test_golden_the_same_case_is_due_at_the_sla_time_when_the_sla_is_stricter(org, banking, clock):
    strict_sla()
    clock.at(RECEIVED)
    case = intake(org.agent_a, title="信用卡年费争议")
    assert case.due_at == local(2026, 9, 29, 15)  # first response within 24 h
    assert case.due_at < STATUTORY_DUE
    assert statutory_timer(case).due_at == STATUTORY_DUE  # the statutory clock runs beside it


def test_without_a_pack_the_queue_follows_the_sla_only(org, clock):
    lax_sla()
    clock.at(RECEIVED)
    case = intake(org.agent_a)
    assert case.due_at == local(2026, 10, 28, 15)
    assert not SlaTimer.objects.filter(complaint=case, kind=STATUTORY_KIND).exists()


def test_a_complex_case_and_its_approved_extension_move_the_queue(org, banking, clock):
    lax_sla()
    clock.at(local(2026, 9, 20, 9))
    case = intake(org.agent_a, title="贷款利率纠纷")
    assert case.due_at == local(2026, 10, 9, 0)  # general: 15 日 end Mon 5 Oct in 国庆 → Thu 8 Oct
    complaint_analyse(number=case.number, actor=org.agent_a, changes={"complexity": "complex"})
    case.refresh_from_db()
    assert statutory_timer(case).due_at == local(2026, 10, 21, 0)  # complex: 30 日
    clock.at(local(2026, 10, 12, 10))
    statutory_extension_approve(
        number=case.number, actor=org.executive, amount=30, reason="需调取跨行交易记录",
        customer_notified_at=local(2026, 10, 12, 9),
    )  # fmt: skip
    case.refresh_from_db()
    assert statutory_timer(case).due_at == local(2026, 11, 20, 0)  # 60 日: Thu 19 Nov
    # the organisation's own clocks (30 日 first response: 20 Oct) are earlier than the extended date now
    assert case.due_at == case.first_response_due_at == local(2026, 10, 20, 9)


def test_the_statutory_warning_and_breach_are_on_the_timeline_in_words(org, banking, clock):
    lax_sla()
    clock.at(RECEIVED)
    case = intake(org.agent_a, title="信用卡年费争议")
    clock.at(local(2026, 10, 11, 9))  # past 80 % of the period
    sweep()
    clock.at(local(2026, 10, 14, 0, 1))
    sweep()
    events = ComplaintEvent.objects.filter(complaint=case, field="statutory_due").order_by("at", "id")
    warning, breach = events_for_people(list(events))
    assert warning.event.kind == EventKind.SLA_WARNING and breach.event.kind == EventKind.SLA_BREACH
    assert warning.what == breach.what == "法定处理时限"
    assert "“作出处理决定”时限将于 2026-10-13 24:00 届满" in warning.reason
    assert "银行保险机构消费投诉处理" in warning.reason
    assert "已超过" in breach.reason and "最后一日 2026-10-13" in breach.reason
    assert "decision" not in breach.reason + warning.reason


LETTER = {
    "verified": "经核实，宽带中断系小区光缆被施工挖断所致",
    "basis": "根据服务协议第八条，因我方线路原因中断服务的，应减免中断期间的费用",
    "routes": "如您不同意本处理决定，可在30日内申请核查，也可以申请调解、申请仲裁或向人民法院提起诉讼",
}


def test_a_resolved_case_has_no_statutory_clock(org, banking, clock):
    clock.at(RECEIVED)
    case = intake(org.agent_a)
    complaint_transition(number=case.number, actor=org.agent_a, to="accepted")
    complaint_transition(number=case.number, actor=org.agent_a, to="handling")
    clock.at(RECEIVED + dt.timedelta(days=2))
    resolve(org.agent_a, case.number, **LETTER)  # under the pack the result is a decision letter
    assert not SlaTimer.objects.filter(
        complaint=case, kind=STATUTORY_KIND, state__in=LIVE_TIMER_STATES
    ).exists()
