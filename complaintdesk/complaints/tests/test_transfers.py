"""转办: a case received centrally is handed to the unit responsible for it. The receiving unit's queue takes
it and its people are told; the sender's unit no longer sees it; the customer's deadlines do not restart."""

import pytest
from django.utils import translation

from complaintdesk.accounts.models import Role
from complaintdesk.analytics.models import ComplaintFact
from complaintdesk.analytics.services import analytics_sync
from complaintdesk.common.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.complaints import transfers
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.event_text import events_for_people
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.selectors import ComplaintFilters, complaint_page
from complaintdesk.complaints.services import complaint_assign, complaint_transition
from complaintdesk.complaints.transfers import TRANSFER_MANY_MAX, complaint_transfer, complaint_transfer_many
from complaintdesk.escalation.services import complaint_escalate
from complaintdesk.inbox.models import StaffNotification
from complaintdesk.orgs.services import orgunit_create
from complaintdesk.testing import intake

pytestmark = pytest.mark.django_db

DEADLINES = ("received_at", "first_response_due_at", "acknowledge_due_at", "resolution_due_at", "due_at")


@pytest.fixture
def desk(org):
    """A customer service centre under HQ with its agent, as a central desk is."""
    org.centre = orgunit_create(code="CSC", name="客服中心", kind="service_centre", parent=org.hq)
    org.desk_agent = org.user("desk_agent", Role.AGENT, org.centre)
    return org


def _unassigned(user) -> list[str]:
    """The user's 未分派 queue (the workbench's: open, no handler, in their own unit and below)."""
    filters = ComplaintFilters(assignee="none", open_only=True, unit=user.org_unit.code)
    return [c.number for c in complaint_page(user=user, filters=filters).items]


def test_the_centre_hands_a_case_to_the_branch_which_sees_it_and_is_told(desk):
    org = desk
    case = intake(org.desk_agent, title="浦东门店办理宽带未开通")
    complaint_assign(number=case.number, actor=org.executive, assignee=org.desk_agent)
    case.refresh_from_db()
    before = {name: getattr(case, name) for name in DEADLINES}
    assert case.number in [
        c.number for c in complaint_page(user=org.desk_agent, filters=ComplaintFilters()).items
    ]
    assert case.number not in _unassigned(org.manager)

    moved = complaint_transfer(
        number=case.number, actor=org.desk_agent, unit_code="SH", reason="客户在上海浦东门店办理的业务"
    ).complaint

    case.refresh_from_db()
    assert case.org_unit_id == org.branch.pk and moved.org_unit_id == org.branch.pk
    assert case.assignee_id is None  # the new unit's queue takes it
    assert {name: getattr(case, name) for name in DEADLINES} == before  # the clock does not restart
    # One event, in words: 转办 客服中心 → 上海分公司, with the reason.
    event = case.events.get(kind=EventKind.TRANSFERRED)
    assert (event.actor_id, event.old_value, event.new_value) == (org.desk_agent.pk, "客服中心", "上海分公司")
    assert event.reason == "客户在上海浦东门店办理的业务"
    line = events_for_people([event])[0]
    assert (line.kind, line.what, line.old, line.new) == ("转办", "", "客服中心", "上海分公司")
    org.branch.name_en = "Shanghai Branch"
    org.branch.save(update_fields=["name_en"])
    with translation.override("en"):
        line = events_for_people([event])[0]
    assert (line.kind, line.new) == ("Transfer", "Shanghai Branch")
    assert case.events.count() == 3  # created, assigned, transferred: nothing else moved

    # The branch sees it in its unassigned queue; the centre sees it no more.
    assert case.number in _unassigned(org.manager)
    assert access_complaint(user=org.manager, number=case.number).pk == case.pk
    with pytest.raises(NotFound):
        access_complaint(user=org.desk_agent, number=case.number)

    # The people who work the branch's queue are told, with a link that opens the case; nobody else.
    notice = StaffNotification.objects.get(kind="case_transferred")
    assert notice.user_id == org.manager.pk
    assert notice.title == f"转办到上海分公司：{case.number} 浦东门店办理宽带未开通"
    assert "客户在上海浦东门店办理的业务" in notice.body and "desk_agent（客服中心）" in notice.body
    assert notice.link == f"/complaints/{case.number}/"


