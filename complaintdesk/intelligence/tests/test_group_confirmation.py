# ruff: noqa: F811  (the fixtures world, desk and alerted come from test_groups)
"""Detected groups wait for a supervisor unless the evidence is strong; complaints are grouped on what
they are about, never on function words (issue 13, point 9)."""

import datetime as dt

import pytest

from complaintdesk.common.errors import InvalidInput, PermissionDenied
from complaintdesk.complaints.models import Complaint, ComplaintEvent, EventKind
from complaintdesk.escalation.models import EscalationHandOff
from complaintdesk.inbox.models import StaffNotification
from complaintdesk.intelligence import grouping
from complaintdesk.intelligence.models import ComplaintGroup, GroupMember, GroupStatus, IntelligencePolicy
from complaintdesk.intelligence.services import group_actions
from complaintdesk.notifications.models import Notification
from complaintdesk.sla.timers import timers_process_due

from .group_texts import OUTAGE
from .test_groups import OUTAGE_START, _outage, _register, alerted, desk, world  # noqa: F401

pytestmark = pytest.mark.django_db

# The issue's case: twelve customers, four products, one region, one hour; the texts share only
# 另外 / 编号 / 购买 (and order numbers). Before, they formed one group, each case was flagged batch
# and reputation risk, escalated to general management and each customer got an "escalated" SMS.
UNRELATED = (
    "我在你们店购买的电视盒子，订单编号20261118001，开机就黑屏。另外发票也没给。",
    "购买的电视盒子遥控器没反应，编号4456，另外客服一直不回复。",
    "电视盒子购买三天就死机，设备编号A778，另外包装破损。",
    "手机套餐购买后每月多收费，合同编号9981，另外流量根本不够用。",
    "我购买的手机套餐被降速了，编号33，另外营业厅态度差。",
    "套餐购买时说送宽带，编号221，另外话费扣错了。",
    "咖啡机购买后漏水，订单编号5567，另外配件少了。",
    "购买的咖啡机不加热，产品编号88，另外说明书是英文的。",
    "咖啡机购买一周磨豆声音很大，编号7，另外退货没人理。",
    "羽绒服购买后跑绒严重，订单编号991，另外尺码不对。",
    "购买的羽绒服洗一次就坏了，编号662，另外拉链也坏了。",
    "羽绒服购买回来有异味，吊牌编号17，另外颜色和图片不一样。",
)


def test_function_words_are_not_in_a_fingerprint_and_do_not_link():
    fingerprints = [frozenset(grouping.fingerprint(text)) for text in UNRELATED]
    for tokens in fingerprints:
        assert not tokens & {"另外", "编号", "购买", "订单", "产品编号"}
        assert not any(any(ch.isdigit() for ch in t) for t in tokens)  # order and device numbers
    assert "咖啡机" in fingerprints[6] and "羽绒服" in fingerprints[9]
    rules = grouping.Rules()
    for i, a in enumerate(fingerprints):
        for j, b in enumerate(fingerprints):
            if i // 3 != j // 3:  # different products are never linked
                assert not rules.linked(a, b), (UNRELATED[i], UNRELATED[j])
    candidates = [
        grouping.Candidate(complaint_id=i + 1, customer_id=i + 1, tokens=t)
        for i, t in enumerate(fingerprints[:-1])
    ]
    decision = grouping.decide(tokens=fingerprints[-1], customer_id=99, candidates=candidates, rules=rules)
    assert not decision.open and decision.join is None


def test_shared_function_words_alone_never_link_even_in_long_identical_phrasing():
    """Two texts that are alike only in how they are written (connectives, purchase and order words)."""
    a = frozenset(grouping.fingerprint("另外，我购买的时候订单编号填错了，另外购买记录里也查不到编号"))
    b = frozenset(grouping.fingerprint("另外购买以后编号不对，订单编号和购买记录另外对不上"))
    assert grouping.similarity(a, b) == 0.0 or not grouping.Rules().linked(a, b)


def test_the_product_field_keeps_different_products_apart_and_counts_for_the_same():
    tv = frozenset(grouping.fingerprint("开机黑屏，无法使用", product="电视盒子"))
    coffee = frozenset(grouping.fingerprint("开机黑屏，无法使用", product="咖啡机"))
    tv2 = frozenset(grouping.fingerprint("开机以后一直黑屏", product="电视盒子"))
    assert "#电视" in tv and "电视" not in tv  # the field keeps products apart; the text says the problem
    assert grouping.similarity(tv, coffee) == 0.0  # same words, different products
    assert grouping.similarity(tv, tv2) > 0.4


