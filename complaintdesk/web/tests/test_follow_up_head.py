"""While a case waits for its follow-up call (resolved, 回访中, or archived before it), the case page's head says
by when the call is due and who makes it, where it showed a bare "—" (a walk-through found it blank)."""

import re

import pytest
from django.test import Client

from complaintdesk.common.testing import clock as clock
from complaintdesk.common.testing import local
from complaintdesk.complaints.transfers import complaint_transfer
from complaintdesk.surveys.follow_ups import follow_up_outcome_record
from complaintdesk.surveys.models import FollowUp
from complaintdesk.testing import handling_case, ladder_org, resolve  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _head(client, number: str) -> str:
    html = client.get(f"/complaints/{number}/").content.decode()
    head = html[
        html.index('data-testid="case-head"') : html.index(
            "</section>", html.index('data-testid="case-head"')
        )
    ]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", head))


def _client(user, language="zh-hans") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_in_follow_up_the_head_gives_the_call_due_time_and_who_makes_it(org, clock):
    clock.at(local(2026, 11, 23, 10, 0))
    complaint = handling_case(org.agent_a)
    resolve(org.agent_a, complaint.number)
    clock.at(local(2026, 11, 24, 10, 0))
    task = FollowUp.objects.get(complaint=complaint)
    follow_up_outcome_record(follow_up_id=task.pk, actor=org.agent_a, reached=False, note="无人接听")

    head = _head(_client(org.agent_a), complaint.number)
    assert "回访中" in head
    assert "回访 剩余 6天" in head  # the call's clock, counting down, not a bare dash
    assert "回访时限 2026-11-30 10:00" in head
    assert f"回访人：{org.agent_a}" in head
    assert " — " not in head.replace("处理人：", "")

    english = _head(_client(org.agent_a, "en"), complaint.number)
    assert "Follow-up due 2026-11-30 10:00" in english and "Follow-up by" in english


def test_a_follow_up_nobody_holds_says_so_in_words(org, clock):
    clock.at(local(2026, 11, 23, 10, 0))
    complaint = handling_case(org.agent_a)
    complaint_transfer(number=complaint.number, actor=org.manager, unit_code="SH-B", reason="属浦东门店")
    resolve(org.agent_b, complaint.number)

    head = _head(_client(org.manager), complaint.number)
    assert "回访时限 2026-11-30 10:00" in head
    assert "回访人：未指定" in head
    english = _head(_client(org.manager, "en"), complaint.number)
    assert "not named" in english


def test_a_case_being_worked_on_keeps_its_own_clock(org):
    complaint = handling_case(org.agent_a)
    head = _head(_client(org.agent_a), complaint.number)
    assert "回访时限" not in head and "剩余" in head


def test_an_escalated_case_in_follow_up_shows_no_spent_level_deadline_as_running(ladder_org, clock):  # noqa: F811
    """Escalated to the business manager, resolved there, now in follow-up: the head no longer presents the
    level and its resolution deadline as running; it says the case was escalated, when it was resolved and when
    the follow-up call is due."""
    org = ladder_org
    clock.at(local(2026, 11, 23, 10, 0))
    complaint = handling_case(org.agent_a)
    client = _client(org.agent_a)
    client.post(
        f"/complaints/{complaint.number}/escalation/escalate", {"level": "1", "reason": "客户要求升级"}
    )
    escalated = _head(client, complaint.number)
    assert "升级层级 业务经理" in escalated and "业务经理解决时限" in escalated  # live while it is up there

    clock.at(local(2026, 11, 24, 10, 0))
    resolve(org.agent_a, complaint.number)
    task = FollowUp.objects.get(complaint=complaint)
    follow_up_outcome_record(follow_up_id=task.pk, actor=org.agent_a, reached=False, note="无人接听")

    head = _head(client, complaint.number)
    assert "回访中" in head
    assert "升级层级" not in head and "解决时限" not in head.replace("回访时限", "")
    assert "曾升级至 业务经理" in head
    assert "解决时间 2026-11-24 10:00" in head
    assert "回访时限 2026-12-01 10:00" in head
    english = _head(_client(org.agent_a, "en"), complaint.number)
    assert "Was escalated to" in english and "Resolved at 2026-11-24 10:00" in english
