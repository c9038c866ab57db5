"""The full rebuild (analytics.rebuild: id ranges, hand-written reads and COPY on PostgreSQL, rollups
summed in SQL) writes exactly the facts and rollups the sync writes (facts_refresh, rollups_refresh), for
the hand-worked fixture of test_kpis.py (resolved, open, paused, withdrawn, deadlines still ahead; repeats; surveys;
compensation; a reassignment, a work order; escalation by status and by hand-off) and more: contacts
that are not complaints, a case rated twice, two ledger entries on one case, no category, a
reassignment from nobody (not away from a handler), a hand-off down (not an escalation), 转办 to
another unit (a complaint and an inquiry, each otherwise resolved at first contact). Batches of a few
complaints, so that a customer's history and a case's records fall across batch edges."""

import datetime as dt
import hashlib

import pytest
from django.db.models import Sum

from complaintdesk.analytics import rebuild
from complaintdesk.analytics.facts import FACT_FIELDS, facts_refresh
from complaintdesk.analytics.models import MEASURE_FIELDS, ComplaintFact, MonthlyRollup
from complaintdesk.analytics.rollups import GROUP_FIELDS, rollups_rebuild, rollups_refresh
from complaintdesk.analytics.services import analytics_rebuild
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.escalation.models import EscalationHandOff
from complaintdesk.surveys.models import SurveyAnswer, SurveyInvitation

from .fixture import AT, Fixture, local

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def _mixed_cases(org) -> Fixture:
    fx = Fixture(org)
    a, store = org.agent_a, org.store_a
    common = {"category": None, "channel": "phone", "agent": a, "status": "closed"}
    fx.case("Q", "q1", store, local(3, 16, 10), kind="inquiry", responded=H / 2, resolved=H / 2, **common)
    fx.case("Q", "c1", store, local(3, 17, 10), kind="inquiry", responded=H, resolved=H, **common)
    fx.case("S", "s1", store, local(3, 18, 10), kind="suggestion", responded=H, resolved=72 * H, **common)
    fx.case("P", "p1", store, local(3, 19, 10), kind="praise", resolved=H / 4, **common)
    fx.case(
        "P", "c2", store, local(4, 19, 10), kind="praise", status="handling", category=None, channel="web"
    )
    # c1 complains again in April without a category; d1 in March through another channel.
    no_category = fx.case("R", "c1", store, local(4, 3, 9), category=None, channel="phone", agent=a,
                          responded=H, resolved=2 * H)  # fmt: skip
    fx.case("R", "d1", org.store_b, local(3, 18, 9), category=fx.attitude, channel="email", agent=org.agent_b,
            responded=H, resolved=30 * H)  # fmt: skip
    fx.case("N", "n1", store, AT - H, category=fx.billing, channel="web", status="new")  # deadlines ahead
    # Rated twice: the later answer counts.
    twice = fx.cases["A1"][0]
    invitation = SurveyInvitation.objects.create(
        complaint=twice, token_hash=hashlib.sha256(b"again").hexdigest(), agent=a, org_unit=store,
        created_at=AT - 24 * H, expires_at=AT, used_at=AT - 2 * H,
    )  # fmt: skip
    SurveyAnswer.objects.create(
        invitation=invitation,
        complaint=twice,
        agent=a,
        org_unit=store,
        stars=2,
        nps=4,
        answered_at=AT - 2 * H,
    )
    fx.compensate(fx.cases["A3"][0], "0.99")  # a second entry: ¥100.99 in all
    fx.compensate(no_category, "12.34")
    fx.event(fx.cases["A5"][0], EventKind.ASSIGNED, old_value="")  # first assignment: not reassigned
    for transferred in (fx.cases["A4"][0], fx.cases["Q"][0]):  # 转办: not resolved at first contact
        fx.event(transferred, EventKind.TRANSFERRED, old_value="上海分公司")
    EscalationHandOff.objects.create(
        complaint=fx.cases["B1"][0], at=local(3, 17, 16), trigger="manual", direction="down",
        from_level_position=1, to_level_position=0,
    )  # fmt: skip
    return fx


