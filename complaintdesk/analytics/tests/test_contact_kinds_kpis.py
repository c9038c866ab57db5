"""Issue 19: KPIs over contact types. The hand-worked March fixture (test_kpis.py) plus five contacts that are
not complaints at store A: two inquiries answered within the hour (one from a customer who also complained),
one suggestion concluded after three days, two praise closed within the hour (one credited to agent_a).

Expected, from the fixture's March numbers (volume 35, FCR 17 ÷ 29, complaint rate 1.82 %):
  volume 35 (unchanged: contacts are not complaints), complaint rate unchanged (a complainant is a customer
  with a complaint), praise rate 2 ÷ (35 + 5) = 5.00 %, FCR (17 + 2 + 2) ÷ (29 + 5) = 61.76 %."""

import pytest

from complaintdesk.analytics import selectors
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
