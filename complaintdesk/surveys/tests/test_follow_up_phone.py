"""The follow-up queue shows the number to call: whole, as a tel: link, for the person doing the follow-up;
masked for a colleague who only watches the queue."""

import re

import pytest
from django.test import Client

from complaintdesk.accounts.models import Role
from complaintdesk.surveys import resolution, results
from complaintdesk.surveys.models import FollowUp

from .conftest import CLEAN_RESULT

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_follow_up_agent_gets_the_number_to_call_and_a_colleague_sees_it_masked(org, handling_case):
    complaint = handling_case(org.agent_a)
    results.result_send(number=complaint.number, actor=org.agent_a, **CLEAN_RESULT)
    resolution.result_confirm(number=complaint.number, actor=org.agent_a)
    assert FollowUp.objects.get(complaint=complaint).assignee == org.agent_a
    colleague = org.user("agent_a2", Role.AGENT, org.store_a)

    mine = _client(org.agent_a).get("/follow-ups/").content.decode()
    theirs = _client(colleague).get("/follow-ups/").content.decode()

    assert 'href="tel:+8613800138000"' in mine
    assert f"follow-up-row-{complaint.number}" in theirs
    assert "138****8000" in theirs and "+8613800138000" not in theirs and "tel:" not in theirs


def test_the_number_reads_as_people_say_it_and_is_masked_for_those_who_need_not_call(org, handling_case):
    # 138 0013 8000 as a person reads it (never +8613800138000 on the page; the tel: link keeps it), whole
    # for the caller and for a manager who sees personal data, masked for a colleague who only watches.
    complaint = handling_case(org.agent_a)
    results.result_send(number=complaint.number, actor=org.agent_a, **CLEAN_RESULT)
    resolution.result_confirm(number=complaint.number, actor=org.agent_a)
    colleague = org.user("agent_a3", Role.AGENT, org.store_a)
    manager = org.user("manager_a", Role.BUSINESS_MANAGER, org.store_a)

    def shown(user) -> str:
        html = _client(user).get("/follow-ups/").content.decode()
        return re.search(r'<td data-testid="follow-up-phone"[^>]*>(.*?)</td>', html, re.DOTALL).group(1)

    for user in (org.agent_a, manager):
        cell = shown(user)
        assert re.search(r">\s*138 0013 8000\s*<", cell) and 'href="tel:+8613800138000"' in cell, cell
        assert ">+86" not in cell, cell
    assert re.search(r">\s*138\*\*\*\*8000\s*<", shown(colleague))
