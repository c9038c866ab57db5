"""Issue 19: KPIs over contact types. The hand-worked March fixture (test_kpis.py) plus five contacts that are
not complaints at store A: two inquiries answered within the hour (one from a customer who also complained),
one suggestion concluded after three days, two praise closed within the hour (one credited to agent_a).

Expected, from the fixture's March numbers (volume 35, FCR 17 ÷ 29, complaint rate 1.82 %):
  volume 35 (unchanged: contacts are not complaints), complaint rate unchanged (a complainant is a customer
  with a complaint), praise rate 2 ÷ (35 + 5) = 5.00 %, FCR (17 + 2 + 2) ÷ (29 + 5) = 61.76 %."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext

from complaintdesk.analytics import selectors
from complaintdesk.analytics.models import MonthlyRollup
from complaintdesk.analytics.rollups import rollup_matches_facts
from complaintdesk.analytics.scorecards import scorecards
from complaintdesk.analytics.services import analytics_rebuild

from .fixture import AT, MARCH, Fixture, local

pytestmark = pytest.mark.django_db
H = local(3, 1, 1) - local(3, 1, 0)


def march(org):
    return selectors.kpis(selectors.slice_for(user=org.executive, month_from=MARCH, month_to=MARCH))


def test_contacts_count_in_praise_rate_and_fcr_but_not_in_complaint_kpis(org):
    fx = Fixture(org)
    analytics_rebuild(at=AT)
    before = march(org)
    assert (before["volume"].value, before["fcr"].value, before["praise_rate"].value) == (35, 58.62, 0.0)

    a, store = org.agent_a, org.store_a
    common = {"category": None, "channel": "phone", "agent": a, "status": "closed"}
    fx.case("Q", "q1", store, local(3, 16, 10), kind="inquiry", responded=H / 2, resolved=H / 2, **common)
    fx.case(
        "Q", "c0", store, local(3, 17, 10), kind="inquiry", responded=H, resolved=H, **common
    )  # a complainant
    fx.case("S", "s1", store, local(3, 18, 10), kind="suggestion", responded=H, resolved=72 * H, **common)
    fx.case("P", "p1", store, local(3, 19, 10), kind="praise", resolved=H / 4, credited_user=a, **common)
    fx.case("P", "p2", store, local(3, 20, 10), kind="praise", resolved=H / 4, **common)
    analytics_rebuild(at=AT)
    after = march(org)

    assert after["volume"].value == 35
    assert (after["complaint_rate"].numerator, after["complaint_rate"].denominator) == (
        before["complaint_rate"].numerator,
        before["complaint_rate"].denominator,
    )
    assert (after["praise_rate"].numerator, after["praise_rate"].denominator, after["praise_rate"].value) == (
        2,
        40,
        5.0,
    )
    assert (after["fcr"].numerator, after["fcr"].denominator, after["fcr"].value) == (21, 34, 61.76)
    for code in ("csat", "fr_sla", "res_sla", "escalation_rate", "repeat_rate", "aht", "nps"):
        assert after[code].value == before[code].value, code

    # The same sums from the facts and from the rollups.
    facts = selectors.kpis(
        selectors.slice_for(user=org.executive, month_from=MARCH, month_to=MARCH), source="facts"
    )
    assert {c: k.value for c, k in facts.items()} == {c: k.value for c, k in after.items()}

    # The scorecard's customer feedback counts the praise credited to each agent.
    cards = {
        card.agent.username: card
        for card in scorecards(selectors.slice_for(user=org.executive, month_from=MARCH, month_to=MARCH))
    }
    praise = {
        name: next(
            p for comp in card.components if comp.code == "feedback" for p in comp.parts if p.label == "表扬"
        )
        for name, card in cards.items()
    }
    assert praise["agent_a"].score == 100.0 and praise["agent_b"].score == 0.0


# --- the kind as a dimension of the rollups (issue 19 gap 4) ----------------------------------------------


def _contacts(fx, org):
    a, store = org.agent_a, org.store_a
    common = {"category": None, "channel": "phone", "agent": a, "status": "closed"}
    fx.case("Q", "q1", store, local(3, 16, 10), kind="inquiry", responded=H / 2, resolved=H / 2, **common)
    fx.case("Q", "c0", store, local(3, 17, 10), kind="inquiry", responded=H, resolved=H, **common)
    fx.case("S", "s1", store, local(3, 18, 10), kind="suggestion", responded=H, resolved=72 * H, **common)
    fx.case("P", "p1", store, local(3, 19, 10), kind="praise", resolved=H / 4, credited_user=a, **common)
    fx.case("P", "p2", store, local(3, 20, 10), kind="praise", resolved=H / 4, **common)


def _march_of(org, kind, source="auto"):
    s = selectors.slice_for(user=org.executive, month_from=MARCH, month_to=MARCH, kind=kind)
    return selectors.kpis(s, source=source)


def test_the_rollups_carry_the_kind_and_a_slice_of_one_kind_reads_them(org):
    fx = Fixture(org)
    _contacts(fx, org)
    analytics_rebuild(at=AT)
    assert set(MonthlyRollup.objects.filter(month=MARCH).values_list("kind", flat=True)) == {
        "complaint",
        "inquiry",
        "suggestion",
        "praise",
    }
    for kind in ("complaint", "inquiry", "suggestion", "praise"):
        assert rollup_matches_facts(q=Q(kind=kind)), kind
        # The same numbers from the rollups as from the facts, for every kind.
        rolled, counted = _march_of(org, kind), _march_of(org, kind, source="facts")
        assert {c: k.value for c, k in rolled.items()} == {c: k.value for c, k in counted.items()}, kind

    complaints = _march_of(org, "complaint")
    everything = march(org)
    assert complaints["volume"].value == everything["volume"].value == 35
    assert complaints["complaint_rate"].value == everything["complaint_rate"].value  # complainants only
    assert complaints["praise_rate"].value == 0.0  # no praise among complaints
    assert complaints["fcr"].value == 58.62  # FCR over complaints alone: the fixture's 17 ÷ 29

    inquiries = _march_of(org, "inquiry")
    assert inquiries["volume"].value == 0
    assert (inquiries["fcr"].numerator, inquiries["fcr"].denominator) == (2, 2)
    assert inquiries["complaint_rate"].value is None  # not 0 %: inquiries have no complainants to count
    praise = _march_of(org, "praise")
    assert (
        praise["praise_rate"].numerator,
        praise["praise_rate"].denominator,
        praise["praise_rate"].value,
    ) == (
        2,
        2,
        100.0,
    )


def test_the_dashboard_filters_by_kind_from_the_rollups_in_the_same_number_of_queries(org):
    fx = Fixture(org)
    _contacts(fx, org)
    analytics_rebuild(at=AT)

    def board(kind):
        s = selectors.slice_for(user=org.executive, month_from=MARCH, month_to=MARCH, kind=kind)
        with CaptureQueriesContext(connection) as queries:
            result = selectors.dashboard(s)
        sqls = [q["sql"] for q in queries.captured_queries]
        assert not any("analytics_complaintfact" in sql for sql in sqls)
        return result, len(sqls)

    (every, n_all), (inquiries, n_inquiries) = board(None), board("inquiry")
    assert n_inquiries <= n_all  # bounded: no more statements for one kind (none for customers served)
    assert every.kpis["fcr"].denominator == 34 and inquiries.kpis["fcr"].denominator == 2

    client = Client()
    client.force_login(org.executive)
    html = client.get("/dashboard/", {"from": "2026-03", "to": "2026-03", "kind": "inquiry"}).content.decode()
    assert '<option value="inquiry" selected>咨询</option>' in html
    assert "kind=inquiry" in html  # every number's link to its cases keeps the kind
    # An unknown kind is no filter, never an error.
    assert client.get("/dashboard/", {"kind": "rumour"}).status_code == 200
