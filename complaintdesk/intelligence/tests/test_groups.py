"""Group / batch complaints (群体性投诉): detection as each complaint is enriched, flags, escalation,
alerting, and what agents do with groups (link, unlink, open by hand, resolve together)."""

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from complaintdesk.accounts.models import Role
from complaintdesk.common.errors import InvalidInput, NotFound
from complaintdesk.complaints.models import Complaint, ComplaintEvent, EventKind
from complaintdesk.complaints.services import (
    IntakeCustomer,
    IntakeData,
    complaint_create,
    complaint_transition,
)
from complaintdesk.demo.samples import sample_complaint
from complaintdesk.escalation.models import EscalationHandOff, HandOffTrigger
from complaintdesk.intelligence import alerts, grouping, selectors
from complaintdesk.intelligence.models import (
    ComplaintGroup,
    FingerprintKey,
    GroupMember,
    GroupStatus,
    IntelligencePolicy,
)
from complaintdesk.intelligence.services import enrichment, fingerprints, group_actions, groups
from complaintdesk.orgs.services import orgunit_create
from complaintdesk.sla.timers import timers_process_due

from .group_texts import BACKGROUND, OUTAGE

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
OUTAGE_START = dt.datetime(2026, 11, 18, 14, 5, tzinfo=SHANGHAI)  # a Wednesday afternoon


@pytest.fixture
def world(org):
    """conftest.Org plus Hangzhou (in the same East region) and a South region with Guangzhou; an
    intake agent at HQ who may register complaints for every unit."""
    org.hangzhou = orgunit_create(code="HZ", name="杭州分公司", kind="branch", parent=org.region)
    org.south = orgunit_create(code="SOUTH", name="华南大区", kind="region", parent=org.hq)
    org.guangzhou = orgunit_create(code="GZ", name="广州分公司", kind="branch", parent=org.south)
    org.intake_agent = org.user("hq_intake", Role.AGENT, org.hq)
    org.supervisor = org.user("east_supervisor", Role.SUPERVISOR, org.region)
    org.gz_manager = org.user("gz_manager", Role.BUSINESS_MANAGER, org.guangzhou)
    return org


@pytest.fixture
def alerted(monkeypatch):
    seen = []
    monkeypatch.setattr(alerts, "group_opened", lambda **values: seen.append(values))
    return seen


class Desk:
    """Registers complaints at given times and enriches each right after, as the task would."""

    def __init__(self, org, time_machine, django_capture_on_commit_callbacks):
        self.org, self.time_machine, self.callbacks = org, time_machine, django_capture_on_commit_callbacks
        self.customers = 0

    def complaint(self, text: str, *, at: dt.datetime, unit, title: str = "", phone: str = "") -> Complaint:
        self.time_machine.move_to(at, tick=False)
        self.customers += 1
        data = IntakeData(
            channel="phone",
            title=title or text[:30],
            description=text,
            customer=IntakeCustomer(name="客户", phone=phone or f"139{self.customers:08d}"),
            org_unit_code=unit.code,
        )
        with self.callbacks(execute=True):
            complaint = complaint_create(data=data, actor=self.org.intake_agent)
            enrichment.complaint_enrich(complaint_id=complaint.pk)
        return complaint


@pytest.fixture
def desk(world, time_machine, django_capture_on_commit_callbacks, categories):
    return Desk(world, time_machine, django_capture_on_commit_callbacks)


def _background(world) -> list[tuple[dt.datetime, object, str, str]]:
    """200 complaints over ten days around the outage, in both regions: the hand-written ones (the
    first five are from Zhangjiang on the outage afternoon, about other things), then the demo's
    sample complaints, which customers of every kind of problem wrote."""
    rng = random.Random(20261118)
    start = OUTAGE_START - dt.timedelta(days=5)
    east_units = [world.branch, world.store_a, world.store_b, world.hangzhou]
    rows = []
    for index, text in enumerate(BACKGROUND):
        if index < 5:
            at = OUTAGE_START + dt.timedelta(minutes=17 + 31 * index)
            unit = world.store_b
        else:
            at = start + dt.timedelta(hours=rng.uniform(0, 240))
            unit = world.guangzhou if "广州" in text else rng.choice(east_units)
        rows.append((at, unit, "", text))
    cities = {world.branch: "上海", world.store_a: "上海", world.store_b: "上海", world.hangzhou: "杭州",
              world.guangzhou: "广州"}  # fmt: skip
    while len(rows) < 200:
        unit = rng.choice([*east_units, world.guangzhou])
        sample = sample_complaint(rng, city=cities[unit], store=unit.name)
        rows.append((start + dt.timedelta(hours=rng.uniform(0, 240)), unit, sample.title, sample.description))
    return rows