def test_a_store_without_people_of_its_own_is_worked_by_the_unit_above(desk):
    """Store B has only agent_b; a unit with nobody at all hands the notice to the unit above."""
    org = desk
    empty = orgunit_create(code="SH-C", name="静安门店", kind="store", parent=org.branch)
    case = intake(org.desk_agent)
    complaint_transfer(
        number=case.number, actor=org.desk_agent, unit_code=empty.code, reason="客户在静安门店购买"
    )
    assert list(StaffNotification.objects.values_list("user_id", flat=True)) == [org.manager.pk]
    assert case.number in _unassigned(org.manager)


def test_the_analytics_fact_follows_the_case_to_its_new_unit(desk):
    org = desk
    case = intake(org.desk_agent)
    analytics_sync()
    assert ComplaintFact.objects.get(complaint=case).org_unit_id == org.centre.pk
    complaint_transfer(number=case.number, actor=org.desk_agent, unit_code="SH-A", reason="徐汇门店的业务")
    analytics_sync()
    assert ComplaintFact.objects.get(complaint=case).org_unit_id == org.store_a.pk


def _refusal(org, number, **kwargs) -> dict:
    before = Complaint.objects.get(number=number)
    events = before.events.count()
    with pytest.raises(InvalidInput) as refused:
        complaint_transfer(**{"number": number, "actor": org.desk_agent, **kwargs})
    after = Complaint.objects.get(number=number)
    assert (after.org_unit_id, after.events.count()) == (before.org_unit_id, events)  # nothing written
    assert not StaffNotification.objects.exists()
    return refused.value.fields


def test_bad_input_is_refused_in_words_with_nothing_written(desk):
    org = desk
    case = intake(org.desk_agent)
    number = case.number
    assert _refusal(org, number, unit_code="NOPE", reason="x") == {"unit": ["未知的机构编码：NOPE"]}
    assert _refusal(org, number, unit_code="", reason="x") == {"unit": ["请选择转办到哪个机构"]}
    assert _refusal(org, number, unit_code="EAST", reason="x") == {
        "unit": ["华东大区不直接办理投诉，请选择具体的分公司、门店或部门"]
    }
    assert _refusal(org, number, unit_code="HQ", reason="x")["unit"][0].startswith("总部不直接办理投诉")
    assert _refusal(org, number, unit_code="CSC", reason="x") == {"unit": ["这件投诉已经在客服中心"]}
    both = _refusal(org, number, unit_code="NOPE", reason="  ")
    assert set(both) == {"unit", "reason"} and all(isinstance(m, str) for m in both["reason"])


def test_a_closed_or_withdrawn_case_is_not_transferred(desk):
    org = desk
    case = intake(org.desk_agent)
    complaint_transition(number=case.number, actor=org.desk_agent, to="withdrawn", reason="客户撤诉")
    assert _refusal(org, case.number, unit_code="SH", reason="x") == {
        "status": ["已办结或已归档的投诉不能转办"]
    }


def test_only_those_allowed_transfer_and_only_cases_they_see(desk):
    org = desk
    case = intake(org.desk_agent)
    with pytest.raises(PermissionDenied):  # sees every unit, hands nothing on
        complaint_transfer(number=case.number, actor=org.inspector, unit_code="SH", reason="x")
    with pytest.raises(NotFound):  # a store agent does not see the centre's cases
        complaint_transfer(number=case.number, actor=org.agent_a, unit_code="SH", reason="x")
    # The executive (sees every unit) may hand it on; so may a store's agent send its own case back.
    complaint_transfer(number=case.number, actor=org.executive, unit_code="SH-A", reason="徐汇门店的业务")
    complaint_transfer(
        number=case.number, actor=org.agent_a, unit_code="CSC", reason="不是本店业务，退回客服中心"
    )
    assert Complaint.objects.get(number=case.number).org_unit_id == org.centre.pk
    assert StaffNotification.objects.filter(kind="case_transferred", user=org.desk_agent).exists()


def test_an_escalated_case_is_with_its_holder_and_not_transferred(desk):
    """On a level of the ladder the case has a holder of the sending unit's chain: it goes back to the front
    line before it changes unit, so that no holder is left with a case of another branch."""
    org = desk
    case = intake(org.agent_a)
    complaint_transition(number=case.number, actor=org.agent_a, to="accepted")
    complaint_escalate(number=case.number, actor=org.agent_a, reason="客户要求经理处理")
    assert Complaint.objects.get(pk=case.pk).status == "escalated"
    with pytest.raises(InvalidInput) as refused:
        complaint_transfer(number=case.number, actor=org.executive, unit_code="CSC", reason="x")
    assert refused.value.fields == {"status": ["已升级的投诉由升级承接人处理，不能转办；请先退回一线"]}
    assert Complaint.objects.get(pk=case.pk).org_unit_id == org.store_a.pk


