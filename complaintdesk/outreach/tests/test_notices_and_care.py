"""Proactive notice (issue 19 item 3) and customer care (item 4)."""

import datetime as dt

import pytest

from complaintdesk.common.time import local_zone, now
from complaintdesk.complaints.models import Customer
from complaintdesk.complaints.services import IntakeCustomer
from complaintdesk.outreach.care import campaign_run, customer_choice_record
from complaintdesk.outreach.models import Campaign, CampaignKind, IncidentLink, MessageStatus, OutreachMessage
from complaintdesk.outreach.notices import incident_notices_send
from complaintdesk.outreach.services import incident_event_receive

from .test_incidents import take_in

pytestmark = pytest.mark.django_db


def _customer(name: str, phone: str, account: str = "") -> Customer:
    return Customer.objects.create(name=name, phone=phone, account_no=account)


def _event(committed, **over):
    data = dict(
        actor=None, source="wms", external_id="batch-7", kind="shipment_delay", title="第7批订单延迟发货",
        explanation="仓库调配出错，第7批订单要晚几天发货", accounts="ORD-1\nORD-2\nORD-3",
        starts_at=now() - dt.timedelta(hours=1), expected_end_at=now() + dt.timedelta(days=2),
        notify_customers=True,
    )  # fmt: skip
    data.update(over)
    return committed(incident_event_receive, **data)[0]


def test_customers_on_the_list_are_told_once_except_who_refused_and_a_later_complaint_is_linked(
    org, committed, sms_sent
):
    a = _customer("甲", "+8613700000001", "ORD-1")
    b = _customer("乙", "+8613700000002", "ORD-2")
    refuser = _customer("丙", "+8613700000003", "ORD-3")
    customer_choice_record(customer=refuser, actor=org.manager, notices=False)
    incident = _event(committed)
    assert incident_notices_send(incident_id=incident.pk)["queued"] == 0  # a rerun: nobody twice
    told = OutreachMessage.objects.filter(incident=incident)
    assert sorted(told.values_list("customer_id", flat=True)) == [a.pk, b.pk]
    assert set(told.values_list("status", flat=True)) == {MessageStatus.SENT}
    text = sms_sent()["+8613700000001"][0]
    assert "提前告诉您：仓库调配出错，第7批订单要晚几天发货" in text and "预计" in text and "发货" in text
    assert "+8613700000003" not in sms_sent()
    _event(committed)  # the same event again: nothing new
    assert OutreachMessage.objects.filter(incident=incident).count() == 2
    case = take_in(
        committed,
        org.agent_a,
        title="订单怎么还没发",
        customer=IntakeCustomer(name="甲", phone="13700000001"),
    )
    link = IncidentLink.objects.get(complaint=case)
    assert link.incident == incident and link.noticed_before


def _campaign(**over):
    data = dict(name="元旦问候", kind=CampaignKind.FESTIVAL, message="新年快乐！感谢您一直以来的支持。",
                send_on=now().astimezone(local_zone()).date(), created_at=now(),
                quiet_from=dt.time(0, 0), quiet_until=dt.time(0, 0))  # fmt: skip
    data.update(over)
    return Campaign.objects.create(**data)


def test_care_needs_consent_spares_open_complaints_keeps_the_cap_and_quiet_hours(org, committed):
    agreed = _customer("愿意", "+8613600000001")
    silent = _customer("没表态", "+8613600000002")
    waiting = _customer("有投诉", "+8613600000003")
    refused = _customer("拒收", "+8613600000004")
    for c in (agreed, waiting, refused):
        customer_choice_record(customer=c, actor=org.manager, care=True)
    customer_choice_record(customer=refused, actor=org.manager, care=False)
    take_in(committed, org.agent_a, customer=IntakeCustomer(name="有投诉", phone="13600000003"))
    campaign = _campaign()
    assert campaign_run(campaign=campaign)["queued"] == 1
    assert campaign_run(campaign=campaign)["queued"] == 0  # once per occasion
    assert list(OutreachMessage.objects.values_list("customer_id", flat=True)) == [agreed.pk]
    second = _campaign(name="另一个问候")
    assert campaign_run(campaign=second)["queued"] == 0  # the cap: one care message a week
    quiet = _campaign(name="夜里", quiet_from=dt.time(0, 0), quiet_until=dt.time(23, 59), min_days_between=0)
    assert campaign_run(campaign=quiet)["skipped"] == "quiet_hours"
    assert silent.pk not in OutreachMessage.objects.values_list("customer_id", flat=True)


def test_birthday_wishes_go_on_the_birthday(org):
    today = now().astimezone(local_zone()).date()
    born = _customer("寿星", "+8613500000001")
    customer_choice_record(customer=born, actor=org.manager, care=True, birthday=today.replace(year=1990))
    other = _customer("别人", "+8613500000002")
    customer_choice_record(customer=other, actor=org.manager, care=True,
                           birthday=(today + dt.timedelta(days=3)).replace(year=1990))  # fmt: skip
    campaign = _campaign(name="生日", kind=CampaignKind.BIRTHDAY, message="生日快乐！", send_on=None)
    assert campaign_run(campaign=campaign)["queued"] == 1
    assert OutreachMessage.objects.get().customer == born