def _facts() -> list[tuple]:
    return list(ComplaintFact.objects.order_by("complaint_id").values_list(*FACT_FIELDS))


def _rollups() -> list[tuple]:
    fields = (*GROUP_FIELDS, *MEASURE_FIELDS)
    return sorted(MonthlyRollup.objects.values_list(*fields), key=repr)


@pytest.fixture
def synced(org, monkeypatch):
    """The facts and rollups as the sync writes them, and the fixture."""
    fx = _mixed_cases(org)
    ids = list(Complaint.objects.values_list("id", flat=True))
    keys = facts_refresh(complaint_ids=ids, at=AT)
    rollups_refresh(keys=keys)
    facts, rollups = _facts(), _rollups()
    monkeypatch.setattr(rebuild, "BATCH", 4)
    return fx, facts, rollups


def test_the_mix_covers_every_kind_of_measure(synced):
    _fx, facts, _rollups = synced
    totals = ComplaintFact.objects.aggregate(**{name: Sum(name) for name in MEASURE_FIELDS})
    assert len(facts) == Complaint.objects.count() == 58
    for name in ("withdrawn", "repeat", "escalated", "reopened", "rated", "compensated", "inquiries",
                 "suggestions", "praises", "fcr", "res_decided", "complainants_category",
                 "transferred"):  # fmt: skip
        assert totals[name] > 0, name
    assert ComplaintFact.objects.filter(pending_until__isnull=False).exists()
    assert ComplaintFact.objects.filter(category_id__isnull=True, kind="complaint").exists()


def test_a_transferred_contact_counts_as_transferred_and_never_as_fcr(synced):
    fx, _facts, _rollups = synced
    transferred = (fx.cases["A4"][0], fx.cases["Q"][0])
    rows = ComplaintFact.objects.filter(complaint__in=transferred).values_list(
        "transferred", "contacts_resolved", "contacts_fcr", "fcr"
    )
    assert sorted(rows) == [(1, 1, 0, 0), (1, 1, 0, 0)]
    # The same cases without the 转办 are resolved at first contact.
    assert ComplaintFact.objects.get(complaint=fx.cases["A4"][1]).fcr == 1
    assert ComplaintFact.objects.filter(transferred=1).count() == 2


def test_rebuild_writes_the_facts_and_rollups_the_sync_writes(synced):
    _fx, facts, rollups = synced
    ComplaintFact.objects.update(complaints=7)  # stale rows the rebuild must replace
    MonthlyRollup.objects.update(complaints=7)

    result = analytics_rebuild(at=AT)

    assert result["facts"] == len(facts)
    assert _facts() == facts
    assert result["rollup_rows"] == len(rollups)
    assert _rollups() == rollups


def test_ranges_rebuilt_apart_give_the_same_facts(synced):
    """What `analytics_rebuild --workers` does: each worker one range of ids, after one clear."""
    _fx, facts, rollups = synced
    ids = sorted(Complaint.objects.values_list("id", flat=True))
    ranges = rebuild.id_ranges(3)
    assert len(ranges) == 3 and ranges[0][0] == 0 and ranges[-1][1] == ids[-1]
    rebuild.facts_clear()
    assert not ComplaintFact.objects.exists()
    done = sum(rebuild.facts_rebuild_range(after=after, up_to=up_to, at=AT) for after, up_to in ranges)
    rollups_rebuild()
    assert done == len(ids)
    assert _facts() == facts
    assert _rollups() == rollups


def test_a_changed_definition_shows_in_every_fact(synced):
    """The comparison above is not blind: a fact that differs is found."""
    fx, facts, _rollups = synced
    SurveyAnswer.objects.filter(complaint=fx.cases["A1"][1]).update(stars=1)
    analytics_rebuild(at=AT)
    changed = [old for old, new in zip(facts, _facts(), strict=True) if old != new]
    assert [row[FACT_FIELDS.index("complaint_id")] for row in changed] == [fx.cases["A1"][1].pk]
