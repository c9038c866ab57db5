"""Request and response shapes of API v1 (they are the OpenAPI schema)."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from complaintdesk.complaints.models import Channel, ContactChannel, PerceivedSeverity
from complaintdesk.complaints.states import Status

ChannelCode = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
StatusCode = Literal[tuple(Status.values)]  # type: ignore[valid-type]


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


class ComplaintIn(StrictSchema):
    channel: ChannelCode
    org_unit: str | None = Field(None, description="受理机构编码；缺省为调用者所属机构")
    customer: CustomerIn
    title: str
    description: str
    demand: str | None = Field(None, description="客户诉求")
    occurred_at: dt.datetime | None = Field(None, description="ISO 8601，带时区")
    place: str | None = None
    product: str | None = Field(None, description="涉及的产品或业务")
    people_involved: str | None = None
    perceived_severity: Literal[tuple(PerceivedSeverity.values)] | None = None  # type: ignore[valid-type]
    category: str | None = Field(None, description="类别编码")
    language: Literal["zh-hans", "en"] | None = None


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


class EventOut(Schema):
    at: dt.datetime
    actor: str | None
    kind: str
    field: str
    old_value: str
    new_value: str
    reason: str


class ComplaintSummaryOut(Schema):
    number: str
    status: StatusCode
    status_label: str
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


class ComplaintOut(ComplaintSummaryOut):
    customer: CustomerOut
    description: str
    demand: str
    occurred_at: dt.datetime | None
    place: str
    product: str
    people_involved: str
    perceived_severity: str
    is_batch: bool
    reputation_risk: bool
    responsibility: str
    root_cause: str
    impact: str
    amount_at_stake: Decimal | None
    stage_times: dict[str, dt.datetime | None]
    allowed_transitions: list[StatusCode]
    timeline: list[EventOut]


class ComplaintListOut(Schema):
    items: list[ComplaintSummaryOut]
    count: int


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    errors: dict[str, list[str]] | None = Field(None, description="按字段列出的错误，如 {\"customer.phone\": [\"…\"]}")