def _outage(world, *, spacing: dt.timedelta) -> list[tuple[dt.datetime, object, str, str]]:
    units = [world.store_b, world.branch, world.store_b, world.store_a]
    return [(OUTAGE_START + spacing * i, units[i % 4], "", text) for i, text in enumerate(OUTAGE)]


def _register(desk, rows) -> list[Complaint]:
    return [
        desk.complaint(text, at=at, unit=unit, title=title)
        for at, unit, title, text in sorted(rows, key=lambda r: r[0])
    ]


def test_twelve_customers_in_three_hours_make_one_group_and_the_background_none(world, desk, alerted):
    background = _background(world)
    outage = _outage(world, spacing=dt.timedelta(minutes=15))  # 14:05 … 16:50
    assert len(background) == 200 and len(outage) == 12
    complaints = _register(desk, background + outage)
    outage_ids = {c.pk for c in complaints if c.description in OUTAGE}
    assert len(outage_ids) == 12

    group = ComplaintGroup.objects.get()
    members = GroupMember.objects.filter(group=group, is_active=True)
    assert set(members.values_list("complaint_id", flat=True)) == outage_ids
    assert group.status == GroupStatus.OPEN and group.scope_unit == world.region and group.opened_by is None
    assert "断网" in group.shared_words and "张江" in group.title
    # Twelve customers, one place, one fault: strong evidence, confirmed by the system at once.
    assert group.confirmed_at is not None and group.confirmed_by is None
    assert (
        group.evidence["strong"] and group.evidence["place"] == "张江" and group.evidence["subject"] == "断网"
    )

    # Each case is flagged (batch, reputation risk) and carries the link on its timeline.
    for complaint in Complaint.objects.filter(pk__in=outage_ids):
        assert complaint.is_batch and complaint.reputation_risk
        linked = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.GROUP_LINKED)
        assert (
            linked.field == str(group.pk)
            and "张江" in linked.new_value
            and linked.actor.username == "system.intelligence"
        )
    assert not Complaint.objects.exclude(pk__in=outage_ids).filter(is_batch=True).exists()
    # The members' explanations: what they share with the complaint that brought them in.
    assert all(m.similarity > 0 for m in members)

    # The region's supervisors (East: the supervisor and the Shanghai business manager) were alerted once.
    assert len(alerted) == 1 and alerted[0]["group_id"] == group.pk
    assert (
        set(alerted[0]["user_ids"]) == {world.supervisor.pk, world.manager.pk} == set(group.alerted_user_ids)
    )

    # The escalation ladder acts on the raised flags: each open case goes up (risk + batch flag).
    timers_process_due()
    hand_offs = EscalationHandOff.objects.filter(
        complaint_id__in=outage_ids, trigger=HandOffTrigger.RISK_FLAG
    )
    assert hand_offs.count() == 12


def test_the_same_twelve_texts_over_ten_days_make_no_group(world, desk):
    _register(desk, _outage(world, spacing=dt.timedelta(days=10) / 11))
    assert not ComplaintGroup.objects.exists()
    assert not Complaint.objects.filter(is_batch=True).exists()


def test_a_later_complaint_joins_the_open_group_and_the_window_is_configurable(world, desk):
    _register(desk, _outage(world, spacing=dt.timedelta(minutes=10))[:6])
    group = ComplaintGroup.objects.get()
    assert group.members.count() == 6
    late = desk.complaint(
        "浦东张江那边的宽带到现在还是断网，光猫一直红灯，都快一天了，什么时候能修好？",
        at=OUTAGE_START + dt.timedelta(hours=20), unit=world.store_b,
    )  # fmt: skip
    assert GroupMember.objects.get(complaint=late).group == group
    assert ComplaintGroup.objects.count() == 1

    # With a 2-hour window, a complaint 20 hours later has nothing to join.
    IntelligencePolicy.objects.filter(pk=1).update(group_window_hours=2)
    later = desk.complaint(
        "张江这边又断网了，宽带完全上不了网，光猫红灯。",
        at=OUTAGE_START + dt.timedelta(hours=26),
        unit=world.store_b,
    )
    assert not GroupMember.objects.filter(complaint=later).exists()


