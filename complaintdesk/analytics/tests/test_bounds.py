"""What bounds the dashboard and the sync whatever the number of complaints (issue 20): the dashboard
reads the monthly rollups only (their rows are bounded by month × unit × category × channel ×
severity × complexity, not by how many complaints there are), in a fixed number of queries; the sync
rewrites only the rollups of the (month, unit) keys of the complaints that changed."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.analytics import selectors
from complaintdesk.analytics.models import ComplaintFact, MonthlyRollup
from complaintdesk.analytics.services import analytics_rebuild, analytics_sync
from complaintdesk.complaints.models import ComplaintEvent, EventKind

from .fixture import APRIL, AT, MARCH, Fixture, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def fx(org):
    fixture = Fixture(org)
    analytics_rebuild(at=AT)
    return fixture


def _dashboard_queries(user, *, month_from, month_to, unit=None) -> list[str]:
    s = selectors.slice_for(user=user, month_from=month_from, month_to=month_to, unit=unit)
    with CaptureQueriesContext(connection) as queries:
        selectors.dashboard(s, unit=unit)
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("who", ["executive", "manager"])
def test_the_dashboard_reads_rollups_not_facts_or_complaints(fx, org, who):
    user = getattr(org, who)
    sqls = _dashboard_queries(user, month_from=MARCH, month_to=APRIL)
    assert any("analytics_monthlyrollup" in sql for sql in sqls)
    assert not any("analytics_complaintfact" in sql for sql in sqls), sqls
    assert not any("complaints_complaint" in sql for sql in sqls), sqls
    # Every read of the rollups is bounded by the months asked for (the index ana_rollup_month_unit).
    for sql in sqls:
        if "analytics_monthlyrollup" in sql:
            assert (
                '"analytics_monthlyrollup"."month" >=' in sql
                and '"analytics_monthlyrollup"."month" <=' in sql
            )


def test_the_dashboards_queries_do_not_grow_with_the_range_or_the_data(fx, org):
    one = _dashboard_queries(org.executive, month_from=MARCH, month_to=MARCH)
    two = _dashboard_queries(org.executive, month_from=MARCH, month_to=APRIL)
    year = _dashboard_queries(org.executive, month_from=dt.date(2025, 5, 1), month_to=APRIL)
    assert len(one) == len(two) == len(year)
    # Twice the complaints (the same ones again a year later): the same statements.
    for group in ("A1", "B1"):
        for index, case in enumerate(fx.cases[group]):
            fx.case(f"{group}+", f"again{group}{index}", case.org_unit, case.created_at + dt.timedelta(days=365),
                    category=case.category, channel=case.channel, status="new")  # fmt: skip
    analytics_rebuild(at=AT + dt.timedelta(days=366))
    assert len(_dashboard_queries(org.executive, month_from=MARCH, month_to=APRIL)) == len(two)


def test_the_sync_rewrites_only_the_keys_that_changed(fx, org):
    """A change to a March case of SH-B: only (March, SH-B)'s rollup rows are written again."""
    before = {(row.month, row.org_unit_id): row.pk for row in MonthlyRollup.objects.order_by("pk")}
    case = fx.cases["B1"][-1]
    fx.rate(case, 5, 10)
    ComplaintEvent.objects.create(complaint=case, at=local(5, 15, 11), kind=EventKind.SURVEY)
    result = analytics_sync(at=AT + dt.timedelta(minutes=5))
    assert result.complaints == 1
    after = {(row.month, row.org_unit_id): row.pk for row in MonthlyRollup.objects.order_by("pk")}
    rewritten = {key for key in after if after[key] != before.get(key)}
    assert rewritten == {(MARCH, case.org_unit_id)}
    assert all(after[key] == before[key] for key in before if key != (MARCH, case.org_unit_id))


@pytest.mark.parametrize("cut", ["category", "channel"])
def test_a_category_or_channel_filter_still_reads_rollups_only(fx, org, cut):
    """The complaint rate of a filtered dashboard counts complainants from the rollups' per-category and
    per-channel measures, not from the facts (which grow with the archive)."""
    filters = {"category_id": fx.billing.id} if cut == "category" else {"channel": "wechat"}
    s = selectors.slice_for(user=org.executive, month_from=MARCH, month_to=APRIL, **filters)
    with CaptureQueriesContext(connection) as queries:
        board = selectors.dashboard(s)
    sqls = [q["sql"] for q in queries.captured_queries]
    assert not any("analytics_complaintfact" in sql for sql in sqls), sqls
    assert not any("complaints_complaint" in sql for sql in sqls), sqls
    unfiltered = _dashboard_queries(org.executive, month_from=MARCH, month_to=APRIL)
    assert len(sqls) == len(unfiltered)
    # billing: 23 customers ÷ 2 900 served (test_kpis.test_one_category); wechat: SH-A March c11–c16
    # and SH-B April f1–f3 (twice each, counted once) = 9 ÷ 2 900.
    assert board.kpis["complaint_rate"].numerator == (23 if cut == "category" else 9)


def test_filtered_complainants_in_the_rollups_equal_the_distinct_customers_of_the_facts(fx, org):
    """For every category and every channel, per unit-month: the rollup sum is the number of distinct
    customers the facts hold for that cut (what the dashboard counted before, reading the facts)."""
    cuts = [{"category_id": c} for c in {fx.billing.id, fx.network.id, fx.attitude.id}]
    cuts += [{"channel": ch} for ch in ("phone", "wechat", "web", "email", "api")]
    for cut in cuts:
        s = selectors.slice_for(user=org.executive, month_from=MARCH, month_to=APRIL, **cut)
        from_rollups = selectors.complainants_by_unit_month(s)
        from_facts = selectors.complainants_by_unit_month(s, source="facts")
        assert from_rollups == from_facts, cut
        assert sum(from_rollups.values()) > 0 or cut == {"channel": "api"}


def test_the_migration_fills_the_flags_of_facts_already_stored(fx, org):
    """Migration 0004 backfills the new measures of existing facts and rollups as the sync computes them."""
    migration = importlib.import_module(
        "complaintdesk.analytics.migrations.0004_complainants_by_category_channel"
    )
    fields = ("complainants_category", "complainants_channel")
    computed = {row[0]: row[1:] for row in ComplaintFact.objects.values_list("complaint_id", *fields)}
    rollups = sorted(
        MonthlyRollup.objects.values_list("month", "org_unit_id", "category_id", "channel", *fields)
    )
    assert any(any(v) for v in computed.values())
    ComplaintFact.objects.update(complainants_category=0, complainants_channel=0)
    MonthlyRollup.objects.update(complainants_category=0, complainants_channel=0)
    migration.backfill(apps, None)
    assert {row[0]: row[1:] for row in ComplaintFact.objects.values_list("complaint_id", *fields)} == computed
    assert (
        sorted(MonthlyRollup.objects.values_list("month", "org_unit_id", "category_id", "channel", *fields))
        == rollups
    )
