"""The transition table, exhaustively: every pair of states is either allowed with a rule or refused."""

import itertools

import pytest

from complaintdesk.complaints.states import (
    OPEN_STATUSES,
    STAMP_FIELDS,
    TRANSITIONS,
    IllegalTransition,
    Status,
    check_transition,
)

EXPECTED = {
    "new": {"accepted", "escalated", "withdrawn"},
    "accepted": {"analysing", "handling", "escalated", "withdrawn"},
    "analysing": {"handling", "escalated", "withdrawn"},
    "handling": {"awaiting_customer", "resolved", "escalated", "withdrawn"},
    "awaiting_customer": {"handling", "resolved", "escalated", "withdrawn"},
    "escalated": {"handling", "awaiting_customer", "resolved", "withdrawn"},
    "resolved": {"follow_up", "closed", "reopened"},
    "follow_up": {"closed", "reopened"},
    "closed": {"reopened"},
    "reopened": {"analysing", "handling", "escalated", "withdrawn"},
    "withdrawn": set(),
}
ALL_PAIRS = list(itertools.product(Status.values, Status.values))


def test_table_covers_every_state():
    assert set(TRANSITIONS) == set(Status)
    assert {k: {t.value for t in v} for k, v in TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize(("current", "target"), [p for p in ALL_PAIRS if p[1] in EXPECTED[p[0]]])
def test_allowed_transition_has_a_rule(current, target):
    rule = check_transition(current, target)
    assert rule.stamp == f"{target}_at"
    assert rule.stamp in STAMP_FIELDS
    assert rule.permission.endswith("_complaint")
    assert rule.reason_required == (target in {"escalated", "reopened", "withdrawn"})


@pytest.mark.parametrize(("current", "target"), [p for p in ALL_PAIRS if p[1] not in EXPECTED[p[0]]])
def test_refused_transition_names_what_is_allowed(current, target):
    with pytest.raises(IllegalTransition) as info:
        check_transition(current, target)
    assert info.value.current == current
    assert {s.value for s in info.value.allowed} == EXPECTED[current]


def test_unknown_target_is_refused_not_crashing():
    with pytest.raises(IllegalTransition):
        check_transition("new", "teleported")


def test_open_statuses_are_those_with_work_left():
    assert {s.value for s in OPEN_STATUSES} == {
        "new",
        "accepted",
        "analysing",
        "handling",
        "awaiting_customer",
        "escalated",
        "reopened",
    }
