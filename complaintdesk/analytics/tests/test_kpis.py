"""Every KPI of the 50-case fixture (see fixture.py for the groups), worked out by hand.

Per-group measures, by hand (n = cases; resp/handling in seconds; "fr a/b" = first response met a of
b decided; "res a/b" likewise; sat/praise (5 stars) of rated; the praise rate counts praise contacts, none here; prom/det of NPS answers):

  A1  n10 complainants10 resp 10×3600=36000 fr 10/10 res 10/10 resolved10 handling 10×4h=144000 fcr10
      rated10 sat 6+2=8 praise6 nps10 prom6 det2 (A1c's NPS 3)
  A2  n6 complainants6 resp 6×30h=648000 fr 0/6 (30h > 24h) res 6/6 (72h ≤ 168h) resolved6
      handling 6×24h=518400 (Fri 10:00→24:00 14h + Mon 00:00→10:00 10h; the weekend is not working time)
      fcr0 (72h > the 24h window) rated3 sat3 praise0 nps3 prom3 det0
  A3  n4 complainants0 (c1–c4 complained at SH-A in March already) repeat4 (15 days after A1)
      resp 4×3600=14400 fr 4/4 (1h ≤ 2h) res 4/4 resolved4 handling 4×6h=86400 fcr0 (6h > 2h window)
      escalated2 (c1 status, c2 hand-off) reopened1 (c3) rated3 sat1 (c4) praise1 nps3 prom1 (c4) det1 (c1)
      compensated2 cents 10000+5050=15050
  B1  n8 complainants8 resp 8×7200=57600 fr 8/8 res 4/8 (B1a met; B1b +50h > 48h; B1c past due, open)
      resolved6 handling 4×10h+2×50h=144000+360000=504000 fcr4 (B1a) rated6 sat4 praise0 nps4 prom0 det4
  B2  n4 complainants4 withdrawn1 resp0 fr 0/3 res 0/3 (the withdrawn one is left out)
  S1  n3 complainants3 resp 3×1800=5400 fr 3/3 res 3/3 resolved3 handling 3×3600=10800 fcr3
      rated3 sat3 praise3 nps3 prom3 compensated1 cents2000
  A4  n5 complainants5 repeat5 (22 days after A1) resp 5×3600=18000 fr 5/5 res 5/5 resolved5
      handling 5×3h=54000 fcr5 rated5 sat5 praise5 nps5 prom5
  A5  n1 complainants1 repeat0 (36 days after A1) resp3600 fr 1/1 res 1/1 resolved1 handling7200 fcr1
  B3  n6 complainants3 (f1–f3 twice each) repeat3 resp 6×3h=64800 fr 0/6 (3h > 2h) res 6/6
      resolved6 handling 6×24h=518400 fcr0 escalated3 rated3 sat3 nps3 prom3
  P1  n1 complainants1 resp3600 fr 1/1 res 0/0 (clock paused: undecided)
  X   n2 complainants2 resp 2×3600=7200 fr 2/2 res 2/2 resolved2 handling 2×5h=36000 fcr2
      rated2 sat0 nps2 det2
"""

import datetime as dt

import pytest

from complaintdesk.analytics import selectors
from complaintdesk.analytics.rollups import rollup_matches_facts, rollups_rebuild
from complaintdesk.analytics.services import analytics_rebuild, analytics_sync
from complaintdesk.complaints.models import ComplaintEvent, EventKind

from .fixture import APRIL, AT, MARCH, Fixture, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def fx(org):
    fixture = Fixture(org)
    analytics_rebuild(at=AT)
    return fixture


def kpis(org, *, month_from=MARCH, month_to=APRIL, unit=None, source="auto", **filters):
    s = selectors.slice_for(
        user=org.executive, month_from=month_from, month_to=month_to, unit=unit, **filters
    )
    return selectors.kpis(s, source=source)


def values(k) -> dict:
    return {code: kpi.value for code, kpi in k.items()}


