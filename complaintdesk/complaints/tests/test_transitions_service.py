"""complaint_transition against the whole transition table, permissions, and the SLA pause."""

import datetime as dt
from collections import deque

import pytest

from complaintdesk.common.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.common.time import to_local
from complaintdesk.complaints.models import Complaint, ComplaintEvent, EventKind
from complaintdesk.complaints.services import (
    IntakeData,
    complaint_create,
    complaint_transition,
)
from complaintdesk.complaints.states import OPEN_STATUSES, TRANSITIONS, Status
from complaintdesk.sla.models import SlaPause, SlaPolicy
from complaintdesk.testing import intake_data

# Tuesday 24 Nov 2026, 09:00 in Shanghai.
START = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
REASON_REQUIRED = {Status.ESCALATED, Status.REOPENED, Status.WITHDRAWN}


class Clock:
    """Stands in for django.utils.timezone.now, which common.time.now() reads."""

    def __init__(self, at: dt.datetime):
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        self.at += delta
        return self.at


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(START)
    monkeypatch.setattr("django.utils.timezone.now", clock)
    return clock


@pytest.fixture(autouse=True)
def table_walk(monkeypatch):
    """These tests walk the transition table and its clocks step by step. The surveys app's rule that a
    case is resolved only through feeding back the result (complaintdesk/surveys/tests/test_resolution.py)
    is lifted here; the other apps' guards stay."""
    from complaintdesk.complaints import services

    guards = [g for g in services._TRANSITION_GUARDS if g.__module__ != "complaintdesk.surveys.resolution"]
    monkeypatch.setattr(services, "_TRANSITION_GUARDS", guards)


def _paths_from_new() -> dict[Status, list[Status]]:
    """The shortest chain of allowed transitions from NEW to every state; through "escalated" only to
    reach that state itself (it puts the case on a level of the ladder, whose clocks then govern)."""
    paths = {Status.NEW: []}
    queue = deque([Status.NEW])
    while queue:
        state = queue.popleft()
        if state == Status.ESCALATED:
            continue
        for target in TRANSITIONS[state]:
            if target not in paths:
                paths[target] = [*paths[state], target]
                queue.append(target)
    return paths


PATHS = _paths_from_new()
ALLOWED = [(source, target) for source, rules in TRANSITIONS.items() for target in rules]
REFUSED = [(source, target) for source in Status for target in Status if target not in TRANSITIONS[source]]


def test_every_state_is_reachable_from_new():
    assert set(PATHS) == set(Status)


def _intake(**overrides) -> IntakeData:
    return intake_data(**{"demand": "尽快修复", **overrides})


def _summary_write(complaint: Complaint, *, org) -> None:
    from complaintdesk.archive.services import case_summary_write

    case_summary_write(
        number=complaint.number,
        actor=org.manager,
        problem="宽带断网",
        cause="分光器故障",
        solution="更换分光器并减免月租",
        lesson="同一小区断网先查分光器",
    )


def _case_in(state: Status, *, org, clock, actor=None, unit_code: str = "") -> Complaint:
    """A case taken by agent_a (in store A unless `unit_code`) and moved to `state` by the manager."""
    complaint = complaint_create(data=_intake(org_unit_code=unit_code), actor=actor or org.agent_a)
    for step in PATHS[state]:
        clock.advance(dt.timedelta(minutes=1))
        if step == Status.CLOSED:
            _summary_write(complaint, org=org)
        complaint_transition(number=complaint.number, actor=org.manager, to=step, reason=f"推进到{step}")
    if state in (Status.RESOLVED, Status.FOLLOW_UP):
        _summary_write(complaint, org=org)  # ready to be closed, as the archive requires
    complaint.refresh_from_db()
    assert complaint.status == state
    return complaint


