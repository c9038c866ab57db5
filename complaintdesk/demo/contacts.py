"""Sample contacts that are not complaints (issue 19): inquiries, suggestions and praise, each walked through
its own light lifecycle by the real services, and an inquiry that turned out to be a complaint."""

import datetime as dt
import random
from dataclasses import dataclass

from complaintdesk.accounts.models import User
from complaintdesk.common.time import local_zone, now
from complaintdesk.complaints.contacts import complaint_kind_change, praise_credit, suggestion_route
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.services import (
    IntakeCustomer,
    IntakeData,
    complaint_create,
    complaint_transition,
)
from complaintdesk.complaints.states import ContactKind, Status

from .cases import clock_at
from .lifecycle import random_created_at
from .people import HANDLER_OF_UNIT
from .samples import sample_customer


@dataclass(frozen=True)
class SampleContact:
    kind: str
    channel: str
    title: str
    description: str
    answer: str  # what closed it: the answer, the owner's decision, the thanks passed on


INQUIRIES = (
    SampleContact(
        "inquiry",
        "phone",
        "咨询宽带套餐资费",
        "客户想了解 300M 和 500M 宽带套餐的月费和合约期。",
        "已告知两档套餐资费和合约期，客户表示清楚了",
    ),
    SampleContact(
        "inquiry",
        "wechat",
        "咨询门店营业时间",
        "客户询问徐汇门店周末和节假日的营业时间。",
        "已告知门店营业时间：周一至周日 9:00–21:00，节假日照常营业",
    ),
    SampleContact(
        "inquiry",
        "phone",
        "咨询电子发票开具",
        "客户询问如何开具上月账单的电子发票。",
        "已指导客户在网上营业厅“我的账单”中开具电子发票",
    ),
    SampleContact(
        "inquiry",
        "web",
        "咨询携号转网流程",
        "客户询问携号转网需要的条件和办理渠道。",
        "已说明携号转网的条件和办理渠道，发送办理指南短信",
    ),
    SampleContact(
        "inquiry",
        "email",
        "咨询积分兑换规则",
        "客户想知道积分有效期以及可以兑换哪些礼品。",
        "已回复积分有效期为两年，并附兑换目录",
    ),
    SampleContact(
        "inquiry",
        "phone",
        "咨询国际漫游开通",
        "客户下周出国，询问如何开通国际漫游及资费。",
        "已为客户开通国际漫游，并告知当地资费",
    ),
)
SUGGESTIONS = (
    SampleContact(
        "suggestion",
        "web",
        "建议网上营业厅支持账单导出 Excel",
        "客户希望账单明细可以导出为 Excel，方便报销。",
        "计费部已列入下季度版本计划",
    ),
    SampleContact(
        "suggestion",
        "phone",
        "建议门店延长晚间营业时间",
        "客户下班较晚，建议门店营业到 22:00。",
        "已转交门店运营评估，暂不调整，感谢客户建议",
    ),
    SampleContact(
        "suggestion",
        "wechat",
        "建议断网时主动短信通知",
        "客户建议网络故障时主动发短信告知预计恢复时间。",
        "网络部已采纳，故障通知短信本月上线",
    ),
    SampleContact("suggestion", "email", "建议增加英文账单", "外籍客户建议提供英文版月度账单。", ""),
)
PRAISES = (
    SampleContact("praise", "phone", "表扬营业员耐心细致", "客户来电表扬门店营业员耐心讲解套餐，帮他省了不少钱。",
                  "已转达表扬并记入员工服务评价"),
    SampleContact("praise", "web", "表扬装维师傅准时上门", "装维师傅准时上门，安装后还主动帮忙调试路由器。",
                  "已转达表扬并记入员工服务评价"),
    SampleContact("praise", "wechat", "表扬客服快速解决问题", "客户在公众号留言，感谢客服一次就把账单问题讲清楚。",
                  "已转达表扬并记入员工服务评价"),
    SampleContact("praise", "letter", "感谢信：门店帮助老人办理业务", "客户来信感谢门店员工耐心帮助家中老人办理业务。",
                  "已转达表扬并记入员工服务评价"),
    SampleContact("praise", "phone", "表扬投诉处理及时", "客户表示上次投诉处理得又快又好，特意来电表扬。", ""),
)  # fmt: skip
SUGGESTION_OWNERS = ("BILLING", "NETWORK", "BILLING", "NETWORK")
INTAKE_UNITS = ("SH-S01", "SH-S02", "HZ", "GZ-S01", "SZ", "SH")


