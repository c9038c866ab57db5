"""Smaller walls of the queue (issue 13 point 10): the breached queue leaves out paused cases, bulk
assignment offers only people who can open the listed cases, and the queue shows the customer (masked),
the priority and when the case was opened."""

import datetime as dt
import re

from django.test import Client

from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.services import IntakeCustomer, complaint_transition
from complaintdesk.testing import intake


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _offered(html: str) -> set[str]:
    select = re.search(r'<select name="assignee".*?</select>', html, re.S).group(0)
    return {value for value in re.findall(r'<option value="([^"]*)"', select) if value}


def test_the_breached_queue_leaves_out_cases_paused_for_the_customer(org):
    late = intake(org.agent_a, title="已超时的投诉")
    paused = intake(org.agent_a, title="等待客户确认的投诉")
    for case in (late, paused):
        complaint_transition(number=case.number, actor=org.agent_a, to="accepted")
        complaint_transition(number=case.number, actor=org.agent_a, to="handling")
    complaint_transition(number=paused.number, actor=org.agent_a, to="awaiting_customer")
    Complaint.objects.update(due_at=now() - dt.timedelta(hours=2))
    assert Complaint.objects.get(pk=paused.pk).sla_paused_at is not None

    html = _client(org.agent_a).get("/queues/breached/").content.decode()

    assert late.number in html and paused.number not in html


def test_bulk_assign_offers_only_people_who_can_open_every_listed_case(org):
    intake(org.agent_a, title="徐汇的投诉")
    intake(org.agent_b, title="浦东的投诉")
    client = _client(org.manager)  # business manager of the branch above both stores

    both = _offered(client.get("/queues/team/", {"unit": "SH"}).content.decode())
    only_a = _offered(client.get("/queues/team/", {"unit": "SH-A"}).content.decode())

    # Two stores' cases: only the branch's own handlers can open them all.
    assert "manager" in both and "agent_a" not in both and "agent_b" not in both
    # One store's cases: that store's agents too, never the other store's, a department or an inspector.
    assert {"manager", "agent_a"} <= only_a
    assert not {"agent_b", "billing", "qa"} & only_a


def test_assigning_someone_who_cannot_open_the_case_is_refused_with_a_message(org):
    case = intake(org.agent_a, title="徐汇的投诉")
    client = _client(org.manager)

    response = client.post(
        "/queues-assign/",
        {"numbers": [case.number], "assignee": "agent_b", "next": "/queues/team/"},
        follow=True,
    )

    assert Complaint.objects.get(pk=case.pk).assignee_id is None
    assert 'class="msg-error"' in response.content.decode()


def test_the_queue_shows_the_customer_masked_the_priority_and_when_it_was_opened(org):
    case = intake(org.agent_a, title="宽带断网", customer=IntakeCustomer(name="王小红", phone="13800138000"))

    html = _client(org.agent_a).get("/queues/team/").content.decode()

    row = re.search(
        rf"<tr>\s*(?:<td>.*?</td>\s*)?<td><a href=\"/complaints/{case.number}/\".*?</tr>", html, re.S
    )
    assert row is not None
    text = row.group(0)
    assert "王**" in text and "王小红" not in html
    assert "中" in text  # the default priority's label
    local = case.created_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert f"{local:%m-%d %H:%M}" in text
    assert "客户" in html and "优先级" in html and "受理时间" in html
