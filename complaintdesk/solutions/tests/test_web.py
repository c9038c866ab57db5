"""The case page's solutions panel (HTMX partial) through Django's test client: a bounded number of
queries whatever the history, server-side validation with messages in Chinese, CSRF, escaped user text,
approval from the panel, and 404 outside the user's units."""

import pytest
from django.test import Client
from django.urls import reverse

from complaintdesk.inbox.text import when
from complaintdesk.solutions.models import (
    ApprovalRequest,
    CompensationEntry,
    ProposalStatus,
    SolutionProposal,
)
from complaintdesk.solutions.services import OptionData, approval_decide, solution_choose, solution_propose

from .conftest import handling_case

HX = {"HTTP_HX_REQUEST": "true"}


def _client(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def _panel_url(number):
    return reverse("web:solutions_panel", args=[number])


def test_the_panel_url_is_the_one_the_case_page_loads(db):
    assert _panel_url("TS1") == "/complaints/TS1/solutions/panel"


def test_the_panel_shows_proposals_approvals_and_the_ledger_in_a_fixed_number_of_queries(
    ladder_org, django_assert_max_num_queries
):
    org = ladder_org
    complaint = handling_case(org.agent_a)
    for amount in (50, 80, 500, 120):
        proposal = solution_propose(
            number=complaint.number,
            actor=org.agent_a,
            options=[OptionData("refund", amount), OptionData("coupon", 20, "券")],
        )
        if proposal.status == ProposalStatus.PENDING_APPROVAL:
            approval_decide(
                approval_id=ApprovalRequest.objects.get(status="pending").pk,
                actor=org.manager,
                decision="approve",
                reason="同意",
            )
        solution_choose(number=complaint.number, actor=org.agent_a, proposal_id=proposal.pk, option="A")
    solution_propose(number=complaint.number, actor=org.agent_a, options=[OptionData("gift", 100)])
    client = _client(org.manager)

    with django_assert_max_num_queries(14):
        response = client.get(_panel_url(complaint.number), **HX)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="solutions-panel"' in html and "<html" not in html
    assert html.count('<article class="proposal"') == 5
    assert 'data-testid="approve"' in html  # the manager may decide the pending one
    assert ">750.00<" in html  # the ledger total


def test_propose_from_the_panel_and_see_it_wait_for_approval(ladder_org):
    org = ladder_org
    complaint = handling_case(org.agent_a)
    client = _client(org.agent_a)

    response = client.post(
        reverse("web:solution_propose", args=[complaint.number]),
        {
            "a_remedy": "refund",
            "a_amount": "500",
            "a_description": "退还多扣费用",
            "b_remedy": "coupon",
            "b_amount": "100",
            "b_description": "",
            "note": "诚恳致歉",
        },
        **HX,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "待审批" in html and "业务经理" in html and "超出每单补偿权限" in html
    assert 'data-testid="approve"' not in html  # the agent cannot decide their own request
    # The approval's time limit as the approvals inbox says it (12月8日 24:00, never 2026-12-09 00:00).
    assert f"时限 {when(ApprovalRequest.objects.get().due_at)}" in html
    proposal = SolutionProposal.objects.get()
    assert proposal.status == ProposalStatus.PENDING_APPROVAL and proposal.options.count() == 2


def test_bad_input_comes_back_next_to_its_field_in_chinese_and_nothing_is_written(ladder_org):
    org = ladder_org
    complaint = handling_case(org.agent_a)
    client = _client(org.agent_a)

    response = client.post(
        reverse("web:solution_propose", args=[complaint.number]),
        {"a_remedy": "refund", "a_amount": "-3", "b_remedy": "apology", "b_amount": "20"},
        **HX,
    )

    assert response.status_code == 200  # HTMX swaps only 2xx answers
    html = response.content.decode()
    assert "金额不能为负数" in html and "“道歉”不涉及金额" in html
    assert 'value="-3"' in html  # what was typed stays in the form
    assert not SolutionProposal.objects.exists()
    # Without HTMX it goes back to the case page (Post/Redirect/Get), whose panel shows the problem once.
    plain = client.post(
        reverse("web:solution_propose", args=[complaint.number]), {"a_remedy": "", "a_amount": "1"}
    )
    assert plain.status_code == 302 and plain["Location"].endswith("#solutions")
    panel = reverse("web:solutions_panel", args=[complaint.number])
    assert 'class="error"' in client.get(panel).content.decode()
    assert 'class="error"' not in client.get(panel).content.decode()


def test_english_messages_for_an_english_speaking_agent(ladder_org):
    org = ladder_org
    complaint = handling_case(org.agent_a)
    client = _client(org.agent_a, HTTP_ACCEPT_LANGUAGE="en")

    response = client.post(
        reverse("web:solution_propose", args=[complaint.number]),
        {"a_remedy": "refund", "a_amount": "-3"},
        **HX,
    )

    assert "The amount cannot be negative" in response.content.decode()


def test_user_text_is_escaped(ladder_org):
    org = ladder_org
    complaint = handling_case(org.agent_a)
    solution_propose(
        number=complaint.number,
        actor=org.agent_a,
        note="<script>alert(1)</script>",
        options=[OptionData("gift", 10, "<b>礼品</b>")],
    )

    html = _client(org.agent_a).get(_panel_url(complaint.number), **HX).content.decode()

    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>礼品</b>" not in html


def test_csrf_is_required(ladder_org):
    org = ladder_org
    complaint = handling_case(org.agent_a)
    client = _client(org.agent_a, enforce_csrf_checks=True)

    response = client.post(
        reverse("web:solution_propose", args=[complaint.number]), {"a_remedy": "gift", "a_amount": "5"}
    )

    assert response.status_code == 403
    assert not SolutionProposal.objects.exists()


def test_the_manager_approves_and_the_agent_records_the_choice_from_the_panel(ladder_org):
    org = ladder_org
    complaint = handling_case(org.agent_a)
    proposal = solution_propose(
        number=complaint.number, actor=org.agent_a, options=[OptionData("refund", 500)]
    )
    approval = ApprovalRequest.objects.get()
    url = reverse("web:approval_decide", args=[complaint.number, approval.pk])

    missing = _client(org.manager).post(url, {"decision": "approve", "reason": ""}, **HX)
    assert "此项为必填项" in missing.content.decode()
    denied = _client(org.agent_a).post(url, {"decision": "approve", "reason": "我批"}, **HX)
    assert "只有业务经理或更高层级可以审批这条申请" in denied.content.decode()
    approved = _client(org.manager).post(url, {"decision": "approve", "reason": "属实"}, **HX)
    assert "已批准" in approved.content.decode()

    choose = reverse("web:solution_choose", args=[complaint.number, proposal.pk])
    response = _client(org.agent_a).post(choose, {"option": "A", "note": "客户同意退款", "action": "choose"})
    assert response.status_code == 302 and response["Location"].endswith(
        f"/complaints/{complaint.number}/#solutions"
    )
    assert CompensationEntry.objects.get().authorised_by == org.manager


@pytest.mark.parametrize("name", ["solutions_panel", "solution_propose"])
def test_another_stores_case_is_not_found(ladder_org, name):
    org = ladder_org
    complaint = handling_case(org.agent_a)
    client = _client(org.agent_b)
    url = reverse(f"web:{name}", args=[complaint.number])

    response = (
        client.get(url)
        if name == "solutions_panel"
        else client.post(url, {"a_remedy": "gift", "a_amount": "5"})
    )

    assert response.status_code == 404


def test_sign_in_is_required(ladder_org):
    complaint = handling_case(ladder_org.agent_a)
    response = Client().get(_panel_url(complaint.number))
    assert response.status_code == 302 and "/login/" in response["Location"]
