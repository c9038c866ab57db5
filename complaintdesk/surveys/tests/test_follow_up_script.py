"""The follow-up call's script (回访话术) never promises the case's spent resolution deadline: a customer still
unhappy has the case reopened, and the time the agent promises is the one the reopened case will have."""

import datetime as dt

import pytest

from complaintdesk.complaints.services import complaint_transition
from complaintdesk.scripts.selectors import scripts_for
from complaintdesk.scripts.services import script_render, script_values
from complaintdesk.surveys.follow_ups import follow_up_outcome_record
from complaintdesk.surveys.models import FollowUp
from complaintdesk.testing import resolve

from .conftest import local

pytestmark = pytest.mark.django_db

FOLLOW_UP_CHECK = "follow-up-check-zh"


def _follow_up_check_text(complaint, agent) -> str:
    [script] = [s for s in scripts_for(stage="follow_up", language="zh-hans") if s.code == FOLLOW_UP_CHECK]
    result = script_render(script=script, complaint=complaint, agent=agent)
    assert result.missing == []
    return result.text


def test_a_case_resolved_early_does_not_promise_its_old_deadline_at_the_follow_up(org, handling_case, clock):
    clock.at(
        local(2026, 11, 23, 10, 0)
    )  # Monday: taken in; the 48-hour resolution deadline is Wednesday 10:00
    complaint = handling_case(org.agent_a)
    assert complaint.resolution_due_at == local(2026, 11, 25, 10, 0)
    clock.at(local(2026, 11, 23, 15, 0))
    complaint = resolve(org.agent_a, complaint.number)

    clock.at(local(2026, 11, 24, 11, 0))  # Tuesday: the follow-up call
    text = _follow_up_check_text(complaint, org.agent_a)
    assert "11月25日（周三）10:00" not in text  # the deadline of a resolution that is over
    # Unhappy, the case is reopened now and is due again 48 hours on: Thursday 11:00.
    assert "我会在11月26日（周四）11:00前跟进处理" in text


def test_the_promise_is_what_reopening_gives_even_after_the_old_deadline_passed(org, handling_case, clock):
    clock.at(local(2026, 11, 23, 10, 0))
    complaint = handling_case(org.agent_a)
    complaint = resolve(org.agent_a, complaint.number)
    task = FollowUp.objects.get(complaint=complaint)

    clock.at(local(2026, 11, 27, 16, 0))  # Friday, the old deadline long gone
    follow_up_outcome_record(follow_up_id=task.pk, actor=org.agent_a, reached=False, note="无人接听")
    complaint.refresh_from_db()
    assert complaint.status == "follow_up"
    text = _follow_up_check_text(complaint, org.agent_a)
    assert "我会在11月29日（周日）16:00前跟进处理" in text

    # And it is what the case gets when the customer is unhappy and it is reopened.
    complaint_transition(number=complaint.number, actor=org.agent_a, to="reopened", reason="客户仍不满意")
    complaint.refresh_from_db()
    assert complaint.resolution_due_at == local(2026, 11, 29, 16, 0)


def test_a_case_being_worked_on_still_promises_its_own_deadline(org, handling_case, clock):
    clock.at(local(2026, 11, 23, 10, 0))
    complaint = handling_case(org.agent_a)
    clock.at(local(2026, 11, 23, 10, 0) + dt.timedelta(hours=1))
    values = script_values(complaint=complaint, agent=org.agent_a, language="zh-hans")
    assert values["deadline"] == "11月25日（周三）10:00"