@pytest.mark.parametrize("source", ["facts", "rollup"])
def test_march_whole_organisation(fx, org, source):
    k = kpis(org, month_from=MARCH, month_to=MARCH, source=source)
    # complaints: 10+6+4+8+4+3 = 35
    # CSAT: satisfied 8+3+1+4+0+3 = 19 ÷ rated 10+3+3+6+3 = 25 → 76.00 %
    # FCR: fcr 10+0+0+4+3 = 17 ÷ resolved 10+6+4+6+3 = 29 → 58.62 %
    # first response: met 10+0+4+8+0+3 = 25 ÷ decided 10+6+4+8+3+3 = 34 → 73.53 %
    # resolution: met 10+6+4+4+0+3 = 27 ÷ decided 10+6+4+8+3+3 = 34 → 79.41 %
    # escalation 2 ÷ 35 → 5.71 %; repeat 4 ÷ 35 → 11.43 %; reopen 1 ÷ ever resolved 29 → 3.45 %
    # ART: (36000+648000+14400+57600+0+5400) = 761400 s ÷ responded 31 = 24561.3 s → 6.82 h
    # AHT: (144000+518400+86400+504000+10800) = 1263600 s ÷ 29 = 43572.4 s → 12.10 h
    # NPS: promoters 6+3+1+0+3 = 13, detractors 2+1+4 = 7, answered 10+3+3+4+3 = 23 → (13−7)/23 = 26.09
    # praise rate: no praise contacts → 0 %; compensation 100.00+50.50+20.00 = 170.50
    # complaint rate: complainants SH-A 16 (c1–c16) + SH-B 12 (d1–d12) + SH 3 = 31 ÷ served 1000+500+200 → 1.82 %
    assert values(k) == {
        "volume": 35, "csat": 76.0, "fcr": 58.62, "complaint_rate": 1.82, "fr_sla": 73.53, "res_sla": 79.41,
        "escalation_rate": 5.71, "repeat_rate": 11.43, "reopen_rate": 3.45, "art": 6.82, "aht": 12.1,
        "transfer_rate": 0.0, "nps": 26.09, "praise_rate": 0.0, "compensation": 170.5,
    }  # fmt: skip
    assert (k["csat"].numerator, k["csat"].denominator) == (19, 25)
    assert (k["fcr"].numerator, k["fcr"].denominator) == (17, 29)
    assert (k["complaint_rate"].numerator, k["complaint_rate"].denominator) == (31, 1700)
    assert (k["art"].numerator, k["art"].denominator) == (761400, 31)
    assert (k["aht"].numerator, k["aht"].denominator) == (1263600, 29)


@pytest.mark.parametrize("source", ["facts", "rollup"])
def test_april_whole_organisation(fx, org, source):
    k = kpis(org, month_from=APRIL, month_to=APRIL, source=source)
    # complaints 5+1+6+1+2 = 15 (A4 at 04-01 00:10 local is April although it is 03-31 in UTC)
    # CSAT: 5+3+0 = 8 ÷ 5+3+2 = 10 → 80.00 %; FCR: 5+1+0+2 = 8 ÷ 5+1+6+2 = 14 → 57.14 %
    # first response 5+1+0+1+2 = 9 ÷ 15 → 60.00 %; resolution 14 ÷ 14 (P1 undecided) → 100.00 %
    # escalation 3 ÷ 15 → 20.00 %; repeat 5+3 = 8 ÷ 15 → 53.33 %; reopen 0 ÷ 14 → 0.00 %
    # ART 18000+3600+64800+3600+7200 = 97200 ÷ 15 = 6480 s → 1.80 h
    # AHT 54000+7200+518400+36000 = 615600 ÷ 14 = 43971.4 s → 12.21 h
    # NPS (5+3 − 2) ÷ 10 → 60.00; praise rate 0 % (no praise contacts); compensation 0
    # complaint rate: SH-A 7 (c5–c10, g1) + SH-B 3 (f1–f3) = 10 ÷ 800+400 → 0.83 %; BILL's 2 left out (no number)
    assert values(k) == {
        "volume": 15, "csat": 80.0, "fcr": 57.14, "complaint_rate": 0.83, "fr_sla": 60.0, "res_sla": 100.0,
        "escalation_rate": 20.0, "repeat_rate": 53.33, "reopen_rate": 0.0, "art": 1.8, "aht": 12.21,
        "transfer_rate": 0.0, "nps": 60.0, "praise_rate": 0.0, "compensation": 0.0,
    }  # fmt: skip
    s = selectors.slice_for(user=org.executive, month_from=APRIL, month_to=APRIL)
    assert selectors.complaint_rate(s).unit_months_missing == 1


