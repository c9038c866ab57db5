"""Complaints the customer service centre (客服中心) received overnight and this morning, not yet handed on.

A customer who writes through the web form without naming a store, a WeChat message or an e-mail reaches the
centre (channels.services.central_desk_unit); its agent (agent_hq) reads each one and hands it to the branch,
store or department responsible (转办). So that the centre's 未分派 queue is not empty on the first morning,
a few such cases are filed here through the channels' own intake (`channels.intake.intake_receive_once`, as
the web form, the WeChat callback and the mail poller file them): the channel's account, no unit named, the
centre found by intake, nobody assigned. Each message carries its channel id (external_id): a second run
finds it received already and files nothing, so `demo_central_cases_ensure` is safe on every start.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from complaintdesk.channels.base import InboundMessage
from complaintdesk.channels.intake import intake_receive_once
from complaintdesk.channels.services import channel_actor
from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.services import IntakeCustomer, IntakeData

from .cases import clock_at


@dataclass(frozen=True)
class CentralCase:
    key: str  # the channel's message id: what makes filing it twice impossible
    channel: str
    hours_ago: float
    name: str
    phone: str  # prefixes the sample customers never use (samples.MOBILE_PREFIXES), so no one else's number
    title: str
    description: str
    demand: str
    place: str = ""
    product: str = ""
    email: str = ""
    wechat_openid: str = ""
    perceived_severity: str = "medium"


# Different channels, categories and customers; each plainly belongs to a branch, a store or a department
# (Shanghai / Hangzhou / Guangzhou, billing, network), which is what the centre's agent decides.
CENTRAL_CASES: tuple[CentralCase, ...] = (
    CentralCase(
        key="demo-central-web-0001", channel="web", hours_ago=13.5, name="沈雨桐", phone="13720461835",
        title="宽带到期后被自动续费一年",
        description=(
            "我家的宽带包年上个月底到期，我在到期前一周就在营业厅说过不再续约，当时工作人员说到期自动停。"
            "结果这个月话费里扣了 1200 元续费一年，我根本没同意过。家住上海市浦东新区锦绣华庭。"
        ),
        demand="退还续费的 1200 元，按我之前说的办理停机",
        place="上海市浦东新区", product="家庭宽带包年",
    ),
    CentralCase(
        key="demo-central-wechat-0002", channel="wechat", hours_ago=10.2, name="韦志成", phone="15231907462",
        wechat_openid="oDemoCentral0002WeiZhicheng0",
        title="快递显示已签收，我没收到",
        description=(
            "在你们商城买的空气炸锅，物流昨天晚上显示已签收，可我一直在家，没人敲门也没人打电话，"
            "门口和快递柜都没有。联系快递员不接电话。收货地址是杭州市余杭区翠湖苑 6 幢。"
        ),
        demand="查清楚包裹在哪，找不到就重新发货",
        place="杭州市余杭区", product="空气炸锅（网上商城订单）",
    ),
    CentralCase(
        key="<demo-central-0003@mail.example.com>", channel="email", hours_ago=2.6, name="李梅",
        phone="18561024397", email="limei.demo@example.com",
        title="门店店员态度恶劣，要求道歉",
        description=(
            "周六下午我在广州天河的门店办理套餐变更，问了两遍资费的区别，店员不耐烦地说“你自己看不懂怪谁”，"
            "还把宣传单扔在柜台上。旁边好几个人都看见了，我觉得很难堪。"
        ),
        demand="门店给我一个正式的道歉，并对这名店员进行教育",
        place="广州市天河区", product="套餐变更", perceived_severity="high",
    ),
    CentralCase(
        key="demo-central-web-0004", channel="web", hours_ago=1.1, name="欧阳宁", phone="18830572619",
        title="没订过的视频彩铃每月扣 10 元",
        description=(
            "查话费详单发现从三个月前开始每月扣 10 元“视频彩铃”，我从来没有订过，也没收到过任何确认短信。"
            "手机号一直是我本人在用。"
        ),
        demand="退还三个月的费用 30 元，取消这个业务，说明是怎么开通的",
        product="视频彩铃",
    ),
    CentralCase(
        key="demo-central-wechat-0005", channel="wechat", hours_ago=0.4, name="冯先生", phone="18806613584",
        wechat_openid="oDemoCentral0005FengXiansh00",
        title="家里手机信号一直很差",
        description=(
            "搬到深圳南山区滨江一号已经两个星期，家里手机信号只有一格，打电话经常断，"
            "在阳台上才好一点。问了邻居，大家都一样。"
        ),
        demand="派人来测一下信号，尽快改善",
        place="深圳市南山区", product="手机通话",
    ),
)  # fmt: skip


def _message(case: CentralCase, *, at: dt.datetime) -> InboundMessage:
    return InboundMessage(
        data=IntakeData(
            channel=case.channel,
            title=case.title,
            description=case.description,
            demand=case.demand,
            customer=IntakeCustomer(
                name=case.name, phone=case.phone, email=case.email, wechat_openid=case.wechat_openid
            ),
            occurred_at=at - dt.timedelta(hours=20),
            place=case.place,
            product=case.product,
            perceived_severity=case.perceived_severity,
        ),
        external_id=case.key,
    )


@transaction.atomic
def demo_central_cases_ensure() -> list[Complaint]:
    """File the centre's waiting cases that were never received; returns those filed now (none on a second
    run). Each is received at its own moment of the last hours, through its channel's intake."""
    current = now()
    filed = []
    for case in CENTRAL_CASES:
        at = current - dt.timedelta(hours=case.hours_ago)
        with clock_at(at):
            result = intake_receive_once(
                message=_message(case, at=at), actor=channel_actor(channel=case.channel)
            )
        if not result.duplicate:
            filed.append(result.complaint)
    return filed
