"""Request and response shapes of API v1 (they are the OpenAPI schema)."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from complaintdesk.complaints.models import Channel, ContactChannel, PerceivedSeverity
from complaintdesk.complaints.states import ContactKind, Status

from .fields import IsoDate, IsoDateTime  # noqa: F401  (the shared types, importable from here too)

ChannelCode = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
StatusCode = Literal[tuple(Status.values)]  # type: ignore[valid-type]
KindCode = Literal[tuple(ContactKind.values)]  # type: ignore[valid-type]


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class CustomerIn(StrictSchema):
    name: str = Field(description="姓名或称呼，如“王女士”")
    phone: str | None = Field(None, description="手机或固话；无国家码时按中国大陆号码解析")
    email: str | None = None
    account_no: str | None = Field(None, description="账号或订单号")
    wechat_openid: str | None = None
    preferred_channel: Literal[tuple(ContactChannel.values)] | None = Field(  # type: ignore[valid-type]
        None, description="希望以何种方式收到答复"
    )


class RecorderIn(StrictSchema):
    username: str | None = Field(None, description="记录人的用户名（本系统用户，须在调用者可见的机构内）")
    employee_no: str | None = Field(None, description="或：记录人的工号")
    name: str | None = Field(None, description="或：外部系统中的记录人姓名（不是本系统用户时）")


class ComplaintIn(StrictSchema):
    channel: ChannelCode = Field(
        description="客户在哪个渠道投诉：phone、walk_in、letter、weibo、chat 为人工登记渠道"
    )
    org_unit: str | None = Field(None, description="受理机构编码；缺省为调用者所属机构")
    customer: CustomerIn
    title: str
    description: str
    demand: str | None = Field(None, description="客户诉求")
    occurred_at: IsoDateTime | None = Field(None, description="ISO 8601，带时区")
    received_at: IsoDateTime | None = Field(
        None,
        description="实际收到时间（信件拆阅、电话挂断后补录、监管转来时）：所有时限从此起算；"
        "缺省为登记时刻；不能晚于现在，不能早于 occurred_at",
    )
    place: str | None = None
    product: str | None = Field(None, description="涉及的产品或业务")
    people_involved: str | None = None
    perceived_severity: Literal[tuple(PerceivedSeverity.values)] | None = None  # type: ignore[valid-type]
    kind: Literal[tuple(ContactKind.values)] | None = Field(  # type: ignore[valid-type]
        None, description="联系类型：complaint 投诉（缺省）、inquiry 咨询、suggestion 建议、praise 表扬"
    )
    category: str | None = Field(None, description="类别编码")
    language: Literal["zh-hans", "en"] | None = None
    recorded_by: RecorderIn | None = Field(
        None, description="人工登记渠道的记录人；缺省为调用者本人（接口客户端调用时为空）"
    )


class NoteIn(StrictSchema):
    text: str = Field(description="内部备注（客户看不到）")


class MessageIn(StrictSchema):
    text: str = Field(description="客户说的话，原样记录")
    channel: ChannelCode = Field(description="客户通过哪个渠道说的")


class KindChangeIn(StrictSchema):
    to: KindCode = Field(description="新的联系类型")
    reason: str | None = Field(None, description="原因；由投诉转为其他类型时必填")


class RouteIn(StrictSchema):
    unit: str = Field(description="负责这条建议的机构编码")
    reason: str | None = None


class TransferIn(StrictSchema):
    unit: str = Field(
        description="接收机构的编码：分公司、门店、加盟店、责任部门或客服中心（不能是总部或大区）",
        examples=["SH"],
    )
    reason: str = Field(
        description="转办原因（必填，记入处理记录）",
        examples=["客户在上海浦东门店办理业务，由上海分公司处理"],
    )


class CreditIn(StrictSchema):
    username: str | None = Field(None, description="受表扬人员的用户名")
    employee_no: str | None = Field(None, description="或其工号")
    unit: str | None = Field(None, description="受表扬机构的编码（缺省为该人员所属机构）")
    note: str | None = None


class TransitionIn(StrictSchema):
    to: StatusCode
    reason: str | None = None


class AnalysisIn(StrictSchema):
    category: str | None = None
    complexity: Literal["general", "complex"] | None = None
    severity: Literal["general", "major"] | None = None
    priority: int | None = Field(None, ge=1, le=4)
    is_batch: bool | None = None
    reputation_risk: bool | None = None
    responsibility: str | None = None
    root_cause: str | None = None
    impact: str | None = None
    amount_at_stake: Decimal | None = None
    reason: str | None = None


class CustomerOut(Schema):
    name: str
    title: str
    phone: str
    email: str
    account_no: str
    preferred_channel: str
    masked: bool = Field(description="个人信息是否已按角色脱敏")
    given_with_case: dict[str, str] = Field(
        default_factory=dict,
        description="本单登记时留下、但与客户档案不同的联系方式（name/phone/email）。来自未验证渠道的信息不会改动客户档案；"
        "核实后可用 POST /complaints/{number}/customer 采用",
    )


class EventOut(Schema):
    at: dt.datetime
    actor: str | None
    kind: str
    field: str
    old_value: str
    new_value: str
    reason: str
    kind_label: str = Field("", description="发生了什么（当前语言），如“状态变更”")
    field_label: str = Field("", description="哪一项（当前语言），如“首次响应时限”；无则为空")
    old_label: str = Field("", description="原值（给人看：选项名称、本地时间）")
    new_label: str = Field("", description="新值（给人看）")
    channel_label: str = Field("", description="消息经由的渠道（当前语言）")
    text: str = Field("", description="正文：备注、客户留言、发给客户的消息全文")


class TransferOut(Schema):
    number: str
    org_unit: str = Field(description="现所属机构（接收机构）的编码")
    org_unit_name: str = Field(description="现所属机构的名称（当前语言）")
    assignee: None = Field(None, description="转办后无处理人：由接收机构的“未分派”队列接手")
    due_at: dt.datetime | None = Field(None, description="最近时限；转办不重新计时，客户的时限不变")
    resolution_due_at: dt.datetime | None = Field(None, description="解决时限（不变）")
    visible: bool = Field(description="调用者转办后是否仍能查看此案件（接收机构不在其范围内则为 false）")
    event: EventOut = Field(description="记入处理记录的转办事件")


class ComplaintSummaryOut(Schema):
    number: str
    status: StatusCode
    status_label: str = Field(description="状态（当前语言；按联系类型，如咨询的 closed 为“已答复”）")
    kind: KindCode = Field(description="联系类型：complaint / inquiry / suggestion / praise")
    kind_label: str = Field(description="联系类型（当前语言）")
    title: str
    channel: ChannelCode
    org_unit: str
    category: str | None
    severity: str
    complexity: str
    priority: int
    assignee: str | None
    created_at: dt.datetime
    due_at: dt.datetime | None
    first_response_due_at: dt.datetime | None
    acknowledge_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    deadline_provisional: bool
    sla_paused: bool


class AttachmentOut(Schema):
    id: int
    name: str = Field(description="上传时的文件名（仅供显示）")
    content_type: str = Field(description="按文件内容识别的类型")
    size: int
    sha256: str
    channel: str
    uploaded_by: str | None
    uploaded_at: dt.datetime
    url: str = Field(description="下载地址（需要认证，仅限可见此投诉的用户）")


class ClockOut(Schema):
    kind: str = Field(
        description="first_response / acknowledge / resolution / level_acknowledge / level_resolve / "
        "follow_up / work_order / approval"
    )
    label: str = Field(description="时限名称（当前语言）")
    level: int | None = Field(description="升级层级的时限：层级序号")
    level_name: str = Field(description="升级层级的时限：层级名称")
    started_at: dt.datetime
    due_at: dt.datetime
    warned: bool = Field(description="已过预警点")
    provisional: bool = Field(description="经过尚无官方日历的年份，时限为暂定")


class EscalationStateOut(Schema):
    level: int = Field(description="当前层级序号；0 = 一线")
    level_code: str
    level_name: str
    holder: str | None = Field(description="承接人用户名")
    holder_unit: str | None = Field(description="承接机构编码")
    holder_missing: bool
    level_started_at: dt.datetime | None
    acknowledge_due_at: dt.datetime | None = Field(description="本层级告知客户时限")
    customer_acknowledged_at: dt.datetime | None
    resolve_due_at: dt.datetime | None = Field(description="本层级解决时限")
    running_clocks: list[ClockOut] = Field(description="正在计时的时限，最近的在前")


class ComplaintOut(ComplaintSummaryOut):
    customer: CustomerOut
    recorded_by: str | None = Field(description="记录人（本系统用户名）")
    recorded_by_name: str = Field(description="记录人（外部系统中的姓名）")
    description: str
    demand: str
    occurred_at: dt.datetime | None
    received_at: dt.datetime = Field(description="实际收到时间，时限从此起算")
    place: str
    product: str
    people_involved: str
    perceived_severity: str
    owner_unit: str | None = Field(description="建议：负责部门的机构编码")
    credited_user: str | None = Field(description="表扬：受表扬人员的用户名")
    credited_unit: str | None = Field(description="表扬：受表扬机构的编码")
    is_batch: bool
    reputation_risk: bool
    responsibility: str
    root_cause: str
    impact: str
    amount_at_stake: Decimal | None
    stage_times: dict[str, dt.datetime | None]
    allowed_transitions: list[StatusCode]
    running_clocks: list[ClockOut] = Field(
        description="正在计时的时限，最近的在前。升级后为所在层级的时限（一线的 resolution_due_at 不再计时）；"
        "待客户确认（暂停）时为空"
    )
    escalation: EscalationStateOut
    timeline: list[EventOut]
    attachments: list[AttachmentOut]


class HintOut(Schema):
    """An admissibility hint (regulation.hints): words for the agent; `code` is for programs only."""

    code: str = Field(description="appeal_window_passed（超过申诉期限）/ possible_duplicate（可能重复投诉）")
    text: str = Field(description="提示（当前语言）；投诉已照常受理，不会被拒绝")
    related: str = Field(description="possible_duplicate：另一件未结投诉的单号")


class ComplaintCreatedOut(ComplaintOut):
    hints: list[HintOut] = Field(
        description="受理提示（与 GET /complaints/{number}/regulation 的 hints 相同）：收到时已超过法定时限包的申诉期限、"
        "可能与该客户的未结投诉重复。投诉已照常受理，从不因此拒绝；text 供人阅读，code 仅供程序判断"
    )


class ComplaintListOut(Schema):
    items: list[ComplaintSummaryOut]
    count: int = Field(description="本页条数")
    next_cursor: str | None = Field(description="下一页的游标（传给 cursor 参数）；没有更多时为 null")


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    errors: dict[str, list[str]] | None = Field(
        None, description='按字段列出的错误，如 {"customer.phone": ["…"]}'
    )
