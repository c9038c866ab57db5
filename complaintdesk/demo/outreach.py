"""The demo's incidents, proactive notices and care campaign (issue 19 items 2-4), through the outreach
services, each step at its own moment of the last days:

- 徐汇区宽带中断: declared by the Shanghai business manager three hours ago, in progress, eight complaints
  linked to it and each answered with the explanation (the incident page and the case pages show them);
- two delayed shipment batches received from business systems through the event rules: batch 12 from the
  warehouse system, whose notice rule tells the customers first, and batch 13 from the old order system,
  which has no rule, so nobody was told. Of each batch's 40 customers some complained anyway. The share who
  complain is the generator's ASSUMPTION (COMPLAIN_SHARE below), not an observation: the figure
  `manage.py outreach_notice_effect` prints from these data shows that the measurement works, not that
  notices work;
- a festival greeting and a check-in campaign, a few customers' consent and opt-outs.

`demo_outreach_ensure` does nothing when the outage is already there, so it is safe on every start."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.models import Permission

from complaintdesk.accounts.models import User
from complaintdesk.common.time import local_today, now, to_local
from complaintdesk.complaints.customers import phone_normalise
from complaintdesk.complaints.models import Customer
from complaintdesk.complaints.services import (
    IntakeCustomer,
    IntakeData,
    complaint_create,
    complaint_transition,
)
from complaintdesk.complaints.states import Status
from complaintdesk.outreach.care import customer_choice_record
from complaintdesk.outreach.delivery import outreach_deliver
from complaintdesk.outreach.models import (
    Campaign,
    CampaignKind,
    ChoiceChannel,
    Incident,
    IncidentKind,
    NoticeRule,
    OutreachMessage,
)
from complaintdesk.outreach.notices import incident_notices_send
from complaintdesk.outreach.services import (
    complaint_incident_match,
    incident_declare,
    incident_event_receive,
    incident_resolve,
)

from .cases import clock_at
from .people import API_CLIENT_USERNAME
from .samples import sample_customer

OUTAGE_TITLE = "徐汇区宽带中断"
OUTAGE_COMPLAINTS = 8
BATCH_SIZE = 40
# ASSUMED share of a batch's customers who complain: told first / not told. Not measured anywhere.
COMPLAIN_SHARE = {"told": 0.10, "not_told": 0.30}

OUTAGE_TEXTS = (
    ("家里宽带断网了", "从中午开始宽带就连不上，光猫信号灯闪红，在家办公完全没法工作。", "尽快修好"),
    ("宽带一直掉线", "下午宽带一直断断续续，打了客服电话也没人说清楚原因。", "说明原因，尽快恢复"),
    ("宽带没有网络", "整栋楼的邻居都说没网了，孩子要上网课。", "尽快恢复，减免当天费用"),
)
BATCH_TEXTS = (
    ("订单还没发货", "下单时说两天内发货，现在还没有物流信息。", "尽快发货"),
    ("催发货", "订单一直显示待发货，没有任何通知。", "告诉我什么时候能发"),
)


def _at_local(at: dt.datetime, hour: int | None) -> dt.datetime:
    """A time as people announce it: on the hour (`hour`), else the next half hour."""
    local = to_local(at)
    if hour is not None:
        return local.replace(hour=hour, minute=0, second=0, microsecond=0)
    rounded = local.replace(minute=0, second=0, microsecond=0) + dt.timedelta(
        minutes=30 if local.minute < 30 else 60
    )
    return rounded


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _customer(rng: random.Random, account_no: str) -> Customer:
    """A new customer, with a phone no other demo customer has: intake finds a customer by phone, so a shared
    number would file the complaint under the other customer's record (and account), not this one's."""
    while True:
        person = sample_customer(rng)
        phone = phone_normalise(person.phone)
        if not Customer.objects.filter(phone=phone).exists():
            return Customer.objects.create(name=person.name, phone=phone, account_no=account_no)


def _complain(
    *, customer: Customer, texts, place: str, product: str, unit: str, actor: User, at: dt.datetime
):
    title, description, demand = texts
    with clock_at(at):
        complaint = complaint_create(
            data=IntakeData(
                channel="phone", title=title, description=description, demand=demand, place=place,
                product=product, org_unit_code=unit, occurred_at=at - dt.timedelta(minutes=30),
                customer=IntakeCustomer(name=customer.name, phone=customer.phone, account_no=customer.account_no),
            ),
            actor=actor,
        )  # fmt: skip
        complaint_incident_match(complaint_id=complaint.pk)  # the after-intake step, as the worker runs it
    return complaint


def _outage(rng: random.Random, current: dt.datetime) -> Incident:
    manager, agent = _user("manager_sh"), _user("agent_sh01")
    declared = current - dt.timedelta(hours=3)
    with clock_at(declared):
        incident = incident_declare(
            actor=manager, kind=IncidentKind.OUTAGE, title=OUTAGE_TITLE,
            explanation="徐汇区一处光缆被施工挖断，工程师正在抢修",
            explanation_en="A fibre cable in Xuhui was cut by construction work; engineers are repairing it",
            district="徐汇区", units=["SH-S01"], products="宽带", starts_at=declared - dt.timedelta(minutes=20),
            expected_end_at=_at_local(current + dt.timedelta(hours=3), None),
        )  # fmt: skip
    for n in range(OUTAGE_COMPLAINTS):
        at = declared + dt.timedelta(minutes=10 + n * 18)
        customer = _customer(rng, "")
        complaint = _complain(
            customer=customer, texts=OUTAGE_TEXTS[n % len(OUTAGE_TEXTS)], place=f"上海市徐汇区漕溪路{100 + n}弄",
            product="家庭宽带", unit="SH-S01", actor=agent, at=at,
        )  # fmt: skip
        if n % 2 == 0:
            with clock_at(at + dt.timedelta(minutes=5)):
                complaint_transition(number=complaint.number, actor=agent, to=Status.ACCEPTED,
                                     reason="已告知客户故障原因和预计恢复时间")  # fmt: skip
    return incident


def _batch(rng: random.Random, current: dt.datetime, *, number: int, source: str, told: bool) -> Incident:
    api = _user(API_CLIENT_USERNAME)
    received = current - dt.timedelta(days=2, hours=number % 5)
    customers = [_customer(rng, f"ORD-26{number:02d}{i:04d}") for i in range(BATCH_SIZE)]
    with clock_at(received):
        incident, _created = incident_event_receive(
            actor=api, source=source, external_id=f"batch-{number}", kind=IncidentKind.SHIPMENT_DELAY,
            title=f"第{number}批订单延迟发货", explanation=f"仓库系统升级，第{number}批订单要晚3天发货",
            accounts=[c.account_no for c in customers], starts_at=received - dt.timedelta(hours=1),
            expected_end_at=_at_local(current + dt.timedelta(days=1), 18),
        )  # fmt: skip
        if incident.notify_customers:  # what the notice job queued on commit does, at the event's time
            incident_notices_send(incident_id=incident.pk)
    with clock_at(received + dt.timedelta(minutes=2)):
        for message_id in OutreachMessage.objects.filter(incident=incident).values_list("pk", flat=True):
            outreach_deliver(message_id=message_id)
    share = COMPLAIN_SHARE["told" if told else "not_told"]
    complainers = [c for c in customers if rng.random() < share]
    for i, customer in enumerate(complainers):
        _complain(
            customer=customer, texts=BATCH_TEXTS[i % len(BATCH_TEXTS)], place="", product="网上订单", unit="SH",
            actor=api, at=received + dt.timedelta(hours=3 + i * 2),
        )  # fmt: skip
    return incident


def _care(rng: random.Random, current: dt.datetime) -> None:
    today = local_today()
    Campaign.objects.create(
        name="元旦问候", kind=CampaignKind.FESTIVAL, send_on=dt.date(today.year + 1, 1, 1),
        message="新年快乐！感谢您一直以来对我们的支持，祝您和家人新年平安顺遂。",
        message_en="Happy New Year! Thank you for staying with us.", created_at=current,
    )  # fmt: skip
    Campaign.objects.create(
        name="结案一周回访", kind=CampaignKind.CHECK_IN, check_in_after_days=7,
        message="您好，您上周反映的问题已经处理完毕，现在一切正常吗？有任何问题随时联系我们。",
        message_en="Hello, is everything fine since we settled your complaint last week?", created_at=current,
    )  # fmt: skip
    customers = list(Customer.objects.filter(account_no__startswith="ORD-2612").order_by("pk")[:12])
    staff = _user("agent_sh")
    for i, customer in enumerate(customers):
        with clock_at(current - dt.timedelta(days=1, hours=i)):
            if i < 8:
                customer_choice_record(customer=customer, actor=staff, care=True,
                                       birthday=dt.date(1980 + i, 1 + i % 12, 10 + i), channel=ChoiceChannel.DEMO)  # fmt: skip
            elif i < 10:
                customer_choice_record(
                    customer=customer, actor=None, notices=False, channel=ChoiceChannel.LINK
                )
            else:  # agreed on the phone, then tapped the link in a greeting
                customer_choice_record(customer=customer, actor=staff, care=True, channel=ChoiceChannel.DEMO)
        if i >= 10:
            with clock_at(current - dt.timedelta(hours=2 + i - 10)):
                customer_choice_record(customer=customer, actor=None, care=False, channel=ChoiceChannel.LINK)


def demo_outreach_ensure(*, seed: int | None = None) -> bool:
    """Build the demo's outreach data once; False when it is there already."""
    if Incident.objects.filter(title=OUTAGE_TITLE).exists():
        return False
    rng = random.Random(seed)
    current = now()
    api = _user(API_CLIENT_USERNAME)
    api.user_permissions.add(
        Permission.objects.get(content_type__app_label="outreach", codename="receive_event")
    )
    NoticeRule.objects.get_or_create(
        source="wms", kind=IncidentKind.SHIPMENT_DELAY,
        defaults={"notify_customers": True, "note": "仓库系统报送的延迟发货：先通知名单上的客户"},
    )  # fmt: skip
    _batch(rng, current, number=12, source="wms", told=True)
    late = _batch(rng, current, number=13, source="oms-legacy", told=False)
    with clock_at(current - dt.timedelta(hours=6)):
        incident_resolve(incident_id=late.pk, actor=_user("manager_sh"), resolution="第13批订单已全部发出",
                         mode="continue")  # fmt: skip
    _outage(rng, current)
    _care(rng, current)
    return True