def test_strong_evidence_needs_customers_a_common_place_and_a_common_fault():
    fps = [frozenset(grouping.fingerprint(text)) for text in OUTAGE]
    rules = grouping.StrongRules()
    sims = [grouping.similarity(fps[0], f) for f in fps[1:]]
    strong = grouping.evidence(fps, customers=12, similarities=sims, rules=rules)
    assert strong.strong and strong.place == "张江" and strong.subject == "断网"
    assert not grouping.evidence(fps[:6], customers=6, similarities=sims[:5], rules=rules).strong  # too few
    # Twelve customers, one fault, no common place: not strong.
    no_place = [frozenset(t for t in f if not t.startswith(grouping.PLACE)) for f in fps]
    assert not grouping.evidence(no_place, customers=12, similarities=sims, rules=rules).strong
    # Same place and fault but barely alike: not strong.
    assert not grouping.evidence(fps, customers=12, similarities=[0.18] * 11, rules=rules).strong


def test_the_issues_twelve_unrelated_complaints_make_no_group_and_nobody_is_escalated(world, desk, alerted):
    for i, text in enumerate(UNRELATED):
        desk.complaint(text, at=OUTAGE_START + dt.timedelta(minutes=5 * i), unit=world.store_b)
    assert not ComplaintGroup.objects.exists()
    assert not Complaint.objects.filter(is_batch=True).exists()
    assert not Complaint.objects.filter(reputation_risk=True).exists()
    timers_process_due()
    assert not EscalationHandOff.objects.exists()
    assert not Notification.objects.filter(template_code="escalated").exists()
    assert alerted == []


def _pending_group(world, desk, count: int = 6) -> tuple[ComplaintGroup, list[Complaint]]:
    complaints = _register(desk, _outage(world, spacing=dt.timedelta(minutes=10))[:count])
    return ComplaintGroup.objects.get(), complaints


def test_a_weak_detected_group_waits_for_the_supervisor_and_changes_nothing_customers_see(
    world, desk, alerted
):
    group, complaints = _pending_group(world, desk)
    assert group.status == GroupStatus.PENDING and group.confirmed_at is None
    assert group.evidence["customers"] == 6 and not group.evidence["strong"]
    assert GroupMember.objects.filter(group=group, is_active=True).count() == 6
    # Every member, also the one whose arrival opened the group, says what it shares with the others.
    assert all("断网" in m.shared_words for m in GroupMember.objects.filter(group=group))
    for complaint in Complaint.objects.filter(pk__in=[c.pk for c in complaints]):
        assert not complaint.is_batch and not complaint.reputation_risk
        linked = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.GROUP_LINKED)
        assert "等待主管确认" in linked.reason
    timers_process_due()
    assert not EscalationHandOff.objects.exists()
    assert not Notification.objects.filter(template_code="escalated").exists()
    # The supervisors are told that it waits for them (not that anything was flagged).
    assert alerted == []
    notices = StaffNotification.objects.filter(kind="group_pending")
    assert {n.user_id for n in notices} == {world.supervisor.pk, world.manager.pk}
    assert all("待您确认" in n.title and "未通知客户" in n.body for n in notices)

    # A later complaint joins the pending group, still without flags.
    late = desk.complaint(OUTAGE[6], at=OUTAGE_START + dt.timedelta(hours=2), unit=world.store_b)
    late.refresh_from_db()
    assert GroupMember.objects.get(complaint=late).group == group and not late.is_batch


def test_the_supervisor_confirms_and_then_the_flags_and_escalation_follow(world, desk):
    group, complaints = _pending_group(world, desk)
    with pytest.raises(PermissionDenied):
        group_actions.group_confirm(group_id=group.pk, actor=world.agent_b)
    with desk.callbacks(execute=True):
        group = group_actions.group_confirm(
            group_id=group.pk, actor=world.supervisor, reason="核实为张江光缆故障"
        )
    assert group.status == GroupStatus.OPEN and group.confirmed_by == world.supervisor
    for complaint in Complaint.objects.filter(pk__in=[c.pk for c in complaints]):
        assert complaint.is_batch and complaint.reputation_risk
        # On the timeline: who confirmed, and why (the flags themselves are set by the system).
        change = ComplaintEvent.objects.filter(complaint=complaint, reason__contains="确认群体性投诉").last()
        assert change is not None and "east_supervisor" in change.reason and "光缆" in change.reason
    with pytest.raises(InvalidInput):  # only a pending group is confirmed
        group_actions.group_confirm(group_id=group.pk, actor=world.supervisor)
    # A later complaint joins the confirmed group and is flagged at once.
    late = desk.complaint(OUTAGE[6], at=OUTAGE_START + dt.timedelta(hours=2), unit=world.store_b)
    late.refresh_from_db()
    assert GroupMember.objects.get(complaint=late).group == group and late.is_batch