@pytest.mark.parametrize(("source", "target"), ALLOWED, ids=[f"{s.value}->{t.value}" for s, t in ALLOWED])
def test_every_allowed_transition(org, clock, source, target):
    complaint = _case_in(source, org=org, clock=clock)
    at = clock.advance(dt.timedelta(minutes=7))
    reason = f"从{source.label}转为{target.label}"

    returned = complaint_transition(number=complaint.number, actor=org.manager, to=target, reason=reason)

    complaint.refresh_from_db()
    assert returned.pk == complaint.pk
    assert complaint.status == target
    rule = TRANSITIONS[source][target]
    assert getattr(complaint, rule.stamp) == at
    assert complaint.is_open is (target in OPEN_STATUSES)
    assert complaint.updated_at == at
    assert (complaint.due_at is None) is (not complaint.is_open)
    events = ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.TRANSITION, at=at)
    # "→ escalated" runs the ladder (escalation.services): the reason says it was a manual escalation.
    recorded = f"人工升级：{reason}" if target == Status.ESCALATED else reason
    assert [(e.field, e.old_value, e.new_value, e.actor, e.reason) for e in events] == [
        ("status", source.value, target.value, org.manager, recorded)
    ]
    if target == Status.ACCEPTED:
        assert complaint.first_responded_at == at and complaint.acknowledged_at == at
        assert complaint.assignee == org.manager
    # Awaiting the customer stops the clocks; leaving that state starts them again.
    assert (complaint.sla_paused_at is not None) is (target == Status.AWAITING_CUSTOMER)
    assert SlaPause.objects.filter(complaint=complaint, ended_at__isnull=True).exists() is (
        target == Status.AWAITING_CUSTOMER
    )


@pytest.mark.parametrize("source", list(Status), ids=[s.value for s in Status])
def test_every_refused_transition_raises_invalid_input_on_to(org, clock, source):
    complaint = _case_in(source, org=org, clock=clock)
    events_before = ComplaintEvent.objects.filter(complaint=complaint).count()
    refused = [target for s, target in REFUSED if s == source]
    assert refused  # at least the state itself
    for target in [*refused, "bogus", ""]:
        with pytest.raises(InvalidInput) as error:
            complaint_transition(number=complaint.number, actor=org.manager, to=target, reason="试一试")
        assert set(error.value.fields) == {"to"}, target
        assert error.value.fields["to"][0]
        if target in Status.values:
            message = error.value.fields["to"][0]
            assert source.value in message  # the current state
            assert all(allowed.value in message for allowed in TRANSITIONS[source])
    complaint.refresh_from_db()
    assert complaint.status == source
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == events_before


@pytest.mark.parametrize(
    ("source", "target"),
    [(s, t) for s, t in ALLOWED if t in REASON_REQUIRED],
    ids=[f"{s.value}->{t.value}" for s, t in ALLOWED if t in REASON_REQUIRED],
)
def test_reason_is_required_for_escalate_reopen_withdraw(org, clock, source, target):
    complaint = _case_in(source, org=org, clock=clock)
    events_before = ComplaintEvent.objects.filter(complaint=complaint).count()
    for reason in ("", "  \n "):
        with pytest.raises(InvalidInput) as error:
            complaint_transition(number=complaint.number, actor=org.manager, to=target, reason=reason)
        assert set(error.value.fields) == {"reason"}
    complaint.refresh_from_db()
    assert complaint.status == source
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == events_before


def test_reason_is_optional_elsewhere(org, clock):
    complaint = _case_in(Status.NEW, org=org, clock=clock)
    complaint_transition(number=complaint.number, actor=org.agent_a, to="accepted")
    event = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.TRANSITION)
    assert event.reason == ""


@pytest.mark.parametrize(
    "target", list(TRANSITIONS[Status.NEW]), ids=[t.value for t in TRANSITIONS[Status.NEW]]
)
def test_quality_inspector_may_not_transition(org, clock, target):
    complaint = _case_in(Status.NEW, org=org, clock=clock)
    with pytest.raises(PermissionDenied):
        complaint_transition(number=complaint.number, actor=org.inspector, to=target, reason="质检")
    complaint.refresh_from_db()
    assert complaint.status == Status.NEW
    assert not ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.TRANSITION).exists()


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (Status.ACCEPTED, Status.ESCALATED),
        (Status.RESOLVED, Status.CLOSED),
        (Status.RESOLVED, Status.FOLLOW_UP),
        (Status.CLOSED, Status.REOPENED),
    ],
    ids=["escalate", "close", "follow-up", "reopen"],
)
def test_api_client_may_only_do_what_its_role_allows(org, clock, source, target):
    complaint = _case_in(source, org=org, clock=clock)
    with pytest.raises(PermissionDenied):
        complaint_transition(number=complaint.number, actor=org.api_a, to=target, reason="接口调用")
    complaint.refresh_from_db()
    assert complaint.status == source


