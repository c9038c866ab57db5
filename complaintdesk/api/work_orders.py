"""Work-order endpoints of API v1 (dispatch to departments): parse, call one service or selector, present.

Department staff see the orders of their department, and each order's case only through it
(`GET /work-orders/{id}/case`: what the order needs, as on the order's web page, dispatch.selectors
.work_order_case); everyone else sees the orders of the cases they may see. Outside that an order does
not exist (404)."""

import datetime as dt
from typing import Literal

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils.http import content_disposition_header
from ninja import Query, Router, Schema, Status
from pydantic import Field

from complaintdesk.common.time import now, to_local
from complaintdesk.complaints.access import access_complaint
from complaintdesk.dispatch import services
from complaintdesk.dispatch.models import WorkOrder, WorkOrderStatus
from complaintdesk.dispatch.selectors import (
    LIST_LIMIT,
    QueueFilters,
    WorkOrderCase,
    is_overdue,
    work_order_attachment,
    work_order_case,
    work_order_for_user,
    work_order_queue,
    work_orders_for_case,
)

from .schemas import ProblemOut, StrictSchema

router = Router(tags=["work orders"])
ERRORS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}
POST_ERRORS = ERRORS | {409: ProblemOut, 413: ProblemOut}
WorkOrderStatusCode = Literal[tuple(WorkOrderStatus.values)]  # type: ignore[valid-type]


def _local(value):
    return to_local(value) if value else None


class WorkOrderIn(StrictSchema):
    department: str = Field(description="责任部门的机构编码（类型为责任部门的机构）")
    instructions: str = Field(description="处理要求")
    due_working_days: int = Field(description="时限：工作日数（1–60），按责任部门的工作日历计算")
    owner: str | None = Field(None, description="负责人用户名（须属于该部门）；缺省由部门人员接单认领")


class AcceptIn(StrictSchema):
    """Body `{}`, or with a note."""

    note: str | None = Field(None, description="接单说明（可选）")


class ResultIn(StrictSchema):
    result: str = Field(description="处理结果")


class ReasonIn(StrictSchema):
    reason: str = Field(description="原因")


class WorkOrderOut(Schema):
    id: int
    complaint: str = Field(description="投诉单号")
    complaint_title: str
    department: str
    department_name: str
    owner: str | None
    instructions: str
    due_working_days: int
    created_by: str
    created_at: dt.datetime
    due_at: dt.datetime
    deadline_provisional: bool
    status: WorkOrderStatusCode
    status_label: str
    overdue: bool = Field(description="未完成且已过时限")
    overdue_at: dt.datetime | None = Field(description="超时被标记的时间")
    accepted_at: dt.datetime | None
    finished_at: dt.datetime | None
    finished_by: str | None
    result: str


class WorkOrderListOut(Schema):
    items: list[WorkOrderOut]
    count: int


class QueueQuery(Schema):
    status: list[WorkOrderStatusCode] | None = Field(
        None, description="状态，可重复；缺省为未完成（open、accepted）"
    )
    mine: bool = Field(False, description="只看我负责的")
    overdue: bool = Field(False, description="只看已超时的")
    department: str | None = Field(None, description="部门编码")
    limit: int = Field(50, ge=1, le=LIST_LIMIT)


class WorkOrderAttachmentOut(Schema):
    id: int
    name: str = Field(description="上传时的文件名（仅供显示）")
    content_type: str
    size: int
    uploaded_at: dt.datetime
    url: str = Field(description="通过派工单下载的地址（同派工单的可见范围）")


class WorkOrderCaseOut(Schema):
    """The case as the order's department sees it: what the order needs, read-only."""

    work_order: WorkOrderOut
    complaint: str = Field(description="投诉单号")
    title: str
    description: str = Field(description="投诉内容")
    demand: str = Field(description="客户诉求")
    place: str = Field(description="发生地点")
    occurred_at: dt.datetime | None = Field(description="发生时间")
    product: str = Field(description="涉及产品/业务")
    org_unit: str = Field(description="受理机构编码")
    org_unit_name: str
    handler: str | None = Field(description="投诉处理人用户名")
    contact_name: str = Field(description="客户称呼（已遮蔽，如“王女士”）")
    contact_phone: str = Field(description="联系电话：派工单未结束时完整（E.164），结束后遮蔽；无则为空")
    contact_phone_masked: bool
    attachments: list[WorkOrderAttachmentOut]
    case_visible: bool = Field(description="调用者本身可见完整投诉（可用 /complaints/{number}）")


def work_order_view(order: WorkOrder, *, at: dt.datetime | None = None) -> dict:
    return {
        "id": order.pk,
        "complaint": order.complaint.number,
        "complaint_title": order.complaint.title,
        "department": order.department.code,
        "department_name": order.department.name,
        "owner": order.owner.username if order.owner_id else None,
        "instructions": order.instructions,
        "due_working_days": order.due_working_days,
        "created_by": order.created_by.username,
        "created_at": _local(order.created_at),
        "due_at": _local(order.due_at),
        "deadline_provisional": order.deadline_provisional,
        "status": order.status,
        "status_label": str(WorkOrderStatus(order.status).label),
        "overdue": is_overdue(order, at=at),
        "overdue_at": _local(order.overdue_at),
        "accepted_at": _local(order.accepted_at),
        "finished_at": _local(order.finished_at),
        "finished_by": order.finished_by.username if order.finished_by_id else None,
        "result": order.result,
    }


