"""Who sees a follow-up's number to call whole (surveys.selectors.follow_up_phone): the person doing the
follow-up and roles that see personal data; anyone else sees it masked. The case's own contact phone comes
before the customer's."""

import pytest

from complaintdesk.accounts.models import Role
from complaintdesk.complaints.models import Complaint, Customer
from complaintdesk.surveys import resolution, results
from complaintdesk.surveys.models import FollowUp
from complaintdesk.surveys.selectors import PhoneToCall, follow_up_phone

from .conftest import CLEAN_RESULT

pytestmark = pytest.mark.django_db


@pytest.fixture
def follow_up(org, handling_case) -> FollowUp:
    complaint = handling_case(org.agent_a)
    results.result_send(number=complaint.number, actor=org.agent_a, **CLEAN_RESULT)
    resolution.result_confirm(number=complaint.number, actor=org.agent_a)
    return FollowUp.objects.select_related("complaint__customer").get(complaint=complaint)


def test_whole_for_the_caller_and_personal_data_roles_masked_for_a_colleague(org, follow_up):
    colleague = org.user("agent_a2", Role.AGENT, org.store_a)
    assert follow_up.assignee == org.agent_a
    assert follow_up_phone(follow_up=follow_up, user=org.agent_a) == PhoneToCall("+8613800138000", True)
    assert follow_up_phone(follow_up=follow_up, user=org.manager) == PhoneToCall("+8613800138000", True)
    assert follow_up_phone(follow_up=follow_up, user=colleague) == PhoneToCall("138****8000", False)


def test_the_cases_contact_phone_first_and_no_phone_is_nothing_to_call(org, follow_up):
    complaint = follow_up.complaint
    Complaint.objects.filter(pk=complaint.pk).update(contact_phone="+8613900139000")
    follow_up = FollowUp.objects.select_related("complaint__customer").get(pk=follow_up.pk)
    assert follow_up_phone(follow_up=follow_up, user=org.agent_a).number == "+8613900139000"

    Complaint.objects.filter(pk=complaint.pk).update(contact_phone="")
    Customer.objects.filter(pk=complaint.customer_id).update(phone="")
    follow_up = FollowUp.objects.select_related("complaint__customer").get(pk=follow_up.pk)
    assert follow_up_phone(follow_up=follow_up, user=org.agent_a) == PhoneToCall("", False)
