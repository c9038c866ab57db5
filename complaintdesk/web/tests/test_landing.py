"""Where each role's day starts (`/`), and that their own cases stay one click away from every page."""

import re

import pytest
from django.test import Client

from complaintdesk.complaints.services import complaint_assign
from complaintdesk.testing import intake

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    return client


def _workbench_link(html: str) -> str:
    return re.search(r'<a href="([^"]+)" accesskey="q"', html).group(1)


@pytest.mark.parametrize(
    ("who", "landing", "heading"),
    [
        ("executive", "/dashboard/", "管理看板"),
        ("inspector", "/quality/", "质检队列"),
        ("dept_staff", "/work-orders/", ""),
    ],
)
def test_roles_that_do_not_work_the_queue_land_on_their_own_page(org, who, landing, heading):
    response = _client(getattr(org, who)).get("/", follow=True)
    assert response.redirect_chain[-1][0] == landing
    html = response.content.decode()
    assert heading in html
    # 我的工作台 in the header still opens their own cases, not the landing page again.
    assert _workbench_link(html) == "/queues/mine/"


def test_an_agent_lands_on_the_queue(org):
    response = _client(org.agent_a).get("/")
    assert response.status_code == 200
    assert "我的待办" in response.content.decode()


def test_executive_reaches_cases_escalated_to_them_from_the_header(org):
    case = intake(org.agent_a, title="营业厅乱收费，要求总经理处理")
    complaint_assign(number=case.number, actor=org.executive, assignee=org.executive, reason="升级至管理层")
    client = _client(org.executive)
    link = _workbench_link(client.get("/dashboard/").content.decode())
    assert case.number in client.get(link).content.decode()


def test_bulk_assignment_is_offered_only_with_cases_to_tick(org):
    client = _client(org.manager)
    empty = client.get("/queues/mine/").content.decode()
    assert "暂无" in empty
    assert "批量分派" not in empty
    case = intake(org.agent_a, title="话费多扣了二十元")
    team = client.get("/queues/team/").content.decode()
    assert case.number in team
    assert "批量分派" in team