def test_the_supervisor_dismisses_and_detection_leaves_those_complaints_alone(world, desk):
    group, complaints = _pending_group(world, desk)
    with pytest.raises(InvalidInput) as error:
        group_actions.group_dismiss(group_id=group.pk, actor=world.supervisor, reason=" ")
    assert "reason" in error.value.fields
    with pytest.raises(PermissionDenied):
        group_actions.group_dismiss(group_id=group.pk, actor=world.agent_b, reason="不是同一问题")
    group = group_actions.group_dismiss(group_id=group.pk, actor=world.supervisor, reason="各家故障原因不同")
    assert group.status == GroupStatus.DISMISSED and group.dismissed_by == world.supervisor
    assert not GroupMember.objects.filter(group=group, is_active=True).exists()
    for complaint in Complaint.objects.filter(pk__in=[c.pk for c in complaints]):
        assert not complaint.is_batch
        event = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.GROUP_UNLINKED)
        assert event.actor == world.supervisor and "故障原因不同" in event.reason
    # More complaints like them: the dismissed ones are not gathered again; two new ones are no group.
    for i, text in enumerate(OUTAGE[6:8]):
        desk.complaint(text, at=OUTAGE_START + dt.timedelta(hours=1, minutes=i), unit=world.store_b)
    assert ComplaintGroup.objects.count() == 1
    with pytest.raises(InvalidInput):
        group_actions.group_confirm(group_id=group.pk, actor=world.supervisor)


def test_a_pending_group_that_grows_to_strong_evidence_is_confirmed_by_the_system(world, desk):
    group, complaints = _pending_group(world, desk, count=6)
    assert group.status == GroupStatus.PENDING
    for i, text in enumerate(OUTAGE[6:9]):
        desk.complaint(text, at=OUTAGE_START + dt.timedelta(hours=1, minutes=i), unit=world.store_b)
    group.refresh_from_db()
    assert group.status == GroupStatus.OPEN and group.confirmed_by is None and group.evidence["strong"]
    members = GroupMember.objects.filter(group=group, is_active=True).values("complaint_id")
    assert members.count() == 9
    assert not Complaint.objects.filter(pk__in=members, is_batch=False).exists()
    reasons = ComplaintEvent.objects.filter(complaint=complaints[0], reason__contains="证据充分")
    assert reasons.exists()


def test_strong_evidence_can_be_turned_off_so_every_group_waits(world, desk):
    IntelligencePolicy.objects.update_or_create(pk=1, defaults={"group_strong_customers": 0})
    _register(desk, _outage(world, spacing=dt.timedelta(minutes=10)))
    group = ComplaintGroup.objects.get()
    assert group.status == GroupStatus.PENDING and group.members.count() == 12
    assert not Complaint.objects.filter(is_batch=True).exists()


def test_the_place_field_names_the_common_place():
    """Customers who do not name the place in their words: the intake's place field does."""
    texts = ["家里宽带断网了，光猫红灯", "网络中断，上不了网，光猫报警", "宽带连不上，光猫一直闪红灯"] * 3
    fps = [frozenset(grouping.fingerprint(t, place="浦东张江碧波路")) for t in texts]
    assert all("@张江" in f for f in fps)
    sims = [grouping.similarity(fps[0], f) for f in fps[1:]]
    evidence = grouping.evidence(fps, customers=9, similarities=sims, rules=grouping.StrongRules())
    assert evidence.strong and evidence.place in {"张江", "浦东", "碧波"} and evidence.subject == "断网"
    no_place = [frozenset(grouping.fingerprint(t)) for t in texts]
    assert not grouping.evidence(
        no_place, customers=9, similarities=sims, rules=grouping.StrongRules()
    ).strong