# Several at once (a queue's selection) -------------------------------------------------------------------


def _many(org, numbers, unit_code="SH", reason="上海的业务，集中转办", actor=None):
    return complaint_transfer_many(
        numbers=numbers, actor=actor or org.desk_agent, unit_code=unit_code, reason=reason
    )


def test_several_cases_go_to_one_unit_which_is_told_once_and_the_refused_are_named(desk):
    org = desk
    first = intake(org.desk_agent, title="浦东门店宽带未开通")
    second = intake(org.desk_agent, title="账单多扣费")
    withdrawn = intake(org.desk_agent, title="客户已撤诉")
    complaint_transition(number=withdrawn.number, actor=org.desk_agent, to="withdrawn", reason="客户撤回")
    elsewhere = intake(org.agent_a)  # a store's case: not the centre's to see
    events_before = withdrawn.events.count()

    result = _many(org, [first.number, withdrawn.number, "NOPE-1", second.number, elsewhere.number])

    assert [t.complaint.number for t in result.done] == [first.number, second.number]
    assert result.unit.pk == org.branch.pk
    assert [(r.number, r.reasons) for r in result.refused] == [
        (withdrawn.number, ["已办结或已归档的投诉不能转办"]),
        ("NOPE-1", ["未找到这张投诉单"]),
        (elsewhere.number, ["未找到这张投诉单"]),
    ]
    for case in (first, second):
        case.refresh_from_db()
        assert (case.org_unit_id, case.assignee_id) == (org.branch.pk, None)
        event = case.events.get(kind=EventKind.TRANSFERRED)
        assert (event.old_value, event.new_value, event.reason) == (
            "客服中心",
            "上海分公司",
            "上海的业务，集中转办",
        )
    # The refused ones are as they were: nothing written on them.
    withdrawn.refresh_from_db()
    assert (withdrawn.org_unit_id, withdrawn.events.count()) == (org.centre.pk, events_before)
    assert Complaint.objects.get(pk=elsewhere.pk).org_unit_id == org.store_a.pk

    # The branch's people get one notice listing the cases, opening their unassigned queue.
    notice = StaffNotification.objects.get()
    assert (notice.user_id, notice.kind, notice.link) == (
        org.manager.pk,
        "cases_transferred",
        "/queues/unassigned/",
    )
    assert notice.title == "2 件案件转办到上海分公司"
    assert "desk_agent（客服中心）" in notice.body and "上海的业务，集中转办" in notice.body
    assert f"{first.number} 浦东门店办理宽带未开通" not in notice.body  # each case by its own title
    assert (
        f"{first.number} 浦东门店宽带未开通" in notice.body and f"{second.number} 账单多扣费" in notice.body
    )
    assert withdrawn.number not in notice.body
    assert set(_unassigned(org.manager)) >= {first.number, second.number}


def test_one_case_moved_of_a_selection_gets_the_one_case_notice(desk):
    org = desk
    case = intake(org.desk_agent, title="浦东门店宽带未开通")
    result = _many(org, [case.number, "NOPE-1"])
    assert len(result.done) == 1 and len(result.refused) == 1
    notice = StaffNotification.objects.get()
    assert notice.kind == "case_transferred" and notice.link == f"/complaints/{case.number}/"


def test_a_case_already_in_the_unit_is_refused_and_the_others_move(desk):
    org = desk
    there = intake(org.manager)  # received at the branch itself
    centre = intake(org.desk_agent)
    result = _many(org, [there.number, centre.number], actor=org.executive)
    assert [t.complaint.pk for t in result.done] == [centre.pk]
    assert [(r.number, r.reasons) for r in result.refused] == [(there.number, ["这件投诉已经在上海分公司"])]
    assert not there.events.filter(kind=EventKind.TRANSFERRED).exists()