def test_the_same_customer_many_times_is_not_a_group(world, desk):
    for i, text in enumerate(OUTAGE[:8]):
        desk.complaint(
            text, at=OUTAGE_START + dt.timedelta(minutes=5 * i), unit=world.store_b, phone="13912345678"
        )
    assert not ComplaintGroup.objects.exists()


def test_another_region_is_another_scope(world, desk):
    """Five in Shanghai (East) and five in Guangzhou (South) about the same outage words: neither
    region has a group of its own with K = 6."""
    IntelligencePolicy.objects.update_or_create(pk=1, defaults={"group_min_customers": 6})
    for i, text in enumerate(OUTAGE[:10]):
        desk.complaint(text, at=OUTAGE_START + dt.timedelta(minutes=5 * i),
                       unit=world.store_b if i % 2 else world.guangzhou)  # fmt: skip
    assert not ComplaintGroup.objects.exists()


def _opened_group(world, desk) -> tuple[ComplaintGroup, list[Complaint]]:
    """Six customers: detected, pending (fewer than the eight of strong evidence), then confirmed by
    the business manager."""
    complaints = _register(desk, _outage(world, spacing=dt.timedelta(minutes=10))[:6])
    group = ComplaintGroup.objects.get()
    assert group.status == GroupStatus.PENDING
    with desk.callbacks(execute=True):
        group = group_actions.group_confirm(group_id=group.pk, actor=world.manager)
    for complaint in complaints:
        complaint.refresh_from_db()
    return group, complaints


def test_agents_unlink_and_link_with_the_timeline(world, desk):
    group, complaints = _opened_group(world, desk)
    first = complaints[0]
    with pytest.raises(InvalidInput) as error:
        group_actions.group_member_unlink(
            group_id=group.pk, number=first.number, actor=world.manager, reason=""
        )
    assert "reason" in error.value.fields
    group_actions.group_member_unlink(
        group_id=group.pk, number=first.number, actor=world.manager, reason="客户家是停电，不是断网"
    )
    first.refresh_from_db()
    assert not first.is_batch and first.reputation_risk  # the risk stays until a person clears it
    event = ComplaintEvent.objects.get(complaint=first, kind=EventKind.GROUP_UNLINKED)
    assert event.actor == world.manager and "停电" in event.reason
    # Detection does not put it back when it runs again.
    enrichment.complaint_enrich(complaint_id=first.pk)
    assert not GroupMember.objects.get(complaint=first).is_active

    other = desk.complaint(
        "徐汇门店店员态度很差", at=OUTAGE_START + dt.timedelta(hours=1), unit=world.store_a
    )
    member = group_actions.group_member_link(
        group_id=group.pk, number=other.number, actor=world.manager, reason="同一小区"
    )
    other.refresh_from_db()
    assert member.is_active and member.linked_by == world.manager and other.is_batch
    assert ComplaintEvent.objects.get(complaint=other, kind=EventKind.GROUP_LINKED).actor == world.manager
    group_actions.group_member_link(
        group_id=group.pk, number=first.number, actor=world.manager, reason="核实后确属同一故障"
    )
    assert GroupMember.objects.get(complaint=first).is_active


def test_link_refuses_what_the_agent_cannot_see_and_cases_in_another_group(world, desk):
    group, complaints = _opened_group(world, desk)
    gz = desk.complaint("广州天河宽带断网", at=OUTAGE_START, unit=world.guangzhou)
    with pytest.raises(NotFound):
        group_actions.group_member_link(group_id=group.pk, number=gz.number, actor=world.manager)
    with pytest.raises(NotFound):  # a group with no case the user may see does not exist for them
        group_actions.group_member_unlink(
            group_id=group.pk, number=complaints[0].number, actor=world.gz_manager, reason="x"
        )
    second = group_actions.group_open(
        numbers=[gz.number, desk.complaint("广州天河断网", at=OUTAGE_START, unit=world.guangzhou).number],
        actor=world.gz_manager, title="天河断网",
    )  # fmt: skip
    assert second.opened_by == world.gz_manager and second.members.count() == 2
    with pytest.raises(InvalidInput):
        group_actions.group_open(numbers=[complaints[0].number, gz.number], actor=world.executive, title="x")


