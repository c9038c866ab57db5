"""Issue 17: a burst of breaches is handled a batch at a time — each timer once under two concurrent
workers, nothing lost or doubled when a worker dies in the middle of a batch, one failing case does not
hold back the others — and a holder who receives many cases at once gets one message listing them."""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from complaintdesk.common.testing import run_together
from complaintdesk.complaints.models import Complaint, ComplaintEvent, EventKind
from complaintdesk.complaints.services import complaint_analyse
from complaintdesk.complaints.states import Status
from complaintdesk.complaints.timeline import chain_rows, chains_verify
from complaintdesk.escalation import services
from complaintdesk.escalation.models import EscalationHandOff, HolderBurstDigest
from complaintdesk.inbox.models import StaffNotification
from complaintdesk.notifications.models import Notification
from complaintdesk.sla import timers
from complaintdesk.sla.clocks import TimerSpec
from complaintdesk.sla.models import SlaTimer, TimerKind
from complaintdesk.sla.timers import timers_process_due, timers_reconcile

from .conftest import handling_case, local


class WorkerKilled(BaseException):
    """Not an Exception: like a process killed, nothing in the batch catches it."""


def _breached_cases(org, clock, n):
    clock.at(local(2026, 11, 24, 10))
    cases = [handling_case(org) for _ in range(n)]
    clock.at(local(2026, 11, 26, 10))  # every resolution clock (2 working days) has passed
    return cases


def _two_workers_reconcile(*, batch):
    """Two worker threads, each on its own connection, start a reconcile pass together (small batches, a pause
    between them, so that their claims interleave); returns (their results, the errors they raised)."""
    return run_together(lambda: timers_reconcile(batch=batch, pause=0.05), 2, timeout=180)


def _assert_each_escalated_once(cases):
    for case in cases:
        assert EscalationHandOff.objects.filter(complaint=case).count() == 1
        assert (
            ComplaintEvent.objects.filter(
                complaint=case, kind=EventKind.SLA_BREACH, field="resolution"
            ).count()
            == 1
        )
        assert ComplaintEvent.objects.filter(complaint=case, field="escalation_level").count() == 1
        assert Notification.objects.filter(complaint=case, template_code="escalated").count() == 1
        assert SlaTimer.objects.get(complaint=case, kind=TimerKind.RESOLUTION).state == "fired"
        case.refresh_from_db()
        assert case.status == Status.ESCALATED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_in_small_batches_handle_each_timer_exactly_once(ladder_org, clock):
    with override_settings(SLA_TIMERS_WAKE=False):
        cases = _breached_cases(ladder_org, clock, 12)
        results, errors = _two_workers_reconcile(batch=3)

    assert not errors and len(results) == 2
    assert sum(r.fired for r in results) == len(cases) and sum(r.failed for r in results) == 0
    _assert_each_escalated_once(cases)


def test_a_worker_killed_in_the_middle_of_a_batch_loses_and_doubles_nothing(ladder_org, clock, monkeypatch):
    cases = _breached_cases(ladder_org, clock, 5)
    real = services.escalation_on_timer
    handled = []

    def dies_at_the_third(**kwargs):
        handled.append(kwargs["complaint"].pk)
        if len(handled) == 3:
            raise WorkerKilled()
        real(**kwargs)

    monkeypatch.setitem(timers._HANDLERS, TimerKind.RESOLUTION, dies_at_the_third)
    with pytest.raises(WorkerKilled):
        timers_process_due(batch=10)
    # The batch's transaction rolled back as a whole: the two cases already escalated are not.
    assert len(handled) == 3
    assert (
        not EscalationHandOff.objects.exists()
        and not Notification.objects.filter(template_code="escalated").exists()
    )
    assert SlaTimer.objects.filter(kind=TimerKind.RESOLUTION, state="pending").count() == len(cases)
    assert not ComplaintEvent.objects.filter(kind=EventKind.SLA_BREACH).exists()

    monkeypatch.setitem(timers._HANDLERS, TimerKind.RESOLUTION, real)
    assert timers_process_due(batch=2).fired == len(cases)  # the next pass (or the other worker)
    assert timers_process_due(batch=2).handled == 0
    _assert_each_escalated_once(cases)


