"""Timer rows follow the deadlines: written with the change that sets them, replaced when a deadline
moves (the old row cannot fire), handled once by the sweep, retried with back-off after a failure."""

import datetime as dt

import pytest
from django.core.management import call_command

from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.complaints.services import complaint_analyse, complaint_transition
from complaintdesk.sla import timers
from complaintdesk.sla.models import SlaPolicy, SlaTimer, TimerKind, TimerState
from complaintdesk.sla.timers import timer_process, timers_process_due
from complaintdesk.testing import resolve

from .conftest import intake, local

H = dt.timedelta(hours=1)


def _live(complaint) -> dict[str, SlaTimer]:
    return {t.kind: t for t in SlaTimer.objects.filter(complaint=complaint, state__in=["pending", "warned"])}


@pytest.fixture(autouse=True)
def _no_escalation_handlers(monkeypatch):
    """These tests are about the rows; what escalation does on a breach is tested in escalation."""
    monkeypatch.setattr(timers, "_HANDLERS", {})


def test_intake_writes_a_timer_per_deadline_with_a_warning_at_80_percent(org, clock):
    clock.at(local(2026, 11, 24, 10))  # Tuesday
    complaint = intake(org.agent_a)
    live = _live(complaint)
    assert set(live) == {TimerKind.FIRST_RESPONSE, TimerKind.ACKNOWLEDGE, TimerKind.RESOLUTION}
    assert (live["first_response"].due_at, live["first_response"].warn_at) == (
        local(2026, 11, 25, 10),
        local(2026, 11, 25, 5, 12),  # 80 % of 24 h = 19.2 h
    )
    assert live["resolution"].due_at == local(2026, 11, 26, 10)
    assert live["acknowledge"].due_at == local(2026, 11, 26, 10)  # 2 working days
    assert all(t.generation == 1 and t.next_check_at == t.warn_at for t in live.values())
    assert complaint.due_at == local(2026, 11, 25, 10)


def test_the_warning_share_comes_from_the_policy(org, clock):
    SlaPolicy.objects.create(name="半程预警", warn_at_share=50)
    clock.at(local(2026, 11, 24, 10))
    complaint = intake(org.agent_a)
    assert _live(complaint)["first_response"].warn_at == local(2026, 11, 24, 22)


def test_met_deadlines_cancel_their_timers(org, clock):
    clock.at(local(2026, 11, 24, 10))
    complaint = intake(org.agent_a)
    complaint_transition(number=complaint.number, actor=org.agent_a, to="accepted")
    assert set(_live(complaint)) == {TimerKind.RESOLUTION}
    met = SlaTimer.objects.filter(complaint=complaint, state=TimerState.CANCELLED)
    assert {(t.kind, t.cancel_reason) for t in met} == {("first_response", "met"), ("acknowledge", "met")}
    complaint_transition(number=complaint.number, actor=org.agent_a, to="handling")
    resolve(org.agent_a, complaint.number)
    # The resolution clock is met; what is left is the follow-up call (回访) the resolved case now needs.
    assert set(_live(complaint)) == {"follow_up"}


def test_a_pause_makes_the_old_timer_harmless_and_resume_arms_a_new_generation(org, clock):
    clock.at(local(2026, 11, 24, 10))
    complaint = intake(org.agent_a)
    for step in ("accepted", "handling"):
        complaint_transition(number=complaint.number, actor=org.agent_a, to=step)
    old = _live(complaint)["resolution"]
    assert old.due_at == local(2026, 11, 26, 10)

    clock.at(local(2026, 11, 24, 12))
    complaint_transition(number=complaint.number, actor=org.agent_a, to="awaiting_customer")
    old.refresh_from_db()
    assert (old.state, old.cancel_reason) == ("cancelled", "met") and _live(complaint) == {}

    clock.at(local(2026, 11, 24, 17))  # five hours later the customer answers
    complaint_transition(number=complaint.number, actor=org.agent_a, to="handling", reason="客户已回复")
    new = _live(complaint)["resolution"]
    assert (new.generation, new.due_at) == (2, local(2026, 11, 26, 15))

    # The old due time passes: a check scheduled for the old row finds it cancelled, the sweep nothing.
    clock.at(local(2026, 11, 26, 11))
    assert timer_process(timer_id=old.pk, complaint_id=complaint.pk) == timers.NOTHING
    result = timers_process_due()
    assert (result.fired, result.warned) == (0, 1)  # the new row's warning (80 %) only
    clock.at(local(2026, 11, 26, 15))
    assert timers_process_due().fired == 1
    assert timers_process_due().fired == 0
    breaches = ComplaintEvent.objects.filter(
        complaint=complaint, kind=EventKind.SLA_BREACH, field="resolution"
    )
    assert [e.new_value for e in breaches] == ["2026-11-26T15:00:00+08:00"]


