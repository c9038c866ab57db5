"""Issue 17: a burst of breaches is handled a batch at a time — each timer once under two concurrent
workers, nothing lost or doubled when a worker dies in the middle of a batch, one failing case does not
hold back the others — and a holder who receives many cases at once gets one message listing them."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from complaintdesk.complaints.models import ComplaintEvent, EventKind
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
        barrier = threading.Barrier(2)
        results, errors = [], []

        def worker():
            try:
                barrier.wait()
                results.append(timers_reconcile(batch=3, pause=0.05))
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)

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