def test_api_client_may_accept_and_withdraw(org, clock):
    complaint = _case_in(Status.NEW, org=org, clock=clock)
    complaint_transition(number=complaint.number, actor=org.api_a, to="accepted")
    complaint_transition(number=complaint.number, actor=org.api_a, to="withdrawn", reason="客户撤诉")
    complaint.refresh_from_db()
    assert complaint.status == Status.WITHDRAWN and not complaint.is_open


@pytest.mark.parametrize("username", ["agent_b", "dept_staff"])
def test_users_outside_the_unit_get_not_found(org, clock, username):
    complaint = _case_in(Status.NEW, org=org, clock=clock)
    with pytest.raises(NotFound):
        complaint_transition(number=complaint.number, actor=getattr(org, username), to="accepted")
    complaint.refresh_from_db()
    assert complaint.status == Status.NEW


# The clock stops while waiting for the customer ---------------------------------------------------


def _dues(complaint: Complaint) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    return complaint.first_response_due_at, complaint.acknowledge_due_at, complaint.resolution_due_at


def test_awaiting_customer_pauses_and_leaving_resumes_later_by_the_paused_length(org, clock):
    complaint = _case_in(Status.HANDLING, org=org, clock=clock)
    before = _dues(complaint)
    assert complaint.created_at == START

    paused_at = clock.advance(H)
    complaint_transition(number=complaint.number, actor=org.agent_a, to="awaiting_customer")
    complaint.refresh_from_db()
    assert complaint.sla_paused_at == paused_at
    pause = SlaPause.objects.get(complaint=complaint)
    assert (pause.started_at, pause.ended_at) == (paused_at, None)
    assert _dues(complaint) == before  # an open pause does not move the due times yet

    resumed_at = clock.advance(5 * H)
    complaint_transition(number=complaint.number, actor=org.agent_a, to="handling", reason="客户已回复")
    complaint.refresh_from_db()
    pause.refresh_from_db()
    assert pause.ended_at == resumed_at
    assert complaint.sla_paused_at is None
    # Tuesday on a whole-day calendar: 5 calendar hours are also 5 working hours. Only the clock still
    # running moves: the case had been answered and acknowledged before it waited for the customer.
    assert complaint.first_responded_at < paused_at and complaint.acknowledged_at < paused_at
    assert _dues(complaint) == (before[0], before[1], before[2] + 5 * H)
    assert complaint.due_at == complaint.resolution_due_at
    moved = ComplaintEvent.objects.get(
        complaint=complaint, kind=EventKind.DEADLINES, field="resolution_due_at", at=resumed_at
    )
    # Times in the timeline are written in the organisation's zone, with their offset.
    assert moved.old_value == to_local(before[2]).isoformat()
    assert moved.new_value == to_local(before[2] + 5 * H).isoformat()
    assert moved.new_value.endswith("+08:00")


def test_a_pause_over_a_weekend_counts_calendar_and_working_clocks_apart(org, clock):
    clock.at = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)  # Friday 09:00 local
    complaint = _case_in(Status.HANDLING, org=org, clock=clock)
    created = complaint.created_at
    fr, ack, res = _dues(complaint)
    assert (fr, res) == (created + 24 * H, created + 48 * H)
    # Two working days would be Tuesday 09:00, after the 48 h resolution: the clocks agree, capped by it.
    assert ack == res

    clock.at = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # Friday 10:00
    complaint_transition(number=complaint.number, actor=org.agent_a, to="awaiting_customer")
    clock.at = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)  # Monday 10:00
    complaint_transition(number=complaint.number, actor=org.agent_a, to="resolved")
    complaint.refresh_from_db()

    # 72 calendar hours on the resolution clock; the answer and the acknowledgement, given before the
    # wait, keep their times (a working-day clock paused over a weekend: sla/tests/test_deadlines.py).
    assert complaint.resolution_due_at == res + 72 * H
    assert (complaint.first_response_due_at, complaint.acknowledge_due_at) == (fr, ack)
    assert complaint.sla_paused_at is None and not complaint.is_open and complaint.due_at is None