def _take_in(
    sample: SampleContact, *, rng: random.Random, unit_code: str, actor: User, at: dt.datetime
) -> Complaint:
    customer = sample_customer(rng)
    data = IntakeData(
        channel=sample.channel,
        kind=sample.kind,
        title=sample.title,
        description=sample.description,
        customer=IntakeCustomer(name=customer.name, phone=customer.phone, email=customer.email),
        org_unit_code=unit_code,
    )
    with clock_at(at):
        return complaint_create(data=data, actor=actor)


def demo_contacts_create(*, rng: random.Random, people: dict[str, User]) -> list[Complaint]:
    """Inquiries (most answered at first contact), suggestions (acknowledged, routed to their owner, some
    decided), praise (credited to the unit's agent, most closed), and one inquiry turned into a complaint."""
    current = now()
    zone = local_zone()
    contacts = []
    samples = [*INQUIRIES, *SUGGESTIONS, *PRAISES]
    for index, sample in enumerate(samples):
        unit_code = INTAKE_UNITS[index % len(INTAKE_UNITS)]
        handler = people[HANDLER_OF_UNIT[unit_code]]
        created_at = random_created_at(rng, now=current, min_days=1, max_days=50, zone=zone)
        contact = _take_in(sample, rng=rng, unit_code=unit_code, actor=handler, at=created_at)
        step = created_at + dt.timedelta(minutes=rng.randint(3, 30))
        with clock_at(step):
            if sample.kind == ContactKind.INQUIRY and sample.answer:
                if index % 3 == 2:  # looked into, answered a little later
                    complaint_transition(number=contact.number, actor=handler, to=Status.HANDLING)
                with clock_at(step + dt.timedelta(hours=index % 3)):
                    complaint_transition(
                        number=contact.number, actor=handler, to=Status.CLOSED, reason=sample.answer
                    )
            elif sample.kind == ContactKind.SUGGESTION:
                complaint_transition(number=contact.number, actor=handler, to=Status.ACCEPTED)
                owner = SUGGESTION_OWNERS[index % len(SUGGESTION_OWNERS)]
                suggestion_route(
                    number=contact.number, actor=handler, unit_code=owner, reason="转交负责部门评估"
                )
                if sample.answer:
                    with clock_at(step + dt.timedelta(days=2)):
                        complaint_transition(
                            number=contact.number, actor=handler, to=Status.CLOSED, reason=sample.answer
                        )
            elif sample.kind == ContactKind.PRAISE:
                complaint_transition(number=contact.number, actor=handler, to=Status.ACCEPTED)
                praise_credit(
                    number=contact.number, actor=handler, username=handler.username, note="客户点名表扬"
                )
                if sample.answer:
                    complaint_transition(
                        number=contact.number, actor=handler, to=Status.CLOSED, reason=sample.answer
                    )
        contacts.append(Complaint.objects.get(pk=contact.pk))

    # An inquiry that turned out to be a complaint: the number and the history stay.
    unit_code = "SH-S01"
    handler = people[HANDLER_OF_UNIT[unit_code]]
    created_at = current - dt.timedelta(days=2, hours=3)
    turned = SampleContact(
        "inquiry", "phone", "咨询为何本月话费比上月多 50 元",
        "客户来电询问话费为何上涨，核查发现被开通了未经同意的增值业务，客户要求退费。", "",
    )  # fmt: skip
    contact = _take_in(turned, rng=rng, unit_code=unit_code, actor=handler, at=created_at)
    with clock_at(created_at + dt.timedelta(minutes=8)):
        complaint_kind_change(
            number=contact.number,
            actor=handler,
            to=ContactKind.COMPLAINT,
            reason="核查发现未经同意开通增值业务，客户要求退费",
        )
    contacts.append(Complaint.objects.get(pk=contact.pk))
    return contacts