@pytest.mark.parametrize("source", ["facts", "rollup"])
def test_two_months_whole_organisation(fx, org, source):
    k = kpis(org, source=source)
    # March + April: CSAT 27 ÷ 35 → 77.14; FCR 25 ÷ 43 → 58.14; first response 34 ÷ 49 → 69.39;
    # resolution 41 ÷ 48 → 85.42; escalation 5 ÷ 50 → 10.00; repeat 12 ÷ 50 → 24.00; reopen 1 ÷ 43 → 2.33;
    # ART 858600 ÷ 46 = 18665.2 s → 5.18 h; AHT 1879200 ÷ 43 = 43702.3 s → 12.14 h;
    # NPS (21 − 9) ÷ 33 → 36.36; praise rate 0 %; compensation 170.50;
    # complaint rate (31 + 10) ÷ (1700 + 1200) = 41 ÷ 2900 → 1.41
    assert values(k) == {
        "volume": 50, "csat": 77.14, "fcr": 58.14, "complaint_rate": 1.41, "fr_sla": 69.39, "res_sla": 85.42,
        "escalation_rate": 10.0, "repeat_rate": 24.0, "reopen_rate": 2.33, "art": 5.18, "aht": 12.14,
        "transfer_rate": 0.0, "nps": 36.36, "praise_rate": 0.0, "compensation": 170.5,
    }  # fmt: skip


@pytest.mark.parametrize("source", ["facts", "rollup"])
def test_branch_subtree_rolls_up_its_stores(fx, org, source):
    k = kpis(org, unit=org.branch, source=source)
    # SH with SH-A and SH-B, without BILL (X): 48 complaints; CSAT 27 ÷ (35−2) = 33 → 81.82;
    # FCR (25−2) ÷ (43−2) = 23 ÷ 41 → 56.10; escalation 5 ÷ 48 → 10.42;
    # NPS (21 − (9−2)) ÷ (33−2) = 14 ÷ 31 → 45.16; complaint rate 41 ÷ 2900 → 1.41
    assert k["volume"].value == 48
    assert (k["csat"].value, k["fcr"].value, k["escalation_rate"].value) == (81.82, 56.1, 10.42)
    assert (k["nps"].value, k["complaint_rate"].value) == (45.16, 1.41)
    assert (
        selectors.complaint_rate(
            selectors.slice_for(user=org.executive, month_from=MARCH, month_to=APRIL, unit=org.branch)
        ).unit_months_missing
        == 0
    )


@pytest.mark.parametrize("source", ["facts", "rollup"])
def test_one_store_one_month(fx, org, source):
    k = kpis(org, month_from=MARCH, month_to=MARCH, unit=org.store_a, source=source)
    # SH-A in March = A1 + A2 + A3: 20 complaints; CSAT (8+3+1) ÷ (10+3+3) = 12 ÷ 16 → 75.00;
    # FCR 10 ÷ 20 → 50.00; first response (10+0+4) ÷ 20 → 70.00; resolution 20 ÷ 20 → 100.00;
    # escalation 2 ÷ 20 → 10.00; repeat 4 ÷ 20 → 20.00; reopen 1 ÷ 20 → 5.00;
    # ART (36000+648000+14400) ÷ 20 = 34920 s → 9.70 h; AHT (144000+518400+86400) ÷ 20 = 37440 s → 10.40 h;
    # NPS (6+3+1 − (2+1)) ÷ 16 → 43.75; praise rate 0 %; compensation 150.50;
    # complaint rate 16 ÷ 1000 → 1.60
    assert values(k) == {
        "volume": 20, "csat": 75.0, "fcr": 50.0, "complaint_rate": 1.6, "fr_sla": 70.0, "res_sla": 100.0,
        "escalation_rate": 10.0, "repeat_rate": 20.0, "reopen_rate": 5.0, "art": 9.7, "aht": 10.4,
        "transfer_rate": 0.0, "nps": 43.75, "praise_rate": 0.0, "compensation": 150.5,
    }  # fmt: skip