def test_one_failing_case_is_put_back_and_the_rest_of_its_batch_commits(ladder_org, clock, monkeypatch):
    cases = _breached_cases(ladder_org, clock, 4)
    broken = cases[1]
    real = services.escalation_on_timer

    def fails_for_one(**kwargs):
        real(**kwargs)
        if kwargs["complaint"].pk == broken.pk:
            raise RuntimeError("mail server down")

    monkeypatch.setitem(timers._HANDLERS, TimerKind.RESOLUTION, fails_for_one)
    result = timers_process_due(batch=10)
    assert (result.fired, result.failed) == (3, 1)
    _assert_each_escalated_once([c for c in cases if c.pk != broken.pk])
    row = SlaTimer.objects.get(complaint=broken, kind=TimerKind.RESOLUTION)
    assert (row.state, row.attempts, row.fired_at) == (
        "pending",
        1,
        None,
    ) and "mail server down" in row.last_error
    assert not EscalationHandOff.objects.filter(complaint=broken).exists()
    assert not Notification.objects.filter(complaint=broken).exists()

    monkeypatch.setitem(timers._HANDLERS, TimerKind.RESOLUTION, real)
    clock.at(local(2026, 11, 26, 10, 0, 30))
    assert timers_process_due().fired == 1
    _assert_each_escalated_once(cases)
    # The batch wrote its timelines in one statement, the failed case's events dropped with it: every chain holds.
    report = chains_verify(chain_rows(complaint_ids=[c.pk for c in cases]))
    assert report.broken is None and report.cases == len(cases) and report.unchained == 0


@override_settings(ESCALATION_DIGEST_THRESHOLD=2, ESCALATION_DIGEST_WINDOW_MINUTES=10)
def test_a_holder_who_receives_a_burst_gets_one_digest_listing_every_case(ladder_org, clock):
    org = ladder_org
    cases = _breached_cases(org, clock, 5)
    cases[3].severity = "major"
    cases[3].save(update_fields=["severity"])
    before = StaffNotification.objects.filter(user=org.manager).count()

    timers_reconcile()

    _assert_each_escalated_once(cases)  # each customer is still told on their own
    digest = HolderBurstDigest.objects.get()
    assert (digest.user, digest.cases, digest.worst_id) == (org.manager, 5, cases[3].pk)  # 重大投诉 first
    assert set(EscalationHandOff.objects.values_list("burst_digest", flat=True)) == {digest.pk}
    assert not EscalationHandOff.objects.filter(notice_pending=True).exists()
    notices = StaffNotification.objects.filter(user=org.manager).order_by("id")[before:]
    assert [n.kind for n in notices] == ["escalation_burst"]  # not one per case
    notice = notices[0]
    assert "5" in notice.title and cases[3].number in notice.title
    for case in cases:
        assert case.number in notice.body
    assert notice.body.index(cases[3].number) < notice.body.index(cases[0].number)

    # The next pass (or the minute's digest job) sends nothing twice.
    timers_reconcile()
    assert HolderBurstDigest.objects.count() == 1
    assert StaffNotification.objects.filter(user=org.manager).count() == before + 1


@override_settings(ESCALATION_DIGEST_THRESHOLD=10)
def test_a_few_cases_still_get_a_notice_each(ladder_org, clock):
    org = ladder_org
    cases = _breached_cases(org, clock, 3)
    timers_reconcile()
    assert not HolderBurstDigest.objects.exists()
    notices = StaffNotification.objects.filter(user=org.manager, kind="case_new_holder")
    assert sorted(n.case_number for n in notices) == sorted(c.number for c in cases)


def _batch_statements(org, clock, n):
    cases = _breached_cases(org, clock, n)
    with CaptureQueriesContext(connection) as statements:
        result, read = timers.timers_process_batch(batch=500)
    assert (result.fired, read) == (n, n)
    _assert_each_escalated_once(cases)
    return len(statements.captured_queries)