def test_a_group_is_resolved_together_each_case_through_its_own_transitions(world, desk):
    group, complaints = _opened_group(world, desk)
    # The raised flags have escalated the cases already; one is back in handling, one withdrawn.
    complaint_transition(number=complaints[1].number, actor=world.manager, to="handling")
    complaint_transition(number=complaints[2].number, actor=world.manager, to="withdrawn", reason="客户撤诉")
    with pytest.raises(InvalidInput):
        group_actions.group_resolve(group_id=group.pk, actor=world.manager, resolution=" ")
    # agent_a cannot see the cases at the branch or store B: nothing is written.
    with pytest.raises(InvalidInput) as error:
        group_actions.group_resolve(group_id=group.pk, actor=world.agent_a, resolution="光缆已抢通")
    assert error.value.fields["members"]
    assert (
        Complaint.objects.filter(pk__in=[c.pk for c in complaints])
        .exclude(status="withdrawn")
        .exclude(status="escalated")
        .count()
        == 1
    )  # only the one put back in handling by hand

    group, resolved = group_actions.group_resolve(
        group_id=group.pk, actor=world.manager, resolution="张江光缆被施工挖断，已抢通"
    )
    assert group.status == GroupStatus.RESOLVED and group.resolved_by == world.manager
    assert len(resolved) == 5
    # Each case is brought to handling with the group's resolution; its customer is fed back on it.
    for complaint in Complaint.objects.filter(pk__in=[c.pk for c in complaints]).exclude(status="withdrawn"):
        assert complaint.status == "handling"
        if complaint.pk == complaints[1].pk:
            continue  # was in handling already
        last = ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.TRANSITION).last()
        assert last.new_value == "handling" and "光缆" in last.reason and last.actor == world.manager
    with pytest.raises(InvalidInput):
        group_actions.group_member_link(group_id=group.pk, number=complaints[2].number, actor=world.manager)


def test_group_selectors_for_the_case_page(world, desk):
    group, complaints = _opened_group(world, desk)
    assert selectors.group_of_complaint(complaint=complaints[0]) == group
    assert [m.complaint_id for m in selectors.group_members(group=group, user=world.manager)] == [
        c.pk for c in complaints
    ]
    assert selectors.group_members(group=group, user=world.agent_a) == [
        m for m in selectors.group_members(group=group) if m.complaint.org_unit == world.store_a
    ]
    assert list(selectors.groups_visible_to(world.gz_manager)) == []


def test_fingerprint_explains_with_words_and_never_raises():
    tokens = grouping.fingerprint(OUTAGE[11])  # traditional characters
    assert "⟨断网⟩" in tokens and "@张江" in tokens and "宽带" in tokens
    for text in ("", "😡😡", "！？。", None, "x" * 50_000, "宽带" * 20_000):
        grouping.fingerprint(text)
    a, b = frozenset(grouping.fingerprint(OUTAGE[0])), frozenset(grouping.fingerprint(OUTAGE[3]))
    assert grouping.similarity(a, b) >= 0.18
    assert [grouping.display_token(t) for t in grouping.shared_words(a, b)][:2] == ["断网", "张江"]


# --- bounded detection: the key index and the cost of one decision ---


def test_candidates_are_the_complaints_of_the_region_and_window_sharing_a_token(world, desk):
    """The key index finds exactly the earlier complaints of the region within the window that share
    a token with the new one; re-recording a fingerprint replaces its keys."""
    policy = selectors.policy_get()
    window = dt.timedelta(hours=policy.group_window_hours)
    outage = desk.complaint(OUTAGE[0], at=OUTAGE_START, unit=world.store_b)
    desk.complaint(
        "门店店员态度很差，排队一个小时", at=OUTAGE_START + dt.timedelta(minutes=5), unit=world.store_a
    )
    desk.complaint(OUTAGE[1], at=OUTAGE_START + dt.timedelta(minutes=6), unit=world.guangzhou)  # other region
    desk.complaint(
        OUTAGE[2], at=OUTAGE_START - dt.timedelta(hours=30), unit=world.branch
    )  # before the window
    late = desk.complaint(OUTAGE[3], at=OUTAGE_START + dt.timedelta(minutes=10), unit=world.store_b)
    fingerprint = late.fingerprint
    assert [c.complaint_id for c in selectors.group_candidates(fingerprint=fingerprint, window=window)] == [
        outage.pk
    ]
    fingerprints.complaint_fingerprint_record(
        complaint=outage, tokens=["闵行", "停车"], topic="", policy=policy
    )
    assert set(FingerprintKey.objects.filter(complaint=outage).values_list("token", flat=True)) == {
        "闵行",
        "停车",
    }
    assert selectors.group_candidates(fingerprint=fingerprint, window=window) == []


