"""A suggestion routed to the unit that owns its subject (issue 19): that unit is told in its inbox, opens
the case, is handed it and closes it — the hand-off is no longer silent."""

import pytest
from django.test import Client

from complaintdesk.common.errors import InvalidInput, NotFound
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.contacts import suggestion_route
from complaintdesk.complaints.models import EventKind
from complaintdesk.complaints.services import complaint_assign, complaint_transition
from complaintdesk.complaints.states import ContactKind, Status
from complaintdesk.inbox.models import StaffNotification
from complaintdesk.testing import intake

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _suggestion(org):
    suggestion = intake(org.agent_a, kind=ContactKind.SUGGESTION, title="建议账单可导出 Excel", demand="")
    complaint_transition(number=suggestion.number, actor=org.agent_a, to=Status.ACCEPTED)
    complaint_assign(number=suggestion.number, actor=org.manager, assignee=org.agent_a)
    return suggestion


def test_before_routing_the_owner_unit_cannot_see_the_suggestion(org):
    suggestion = _suggestion(org)
    with pytest.raises(NotFound):
        access_complaint(user=org.dept_staff, number=suggestion.number)


def test_the_owner_unit_is_told_opens_the_case_and_closes_it(org):
    suggestion = _suggestion(org)
    suggestion_route(
        number=suggestion.number, actor=org.agent_a, unit_code="BILL", reason="计费部负责账单功能"
    )

    notice = StaffNotification.objects.get(user=org.dept_staff, kind="suggestion_routed")
    assert notice.title == f"建议转交给计费部：{suggestion.number}"
    assert "建议账单可导出 Excel" in notice.body and "计费部负责账单功能" in notice.body
    assert notice.link == f"/complaints/{suggestion.number}/"
    # The one who routed it is not told of their own act; nobody outside the unit is told.
    assert set(StaffNotification.objects.filter(kind="suggestion_routed").values_list("user", flat=True)) == {
        org.dept_staff.pk
    }

    client = _client(org.dept_staff)
    inbox = client.get("/notifications/")
    assert f"建议转交给计费部：{suggestion.number}" in inbox.content.decode()
    opened = client.post(f"/notifications/{notice.pk}/open", follow=True)
    assert opened.status_code == 200
    assert opened.redirect_chain[-1][0] == f"/complaints/{suggestion.number}/"
    assert "建议账单可导出 Excel" in opened.content.decode()

    # The front-desk handler gave it up: it waits in the owner unit's queue (an assignment on the timeline).
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.owner_unit, suggestion.assignee) == (
        Status.HANDLING,
        org.billing,
        None,
    )
    assert suggestion.events.filter(kind=EventKind.ASSIGNED, new_value="").exists()

    # The owner unit acts: it closes the suggestion with what became of it, on the case page.
    done = client.post(
        f"/complaints/{suggestion.number}/transition", {"to": "closed", "reason": "已列入下个版本"}
    )
    assert done.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == Status.CLOSED
    # The unit that took it in still sees it.
    assert access_complaint(user=org.agent_a, number=suggestion.number).status == Status.CLOSED


def test_the_owner_units_manager_can_assign_it_to_one_of_theirs(org):
    manager = org.user("bill_manager", "business_manager", org.billing)
    suggestion = _suggestion(org)
    suggestion_route(number=suggestion.number, actor=org.agent_a, unit_code="BILL")
    assert StaffNotification.objects.filter(user=manager, kind="suggestion_routed").exists()
    complaint_assign(number=suggestion.number, actor=manager, assignee=org.dept_staff)
    suggestion.refresh_from_db()
    assert suggestion.assignee == org.dept_staff


def test_each_is_told_what_is_theirs_to_do_the_department_to_handle_it_the_manager_to_assign_it(org):
    """A department's staff assign nothing: their notice says the suggestion is theirs to handle; whoever assigns
    in the unit is still asked to assign it."""
    manager = org.user("bill_manager", "business_manager", org.billing)
    suggestion = _suggestion(org)
    suggestion_route(
        number=suggestion.number, actor=org.agent_a, unit_code="BILL", reason="计费部负责账单功能"
    )

    staff = StaffNotification.objects.get(user=org.dept_staff, kind="suggestion_routed")
    assert "分派" not in staff.body
    assert "建议已交本部门处理，请打开案件直接办理，办结时写明采纳情况。" in staff.body
    assert "建议账单可导出 Excel" in staff.body and staff.link == f"/complaints/{suggestion.number}/"
    lead = StaffNotification.objects.get(user=manager, kind="suggestion_routed")
    assert "请分派给本机构的人员处理" in lead.body

    english = org.user("billing_en", "department_staff", org.billing)
    english.language = "en"
    english.save(update_fields=["language"])
    other = intake(org.agent_a, kind=ContactKind.SUGGESTION, title="建议开通电子发票", demand="")
    complaint_transition(number=other.number, actor=org.agent_a, to=Status.ACCEPTED)
    suggestion_route(number=other.number, actor=org.agent_a, unit_code="BILL")
    body = StaffNotification.objects.get(user=english, kind="suggestion_routed").body
    assert "your department's to handle" in body and "assign" not in body.lower()


def test_a_branch_manager_is_asked_to_assign_it_within_the_branch_not_a_department(org):
    """The notice is worded for where its reader works: a branch is not a department (本部门), and its manager
    assigns the suggestion to someone of the branch; in English too."""
    suggestion = _suggestion(org)
    suggestion_route(number=suggestion.number, actor=org.agent_a, unit_code="SH", reason="分公司负责营业厅")

    lead = StaffNotification.objects.get(user=org.manager, kind="suggestion_routed")
    assert "请分派给本机构的人员处理，办结时写明采纳情况。" in lead.body
    assert "本部门" not in lead.title + lead.body

    org.manager.language = "en"
    org.manager.save(update_fields=["language"])
    other = intake(org.agent_a, kind=ContactKind.SUGGESTION, title="建议营业厅延长营业时间", demand="")
    complaint_transition(number=other.number, actor=org.agent_a, to=Status.ACCEPTED)
    suggestion_route(number=other.number, actor=org.agent_a, unit_code="SH")
    english = StaffNotification.objects.filter(user=org.manager, kind="suggestion_routed").latest("pk")
    assert "assign it to someone in your unit" in english.body and "department" not in english.body.lower()


def test_routing_to_the_unit_it_is_already_with_is_refused_and_tells_nobody_twice(org):
    suggestion = _suggestion(org)
    suggestion_route(number=suggestion.number, actor=org.agent_a, unit_code="BILL")
    with pytest.raises(InvalidInput) as refused:
        suggestion_route(number=suggestion.number, actor=org.agent_a, unit_code="BILL")
    assert "owner_unit" in refused.value.fields
    assert StaffNotification.objects.filter(kind="suggestion_routed").count() == 1