@override_settings(ESCALATION_DIGEST_THRESHOLD=1000)  # every holder's notice written on its own
def test_a_batch_of_breaches_costs_few_statements_per_escalation(ladder_org, clock):
    # Each escalation is a full hand-off (status, holder, level clocks, timeline, the customer's message, the
    # holder's notice). Case by case that was 51 statements each (1,017 for 20); a batch reads what it can for
    # all its cases at once and writes what they change at its end: the timeline, the notices, the messages,
    # the escalation rows, the hand-offs and the timers in one INSERT each, the cases' columns in one UPDATE
    # per set of columns (76 for 20 on 2026-12-06). One more case costs only its savepoint (2 statements).
    few = _batch_statements(ladder_org, clock, 4)
    many = _batch_statements(ladder_org, clock, 20)
    assert many <= 20 * 4
    assert (many - few) / 16 <= 2.5  # what one more case in the batch costs


def test_a_clock_moved_twice_by_one_case_in_a_batch_is_written_once(ladder_org, clock, monkeypatch):
    # In a batch a new timer row is kept for the batch's one INSERT; a second change of the same clock by
    # the same case (a reopening and an escalation in one go) replaces the kept row instead of adding one.
    cases = _breached_cases(ladder_org, clock, 2)
    first, second = dt.datetime(2026, 12, 1, 2, tzinfo=dt.UTC), dt.datetime(2026, 12, 2, 2, tzinfo=dt.UTC)

    def arms_twice(*, timer, complaint, phase, at):
        for due in (first, second):
            spec = TimerSpec(kind=TimerKind.LEVEL_RESOLVE, subject="L9", due_at=due, started_at=at)
            timers.timers_sync(complaint=complaint, specs=[spec], at=at)

    monkeypatch.setitem(timers._HANDLERS, TimerKind.RESOLUTION, arms_twice)
    assert timers_process_due(batch=10).fired == len(cases)
    for case in cases:
        rows = SlaTimer.objects.filter(complaint=case, kind=TimerKind.LEVEL_RESOLVE, subject="L9")
        assert [(r.due_at, r.state) for r in rows] == [(second, "pending")]  # the first never written


def _flagged_breached_cases(org, clock, n):
    """Cases with two due timers each: a reputation-risk flag raised on Tuesday that no worker has acted
    on yet (its due-now timer) and the resolution clock breached on Thursday. Whichever of the two a
    worker takes first, its handling rewrites the other: the flag's escalation (to level 3) cancels the
    resolution clock, which the level's clocks replace."""
    clock.at(local(2026, 11, 24, 10))
    cases = [handling_case(org) for _ in range(n)]
    for case in cases:
        complaint_analyse(
            number=case.number, actor=org.manager, changes={"reputation_risk": True}, reason="媒体关注"
        )
    clock.at(local(2026, 11, 26, 10))
    return cases


def _due_rows(case):
    return {
        t.kind: t
        for t in SlaTimer.objects.filter(
            complaint=case, kind__in=[TimerKind.ESCALATION_FLAG, TimerKind.RESOLUTION], state="pending"
        )
    }


def _check_order(rows_in_order):
    """Set the rows' check times so that a pass reads them in this order (all due)."""
    for minute, row in enumerate(rows_in_order):
        SlaTimer.objects.filter(pk=row.pk).update(next_check_at=local(2026, 11, 25, 8, minute))