def test_an_ordinary_complaint_costs_one_query_and_no_lock(world, desk, django_assert_num_queries):
    desk.complaint(OUTAGE[0], at=OUTAGE_START, unit=world.store_b)
    other = desk.complaint("上周买的空气炸锅有焦糊味，要求退货", at=OUTAGE_START, unit=world.store_a)
    policy, fingerprint = selectors.policy_get(), other.fingerprint
    with django_assert_num_queries(1):  # the candidates: the one sharing a token is not linked
        assert groups.complaint_group_detect(complaint=other, fingerprint=fingerprint, policy=policy) is None


def test_a_decision_is_bounded_however_many_near_duplicates_the_window_holds(monkeypatch):
    tokens = frozenset(grouping.fingerprint(OUTAGE[0]))
    candidates = [grouping.Candidate(complaint_id=i, customer_id=i, tokens=tokens) for i in range(1, 1001)]
    compared = []
    score = grouping._score
    monkeypatch.setattr(grouping, "_score", lambda a, b: compared.append(1) or score(a, b))
    decision = grouping.decide(
        tokens=tokens, customer_id=0, candidates=candidates, rules=grouping.Rules(), complaint_id=10_000
    )
    assert decision.open
    assert len(decision.members) <= grouping.NEIGHBOURS_MAX + grouping.POOL_MAX
    bound = (
        len(candidates)
        + grouping.NEIGHBOURS_MAX**2 / 2
        + grouping.POOL_MAX * grouping.PEERS_MAX * grouping.EXPAND_ROUNDS
    )
    assert len(compared) <= bound


def test_expired_keys_are_pruned_as_new_complaints_arrive(world, desk):
    """The key index keeps about twice the group window (at least two days): each new fingerprint
    deletes the keys of a few expired complaints, so the table does not grow with the archive."""
    old = [desk.complaint(text, at=OUTAGE_START + dt.timedelta(minutes=i), unit=world.store_b)
           for i, text in enumerate(OUTAGE[:6])]  # fmt: skip
    recent = desk.complaint(OUTAGE[6], at=OUTAGE_START + dt.timedelta(days=1), unit=world.store_b)
    assert FingerprintKey.objects.filter(complaint__in=old).exists()  # inside the retention: kept

    later = [
        desk.complaint(OUTAGE[7 + i], at=OUTAGE_START + dt.timedelta(days=2, hours=1 + i), unit=world.store_b)
        for i in range(3)
    ]
    assert not FingerprintKey.objects.filter(
        complaint__in=old
    ).exists()  # two of the oldest each time: all gone
    for kept in (recent, *later):
        assert FingerprintKey.objects.filter(complaint=kept).exists()
    assert fingerprints.fingerprint_keys_prune(before=OUTAGE_START) == 0  # nothing older left


def test_each_token_reads_only_its_newest_keys_on_postgresql(world, desk, monkeypatch):
    """The candidate query is bounded whatever the window holds: per token, the newest
    GROUP_KEY_ROWS_MAX complaints carrying it (PostgreSQL's LATERAL … LIMIT over the key index)."""
    if connection.vendor != "postgresql":
        pytest.skip("the per-token bound is PostgreSQL's; SQLite reads the whole range")
    monkeypatch.setattr(selectors, "GROUP_KEY_ROWS_MAX", 2)
    older = [
        desk.complaint(
            "门店排队太久，店员态度差", at=OUTAGE_START + dt.timedelta(minutes=i), unit=world.store_b
        )
        for i in range(3)
    ]
    new = desk.complaint(
        "门店排队太久，店员态度差", at=OUTAGE_START + dt.timedelta(minutes=10), unit=world.store_b
    )
    window = dt.timedelta(hours=selectors.policy_get().group_window_hours)
    found = {c.complaint_id for c in selectors.group_candidates(fingerprint=new.fingerprint, window=window)}
    assert found == {older[1].pk, older[2].pk}