def test_one_agent(fx, org):
    k = kpis(org, agent_id=org.agent_b.id)
    # agent_b = B1 + B2 + B3: 18 complaints; CSAT (4+0+3) ÷ (6+3) = 7 ÷ 9 → 77.78;
    # FCR 4 ÷ (6+6) → 33.33; first response 8 ÷ (8+3+6) = 8 ÷ 17 → 47.06; resolution (4+6) ÷ 17 → 58.82;
    # escalation 3 ÷ 18 → 16.67; repeat 3 ÷ 18 → 16.67; AHT (504000+518400) ÷ 12 = 85200 s → 23.67 h;
    # no complaint rate for an agent (customers served are per unit)
    assert k["volume"].value == 18
    assert (k["csat"].value, k["fcr"].value, k["fr_sla"].value, k["res_sla"].value) == (
        77.78,
        33.33,
        47.06,
        58.82,
    )
    assert (k["escalation_rate"].value, k["repeat_rate"].value, k["aht"].value) == (16.67, 16.67, 23.67)
    assert k["complaint_rate"].value is None


@pytest.mark.parametrize("source", ["facts", "rollup"])
def test_one_category(fx, org, source):
    k = kpis(org, category_id=fx.billing.id, source=source)
    # billing: A1 10 + A3 4 + B2 4 + S1 3 + A4 5 + P1 1 + X 2 = 29 complaints;
    # CSAT (8+1+3+5+0) ÷ (10+3+3+5+2) = 17 ÷ 23 → 73.91;
    # complaint rate: customers with a billing complaint per unit-month: SH-A March c1–c10 = 10,
    # SH-B March d9–d12 = 4, SH March 3, SH-A April c5–c9 + g1 = 6 (BILL April: no number) = 23 ÷ 2900 → 0.79
    assert (k["volume"].value, k["csat"].value, k["complaint_rate"].value) == (29, 73.91, 0.79)


@pytest.mark.parametrize("source", ["facts", "rollup"])
def test_one_channel(fx, org, source):
    k = kpis(org, channel="wechat", source=source)
    # wechat = A2 + B3: 12 complaints; first response 0 ÷ 12; resolution 12 ÷ 12; CSAT 6 ÷ 6;
    # repeat 3 ÷ 12 → 25.00; escalation 3 ÷ 12 → 25.00
    assert values(k)["volume"] == 12
    assert (k["fr_sla"].value, k["res_sla"].value, k["csat"].value) == (0.0, 100.0, 100.0)
    assert (k["repeat_rate"].value, k["escalation_rate"].value) == (25.0, 25.0)
    # complaint rate: customers with a wechat complaint per unit-month: SH-A March c11–c16 = 6, SH-B
    # April f1–f3 (twice each) = 3 → 9 ÷ 2900 → 0.31 (from the rollups' per-channel measure or the facts)
    assert (k["complaint_rate"].numerator, k["complaint_rate"].value) == (9, 0.31)