@pytest.mark.parametrize(
    ("numbers", "unit_code", "reason", "problem"),
    [
        ([], "SH", "x", {"numbers": ["请先勾选投诉单"]}),
        (None, "EAST", "x", {"unit": ["华东大区不直接办理投诉，请选择具体的分公司、门店或部门"]}),
        (None, "", "x", {"unit": ["请选择转办到哪个机构"]}),
        (None, "SH", "  ", {"reason": ["请填写转办原因"]}),
    ],
)
def test_a_wrong_unit_reason_or_selection_refuses_the_whole_batch_with_nothing_written(
    desk, numbers, unit_code, reason, problem
):
    org = desk
    case = intake(org.desk_agent)
    with pytest.raises(InvalidInput) as refused:
        _many(org, [case.number] if numbers is None else numbers, unit_code=unit_code, reason=reason)
    assert refused.value.fields == problem
    assert not case.events.filter(kind=EventKind.TRANSFERRED).exists()
    assert not StaffNotification.objects.exists()


def test_more_than_a_page_at_once_or_without_the_permission_is_refused(desk):
    org = desk
    case = intake(org.desk_agent)
    with pytest.raises(InvalidInput) as refused:
        _many(org, [f"N{i}" for i in range(TRANSFER_MANY_MAX + 1)])
    assert refused.value.fields == {"numbers": [f"一次最多转办 {TRANSFER_MANY_MAX} 张投诉单"]}
    with pytest.raises(PermissionDenied):
        _many(org, [case.number], actor=org.inspector)
    assert Complaint.objects.get(pk=case.pk).org_unit_id == org.centre.pk


def test_a_hook_that_fails_rolls_every_case_of_the_batch_back(desk, monkeypatch):
    org = desk
    cases = [intake(org.desk_agent), intake(org.desk_agent)]

    def broken(**kwargs):
        raise RuntimeError("inbox down")

    monkeypatch.setattr(transfers, "_TRANSFER_HOOKS", [broken])
    with pytest.raises(RuntimeError):
        _many(org, [c.number for c in cases])
    assert set(
        Complaint.objects.filter(pk__in=[c.pk for c in cases]).values_list("org_unit_id", flat=True)
    ) == {org.centre.pk}
    assert not Complaint.objects.filter(events__kind=EventKind.TRANSFERRED).exists()


def test_a_department_is_told_to_open_the_case_not_sent_to_an_unassigned_queue_it_does_not_use(desk):
    """A department's staff assign nothing and work from their workbench: the notice says the case is theirs
    to handle and opens it (several: their department's open cases, the 团队 queue), never 未分派."""
    org = desk
    case = intake(org.desk_agent, title="账单多扣了宽带费")
    complaint_transfer(
        number=case.number, actor=org.desk_agent, unit_code="BILL", reason="扣费争议，请计费部核查"
    )

    notice = StaffNotification.objects.get(kind="case_transferred")
    assert notice.user_id == org.dept_staff.pk
    assert notice.link == f"/complaints/{case.number}/"
    assert "未分派" not in notice.body and "分派处理" not in notice.body
    assert "案件已交本部门处理，请打开案件直接办理" in notice.body and "“团队”队列" in notice.body
    # The link takes them to the case, and the 团队 queue holds it.
    assert access_complaint(user=org.dept_staff, number=case.number).pk == case.pk
    team = complaint_page(user=org.dept_staff, filters=ComplaintFilters(open_only=True, unit="BILL")).items
    assert case.number in [c.number for c in team]

    StaffNotification.objects.all().delete()
    more = [intake(org.desk_agent, title=f"话费异议{n}") for n in range(2)]
    _many(org, [c.number for c in more], unit_code="BILL")
    notice = StaffNotification.objects.get(kind="cases_transferred")
    assert (notice.user_id, notice.link) == (org.dept_staff.pk, "/queues/team/")
    assert "未分派" not in notice.body and "都在本部门的“团队”队列中" in notice.body


def test_a_department_with_a_supervisor_tells_each_where_they_work(desk):
    """Whoever assigns in a department still reads of the 未分派 queue; its staff, of the case to handle."""
    org = desk
    lead = org.user("billing_lead", Role.SUPERVISOR, org.billing)
    case = intake(org.desk_agent, title="账单多扣了宽带费")
    complaint_transfer(number=case.number, actor=org.desk_agent, unit_code="BILL", reason="扣费争议")

    by_user = {n.user_id: n for n in StaffNotification.objects.filter(kind="case_transferred")}
    assert set(by_user) == {org.dept_staff.pk, lead.pk}
    assert "未分派" in by_user[lead.pk].body and "未分派" not in by_user[org.dept_staff.pk].body
