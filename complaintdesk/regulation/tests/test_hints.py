"""Admissibility hints (issue 15 item 7): a complaint received after the pack's appeal window, or one that may
repeat an open case of the same customer about the same matter, is taken in as usual and the agent is told."""

import pytest

from complaintdesk.complaints.models import Category
from complaintdesk.complaints.services import IntakeCustomer, complaint_transition
from complaintdesk.regulation.hints import (
    APPEAL_WINDOW_PASSED,
    POSSIBLE_DUPLICATE,
    complaint_admissibility_hints,
)
from complaintdesk.regulation.models import DeadlinePack, PackSelection

from .conftest import intake, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def telecom(org):
    return PackSelection.objects.create(pack=DeadlinePack.objects.get(code="telecom", version=1))


def codes(hints):
    return [h.code for h in hints]


def test_a_fee_dispute_window_passed_is_told_with_its_condition_and_day(org, telecom, clock):
    clock.at(local(2026, 12, 1, 10))
    case = intake(org.agent_a, title="多扣月租", occurred_at=local(2026, 5, 31, 10))
    assert case.status == "new"  # taken in as usual
    (hint,) = complaint_admissibility_hints(complaint=case, user=org.agent_a)
    assert hint.code == APPEAL_WINDOW_PASSED
    assert "如属收费争议" in hint.text
    assert "5 个月" in hint.text and "2026-11-02 届满" in hint.text
    assert "已照常受理" in hint.text


def test_both_windows_passed_give_two_hints(org, telecom, clock):
    clock.at(local(2026, 12, 1, 10))
    case = intake(org.agent_a, occurred_at=local(2024, 2, 29, 10))
    hints = complaint_admissibility_hints(complaint=case, user=org.agent_a)
    assert codes(hints) == [APPEAL_WINDOW_PASSED, APPEAL_WINDOW_PASSED]
    assert "2 年" in hints[1].text and "如属其他争议" in hints[1].text


def test_within_the_window_or_without_an_occurrence_nothing_is_said(org, telecom, clock):
    clock.at(local(2026, 12, 1, 10))
    assert (
        complaint_admissibility_hints(
            complaint=intake(org.agent_a, occurred_at=local(2026, 11, 1)), user=None
        )
        == []
    )
    assert complaint_admissibility_hints(complaint=intake(org.agent_a, occurred_at=None), user=None) == []


def test_a_receipt_inside_the_window_counts_not_the_typing(org, telecom, clock):
    clock.at(local(2026, 12, 1, 10))
    case = intake(org.agent_a, occurred_at=local(2026, 5, 31, 10), received_at=local(2026, 10, 30, 9))
    assert complaint_admissibility_hints(complaint=case, user=org.agent_a) == []


def test_an_open_case_of_the_same_customer_in_the_same_category_is_a_possible_duplicate(org, clock):
    clock.at(local(2026, 12, 1, 10))
    earlier = intake(org.agent_a, title="宽带多扣费", category_code="billing_dispute")
    again = intake(org.agent_a, title="又来投诉多扣费", category_code="billing_dispute")
    (hint,) = complaint_admissibility_hints(complaint=again, user=org.agent_a)
    assert (hint.code, hint.related) == (POSSIBLE_DUPLICATE, earlier.number)
    assert earlier.number in hint.text and "计费争议" in hint.text and "已照常受理" in hint.text


def test_another_category_another_customer_or_a_finished_case_is_not(org, clock):
    clock.at(local(2026, 12, 1, 10))
    Category.objects.create(code="network", name="网络质量")
    withdrawn = intake(org.agent_a, category_code="billing_dispute")
    complaint_transition(number=withdrawn.number, actor=org.agent_a, to="withdrawn", reason="客户撤诉")
    intake(org.agent_a, category_code="network")
    other_customer = intake(
        org.agent_a,
        category_code="billing_dispute",
        customer=IntakeCustomer(name="李先生", phone="13900139000"),
    )
    case = intake(org.agent_a, category_code="billing_dispute")
    assert [h.related for h in complaint_admissibility_hints(complaint=case, user=org.agent_a)] == []
    assert other_customer.customer_id != case.customer_id


def test_a_case_outside_the_readers_units_is_not_named(org, clock):
    clock.at(local(2026, 12, 1, 10))
    intake(org.agent_b, category_code="billing_dispute")
    case = intake(org.agent_a, category_code="billing_dispute")
    assert complaint_admissibility_hints(complaint=case, user=org.agent_a) == []
    assert codes(complaint_admissibility_hints(complaint=case, user=org.manager)) == [POSSIBLE_DUPLICATE]


def test_a_case_linked_as_repeated_is_named_while_its_category_is_unknown(org, clock):
    # The intelligence app links a case to the earlier ones it repeats; such an earlier case is named when
    # either category is not known yet, never when both are known and differ.
    clock.at(local(2026, 12, 1, 10))
    Category.objects.create(code="network", name="网络质量", name_en="Network quality")
    unsorted = intake(org.agent_a, title="宽带又断了")
    elsewhere = intake(org.agent_a, title="网速慢", category_code="network")
    again = intake(org.agent_a, title="还是多扣费", category_code="billing_dispute")
    assert complaint_admissibility_hints(complaint=again, user=org.agent_a) == []  # not linked
    for earlier in (unsorted, elsewhere):
        earlier.repeated_by.create(complaint=again, matched_on="customer", created_at=local(2026, 12, 1, 10))
    assert [h.related for h in complaint_admissibility_hints(complaint=again, user=org.agent_a)] == [
        unsorted.number
    ]
    (hint,) = complaint_admissibility_hints(complaint=again, user=org.agent_a)
    assert "未分类" in hint.text

    # A new case without a category: the linked cases are named whatever their category, newest first.
    latest = intake(org.agent_a, title="第三次投诉")
    for earlier in (unsorted, elsewhere):
        earlier.repeated_by.create(complaint=latest, matched_on="customer", created_at=local(2026, 12, 1, 10))
    hints = complaint_admissibility_hints(complaint=latest, user=org.agent_a)
    assert [h.related for h in hints] == [elsewhere.number, unsorted.number]
    assert "网络质量" in hints[0].text
    assert complaint_admissibility_hints(complaint=latest, user=None)[0].related == elsewhere.number
