"""Business events in (issue 19 item 3): a business system (the warehouse, the network operations centre, the
store system) tells us of something that will bring complaints — "order 123 will ship 5 days late",
"broadband outage in 徐汇区 until 18:00". Each event becomes an incident (outreach): complaints that match are
linked to it and answered with its explanation, and, when the event or its notice rule says so, the
customers concerned are told first. Delivery is idempotent: the same (source, event_id) is the same
incident, however often it arrives; `Idempotency-Key` works as on every POST."""

from typing import Literal

from django.http import HttpRequest
from ninja import Router, Status
from pydantic import Field

from complaintdesk.outreach.models import IncidentKind
from complaintdesk.outreach.services import incident_event_receive

from .fields import IsoDateTime
from .schemas import ProblemOut, StrictSchema

router = Router(tags=["events"])

POST_ERRORS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut, 413: ProblemOut,
               422: ProblemOut}  # fmt: skip


class BusinessEventIn(StrictSchema):
    source: str = Field(
        description="报送系统的名称，如 wms、noc；与 event_id 一起唯一确定一个事件", max_length=50
    )
    event_id: str = Field(
        description="事件在报送系统里的编号；同一来源重复报送同一编号只登记一次", max_length=100
    )
    kind: Literal[tuple(IncidentKind.values)] = Field(  # type: ignore[valid-type]
        IncidentKind.OUTAGE,
        description="outage 服务中断；shipment_delay 发货延迟；store_closure 门店停业；other 其他",
    )
    title: str = Field(description="事件名称，员工看到的，如“徐汇区宽带中断”", max_length=100)
    explanation: str = Field(
        description="给客户的说明，客户听得懂的话，如“一处光缆被施工挖断，工程师正在抢修”", max_length=120
    )
    explanation_en: str = Field("", description="英文说明（可不填）", max_length=240)
    district: str = Field("", description="受影响地区，如“徐汇区”（与投诉地点比对）", max_length=50)
    units: list[str] = Field(default_factory=list, description="受影响机构的编码", max_length=200)
    products: str = Field("", description="涉及产品/业务，逗号分隔，如“宽带”", max_length=200)
    categories: list[str] = Field(default_factory=list, description="涉及投诉类别的编码", max_length=100)
    accounts: list[str] = Field(
        default_factory=list, description="受影响客户的账号、订单号或手机号（有名单时只通知名单上的客户）",
        max_length=5000,
    )  # fmt: skip
    starts_at: IsoDateTime = Field(description="开始时间")
    ends_at: IsoDateTime | None = Field(None, description="影响结束时间（已知时）")
    expected_end_at: IsoDateTime | None = Field(
        None, description="预计恢复/发货时间，客户会收到“预计今天18:00恢复”"
    )
    notify_customers: bool | None = Field(
        None, description="是否主动通知受影响客户；不传则按该来源和类型的主动通知规则（管理后台）"
    )


class BusinessEventOut(StrictSchema):
    incident_id: int = Field(description="登记的事件编号")
    created: bool = Field(description="true：第一次收到；false：重复报送，返回第一次登记的事件")
    status: str = Field(description="active 进行中；resolved 已解决")
    status_label: str = Field(description="状态（文字）")
    title: str
    notify_customers: bool = Field(description="是否主动通知受影响客户（每位客户只通知一次，拒收通知的不发）")


@router.post(
    "/events",
    response={200: BusinessEventOut, 201: BusinessEventOut, **POST_ERRORS},
    summary="报送业务事件（如延迟发货、服务中断），登记为事件并按规则主动通知客户",
    description="需要“可以通过接口报送业务事件”权限（`manage.py outreach_event_sender 用户名`）。"
    "第一次收到返回 201；同一 source 与 event_id 再次报送返回 200 和第一次登记的事件，不会重复通知客户。"
    "403：令牌的用户没有报送权限。422：字段有误，`errors` 按字段列出原因。",
)
def event_receive(request: HttpRequest, payload: BusinessEventIn):
    data = payload.dict()
    source, external_id = data.pop("source"), data.pop("event_id")
    incident, created = incident_event_receive(
        actor=request.user, source=source, external_id=external_id, **data
    )
    body = BusinessEventOut(
        incident_id=incident.pk, created=created, status=incident.status, status_label=incident.get_status_display(),
        title=incident.title, notify_customers=incident.notify_customers,
    )  # fmt: skip
    return Status(201 if created else 200, body)
