"""How a rule's counting options change the due date (pure: no database)."""

import datetime as dt

import pytest

from complaintdesk.calendars.workdays import WorkCalendar
from complaintdesk.common.testing import local
from complaintdesk.regulation.deadlines import (
    Anchor,
    CaseFacts,
    Clock,
    PackTerms,
    RuleTerms,
    Unit,
    statutory_due_dates,
)


def only_due(rule: RuleTerms, facts: CaseFacts, calendar: WorkCalendar | None = None):
    (due,) = statutory_due_dates(
        pack=PackTerms("t", 1, (rule,)), facts=facts, calendar=calendar or WorkCalendar()
    )
    return due


def test_counting_from_the_day_itself_ends_one_day_earlier():
    facts = CaseFacts(received_at=local(2026, 3, 2, 10))  # a Monday
    next_day = only_due(RuleTerms(Clock.DECISION, 15, Unit.CALENDAR_DAYS), facts)
    same_day = only_due(RuleTerms(Clock.DECISION, 15, Unit.CALENDAR_DAYS, counts_from_next_day=False), facts)
    assert (next_day.last_day, same_day.last_day) == (dt.date(2026, 3, 17), dt.date(2026, 3, 16))


def test_without_holiday_extension_a_period_may_end_on_a_holiday():
    facts = CaseFacts(received_at=local(2026, 2, 3, 10))
    rule = RuleTerms(Clock.DECISION, 15, Unit.CALENDAR_DAYS, extend_if_ends_on_holiday=False)
    assert only_due(rule, facts).last_day == dt.date(2026, 2, 18)


def test_working_days_counted_from_a_working_day_itself():
    facts = CaseFacts(received_at=local(2026, 3, 2, 10))  # Monday
    rule = RuleTerms(Clock.DECISION, 5, Unit.WORKING_DAYS, counts_from_next_day=False)
    assert only_due(rule, facts).last_day == dt.date(2026, 3, 6)  # Mon–Fri


def test_working_days_follow_the_units_own_closures_and_extra_days():
    facts = CaseFacts(received_at=local(2026, 3, 2, 10))
    rule = RuleTerms(Clock.DECISION, 5, Unit.WORKING_DAYS)
    plain = only_due(rule, facts).last_day
    closed = only_due(rule, facts, WorkCalendar(closures=frozenset({dt.date(2026, 3, 4)}))).last_day
    extra = only_due(rule, facts, WorkCalendar(extra_workdays=frozenset({dt.date(2026, 3, 7)}))).last_day
    assert (plain, closed, extra) == (dt.date(2026, 3, 9), dt.date(2026, 3, 10), dt.date(2026, 3, 7))


def test_months_end_on_the_corresponding_day_or_the_months_last_day():
    rule = RuleTerms(
        Clock.APPEAL_WINDOW, 1, Unit.MONTHS, anchor=Anchor.OCCURRED, extend_if_ends_on_holiday=False
    )
    facts = CaseFacts(received_at=local(2026, 3, 2, 10), occurred_at=local(2026, 1, 31, 10))
    assert only_due(rule, facts).last_day == dt.date(2026, 2, 28)
    rule_years = RuleTerms(
        Clock.APPEAL_WINDOW, 1, Unit.YEARS, anchor=Anchor.OCCURRED, extend_if_ends_on_holiday=False
    )
    assert only_due(rule_years, facts).last_day == dt.date(2027, 1, 31)


def test_a_clock_whose_anchor_is_unknown_is_not_computed():
    rule = RuleTerms(Clock.APPEAL_WINDOW, 5, Unit.MONTHS, anchor=Anchor.OCCURRED)
    dues = statutory_due_dates(
        pack=PackTerms("t", 1, (rule,)),
        facts=CaseFacts(received_at=local(2026, 3, 2)),
        calendar=WorkCalendar(),
    )
    assert dues == []


def test_a_naive_time_is_refused():
    naive = dt.datetime(2026, 3, 2)  # noqa: DTZ001
    with pytest.raises(ValueError):
        only_due(RuleTerms(Clock.DECISION, 5, Unit.CALENDAR_DAYS), CaseFacts(received_at=naive))
