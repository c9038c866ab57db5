"""What bounds the dashboard and the sync whatever the number of complaints (issue 20): the dashboard
reads the monthly rollups only (their rows are bounded by month × unit × category × channel ×
severity × complexity, not by how many complaints there are), in a fixed number of queries; the sync
rewrites only the rollups of the (month, unit) keys of the complaints that changed."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.analytics import selectors
from complaintdesk.analytics.models import MonthlyRollup
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