def test_sla_by_severity_and_complexity(fx, org):
    s = selectors.slice_for(user=org.executive, month_from=MARCH, month_to=APRIL)
    board = selectors.dashboard(s)
    sla = {(sev, cx): (k["fr_sla"].value, k["res_sla"].value) for sev, cx, k in board.sla}
    # general/general: A1 B1 B2 S1 A4 A5 P1 X — first response (10+8+0+3+5+1+1+2) = 30 ÷ (10+8+3+3+5+1+1+2) = 33
    #   → 90.91; resolution (10+4+0+3+5+1+2) = 25 ÷ (10+8+3+3+5+1+2) = 32 → 78.125 → 78.13 (half up)
    # general/complex: A2 — 0 ÷ 6, 6 ÷ 6; major/general: A3 — 4 ÷ 4, 4 ÷ 4; major/complex: B3 — 0 ÷ 6, 6 ÷ 6
    assert sla == {
        ("general", "general"): (90.91, 78.13),
        ("general", "complex"): (0.0, 100.0),
        ("major", "general"): (100.0, 100.0),
        ("major", "complex"): (0.0, 100.0),
    }
    # Pareto: billing 29, attitude 14 (B1 8 + B3 6), network 7 (A2 6 + A5 1); cumulative 58, 86, 100 %
    assert [(cid, n, cum) for cid, n, cum in board.pareto] == [
        (fx.billing.id, 29, 58.0),
        (fx.attitude.id, 14, 86.0),
        (fx.network.id, 7, 100.0),
    ]
    # Trend: one entry per month, the same numbers as the months alone
    assert [(m, k["volume"].value, k["csat"].value) for m, k in board.trend] == [
        (MARCH, 35, 76.0),
        (APRIL, 15, 80.0),
    ]
    # Unit comparison under the organisation root: EAST (everything but BILL) and BILL
    units = {u.code: (k["volume"].value, k["complaint_rate"].value) for u, k in board.units}
    assert units == {"EAST": (48, 1.41), "BILL": (2, None)}
    # Under SH: SH's own cases (S1: 3, rate 3 ÷ 200 = 1.50 %), then SH-A (27 cases; complainants 16 + 7 = 23
    # ÷ 1800 = 1.28 %) and SH-B (18; 12 + 3 = 15 ÷ 900 = 1.67 %); the rows add up to SH's 48.
    board = selectors.dashboard(
        selectors.slice_for(user=org.executive, month_from=MARCH, month_to=APRIL, unit=org.branch),
        unit=org.branch,
    )
    rows = [
        (r.unit.code, r.own_only, r.kpis["volume"].value, r.kpis["complaint_rate"].value) for r in board.units
    ]
    assert rows == [("SH", True, 3, 1.5), ("SH-A", False, 27, 1.28), ("SH-B", False, 18, 1.67)]


def test_rollups_equal_the_facts_and_follow_changes(fx, org):
    assert rollup_matches_facts()
    rollups_rebuild()
    assert rollup_matches_facts()
    # A customer rates a B1c case later; the sync picks it up from the timeline event.
    case = fx.cases["B1"][-1]
    fx.rate(case, 5, 10)
    ComplaintEvent.objects.create(complaint=case, at=local(5, 15, 11), kind=EventKind.SURVEY)
    analytics_sync(at=AT + dt.timedelta(minutes=5))
    assert rollup_matches_facts()
    k = kpis(org, month_from=MARCH, month_to=MARCH, source="rollup")
    # March CSAT now (19+1) ÷ (25+1) = 20 ÷ 26 → 76.92
    assert k["csat"].value == 76.92
    assert values(k) == values(kpis(org, month_from=MARCH, month_to=MARCH, source="facts"))


def test_pending_deadline_is_decided_when_it_passes(fx, org):
    # An open case created on 05-15 11:00: its first response is due 05-16 11:00, undecided at AT.
    case = fx.case("N", "n1", org.store_a, local(5, 15, 11), category=fx.billing, channel="web", status="new")
    analytics_sync(at=AT)
    may = dt.date(2026, 5, 1)
    assert kpis(org, month_from=may, month_to=may)["fr_sla"].denominator == 0
    analytics_sync(at=local(5, 16, 12))  # nothing happened to the case, but its deadline passed
    k = kpis(org, month_from=may, month_to=may)
    assert (k["fr_sla"].numerator, k["fr_sla"].denominator) == (0, 1)
    assert case.pk in set(selectors.cases_behind(
        selectors.slice_for(user=org.executive, month_from=may, month_to=may), measure="fr_decided"
    ).values_list("complaint_id", flat=True))  # fmt: skip


