"""A customer's identity cannot be taken over through intake (issue 18, item 2).

The attack: with someone's phone number and one of their case numbers, a stranger files a complaint on
an unverified channel giving that phone and their own e-mail (or WeChat), then asks for the case's
one-time code at that e-mail. Details from unverified channels must never change a known customer, and
codes and replies go only to contacts of that very case."""

import pytest
from django.core import mail
from wechatpy.parser import parse_message

from complaintdesk.accounts.models import Role
from complaintdesk.channels.intake import intake_receive_once
from complaintdesk.channels.services import channel_actor
from complaintdesk.channels.web import WebFormAdapter
from complaintdesk.channels.wechat import WeChatChannelAdapter
from complaintdesk.channels.wechat.selectors import complaint_open_number_for_openid
from complaintdesk.channels.wechat.tests.wechat_server import text_xml
from complaintdesk.complaints.models import Customer
from complaintdesk.complaints.services import IntakeCustomer, complaint_create
from complaintdesk.notifications.services import notification_channel_choose
from complaintdesk.portal import services
from complaintdesk.portal.models import AccessCode
from complaintdesk.testing import intake, intake_data

VICTIM_PHONE = "13800138000"
STRANGER_EMAIL = "stranger@example.net"


@pytest.fixture
def victims_case(org):
    """王女士's case, taken down by an agent on the phone: her record has her phone only."""
    return intake(org.agent_a)


def _stranger_files(**customer):
    fields = {"name": "冒充者", "phone": VICTIM_PHONE, "email": STRANGER_EMAIL, "preferred_channel": "email"}
    fields.update(customer)
    message = WebFormAdapter().parse(
        {**fields, "title": "随便写的投诉", "description": "内容", "demand": "无", "org_unit": "SH-B"}
    )
    return services.portal_complaint_file(message=message).complaint


def test_a_stranger_on_the_web_form_does_not_change_the_known_customer(victims_case):
    strangers = _stranger_files(account_no="ACC-SECRET-1")
    victim = Customer.objects.get(pk=victims_case.customer_id)
    assert strangers.customer_id == victim.pk  # matched by the phone, as before
    assert victim.email == "" and victim.account_no == "" and victim.name == "王女士"
    # What they typed stays on their own complaint.
    assert (strangers.contact_email, strangers.contact_name) == (STRANGER_EMAIL, "冒充者")


def test_no_code_for_the_victims_case_at_the_strangers_email(victims_case, outbox):
    strangers = _stranger_files()
    assert services.portal_code_request(number=victims_case.number, contact=STRANGER_EMAIL).code is None
    assert mail.outbox == [] and not AccessCode.objects.filter(complaint=victims_case).exists()
    # The victim's own phone still works for her case, and the stranger can follow their own case only.
    assert services.portal_code_request(number=victims_case.number, contact=VICTIM_PHONE).code is not None
    assert services.portal_code_request(number=strangers.number, contact=STRANGER_EMAIL).code is not None
    [code_mail] = mail.outbox
    assert code_mail.to == [STRANGER_EMAIL] and strangers.number in code_mail.subject


def test_replies_about_a_case_go_to_its_own_contacts(victims_case, org):
    strangers = _stranger_files()
    victims_case.refresh_from_db()
    assert notification_channel_choose(complaint=victims_case, channel="sms") == ("sms", "+8613800138000")
    with pytest.raises(Exception, match="邮箱|电子邮件"):
        notification_channel_choose(complaint=victims_case, channel="email")
    assert notification_channel_choose(complaint=strangers) == ("email", STRANGER_EMAIL)


def test_a_wechat_user_giving_someone_elses_phone_does_not_reach_their_cases(victims_case, org):
    openid = "oStranger0000000000000000000"
    actor = channel_actor(channel="wechat")
    xml = text_xml(
        openid=openid, content=f"我的电话 {VICTIM_PHONE}\n查一下", msg_id="1", create_time=1_763_900_123
    )
    inbound = WeChatChannelAdapter().parse(parse_message(xml))
    inbound.data.customer.phone = VICTIM_PHONE
    own = intake_receive_once(message=inbound, actor=actor).complaint
    assert Customer.objects.get(pk=victims_case.customer_id).wechat_openid == ""
    # The stranger's later messages find their own case, never the victim's.
    assert complaint_open_number_for_openid(openid=openid, actor=actor, since=None) == own.number


def test_an_integration_does_not_add_details_to_a_customer_it_matched(victims_case, org):
    complaint_create(
        data=intake_data(
            channel="web",
            customer=IntakeCustomer(
                name="某人", phone=VICTIM_PHONE, account_no="ACC-SECRET-1", email="x@y.cn"
            ),
        ),
        actor=org.api_a,
    )
    victim = Customer.objects.get(pk=victims_case.customer_id)
    assert (victim.account_no, victim.email) == ("", "")
    assert org.api_a.role == Role.API_CLIENT


def test_staff_taking_a_call_still_complete_the_known_record(victims_case, org):
    intake(org.agent_b, customer=IntakeCustomer(name="王女士", phone=VICTIM_PHONE, email="wang@example.com"))
    assert Customer.objects.get(pk=victims_case.customer_id).email == "wang@example.com"
