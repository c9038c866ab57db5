"""Retention counts from closure, per category; the default is 3 years (migration 0002)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from complaintdesk.common.time import now
from complaintdesk.complaints.models import Category
from complaintdesk.complaints.states import Status
from complaintdesk.privacy.models import RetentionRule
from complaintdesk.privacy.retention import closed_before, months_added, retention_ends_at, retention_expired
from complaintdesk.privacy.selectors import case_retention, expired_case_ids, retention_table

from .factories import closed_case

SH = ZoneInfo("Asia/Shanghai")


def test_months_added_keeps_the_day_or_takes_the_months_last():
    assert months_added(dt.datetime(2023, 3, 15, 10, tzinfo=SH), 36) == dt.datetime(
        2026, 3, 15, 10, tzinfo=SH
    )
    assert months_added(dt.datetime(2024, 2, 29, tzinfo=SH), 12) == dt.datetime(2025, 2, 28, tzinfo=SH)
    assert months_added(dt.datetime(2026, 1, 31, tzinfo=SH), 1) == dt.datetime(2026, 2, 28, tzinfo=SH)
    assert months_added(dt.datetime(2026, 1, 31, tzinfo=SH), -13) == dt.datetime(2024, 12, 31, tzinfo=SH)


def test_retention_ends_on_the_anniversary_of_closure():
    closed = dt.datetime(2023, 6, 1, 9, 30, tzinfo=SH)
    assert retention_ends_at(closed_at=closed, months=36) == dt.datetime(2026, 6, 1, 9, 30, tzinfo=SH)
    assert not retention_expired(closed_at=closed, months=36, at=dt.datetime(2026, 6, 1, 9, 29, tzinfo=SH))
    assert retention_expired(closed_at=closed, months=36, at=dt.datetime(2026, 6, 1, 9, 30, tzinfo=SH))
    assert not retention_expired(closed_at=None, months=36, at=dt.datetime(2030, 1, 1, tzinfo=SH))


def test_the_query_bound_never_misses_a_month_end():
    # Closed 31 Jan, one month: expired on 28 Feb; the bound for "now = 28 Feb" must let it through.
    closed = dt.datetime(2026, 1, 31, 12, tzinfo=SH)
    at = dt.datetime(2026, 2, 28, 12, tzinfo=SH)
    assert retention_expired(closed_at=closed, months=1, at=at)
    assert closed < closed_before(at=at, months=1)


def test_default_is_three_years_and_a_category_rule_replaces_it(org):
    assert retention_table().default_months == 36  # the row migration 0002 made
    credit = Category.objects.create(code="credit_report", name="征信")
    RetentionRule.objects.create(category=credit, years=5, note="征信类投诉")
    table = retention_table()
    assert table.months_for(credit.pk) == 60
    assert table.months_for(org.category.pk) == 36
    assert table.months_for(None) == 36


def test_a_case_is_expired_by_its_own_categorys_period_counted_from_closure(org):
    credit = Category.objects.create(code="credit_report", name="征信")
    RetentionRule.objects.create(category=credit, years=5)
    four_years = 4 * 366
    billing_old = closed_case(org.agent_a, closed_days_ago=four_years, category=org.category)
    credit_old = closed_case(org.agent_a, closed_days_ago=four_years, category=credit)
    credit_older = closed_case(org.agent_a, closed_days_ago=5 * 366 + 2, category=credit)
    uncategorised = closed_case(org.agent_a, closed_days_ago=3 * 365 + 2)
    recent = closed_case(org.agent_a, closed_days_ago=3 * 365 - 2, category=org.category)
    withdrawn = closed_case(org.agent_a, closed_days_ago=3 * 365 + 2, status=Status.WITHDRAWN)
    ids, held = expired_case_ids(at=now(), limit=100)
    assert set(ids) == {billing_old.pk, credit_older.pk, uncategorised.pk, withdrawn.pk}
    assert credit_old.pk not in ids and recent.pk not in ids and held == 0
    info = case_retention(complaint=credit_old)
    assert info.months == 60
    assert info.ends_at == retention_ends_at(closed_at=credit_old.closed_at, months=60)


def test_an_open_case_has_no_end_yet_even_if_it_was_closed_once(org):
    case = closed_case(org.agent_a, closed_days_ago=4 * 366)
    case.status = Status.REOPENED
    case.save(update_fields=["status"])
    assert expired_case_ids(at=now(), limit=10)[0] == []
    assert case_retention(complaint=case).ends_at is None


def test_the_admin_refuses_a_second_default_rule(db):
    with pytest.raises(ValidationError) as refused:
        RetentionRule(category=None, years=2).full_clean()
    assert "category" in refused.value.message_dict
