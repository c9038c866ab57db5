"""The agent's side on the workbench: the feedback panel (result with the checker's findings inline,
confirmation, follow-up outcome) and the follow-up queue, through Django's test client."""

import pytest
from django.test import Client

from complaintdesk.complaints.services import complaint_analyse
from complaintdesk.solutions.services import OptionData, solution_choose, solution_propose
from complaintdesk.surveys import resolution, results
from complaintdesk.surveys.models import FollowUp, FollowUpState, ResultFeedback

from .conftest import CLEAN_RESULT

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(**overrides) -> dict:
    return {
        "cause": CLEAN_RESULT["cause"],
        "measures": CLEAN_RESULT["measures"],
        "outcome": CLEAN_RESULT["outcome"],
        "compensation_text": CLEAN_RESULT["compensation_text"],
        **overrides,
    }


def test_the_panel_offers_the_result_form_while_handling(org, handling_case):
    complaint = handling_case(org.agent_a)
    html = _client(org.agent_a).get(f"/complaints/{complaint.number}/feedback/panel").content.decode()
    assert 'data-testid="result-form"' in html and 'data-testid="follow-up-form"' not in html


def test_the_result_form_starts_from_what_the_case_holds(org, handling_case):
    """The analysis' root cause is the cause, the option the customer chose is the compensation: the agent
    checks and completes them instead of typing them again (issue 13 point 7)."""
    complaint = handling_case(org.agent_a)
    complaint_analyse(number=complaint.number, actor=org.agent_a, changes={"root_cause": "计费系统重复计费"})
    proposal = solution_propose(
        number=complaint.number,
        actor=org.agent_a,
        options=[OptionData(remedy="refund", amount=58, description="退还多扣费用")],
    )
    solution_choose(number=complaint.number, actor=org.agent_a, proposal_id=proposal.pk, option="A")
    html = _client(org.agent_a).get(f"/complaints/{complaint.number}/feedback/panel").content.decode()
    assert 'data-testid="result-cause">计费系统重复计费</textarea>' in html
    assert 'data-testid="result-compensation">退款 58.00 元 退还多扣费用</textarea>' in html
    assert 'data-testid="result-outcome"></textarea>' in html  # the outcome is the agent's to write


def test_the_panel_is_404_outside_the_users_units(org, handling_case):
    complaint = handling_case(org.agent_a)
    assert _client(org.agent_b).get(f"/complaints/{complaint.number}/feedback/panel").status_code == 404


def test_checking_shows_the_message_and_the_findings_inline(org, handling_case):
    complaint = handling_case(org.agent_a)
    client = _client(org.agent_a)
    response = client.post(
        f"/complaints/{complaint.number}/feedback/check", _form(outcome="这个不行，但是会好的"), **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        'data-testid="result-preview"' in html
        and 'data-code="refusal-zh"' in html
        and 'data-code="but-zh"' in html
    )
    assert not ResultFeedback.objects.exists()


def test_a_blocked_result_is_not_sent_and_the_form_keeps_the_text(org, handling_case):
    complaint = handling_case(org.agent_a)
    response = _client(org.agent_a).post(
        f"/complaints/{complaint.number}/feedback/result", _form(outcome="我们做不到更快"), **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 422 and "我们做不到更快" in html and 'data-code="refusal-zh"' in html
    assert not ResultFeedback.objects.exists()


def test_sending_a_clean_result_and_recording_the_confirmation(org, handling_case):
    complaint = handling_case(org.agent_a)
    client = _client(org.agent_a)
    sent = client.post(f"/complaints/{complaint.number}/feedback/result", _form(), **HTMX)
    assert sent.status_code == 200 and 'data-testid="confirm-form"' in sent.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == "awaiting_customer"
    confirmed = client.post(f"/complaints/{complaint.number}/feedback/confirm", {"note": "电话确认"})
    assert confirmed.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "resolved"


def test_the_follow_up_queue_and_recording_an_outcome(org, handling_case):
    complaint = handling_case(org.agent_a)
    results.result_send(number=complaint.number, actor=org.agent_a, **CLEAN_RESULT)
    resolution.result_confirm(number=complaint.number, actor=org.agent_a)
    client = _client(org.agent_a)

    queue = client.get("/follow-ups/").content.decode()
    assert f'data-testid="follow-up-row-{complaint.number}"' in queue
    assert (
        f"follow-up-row-{complaint.number}" not in _client(org.agent_b).get("/follow-ups/").content.decode()
    )
    assert (
        f"follow-up-row-{complaint.number}"
        in _client(org.manager).get("/follow-ups/?scope=all").content.decode()
    )

    panel = client.get(f"/complaints/{complaint.number}/feedback/panel").content.decode()
    assert 'data-testid="follow-up-form"' in panel and 'class="script"' in panel  # the call's script

    missing = client.post(f"/complaints/{complaint.number}/feedback/follow-up", {"note": "x"}, **HTMX)
    assert missing.status_code == 422
    from .test_services import _summarise

    _summarise(complaint, org.agent_a)
    done = client.post(f"/complaints/{complaint.number}/feedback/follow-up", {"result": "satisfied"}, **HTMX)
    assert done.status_code == 200 and 'data-testid="feedback-notice"' in done.content.decode()
    assert FollowUp.objects.get(complaint=complaint).state == FollowUpState.DONE
    complaint.refresh_from_db()
    assert complaint.status == "closed"
    assert f"follow-up-row-{complaint.number}" not in client.get("/follow-ups/").content.decode()
