"""A general complaint that nobody resolves climbs the default ladder level by level, each level with
its own acknowledge and resolve deadlines on the working calendar: across 中秋/国庆 2026 (with the
调休 Saturday 10 Oct), across 春节 2026 (调休 Saturdays 14 and 28 Feb) and across the year end into
2027, whose calendar is provisional. The clock is time-machine's; the worker is `timers_process_due`.

Expected deadlines are worked out by hand on a whole-day working calendar (no business hours: a
working day is 24 working hours), e.g. 5wd from Wed 30 Sep 10:00 = 14 h (30 Sep) + 24 h (8 Oct) +
24 h (9 Oct) + 24 h (Sat 10 Oct, 调休) + 24 h (12 Oct) + 10 h → Tue 13 Oct 10:00.
"""

import datetime as dt

import pytest

from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.complaints.states import Status
from complaintdesk.escalation.models import CaseEscalation, EscalationHandOff, HandOffTrigger
from complaintdesk.sla.models import SlaTimer, TimerKind, TimerState

from .conftest import handling_case, local, sweep

# (level, holder username, acknowledge due, resolve due, provisional), after the front line's 48 h.
NATIONAL_DAY = (
    local(2026, 9, 22, 10),  # Tuesday
    local(2026, 9, 24, 10),  # resolution: 48 calendar hours
    [
        # Thu 24 Sep → 中秋 Fri 25 Sep and the weekend are off: 14 h + Mon 24 h + 10 h / + Tue 24 h + 10 h
        (1, "manager", local(2026, 9, 29, 10), local(2026, 9, 30, 10), False),
        # Wed 30 Sep → 国庆 1–7 Oct off; 8, 9 Oct and Saturday 10 Oct (调休) work
        (2, "head", local(2026, 10, 9, 10), local(2026, 10, 13, 10), False),
        (3, "gm", local(2026, 10, 15, 10), local(2026, 10, 20, 10), False),
        (4, "exec", local(2026, 10, 22, 10), local(2026, 10, 27, 10), False),
    ],
)
SPRING_FESTIVAL = (
    local(2026, 2, 10, 10),
    local(2026, 2, 12, 10),
    [
        # Thu 12 Feb: Fri 13 and Saturday 14 Feb (调休) work, 15–23 Feb off (春节)
        (1, "manager", local(2026, 2, 14, 10), local(2026, 2, 24, 10), False),
        # Tue 24 Feb: 24–27 and Saturday 28 Feb (调休) work, Sunday 1 Mar off
        (2, "head", local(2026, 2, 26, 10), local(2026, 3, 2, 10), False),
        (3, "gm", local(2026, 3, 4, 10), local(2026, 3, 9, 10), False),
        (4, "exec", local(2026, 3, 11, 10), local(2026, 3, 16, 10), False),
    ],
)
YEAR_END = (
    local(2026, 12, 22, 10),
    local(2026, 12, 24, 10),
    [
        (1, "manager", local(2026, 12, 28, 10), local(2026, 12, 29, 10), False),
        # Tue 29 Dec: 29, 30, 31 Dec work; 元旦 Fri 1 Jan 2027 off (provisional rules); 4, 5 Jan work
        (2, "head", local(2026, 12, 31, 10), local(2027, 1, 6, 10), True),
        (3, "gm", local(2027, 1, 8, 10), local(2027, 1, 13, 10), True),
        (4, "exec", local(2027, 1, 15, 10), local(2027, 1, 20, 10), True),
    ],
)
SCENARIOS = {
    "national-day-2026": NATIONAL_DAY,
    "spring-festival-2026": SPRING_FESTIVAL,
    "year-end-2027": YEAR_END,
}


