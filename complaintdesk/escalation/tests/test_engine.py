"""The pure engine: plain facts, the default ladder, a trigger and the time in; steps out."""

import datetime as dt

import pytest

from complaintdesk.escalation import engine
from complaintdesk.escalation.defaults import DEFAULT_LADDER
from complaintdesk.escalation.engine import (
    CaseFacts,
    ClockBreach,
    ClockWarning,
    Escalate,
    FlagsRaised,
    HandBack,
    HandBackRequest,
    ManualEscalation,
    MarkFlagsHandled,
    Notify,
    Objection,
    Refused,
    Warn,
    decide,
)

NOW = dt.datetime(2026, 10, 13, 2, 0, tzinfo=dt.UTC)
DUE = NOW - dt.timedelta(minutes=1)


def facts(level=0, **kwargs) -> CaseFacts:
    return CaseFacts(level=level, is_open=kwargs.pop("is_open", True), **kwargs)


def run(trigger, case=None, now=NOW, ladder=DEFAULT_LADDER):
    return decide(case=case or facts(), ladder=ladder, trigger=trigger, now=now)


@pytest.mark.parametrize(
    ("level", "clock", "expected"),
    [
        (
            0,
            "resolution",
            [Escalate(to_level=1, holder_role="business_manager", trigger="breach", clock="resolution")],
        ),
        (
            1,
            "level_resolve",
            [Escalate(to_level=2, holder_role="branch_head", trigger="breach", clock="level_resolve")],
        ),
        (
            2,
            "level_resolve",
            [Escalate(to_level=3, holder_role="general_management", trigger="breach", clock="level_resolve")],
        ),
        (
            3,
            "level_resolve",
            [Escalate(to_level=4, holder_role="executive", trigger="breach", clock="level_resolve")],
        ),
        # never automatically outside: the executive level's breach is told to people
        (
            4,
            "level_resolve",
            [
                Notify(
                    what="breach",
                    roles=("general_management", "executive"),
                    clock="level_resolve",
                    due_at=DUE,
                )
            ],
        ),
        (
            0,
            "first_response",
            [Notify(what="breach", roles=("business_manager",), clock="first_response", due_at=DUE)],
        ),
        (
            1,
            "level_acknowledge",
            [Notify(what="breach", roles=("branch_head",), clock="level_acknowledge", due_at=DUE)],
        ),
        (5, "level_resolve", []),
    ],
)
def test_a_breach_does_what_the_level_says(level, clock, expected):
    assert run(ClockBreach(clock=clock, level=level, due_at=DUE), facts(level)) == expected


def test_a_breach_of_a_level_the_case_has_left_or_of_a_closed_case_or_not_yet_due_does_nothing():
    assert run(ClockBreach(clock="level_resolve", level=1, due_at=DUE), facts(2)) == []
    assert run(ClockBreach(clock="resolution", level=0, due_at=DUE), facts(0, is_open=False)) == []
    assert run(ClockBreach(clock="resolution", level=0, due_at=NOW + dt.timedelta(seconds=1))) == []


def test_a_warning_goes_to_the_holder_while_the_clock_still_runs():
    later = NOW + dt.timedelta(hours=5)
    assert run(ClockWarning(clock="level_resolve", level=2, due_at=later), facts(2)) == [
        Warn(clock="level_resolve", level=2, due_at=later)
    ]
    assert run(ClockWarning(clock="level_resolve", level=2, due_at=DUE), facts(2)) == []  # too late to warn
    assert run(ClockWarning(clock="level_resolve", level=1, due_at=later), facts(2)) == []


def test_an_objection_goes_up_one_level_even_on_a_resolved_case_and_stops_at_the_top():
    assert run(Objection(reason="不满意"), facts(0, is_open=False)) == [
        Escalate(to_level=1, holder_role="business_manager", trigger="objection", reason="不满意")
    ]
    assert run(Objection(reason="还是不满意"), facts(4)) == [
        Escalate(to_level=5, holder_role="", trigger="objection", reason="还是不满意", external=True)
    ]
    assert run(Objection(reason="x"), facts(5)) == [Refused("at_top")]


def test_manual_escalation_one_up_or_to_a_higher_level_only():
    assert run(ManualEscalation(reason="r"), facts(1))[0].to_level == 2
    assert run(ManualEscalation(reason="r", to_level=3), facts(1))[0].to_level == 3
    assert run(ManualEscalation(reason="r", to_level=1), facts(1)) == [Refused("not_higher")]
    assert run(ManualEscalation(reason="r", to_level=9), facts(1)) == [Refused("no_such_level")]
    assert run(ManualEscalation(reason="r"), facts(1, is_open=False)) == [Refused("closed")]


@pytest.mark.parametrize(
    ("risk", "batch", "level", "expected_to"),
    [
        (True, False, 0, 3),
        (False, True, 0, 2),
        (True, True, 1, 3),
        (False, True, 2, None),
        (True, False, 4, None),
    ],
)
def test_flags_escalate_per_the_ladder_and_are_handled_once(risk, batch, level, expected_to):
    steps = run(FlagsRaised(), facts(level, reputation_risk=risk, is_batch=batch))
    assert steps[0] == MarkFlagsHandled(reputation_risk=risk, batch=batch)
    if expected_to is None:
        assert isinstance(steps[1], Notify) and steps[1].what == "risk_flag"
    else:
        assert steps[1].to_level == expected_to and steps[1].trigger == "risk_flag"
    handled = facts(
        level, reputation_risk=risk, is_batch=batch, reputation_risk_handled=True, batch_handled=True
    )
    assert run(FlagsRaised(), handled) == []


def test_flags_on_a_closed_case_are_only_marked():
    assert run(FlagsRaised(), facts(0, is_open=False, reputation_risk=True)) == [
        MarkFlagsHandled(reputation_risk=True, batch=False)
    ]


def test_hand_back_one_down_or_to_a_lower_level_with_instructions():
    assert run(HandBackRequest(instructions="补充材料后再答复"), facts(3)) == [
        HandBack(to_level=2, holder_role="branch_head", instructions="补充材料后再答复")
    ]
    assert run(HandBackRequest(instructions="i", to_level=0), facts(3))[0].to_level == 0
    assert run(HandBackRequest(instructions="i"), facts(0)) == [Refused("at_bottom")]
    assert run(HandBackRequest(instructions="i", to_level=3), facts(3)) == [Refused("not_lower")]


def test_a_ladder_of_its_own_decides_its_own_way():
    ladder = engine.LadderRules(
        levels=(
            engine.LevelRule(
                0,
                "desk",
                "柜台",
                holder_role="agent",
                on_resolve_breach=engine.NOTIFY,
                notify_roles=("supervisor",),
            ),
            engine.LevelRule(1, "boss", "店长", holder_role="branch_head", on_resolve_breach=engine.NONE),
        ),
    )
    assert run(ClockBreach(clock="resolution", level=0, due_at=DUE), ladder=ladder) == [
        Notify(what="breach", roles=("supervisor",), clock="resolution", due_at=DUE)
    ]
    assert run(ClockBreach(clock="level_resolve", level=1, due_at=DUE), facts(1), ladder=ladder) == []
    assert run(FlagsRaised(), facts(0, reputation_risk=True), ladder=ladder)[1] == Notify(
        what="risk_flag", roles=()
    )


def test_staff_never_escalate_to_the_external_level_that_is_the_customers_referral():
    assert run(ManualEscalation(reason="r"), facts(4)) == [Refused("external")]
    assert run(ManualEscalation(reason="r", to_level=5), facts(1)) == [Refused("external")]