def _assert_handled_once_and_each_customer_told_per_hand_off(cases, results):
    assert sum(r.failed for r in results) == 0
    assert not SlaTimer.objects.exclude(last_error="").exists()  # no deadlock, nothing retried
    for case in cases:
        # Every clock that was due was handled once (fired) or cancelled by the case's escalation.
        assert not SlaTimer.objects.filter(
            complaint=case, kind__in=["escalation_flag", "resolution"], state__in=["pending", "warned"]
        ).exists()
        flag = SlaTimer.objects.get(complaint=case, kind=TimerKind.ESCALATION_FLAG)
        assert flag.state == "fired"
        hand_offs = EscalationHandOff.objects.filter(complaint=case).order_by("id")
        assert hand_offs[len(hand_offs) - 1].to_level_position == 3  # the flag took it to level 3
        assert 1 <= len(hand_offs) <= 2
        fired = SlaTimer.objects.filter(
            complaint=case, state="fired", kind__in=["escalation_flag", "resolution"]
        ).count()
        assert fired == len(hand_offs)  # each handled timer moved the case once
        assert Notification.objects.filter(complaint=case, template_code="escalated").count() == len(
            hand_offs
        )
        breaches = ComplaintEvent.objects.filter(
            complaint=case, kind=EventKind.SLA_BREACH, field="resolution"
        )
        assert breaches.count() == fired - 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_around_a_case_held_elsewhere_do_not_deadlock(ladder_org, clock, monkeypatch):
    # The order that deadlocked the one-statement claim (`FOR UPDATE OF timer, complaint SKIP LOCKED`, which
    # kept the lock of a skipped row's timer): while a person holds case B, worker X reads B's resolution
    # row (B held: skipped) and takes case A by its flag row; then B is free, and worker Y reads A's
    # resolution row (A held by X: skipped) and takes B. X's flag escalation cancels A's resolution row and
    # Y's handling of B rewrites B's rows: each waited for a row the other had kept. Claiming cases first
    # and only then their rows, neither holds anything of the other's case.
    with override_settings(SLA_TIMERS_WAKE=False):
        a, b = _flagged_breached_cases(ladder_org, clock, 2)
        a_rows, b_rows = _due_rows(a), _due_rows(b)
        _check_order(
            [
                b_rows[TimerKind.RESOLUTION],
                a_rows[TimerKind.ESCALATION_FLAG],
                a_rows[TimerKind.RESOLUTION],
                b_rows[TimerKind.ESCALATION_FLAG],
            ]
        )
        held, release, x_claimed, y_claimed = (threading.Event() for _ in range(4))
        results, errors = [], []

        def after_claim(claimed):
            name = threading.current_thread().name
            if name == "X" and not x_claimed.is_set():
                x_claimed.set()
                y_claimed.wait(timeout=20)  # both hold their first batch before either handles it
            elif name == "Y":
                y_claimed.set()

        monkeypatch.setattr(timers, "_BATCH_START", [after_claim, *timers._BATCH_START])

        def person_holds_b():
            try:
                with transaction.atomic():
                    Complaint.objects.select_for_update().get(pk=b.pk)
                    held.set()
                    release.wait(timeout=30)
            finally:
                connection.close()

        def worker():
            try:
                results.append(timers.timers_process_batch(batch=1)[0])
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                connection.close()

        person = threading.Thread(target=person_holds_b)
        person.start()
        assert held.wait(timeout=30)
        x = threading.Thread(target=worker, name="X")
        x.start()
        assert x_claimed.wait(timeout=30)
        release.set()
        person.join(timeout=30)
        y = threading.Thread(target=worker, name="Y")
        y.start()
        for thread in (x, y):
            thread.join(timeout=60)
        assert not errors and len(results) == 2
        assert [r.handled for r in results] == [1, 1]
        results.append(timers_reconcile())  # what is left (B's flag), as the next pass would

    _assert_handled_once_and_each_customer_told_per_hand_off([a, b], results)
    # A went straight to level 3 (its flag first; the resolution row was cancelled, never fired); B's
    # resolution breach went first (level 1), then its flag (level 3).
    assert [h.to_level_position for h in EscalationHandOff.objects.filter(complaint=a)] == [3]
    assert [h.to_level_position for h in EscalationHandOff.objects.filter(complaint=b).order_by("id")] == [
        1,
        3,
    ]
    assert SlaTimer.objects.get(complaint=a, kind=TimerKind.RESOLUTION).state == "cancelled"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_over_cases_with_several_due_timers_each_handle_each_once(ladder_org, clock):
    # Two workers together over interleaved rows: each case's flag and resolution rows far apart in the
    # order, so that each worker's claim reads rows of cases the other holds.
    with override_settings(SLA_TIMERS_WAKE=False):
        cases = _flagged_breached_cases(ladder_org, clock, 10)
        rows = [_due_rows(case) for case in cases]
        order = [r[TimerKind.RESOLUTION] for r in rows[::2]] + [r[TimerKind.ESCALATION_FLAG] for r in rows]
        order += [r[TimerKind.RESOLUTION] for r in rows[1::2]]
        _check_order(order)
        results, errors = _two_workers_reconcile(batch=2)
        assert not errors and len(results) == 2
        results.append(timers_reconcile())  # flag rows an escalation left due after a pass's cut-off

    _assert_handled_once_and_each_customer_told_per_hand_off(cases, results)