@pytest.mark.parametrize(("start", "front_line_due", "levels"), SCENARIOS.values(), ids=SCENARIOS.keys())
def test_an_unresolved_general_complaint_climbs_the_ladder_with_the_right_deadlines(
    ladder_org, clock, start, front_line_due, levels
):
    org = ladder_org
    clock.at(start)
    complaint = handling_case(org)
    assert complaint.resolution_due_at == front_line_due
    assert not EscalationHandOff.objects.exists()

    # One second before the deadline nothing happens …
    clock.at(front_line_due - dt.timedelta(seconds=1))
    sweep()
    assert not EscalationHandOff.objects.filter(complaint=complaint).exists()

    due = front_line_due
    for position, (level, holder, acknowledge_due, resolve_due, provisional) in enumerate(levels):
        clock.at(due)
        result = sweep()
        assert result.failed == 0
        complaint.refresh_from_db()
        state = CaseEscalation.objects.get(complaint=complaint)
        hand_off = EscalationHandOff.objects.filter(complaint=complaint).order_by("-id").first()

        assert state.level_position == level
        assert (hand_off.from_level_position, hand_off.to_level_position) == (level - 1, level)
        assert hand_off.trigger == HandOffTrigger.BREACH
        assert hand_off.to_user.username == holder and complaint.assignee.username == holder
        assert hand_off.at == due
        assert (hand_off.acknowledge_due_at, hand_off.resolve_due_at) == (acknowledge_due, resolve_due)
        assert (state.acknowledge_due_at, state.resolve_due_at) == (acknowledge_due, resolve_due)
        assert hand_off.deadline_provisional is provisional
        assert complaint.deadline_provisional is provisional
        assert complaint.status == Status.ESCALATED
        assert complaint.due_at == min(acknowledge_due, resolve_due)
        # The level's clocks are live timer rows with a warning at 80 % of each window.
        live = {
            t.kind: t for t in SlaTimer.objects.filter(complaint=complaint, state__in=["pending", "warned"])
        }
        assert set(live) == {TimerKind.LEVEL_ACKNOWLEDGE, TimerKind.LEVEL_RESOLVE}
        assert live[TimerKind.LEVEL_RESOLVE].due_at == resolve_due
        assert live[TimerKind.LEVEL_ACKNOWLEDGE].due_at == acknowledge_due
        assert live[TimerKind.LEVEL_RESOLVE].subject == f"L{level}"
        assert EscalationHandOff.objects.filter(complaint=complaint).count() == position + 1
        due = resolve_due

    # At the executive a resolve breach is told to general management and the executive; going
    # outside is the customer's step, never automatic.
    clock.at(due)
    sweep()
    assert CaseEscalation.objects.get(complaint=complaint).level_position == 4
    assert EscalationHandOff.objects.filter(complaint=complaint).count() == 4
    breaches = ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.SLA_BREACH)
    # front line resolution + per level (1–4) a resolve breach; acknowledge breaches come on top
    assert breaches.filter(field="resolution").count() == 1
    assert breaches.filter(field="level_resolve").count() == 4
    assert breaches.filter(field="level_acknowledge").count() == 4
    levels_on_timeline = ComplaintEvent.objects.filter(complaint=complaint, field="escalation_level")
    assert [e.new_value for e in levels_on_timeline] == ["业务经理", "营业机构负责人", "综合管理部", "管理层"]


def test_the_warning_comes_at_80_percent_of_the_working_window_and_only_once(ladder_org, clock):
    org = ladder_org
    clock.at(local(2026, 9, 22, 10))
    complaint = handling_case(org)
    clock.at(local(2026, 9, 24, 10))
    sweep()  # → business manager: resolve 3wd from Thu 24 Sep 10:00, due Wed 30 Sep 10:00
    timer = SlaTimer.objects.get(complaint=complaint, kind=TimerKind.LEVEL_RESOLVE, state="pending")
    # 80 % of 72 working hours = 57.6 h: Thu 14 h + Mon 24 h + 19.6 h of Tue 29 Sep → 19:36
    assert timer.warn_at == local(2026, 9, 29, 19, 36)

    clock.at(local(2026, 9, 29, 19, 35))
    # the acknowledge clock (due Tue 10:00) is past its due time: a breach, without a late warning
    before = sweep()
    assert (before.warned, before.fired) == (0, 1)
    clock.at(local(2026, 9, 29, 19, 36))
    first = sweep()
    again = sweep()
    timer.refresh_from_db()
    assert (first.warned, again.warned, again.fired) == (1, 0, 0)
    assert timer.state == TimerState.WARNED and timer.warned_at == local(2026, 9, 29, 19, 36)
    warnings = ComplaintEvent.objects.filter(
        complaint=complaint, kind=EventKind.SLA_WARNING, field="level_resolve"
    )
    assert warnings.count() == 1
