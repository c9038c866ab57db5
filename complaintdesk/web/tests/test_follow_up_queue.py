"""The 待回访 queue gives each case the due time of its follow-up task — set by the unit's policy when the case
was resolved — not a time of its own reckoning, and lists the call due first."""

import re

import pytest
from django.test import Client

from complaintdesk.common.testing import clock as clock
from complaintdesk.common.testing import local
from complaintdesk.sla.models import SlaPolicy
from complaintdesk.surveys.models import FollowUp, FollowUpState
from complaintdesk.testing import handling_case, resolve

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    return client


def _due_shown(html: str, number: str) -> str:
    """The due time the queue's row of case `number` shows (the clock badge's local time)."""
    row = html[html.index(f">{number}</a>") :]
    row = row[: row.index("</tr>")]
    return re.search(r'class="sla [^"]*"[^>]*title="([^"]+)"', row).group(1)


def test_the_queue_shows_the_follow_up_tasks_due_time_and_lists_the_call_due_first(org, clock):
    # Store B's calls are due three days after resolution; the organisation's default is seven.
    SlaPolicy.objects.create(name="门店B回访", org_unit=org.store_b, follow_up="3d")
    clock.at(local(2026, 11, 23, 10, 0))
    seven = handling_case(org.agent_a, title="A店宽带断网")
    resolve(org.agent_a, seven.number)
    clock.at(local(2026, 11, 24, 10, 0))
    three = handling_case(org.agent_b, title="B店宽带断网")
    resolve(org.agent_b, three.number)
    tasks = {t.complaint_id: t for t in FollowUp.objects.all()}
    assert local(2026, 11, 27, 10, 0) == tasks[three.pk].due_at  # the policy's, not resolution + 7 days

    html = _client(org.manager).get("/queues/follow_up/").content.decode()

    assert _due_shown(html, three.number) == "2026-11-27 10:00"
    assert _due_shown(html, seven.number) == "2026-11-30 10:00"
    # Resolved a day later, called three days earlier: first.
    assert html.index(three.number) < html.index(seven.number)


def test_a_case_whose_call_is_made_shows_no_call_due(org, clock):
    clock.at(local(2026, 11, 23, 10, 0))
    case = handling_case(org.agent_a)
    resolve(org.agent_a, case.number)
    FollowUp.objects.filter(complaint=case).update(state=FollowUpState.DONE)

    html = _client(org.manager).get("/queues/follow_up/").content.decode()
    row = html[html.index(f">{case.number}</a>") :]
    assert 'class="sla sla-none"' in row[: row.index("</tr>")]
