"""What a proposer is told when options are wrong: each option's field by its place (options.0.amount),
every wrong field at once, in the words the pages show; nothing is written."""

from decimal import Decimal

import pytest
from django.utils import translation

from complaintdesk.common.errors import InvalidInput, too_long_message
from complaintdesk.solutions.models import ApprovalRequest, SolutionProposal
from complaintdesk.solutions.services import (
    TEXT_MAX,
    OptionData,
    approval_decide,
    solution_decline,
    solution_propose,
)

from .conftest import handling_case

MONEY = "金额应为数字，最多两位小数，例如 50 或 99.50"


def _refused(**kwargs) -> dict:
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
        solution_propose(**kwargs)
    assert not SolutionProposal.objects.exists()
    return caught.value.fields


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("12.345", MONEY),
        ("abc", MONEY),
        (1.5, MONEY),
        (True, MONEY),
        ("NaN", MONEY),
        (-1, "金额不能为负数"),
        (Decimal("10000000000"), "金额太大"),
        # More digits to the cent than decimal arithmetic holds (was InvalidOperation, a 500 in the API).
        ("1e30", "金额太大"),
        (Decimal("1E+100000"), "金额太大"),
        ("-1e30", "金额不能为负数"),
    ],
)
def test_a_wrong_amount_is_refused_with_its_reason(ladder_org, amount, reason):
    complaint = handling_case(ladder_org.agent_a)
    fields = _refused(
        number=complaint.number,
        actor=ladder_org.agent_a,
        options=[OptionData(remedy="refund", amount=amount, description="退款")],
    )
    assert fields == {"options.0.amount": [reason]}


def test_every_wrong_option_field_is_named_by_its_place(ladder_org):
    complaint = handling_case(ladder_org.agent_a)
    fields = _refused(
        number=complaint.number,
        actor=ladder_org.agent_a,
        options=[
            OptionData(remedy="apology", amount=" 20 "),
            OptionData(remedy="refund", amount="", description="x" * (TEXT_MAX + 1)),
        ],
    )
    assert fields == {
        "options.0.amount": ["“道歉”不涉及金额"],
        "options.1.description": [too_long_message(limit=TEXT_MAX, length=TEXT_MAX + 1)],
    }


def test_an_unknown_remedy_and_an_empty_material_option(ladder_org):
    complaint = handling_case(ladder_org.agent_a)
    fields = _refused(
        number=complaint.number,
        actor=ladder_org.agent_a,
        options=[OptionData(remedy="gold"), OptionData(remedy="refund", amount=None, description="  ")],
    )
    assert set(fields) == {"options.0.remedy", "options.1.description"}
    assert fields["options.0.remedy"][0].startswith("请从目录中选择补救方式：")
    assert "(refund)" in fields["options.0.remedy"][0]
    assert fields["options.1.description"] == ["请写明方案内容或填写金额"]


def test_no_option_or_three_options_are_refused(ladder_org):
    complaint = handling_case(ladder_org.agent_a)
    common = {"number": complaint.number, "actor": ladder_org.agent_a}
    assert _refused(**common, options=[]) == {"options": ["请至少提出一个方案"]}
    three = [OptionData(remedy="apology", description="致歉")] * 3
    assert _refused(**common, options=three) == {"options": ["最多提出两个方案（方案A、方案B）"]}


def test_a_too_long_note_is_refused(ladder_org):
    complaint = handling_case(ladder_org.agent_a)
    fields = _refused(
        number=complaint.number,
        actor=ladder_org.agent_a,
        note="说" * (TEXT_MAX + 1),
        options=[OptionData(remedy="apology", description="致歉")],
    )
    assert fields == {"note": [too_long_message(limit=TEXT_MAX, length=TEXT_MAX + 1)]}


def test_a_decision_must_be_approve_or_reject_with_a_reason(ladder_org):
    complaint = handling_case(ladder_org.agent_a)
    solution_propose(
        number=complaint.number, actor=ladder_org.agent_a, options=[OptionData(remedy="refund", amount=500)]
    )
    approval = ApprovalRequest.objects.get()
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
        approval_decide(approval_id=approval.pk, actor=ladder_org.manager, decision="maybe", reason=None)
    assert caught.value.fields == {
        "decision": ["可选：approve（批准）、reject（驳回）"],
        "reason": ["此项为必填项"],
    }


def test_declining_needs_the_customers_words(ladder_org):
    complaint = handling_case(ladder_org.agent_a)
    proposal = solution_propose(
        number=complaint.number,
        actor=ladder_org.agent_a,
        options=[OptionData(remedy="apology", description="致歉")],
    )
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
        solution_decline(number=complaint.number, actor=ladder_org.agent_a, proposal_id=proposal.pk, note=" ")
    assert caught.value.fields == {"note": ["此项为必填项"]}
