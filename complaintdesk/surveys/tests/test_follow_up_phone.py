"""The follow-up queue shows the number to call: whole, as a tel: link, for the person doing the follow-up;
masked for a colleague who only watches the queue."""

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
