"""What the complaint services refuse, as field errors in the user's language, before anything is written
(complaints.validation, issue 16 item 7): the inputs that used to slip through to the database."""

import pytest
from django.utils import translation

from complaintdesk.common.errors import InvalidInput
from complaintdesk.complaints.models import Complaint, ComplaintEvent, Customer, EventKind
from complaintdesk.complaints.services import complaint_analyse, customer_record_update
from complaintdesk.testing import intake

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("10000000000", "不能大于 9999999999.99"),  # the column holds 12 digits, 2 after the point
        ("Infinity", "应为金额数字"),
        ("NaN", "应为金额数字"),
    ],
)
def test_an_amount_the_case_cannot_hold_is_a_field_error_not_a_crash(org, amount, reason):
    case = intake(org.agent_a)
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as error:
        complaint_analyse(number=case.number, actor=org.agent_a, changes={"amount_at_stake": amount})
    assert error.value.fields == {"amount_at_stake": [reason]}
    assert Complaint.objects.get(pk=case.pk).amount_at_stake is None


def test_the_largest_amount_the_case_holds_is_kept(org):
    case = intake(org.agent_a)
    complaint_analyse(number=case.number, actor=org.agent_a, changes={"amount_at_stake": "9999999999.99"})
    assert str(Complaint.objects.get(pk=case.pk).amount_at_stake) == "9999999999.99"


def test_a_root_cause_that_is_not_text_is_refused_not_silently_cleared(org):
    case = intake(org.agent_a)
    complaint_analyse(number=case.number, actor=org.agent_a, changes={"root_cause": "门店缺货"})
    with translation.override("en"), pytest.raises(InvalidInput) as error:
        complaint_analyse(
            number=case.number, actor=org.agent_a, changes={"root_cause": 42, "severity": "huge"}
        )
    assert error.value.fields == {
        "root_cause": ["Must be text"],
        "severity": ["Allowed values: general, major"],
    }
    assert Complaint.objects.get(pk=case.pk).root_cause == "门店缺货"
    # None still clears it, as the API's null does.
    complaint_analyse(number=case.number, actor=org.agent_a, changes={"root_cause": None})
    assert Complaint.objects.get(pk=case.pk).root_cause == ""


def test_a_customer_record_detail_no_database_can_store_is_refused(org):
    case = intake(org.agent_a)
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as error:
        customer_record_update(
            number=case.number, actor=org.agent_a, account_no="A\x00-1", name="王\ud800", reason="核实"
        )
    assert error.value.fields == {
        "customer.account_no": ["不能包含空字符（NUL）或无效的 Unicode 字符"],
        "customer.name": ["不能包含空字符（NUL）或无效的 Unicode 字符"],
    }
    assert Customer.objects.get().account_no == ""
    assert not ComplaintEvent.objects.filter(kind=EventKind.CUSTOMER_UPDATED).exists()
