"""转办 on the case page: the centre's agent picks the unit and gives the reason; the case leaves their queue
for the branch's, where it opens with the transfer on its timeline."""

import pytest
from django.core.cache import caches
from django.test import Client

from complaintdesk.accounts.models import Role
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.orgs.services import orgunit_create
from complaintdesk.testing import handling_case, intake, resolve

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def desk(org):
    org.centre = orgunit_create(code="CSC", name="客服中心", kind="service_centre", parent=org.hq)
    org.desk_agent = org.user("desk_agent", Role.AGENT, org.centre)
    return org


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_centre_agent_transfers_a_case_to_the_branch_from_its_page(desk):
    org = desk
    case = intake(org.desk_agent, title="浦东门店宽带未开通")
    client = _client(org.desk_agent)
    page = client.get(f"/complaints/{case.number}/").content.decode()
    assert 'data-testid="transfer"' in page
    assert '<option value="SH">上海分公司</option>' in page
    assert 'value="EAST"' not in page and 'value="CSC"' not in page  # no region, not where it is

    answer = client.post(
        f"/complaints/{case.number}/transfer", {"unit": "SH", "reason": "客户在浦东门店办理"}, follow=True
    )
    # The case is the branch's now: the agent is back on their unassigned queue, told where it went.
    assert answer.redirect_chain[-1][0] == "/queues/unassigned/"
    text = answer.content.decode()
    assert f"{case.number} 已转办至上海分公司" in text and "浦东门店宽带未开通" not in text
    assert Complaint.objects.get(pk=case.pk).org_unit_id == org.branch.pk

    branch_page = _client(org.manager).get(f"/complaints/{case.number}/").content.decode()
    assert "转办" in branch_page and "客户在浦东门店办理" in branch_page
    queue = _client(org.manager).get("/queues/unassigned/").content.decode()
    assert case.number in queue


def test_a_refused_transfer_comes_back_with_the_problem_in_words(desk):
    org = desk
    case = intake(org.desk_agent)
    client = _client(org.desk_agent)
    answer = client.post(f"/complaints/{case.number}/transfer", {"unit": "SH", "reason": ""}, follow=True)
    assert answer.redirect_chain[-1][0] == f"/complaints/{case.number}/#transfer"
    assert "请填写转办原因" in answer.content.decode()
    answer = client.post(f"/complaints/{case.number}/transfer", {"unit": "EAST", "reason": "x"}, follow=True)
    assert "华东大区不直接办理投诉" in answer.content.decode()
    assert not Complaint.objects.get(pk=case.pk).events.filter(kind=EventKind.TRANSFERRED).exists()


def test_those_who_may_not_transfer_are_not_offered_it(desk):
    org = desk
    case = intake(org.desk_agent)
    page = _client(org.inspector).get(f"/complaints/{case.number}/").content.decode()
    assert 'data-testid="transfer"' not in page
    refused = _client(org.inspector).post(
        f"/complaints/{case.number}/transfer", {"unit": "SH", "reason": "x"}
    )
    assert refused.status_code in (302, 403)
    assert Complaint.objects.get(pk=case.pk).org_unit_id == org.centre.pk


def test_the_centre_agent_transfers_several_cases_from_the_unassigned_queue(desk):
    org = desk
    first = intake(org.desk_agent, title="浦东门店宽带未开通")
    second = intake(org.desk_agent, title="账单多扣费")
    closed = intake(org.desk_agent, title="客户已撤诉")
    complaint_transition(number=closed.number, actor=org.desk_agent, to="withdrawn", reason="客户撤回")
    client = _client(org.desk_agent)
    queue = client.get("/queues/unassigned/").content.decode()
    # The agent may not assign, but may transfer: the rows can be ticked and the transfer is offered.
    assert 'data-testid="bulk-transfer"' in queue and "批量分派" not in queue
    assert f'name="numbers" value="{first.number}"' in queue
    assert '<option value="SH">上海分公司</option>' in queue and 'value="EAST"' not in queue

    answer = client.post(
        "/queues-transfer/",
        {
            "numbers": [first.number, second.number, closed.number],
            "transfer_unit": "SH",
            "transfer_reason": "上海的业务",
            "next": "/queues/unassigned/",
        },
        follow=True,
    )
    assert answer.redirect_chain[-1][0] == "/queues/unassigned/"
    text = answer.content.decode()
    assert "已将 2 件转办至上海分公司" in text
    assert f"{closed.number} 未转办：已办结或已归档的投诉不能转办" in text
    assert first.number not in text.split("已将")[1]  # gone from the centre's queue
    assert {c.org_unit_id for c in Complaint.objects.filter(pk__in=[first.pk, second.pk])} == {org.branch.pk}

    # The branch's manager learns of it in their inbox: one notice listing both, opening their queue.
    manager = _client(org.manager)
    inbox = manager.get("/notifications/").content.decode()
    assert "2 件案件转办到上海分公司" in inbox and first.number in inbox and second.number in inbox
    queue = manager.get("/queues/unassigned/").content.decode()
    assert first.number in queue and second.number in queue


def test_a_bulk_transfer_without_a_unit_or_a_selection_is_refused_in_words(desk):
    org = desk
    case = intake(org.desk_agent)
    client = _client(org.desk_agent)
    answer = client.post(
        "/queues-transfer/",
        {"numbers": [case.number], "transfer_unit": "", "transfer_reason": "", "next": "/queues/unassigned/"},
        follow=True,
    )
    text = answer.content.decode()
    assert "请选择转办到哪个机构" in text and "请填写转办原因" in text
    answer = client.post(
        "/queues-transfer/",
        {"transfer_unit": "SH", "transfer_reason": "x", "next": "/queues/unassigned/"},
        follow=True,
    )
    assert "请先勾选投诉单" in answer.content.decode()
    assert not Complaint.objects.get(pk=case.pk).events.filter(kind=EventKind.TRANSFERRED).exists()


def test_those_who_may_not_transfer_get_no_bulk_transfer(desk):
    org = desk
    intake(org.desk_agent)
    page = _client(org.inspector).get("/queues/team/").content.decode()
    assert 'data-testid="bulk-transfer"' not in page


def test_no_bulk_transfer_on_a_queue_of_cases_that_cannot_be_transferred(desk):
    """待回访 holds resolved cases, which cannot be handed on: the queue offers no 批量转办 there, and still
    does where open cases are."""
    org = desk
    case = handling_case(org.desk_agent, title="宽带装机延误")
    resolve(org.desk_agent, case.number)
    client = _client(org.desk_agent)
    follow_ups = client.get("/queues/follow_up/").content.decode()
    assert case.number in follow_ups
    assert 'data-testid="bulk-transfer"' not in follow_ups
    intake(org.desk_agent, title="账单多扣费")
    assert 'data-testid="bulk-transfer"' in client.get("/queues/unassigned/").content.decode()