def work_order_case_view(seen: WorkOrderCase) -> dict:
    complaint, order = seen.complaint, seen.order
    return {
        "work_order": work_order_view(order),
        "complaint": complaint.number,
        "title": complaint.title,
        "description": complaint.description,
        "demand": complaint.demand,
        "place": complaint.place,
        "occurred_at": _local(complaint.occurred_at),
        "product": complaint.product,
        "org_unit": complaint.org_unit.code,
        "org_unit_name": complaint.org_unit.name,
        "handler": complaint.assignee.username if complaint.assignee_id else None,
        "contact_name": seen.contact_name,
        "contact_phone": seen.phone,
        "contact_phone_masked": seen.phone_masked,
        "attachments": [
            {
                "id": a.pk,
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "uploaded_at": _local(a.uploaded_at),
                "url": reverse(
                    "api-v1:work_order_attachment_download",
                    kwargs={"work_order_id": order.pk, "attachment_id": a.pk},
                ),
            }
            for a in seen.attachments
        ],
        "case_visible": seen.case_visible,
    }


def _order_out(request: HttpRequest, work_order_id: int) -> dict:
    return work_order_view(work_order_for_user(user=request.user, work_order_id=work_order_id))


@router.get(
    "/complaints/{number}/work-orders", response={200: WorkOrderListOut, **ERRORS}, summary="投诉的全部派工单"
)
def case_work_orders(request: HttpRequest, number: str):
    complaint = access_complaint(user=request.user, number=number)
    at = now()
    items = []
    for order in work_orders_for_case(complaint=complaint):
        order.complaint = complaint
        items.append(work_order_view(order, at=at))
    return {"items": items, "count": len(items)}


@router.post(
    "/complaints/{number}/work-orders",
    response={201: WorkOrderOut, **POST_ERRORS},
    summary="派工单给责任部门",
    description="投诉在所有派工单完成（或退回、撤销）之前不能转为已解决。",
)
def dispatch(request: HttpRequest, number: str, payload: WorkOrderIn):
    order = services.work_order_create(
        number=number,
        actor=request.user,
        department=payload.department,
        instructions=payload.instructions,
        due_working_days=payload.due_working_days,
        owner=payload.owner or "",
    )
    return Status(201, _order_out(request, order.pk))


@router.get(
    "/work-orders",
    response={200: WorkOrderListOut, **ERRORS},
    summary="派工单队列（部门人员：本部门的；其他人：可见投诉的），最近时限优先",
)
def queue(request: HttpRequest, filters: Query[QueueQuery]):
    orders = work_order_queue(
        user=request.user,
        filters=QueueFilters(
            status=tuple(filters.status or ()),
            mine=filters.mine,
            overdue=filters.overdue,
            department=filters.department or "",
        ),
        limit=filters.limit,
    )
    at = now()
    return {"items": [work_order_view(o, at=at) for o in orders], "count": len(orders)}


@router.get("/work-orders/{work_order_id}", response={200: WorkOrderOut, **ERRORS}, summary="派工单详情")
def detail(request: HttpRequest, work_order_id: int):
    return _order_out(request, work_order_id)


@router.get(
    "/work-orders/{work_order_id}/case",
    response={200: WorkOrderCaseOut, **ERRORS},
    summary="派工单的投诉信息（部门人员可见的范围）",
    description="责任部门处理派工单所需的投诉信息，只读，与派工单网页所示相同：投诉内容、诉求、地点、"
    "客户称呼（遮蔽）、联系电话（派工单未结束时完整，结束后遮蔽）、附件。部门人员在派工单结束后 "
    "一段时间内仍可查看，之后及其他部门的人员得到 404。",
)
def order_case(request: HttpRequest, work_order_id: int):
    return work_order_case_view(work_order_case(user=request.user, work_order_id=work_order_id))


@router.get(
    "/work-orders/{work_order_id}/case/attachments/{attachment_id}",
    response={200: None, **ERRORS},
    url_name="work_order_attachment_download",
    summary="通过派工单下载投诉附件",
    openapi_extra={
        "responses": {
            "200": {
                "description": "文件内容",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def order_case_attachment(request: HttpRequest, work_order_id: int, attachment_id: int):
    attachment = work_order_attachment(
        user=request.user, work_order_id=work_order_id, attachment_id=attachment_id
    )
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.original_name)
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@router.post(
    "/work-orders/{work_order_id}/accept",
    response={200: WorkOrderOut, **POST_ERRORS},
    summary="部门接单（无负责人时由接单人负责）",
)
def accept(request: HttpRequest, work_order_id: int, payload: AcceptIn):
    services.work_order_accept(work_order_id=work_order_id, actor=request.user, note=payload.note or "")
    return _order_out(request, work_order_id)


@router.post(
    "/work-orders/{work_order_id}/complete",
    response={200: WorkOrderOut, **POST_ERRORS},
    summary="部门完成派工单（填写处理结果）",
)
def complete(request: HttpRequest, work_order_id: int, payload: ResultIn):
    services.work_order_complete(work_order_id=work_order_id, actor=request.user, result=payload.result)
    return _order_out(request, work_order_id)


@router.post(
    "/work-orders/{work_order_id}/reject",
    response={200: WorkOrderOut, **POST_ERRORS},
    summary="部门退回派工单（填写原因）",
)
def reject(request: HttpRequest, work_order_id: int, payload: ReasonIn):
    services.work_order_reject(work_order_id=work_order_id, actor=request.user, reason=payload.reason)
    return _order_out(request, work_order_id)


@router.post(
    "/work-orders/{work_order_id}/cancel",
    response={200: WorkOrderOut, **POST_ERRORS},
    summary="投诉处理人撤销派工单（填写原因）",
)
def cancel(request: HttpRequest, work_order_id: int, payload: ReasonIn):
    services.work_order_cancel(work_order_id=work_order_id, actor=request.user, reason=payload.reason)
    return _order_out(request, work_order_id)