@pytest.mark.parametrize("exit_to", ["handling", "resolved", "escalated", "withdrawn"])
def test_every_way_out_of_awaiting_customer_resumes(org, clock, exit_to):
    complaint = _case_in(Status.AWAITING_CUSTOMER, org=org, clock=clock)
    assert complaint.sla_paused_at is not None
    res_before = complaint.resolution_due_at
    clock.advance(2 * H)
    complaint_transition(number=complaint.number, actor=org.manager, to=exit_to, reason="客户回复")
    complaint.refresh_from_db()
    assert complaint.sla_paused_at is None
    assert not SlaPause.objects.filter(complaint=complaint, ended_at__isnull=True).exists()
    assert complaint.resolution_due_at == res_before + 2 * H


def test_pauses_add_up(org, clock):
    complaint = _case_in(Status.HANDLING, org=org, clock=clock)
    res_before = complaint.resolution_due_at
    for hours in (1, 3):
        complaint_transition(number=complaint.number, actor=org.agent_a, to="awaiting_customer")
        clock.advance(hours * H)
        complaint_transition(number=complaint.number, actor=org.agent_a, to="handling")
        clock.advance(H)
    complaint.refresh_from_db()
    assert SlaPause.objects.filter(complaint=complaint, ended_at__isnull=False).count() == 2
    assert complaint.resolution_due_at == res_before + 4 * H


def test_no_pause_when_the_policy_says_so(org, clock):
    SlaPolicy.objects.create(name="不暂停", pause_while_awaiting_customer=False)
    complaint = _case_in(Status.HANDLING, org=org, clock=clock)
    before = _dues(complaint)
    complaint_transition(number=complaint.number, actor=org.agent_a, to="awaiting_customer")
    clock.advance(5 * H)
    complaint_transition(number=complaint.number, actor=org.agent_a, to="handling")
    complaint.refresh_from_db()
    assert complaint.sla_paused_at is None
    assert not SlaPause.objects.filter(complaint=complaint).exists()
    assert _dues(complaint) == before


def test_reopening_restarts_the_resolution_clock(org, clock):
    complaint = _case_in(Status.CLOSED, org=org, clock=clock)
    assert complaint.due_at is None
    reopened_at = clock.advance(10 * H)
    complaint_transition(number=complaint.number, actor=org.manager, to="reopened", reason="客户不满意")
    complaint.refresh_from_db()
    assert complaint.is_open and complaint.reopened_at == reopened_at
    assert complaint.resolution_due_at == reopened_at + 48 * H
    assert complaint.due_at == complaint.resolution_due_at


def test_escalating_a_new_case_counts_as_its_first_response(org, clock):
    complaint = complaint_create(data=_intake(), actor=org.agent_a)
    at = clock.advance(dt.timedelta(minutes=20))
    complaint_transition(
        number=complaint.number, actor=org.manager, to="escalated", reason="客户威胁向工信部投诉"
    )
    complaint.refresh_from_db()
    assert complaint.status == Status.ESCALATED and complaint.escalated_at == at
    assert complaint.first_responded_at == at and complaint.acknowledged_at == at
    assert complaint.accepted_at is None  # it never sat in the accepted stage
    # The business manager's clocks run now (escalation's ladder), not the front line's resolution clock.
    level = complaint.escalation
    assert level.level_position == 1 and level.level_started_at == at
    assert (
        complaint.due_at == min(level.acknowledge_due_at, level.resolve_due_at) != complaint.resolution_due_at
    )


def test_other_apps_react_to_a_transition_once_it_is_saved_and_can_refuse_it(org, clock, monkeypatch):
    from complaintdesk.common.errors import InvalidInput
    from complaintdesk.complaints import services

    complaint = _case_in(Status.HANDLING, org=org, clock=clock)
    seen = []

    def hook(*, complaint, old_status, actor, at, reason):
        saved = Complaint.objects.get(pk=complaint.pk)
        seen.append((old_status, saved.status, actor.username))

    monkeypatch.setattr(services, "_TRANSITION_HOOKS", [hook])
    complaint_transition(number=complaint.number, actor=org.agent_a, to="resolved")
    assert seen == [("handling", "resolved", "agent_a")]

    def refuse(**kwargs):
        raise InvalidInput({"summary": ["需要归档总结"]})

    monkeypatch.setattr(services, "_TRANSITION_HOOKS", [refuse])
    events = ComplaintEvent.objects.filter(complaint=complaint).count()
    with pytest.raises(InvalidInput):
        complaint_transition(number=complaint.number, actor=org.manager, to="closed")
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED  # the whole transition rolled back
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == events
