"""转办: a case received centrally is handed to the unit responsible for it. The receiving unit's queue takes
it and its people are told; the sender's unit no longer sees it; the customer's deadlines do not restart."""

import pytest
from django.utils import translation

from complaintdesk.accounts.models import Role
from complaintdesk.analytics.models import ComplaintFact
from complaintdesk.analytics.services import analytics_sync
from complaintdesk.common.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.event_text import events_for_people
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.selectors import ComplaintFilters, complaint_page
from complaintdesk.complaints.services import complaint_assign, complaint_transition
from complaintdesk.complaints.transfers import complaint_transfer
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