def test_an_analysis_that_moves_a_deadline_replaces_its_timer(org, clock):
    clock.at(local(2026, 11, 24, 10))
    complaint = intake(org.agent_a)
    complaint_analyse(number=complaint.number, actor=org.manager, changes={"severity": "major"})
    first_response = SlaTimer.objects.filter(complaint=complaint, kind="first_response").order_by("id")
    assert [(t.generation, t.state, t.cancel_reason) for t in first_response] == [
        (1, "cancelled", "replaced"),
        (2, "pending", ""),
    ]
    assert first_response[1].due_at == local(2026, 11, 24, 12)  # 重大投诉: 2 hours


def test_downtime_three_deadlines_each_handled_once_by_reconcile(org, clock):
    clock.at(local(2026, 11, 24, 10))
    complaints = [intake(org.agent_a) for _ in range(3)]
    clock.at(local(2026, 11, 27, 10))  # three days of nothing running
    call_command("sla_reconcile", verbosity=0)
    call_command("sla_reconcile", verbosity=0)
    for complaint in complaints:
        fired = SlaTimer.objects.filter(complaint=complaint, state="fired")
        assert {t.kind for t in fired} == {"first_response", "acknowledge", "resolution"}
        assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.SLA_BREACH).count() == 3
        assert not ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.SLA_WARNING).exists()


def test_reconcile_dry_run_counts_only(org, clock, capsys):
    clock.at(local(2026, 11, 24, 10))
    intake(org.agent_a)
    clock.at(local(2026, 11, 25, 10))
    call_command("sla_reconcile", dry_run=True)
    assert '"due": 1' in capsys.readouterr().out  # first response; the others warn from Thu 00:24
    assert not SlaTimer.objects.filter(state__in=["fired", "warned"]).exists()


def test_a_failing_handler_rolls_back_and_is_retried_with_back_off(org, clock, monkeypatch):
    clock.at(local(2026, 11, 24, 10))
    complaint = intake(org.agent_a)
    calls = []

    def broken(**kwargs):
        calls.append(kwargs["timer"].kind)
        raise RuntimeError("notifier down")

    monkeypatch.setattr(timers, "_HANDLERS", {"first_response": broken})
    clock.at(local(2026, 11, 25, 10))
    result = timers_process_due()
    assert result.failed == 1
    row = SlaTimer.objects.get(complaint=complaint, kind="first_response")
    assert (row.state, row.attempts, row.next_check_at) == ("pending", 1, local(2026, 11, 25, 10, 0, 30))
    assert "notifier down" in row.last_error
    assert not ComplaintEvent.objects.filter(
        complaint=complaint, kind=EventKind.SLA_BREACH, field="first_response"
    ).exists()

    monkeypatch.setattr(timers, "_HANDLERS", {})
    clock.at(local(2026, 11, 25, 10, 0, 30))
    assert timers_process_due().fired >= 1
    row.refresh_from_db()
    assert row.state == "fired"
    assert (
        ComplaintEvent.objects.filter(
            complaint=complaint, kind=EventKind.SLA_BREACH, field="first_response"
        ).count()
        == 1
    )
