# ruff: noqa: F811  (the fixtures world and desk come from test_groups)
"""The groups page (/groups/): a supervisor sees the detected groups waiting for confirmation with their
evidence and cases, confirms or dismisses one there (a missing reason is refused in place); an agent
sees the groups but no buttons and cannot post a decision; the region's supervisors get a notice that
a group waits for them."""

import datetime as dt
import re

import pytest
from django.test import Client

from complaintdesk.complaints.models import Complaint
from complaintdesk.inbox.models import StaffNotification
from complaintdesk.intelligence.models import ComplaintGroup, GroupStatus

from .test_groups import _outage, _register, desk, world  # noqa: F401

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def pending(world, desk):
    complaints = _register(desk, _outage(world, spacing=dt.timedelta(minutes=10))[:6])
    return ComplaintGroup.objects.get(), complaints


def test_the_supervisor_is_told_and_sees_the_pending_group_with_its_evidence(world, pending):
    group, complaints = pending
    notice = StaffNotification.objects.get(user=world.supervisor, kind="group_pending")
    assert "待您确认" in notice.title and "/groups/?view=pending" in notice.link
    response = _client(world.supervisor).get("/groups/")
    text = _text(response)
    assert response.status_code == 200
    assert "待主管确认 (1)" in text and f"G{group.pk}" in text
    assert "6 位客户" in text and "共同地点：张江" in text and "共同问题：断网" in text
    for complaint in complaints:
        assert complaint.number in text
    assert "确认为群体性投诉" in text and "不是同一问题，否决" in text
    assert "pending" not in text and "evidence" not in text  # words, not codes


def test_the_supervisor_confirms_from_the_page(world, pending, desk):
    group, complaints = pending
    client = _client(world.supervisor)
    with desk.callbacks(execute=True):
        response = client.post(f"/groups/{group.pk}/confirm", {"reason": "光缆故障已核实"}, follow=True)
    assert response.status_code == 200 and "已确认群体性投诉" in _text(response)
    group.refresh_from_db()
    assert group.status == GroupStatus.OPEN and group.confirmed_by == world.supervisor
    assert Complaint.objects.filter(pk__in=[c.pk for c in complaints], is_batch=True).count() == 6
    assert "east_supervisor" in _text(client.get("/groups/?view=open"))


def test_dismissing_needs_a_reason_and_then_takes_the_cases_out(world, pending):
    group, complaints = pending
    client = _client(world.supervisor)
    response = client.post(f"/groups/{group.pk}/dismiss", {"reason": " "}, follow=True)
    assert "此项为必填项" in _text(response)
    group.refresh_from_db()
    assert group.status == GroupStatus.PENDING
    response = client.post(f"/groups/{group.pk}/dismiss", {"reason": "各家问题不同"}, follow=True)
    assert "已否决群体性投诉" in _text(response) and "没有等待确认的群体性投诉" in _text(response)
    group.refresh_from_db()
    assert group.status == GroupStatus.DISMISSED
    closed = _text(client.get("/groups/?view=closed"))
    assert "已否决" in closed and "各家问题不同" in closed


def test_an_agent_sees_the_group_but_cannot_decide(world, pending):
    group, _complaints = pending
    client = _client(world.agent_b)
    text = _text(client.get("/groups/"))
    assert f"G{group.pk}" in text and "确认为群体性投诉" not in text
    response = client.post(f"/groups/{group.pk}/confirm", {}, follow=True)
    assert "只有主管可以确认或否决群体性投诉" in _text(response)
    group.refresh_from_db()
    assert group.status == GroupStatus.PENDING


def test_the_admin_shows_the_decision_read_only(world, pending):
    """The admin shows a group's status, evidence and decision but cannot change them (only the services
    confirm or dismiss)."""
    from complaintdesk.accounts.models import User

    group, _complaints = pending
    admin = User.objects.create_superuser(username="root_admin", password=None)
    response = _client(admin).get(f"/admin/intelligence/complaintgroup/{group.pk}/change/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "待主管确认" in body
    for name in ("status", "evidence", "confirmed_by", "dismissed_by", "dismiss_reason"):
        assert f'name="{name}"' not in body


def test_the_page_in_english(world, pending):
    group, _complaints = pending
    client = _client(world.supervisor)
    client.post("/i18n/setlang/", {"language": "en", "next": "/groups/"})
    text = _text(client.get("/groups/"))
    assert "Awaiting supervisor confirmation (1)" in text
    assert "6 customers; common place: 张江; common problem: 断网; median similarity" in text
    assert "Confirm as a group complaint" in text and "Not one problem: dismiss" in text
    for chinese in (
        "待主管确认",
        "识别依据",
        "位客户",
        "共同地点",
        "确认为群体性投诉",
        "否决原因",
        "张投诉单",
        "；",
    ):
        assert chinese not in text  # the page's own words; the cases' titles and places stay as written
