"""Staff change a customer's record or merge two, with a reason, on the timeline (issue 18, item 2)."""

import pytest

from complaintdesk.common.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.complaints.models import Complaint, ComplaintEvent, Customer, EventKind
from complaintdesk.complaints.services import IntakeCustomer, customer_merge, customer_record_update
from complaintdesk.testing import intake

pytestmark = pytest.mark.django_db


def test_an_agent_adopts_an_email_with_a_reason_and_the_timeline_keeps_it_masked(org):
    case = intake(org.agent_a)
    customer = customer_record_update(
        number=case.number, actor=org.agent_a, email="Wang.Li@Example.com", reason="客户来电核实本人邮箱"
    )
    assert Customer.objects.get(pk=customer.pk).email == "wang.li@example.com"
    event = ComplaintEvent.objects.get(complaint=case, kind=EventKind.CUSTOMER_UPDATED)
    assert (event.field, event.old_value, event.new_value) == ("email", "", "w***@example.com")
    assert event.reason == "客户来电核实本人邮箱" and event.actor == org.agent_a


def test_bad_values_and_no_reason_are_field_errors_and_change_nothing(org):
    case = intake(org.agent_a)
    with pytest.raises(InvalidInput) as error:
        customer_record_update(
            number=case.number, actor=org.agent_a, phone="12", email="not-mail", reason=" "
        )
    assert set(error.value.fields) == {"reason", "customer.phone", "customer.email"}
    with pytest.raises(InvalidInput) as error:
        customer_record_update(number=case.number, actor=org.agent_a, phone="", reason="清空")
    assert set(error.value.fields) == {"customer.phone"}  # the last way to reach them
    assert Customer.objects.get().phone == "+8613800138000"
    assert not ComplaintEvent.objects.filter(kind=EventKind.CUSTOMER_UPDATED).exists()


def test_a_detail_of_another_customer_is_a_merge_not_an_update(org):
    case = intake(org.agent_a)
    intake(org.agent_a, customer=IntakeCustomer(name="李先生", phone="13900139000"))
    with pytest.raises(InvalidInput) as error:
        customer_record_update(number=case.number, actor=org.agent_a, phone="13900139000", reason="核实")
    assert "合并" in error.value.fields["customer.phone"][0]


def test_a_case_outside_the_agents_units_cannot_be_touched(org):
    case = intake(org.agent_a)
    with pytest.raises(NotFound):
        customer_record_update(number=case.number, actor=org.agent_b, email="a@b.cn", reason="核实")


def test_merging_moves_the_duplicates_cases_and_takes_over_missing_details(org):
    kept_case = intake(org.agent_a)
    duplicate_case = intake(
        org.agent_a, customer=IntakeCustomer(name="王丽", email="wang.li@example.com", account_no="A-1")
    )
    second = intake(org.agent_a, customer=IntakeCustomer(name="王丽", email="wang.li@example.com"))
    duplicate_id = duplicate_case.customer_id
    kept = customer_merge(
        number=kept_case.number, actor=org.agent_a, duplicate_number=second.number, reason="同一人，电话核实"
    )
    assert not Customer.objects.filter(pk=duplicate_id).exists()
    assert set(Complaint.objects.values_list("customer_id", flat=True)) == {kept.pk}
    kept.refresh_from_db()
    assert (kept.phone, kept.email, kept.account_no) == ("+8613800138000", "wang.li@example.com", "A-1")
    merged = ComplaintEvent.objects.filter(kind=EventKind.CUSTOMERS_MERGED)
    assert {e.complaint_id for e in merged} == {kept_case.pk, duplicate_case.pk, second.pk}
    assert all("同一人，电话核实" in e.reason for e in merged)


def test_a_merge_that_would_move_cases_the_actor_cannot_see_is_refused(org):
    kept_case = intake(org.agent_a)
    duplicate = intake(org.agent_a, customer=IntakeCustomer(name="王丽", email="wang.li@example.com"))
    intake(org.agent_b, customer=IntakeCustomer(name="王丽", email="wang.li@example.com"))  # at store B
    with pytest.raises(PermissionDenied):
        customer_merge(
            number=kept_case.number, actor=org.agent_a, duplicate_number=duplicate.number, reason="x"
        )
    assert Customer.objects.count() == 2
    customer_merge(
        number=kept_case.number, actor=org.manager, duplicate_number=duplicate.number, reason="核实"
    )
    assert Customer.objects.count() == 1
