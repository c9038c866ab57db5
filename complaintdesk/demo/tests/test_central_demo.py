"""On the demo's first morning the customer service centre has cases received centrally and not yet handed on:
agent_hq finds them in the 未分派 queue, can hand them on (转办), and loading again files none twice."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from complaintdesk.accounts.models import User
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.selectors import ComplaintFilters
from complaintdesk.complaints.states import Status
from complaintdesk.complaints.transfers import complaint_transfer_many
from complaintdesk.demo.central import CENTRAL_CASES, demo_central_cases_ensure
from complaintdesk.web.selectors import QUEUES, queue_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("load_demo", complaints=3, seed=5, stdout=io.StringIO())


def _unassigned(user):
    return queue_page(user=user, queue=QUEUES["unassigned"], search=ComplaintFilters()).items


def test_agent_hq_finds_the_centrally_received_cases_unassigned_in_the_queue(demo):
    agent = User.objects.get(username="agent_hq")
    waiting = _unassigned(agent)

    assert len(waiting) == len(CENTRAL_CASES) >= 3
    assert {c.title for c in waiting} == {case.title for case in CENTRAL_CASES}
    assert all(c.org_unit.code == "CSC" and c.assignee_id is None and c.status == Status.NEW for c in waiting)
    assert len({c.customer_id for c in waiting}) == len(waiting)  # different customers
    assert len({c.channel for c in waiting}) >= 3  # web form, WeChat, e-mail
    # Received through intake, by the channel, with its created event on the timeline.
    assert all(c.events.filter(kind=EventKind.CREATED).count() == 1 for c in waiting)
    assert all(c.created_by.username.startswith("channel-") for c in waiting)


def test_the_queue_page_offers_bulk_transfer_and_agent_hq_can_hand_them_on(demo):
    agent = User.objects.get(username="agent_hq")
    client = Client()
    client.force_login(agent)
    page = client.get("/queues/unassigned/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "批量转办" in html
    assert all(case.title in html for case in CENTRAL_CASES)

    numbers = [c.number for c in _unassigned(agent)[:2]]
    moved = complaint_transfer_many(numbers=numbers, actor=agent, unit_code="SH", reason="属上海分公司辖区")
    assert not moved.refused and len(moved.done) == 2
    assert len(_unassigned(agent)) == len(CENTRAL_CASES) - 2


def test_loading_again_files_none_twice_even_after_they_were_handed_on(demo, settings):
    agent = User.objects.get(username="agent_hq")
    number = _unassigned(agent)[0].number
    complaint_transfer_many(numbers=[number], actor=agent, unit_code="GZ", reason="属广州分公司")

    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert demo_central_cases_ensure() == []

    titles = [case.title for case in CENTRAL_CASES]
    assert Complaint.objects.filter(title__in=titles).count() == len(CENTRAL_CASES)
    assert len(_unassigned(agent)) == len(CENTRAL_CASES) - 1  # the one handed on does not come back