def test_scope_limits_what_a_manager_sees(fx, org):
    # The business manager belongs to SH: the organisation-wide slice is SH's subtree for them (no BILL).
    s = selectors.slice_for(user=org.manager, month_from=MARCH, month_to=APRIL)
    assert selectors.kpis(s)["volume"].value == 48
    # Asking for BILL, outside their units, gives nothing.
    s = selectors.slice_for(user=org.manager, month_from=MARCH, month_to=APRIL, unit=org.billing)
    assert selectors.kpis(s)["volume"].value == 0


def test_scorecards_by_hand(fx, org):
    from complaintdesk.analytics.models import ContributionScore
    from complaintdesk.analytics.scorecards import scorecards
    from complaintdesk.quality.models import QaInspection, QaPeriod, QaSample

    # One scored inspection (total 80) of an agent_a case closed in March, and a contribution score of 90.
    case = fx.cases["A1"][0]
    period = QaPeriod.objects.create(
        start=MARCH, end=dt.date(2026, 3, 31), seed="x", share_percent=5, minimum_per_agent=1,
        calibration_percent=0, drawn_at=AT,
    )  # fmt: skip
    sample = QaSample.objects.create(
        period=period,
        complaint=case,
        agent=org.agent_a,
        org_unit=org.store_a,
        closed_at=case.closed_at,
        drawn_at=AT,
    )
    QaInspection.objects.create(sample=sample, inspector=org.inspector, status="done", total=80, scored_at=AT)
    ContributionScore.objects.create(agent=org.agent_a, month=MARCH, score=90, entered_at=AT)
    s = selectors.slice_for(user=org.executive, month_from=MARCH, month_to=APRIL)
    cards = {card.agent.username: card for card in scorecards(s)}
    a = {c.code: c for c in cards["agent_a"].components}
    # agent_a = A1 A2 A3 A4 A5 P1 (27 cases); agent_b 18; mean volume per agent (27 + 18) / 2 = 22.5
    # efficiency: FCR 16/26 = 61.54, first response 21/27 = 77.78, resolution 26/26 = 100,
    #   volume min(100, 100 × 27 / 22.5 = 120) = 100 → (61.54 + 77.78 + 100 + 100) / 4 = 84.83
    # feedback: CSAT 17/21 = 80.95; NPS (15 − 3)/21 = 57.14 → (57.14 + 100)/2 = 78.57;
    #   retention 100 − 1/26 (3.85) = 96.15 → (80.95 + 78.57 + 96.15) / 3 = 85.223 → 85.22
    # total: (25 × 80 + 30 × 84.83 + 35 × 85.22 + 10 × 90) / 100 = 84.276 → 84.28
    assert (a["attitude"].score, a["efficiency"].score, a["feedback"].score, a["contribution"].score) == (
        80.0, 84.83, 85.22, 90.0,
    )  # fmt: skip
    assert cards["agent_a"].total == 84.28
    b = {c.code: c for c in cards["agent_b"].components}
    # agent_b: efficiency (33.33 + 47.06 + 58.82 + 100 × 18 / 22.5 = 80) / 4 = 54.8025 → 54.80
    # feedback: CSAT 7/9 = 77.78; NPS (3 − 4)/7 = −14.29 → 42.855 → 42.86; retention 100 − 0/12 = 100
    #   → (77.78 + 42.86 + 100) / 3 = 73.547 → 73.55
    # attitude and contribution missing: their weights are shared, 30/65 = 46.15 %, 35/65 = 53.85 %
    # total (30 × 54.80 + 35 × 73.55) / 65 = 4218.25 / 65 = 64.896 → 64.90
    assert (b["efficiency"].score, b["feedback"].score) == (54.8, 73.55)
    assert b["attitude"].missing and b["contribution"].missing
    assert (b["efficiency"].effective_weight, b["feedback"].effective_weight) == (46.15, 53.85)
    assert cards["agent_b"].total == 64.9
