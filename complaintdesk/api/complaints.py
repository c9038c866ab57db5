"""Complaint endpoints of API v1: parse, call one service or selector, present."""

from typing import Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.renderers import JSONRenderer
from pydantic import Field

from complaintdesk.channels.api import ApiChannelAdapter
from complaintdesk.channels.intake import complaint_intake
from complaintdesk.complaints import contacts, services
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.attachments import attachment_add
from complaintdesk.complaints.selectors import (
    LIST_LIMIT_MAX,
    ComplaintFilters,
    Ordering,
    attachment_for_download,
    complaint_page,
)
from complaintdesk.complaints.transfers import complaint_transfer
from complaintdesk.privacy.models import AccessField, AccessKind
from complaintdesk.privacy.services import access_log_record
from complaintdesk.regulation.hints import complaint_admissibility_hints

from .presenters import attachment_view, complaint_detail, complaint_summary, event_view, transfer_view
from .schemas import (
    AnalysisIn,
    AttachmentOut,
    ChannelCode,
    ComplaintCreatedOut,
    ComplaintIn,
    ComplaintListOut,
    ComplaintOut,
    CreditIn,
    EventOut,
    IsoDateTime,
    KindChangeIn,
    KindCode,
    MessageIn,
    NoteIn,
    ProblemOut,
    RouteIn,
    StatusCode,
    TransferIn,
    TransferOut,
    TransitionIn,
)

router = Router(tags=["complaints"])
ERRORS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}
POST_ERRORS = ERRORS | {409: ProblemOut, 413: ProblemOut}
_JSON = JSONRenderer()  # the API's renderer (NinjaAPI's default), for an answer already in its schema's form


class ListFilters(Schema):
    status: list[StatusCode] | None = Field(None, description="状态，可重复：?status=new&status=accepted")
    unit: str | None = Field(None, description="机构编码：该机构及其下级机构")
    category: str | None = Field(None, description="类别编码：该类别及其子类别")
    channel: list[ChannelCode] | None = Field(None, description="渠道，可重复")
    kind: list[KindCode] | None = Field(
        None, description="联系类型，可重复：complaint 投诉、inquiry 咨询、suggestion 建议、praise 表扬"
    )
    assignee: str | None = Field(None, description="处理人用户名；me = 我；none = 未分派")
    breached: bool | None = Field(
        None, description="true：已超时（未结、未因等待客户而暂停计时，且最近时限已过）"
    )
    at_risk: bool | None = Field(None, description="true：即将超时（未结、计时中、剩余不足时限窗口的 20%）")
    created_from: IsoDateTime | None = Field(None, description="受理时间 ≥ 此时（带时区）")
    created_to: IsoDateTime | None = Field(None, description="受理时间 < 此时（带时区）")
    q: str | None = Field(None, description="搜索单号、标题和投诉内容（2–100 个字符）")
    ordering: Literal["deadline", "created", "priority"] = Field(
        "deadline",
        description="deadline：最近时限优先；created：最新优先；priority：最紧急优先，其次最近时限",
    )
    cursor: str | None = Field(None, description="上一页返回的 next_cursor")
    limit: int = Field(50, ge=1, le=LIST_LIMIT_MAX)
    mine: bool = Field(False, description="同 assignee=me")
    open: bool = Field(False, description="只看未结投诉")


@router.post(
    "/complaints",
    response={201: ComplaintCreatedOut, **POST_ERRORS},
    summary="登记投诉 / create a complaint",
    description="201 返回登记的投诉，并附受理提示 `hints`（超过申诉期限、可能重复投诉）：仅提示，投诉照常受理。",
)
def create_complaint(request: HttpRequest, payload: ComplaintIn):
    message = ApiChannelAdapter().parse(payload.model_dump(exclude_unset=False))
    # The stored case as intake returns it: unit, customer and category loaded, one event, no files.
    complaint = complaint_intake(data=message.data, actor=request.user)
    detail = complaint_detail(
        complaint=complaint, user=request.user, events=[complaint.created_event], attachments=[]
    )
    # Told at intake, never refused: the same words as GET /complaints/{number}/regulation.
    hints = complaint_admissibility_hints(complaint=complaint, user=request.user)
    detail["hints"] = [{"code": h.code, "text": h.text, "related": h.related} for h in hints]
    # Rendered as built, not validated again against ComplaintCreatedOut: on the busiest request that
    # check cost more than the case's INSERT. The presenter builds exactly the schema's fields in its
    # types; tests/api/test_intake_api.py checks the body equals the schema's own rendering of it.
    return HttpResponse(
        _JSON.render(request, detail, response_status=201),
        status=201,
        content_type=f"{_JSON.media_type}; charset={_JSON.charset}",
    )


@router.get("/complaints", response={200: ComplaintListOut, **ERRORS}, summary="投诉列表 / list complaints")
def list_complaints(request: HttpRequest, filters: Query[ListFilters]):
    page = complaint_page(
        user=request.user,
        filters=ComplaintFilters(
            status=tuple(filters.status or ()),
            unit=filters.unit or "",
            category=filters.category or "",
            channel=tuple(filters.channel or ()),
            kind=tuple(filters.kind or ()),
            assignee=filters.assignee or ("me" if filters.mine else ""),
            breached=filters.breached,
            at_risk=filters.at_risk,
            created_from=filters.created_from,
            created_to=filters.created_to,
            q=filters.q or "",
            open_only=filters.open,
        ),
        ordering=Ordering(filters.ordering),
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {
        "items": [complaint_summary(c) for c in page.items],
        "count": len(page.items),
        "next_cursor": page.next_cursor,
    }


@router.get("/complaints/{number}", response={200: ComplaintOut, **ERRORS}, summary="投诉详情与处理记录")
def get_complaint(request: HttpRequest, number: str):
    complaint = access_complaint(user=request.user, number=number)
    return complaint_detail(complaint=complaint, user=request.user)


@router.post(
    "/complaints/{number}/transitions", response={200: ComplaintOut, **POST_ERRORS}, summary="变更状态"
)
def transition_complaint(request: HttpRequest, number: str, payload: TransitionIn):
    services.complaint_transition(
        number=number, actor=request.user, to=payload.to, reason=payload.reason or ""
    )
    complaint = access_complaint(user=request.user, number=number)
    return complaint_detail(complaint=complaint, user=request.user)


@router.post(
    "/complaints/{number}/kind",
    response={200: ComplaintOut, **POST_ERRORS},
    summary="变更联系类型（如咨询转投诉）",
)
def change_kind(request: HttpRequest, number: str, payload: KindChangeIn):
    contacts.complaint_kind_change(
        number=number, actor=request.user, to=payload.to, reason=payload.reason or ""
    )
    complaint = access_complaint(user=request.user, number=number)
    return complaint_detail(complaint=complaint, user=request.user)


@router.post(
    "/complaints/{number}/route", response={200: ComplaintOut, **POST_ERRORS}, summary="建议转交负责部门"
)
def route_suggestion(request: HttpRequest, number: str, payload: RouteIn):
    contacts.suggestion_route(
        number=number, actor=request.user, unit_code=payload.unit, reason=payload.reason or ""
    )
    complaint = access_complaint(user=request.user, number=number)
    return complaint_detail(complaint=complaint, user=request.user)


@router.post(
    "/complaints/{number}/transfer",
    response={200: TransferOut, **POST_ERRORS},
    summary="转办到负责的机构 / transfer to the unit responsible",
    description=(
        "把未办结的案件转办给负责的分公司、门店、加盟店、责任部门或客服中心（需要“转办投诉”权限；"
        "接收机构可以不在调用者的机构范围内，例如客服中心转办给分公司）。原因必填，记入处理记录；"
        "处理人清空，由接收机构的“未分派”队列接手，其人员收到站内通知；客户的时限不变（不重新计时）。"
        "已办结、已归档或已升级的案件不能转办（422）。转办后调用者可能不再能查看该案件（visible=false）。"
    ),
)
def transfer_complaint(request: HttpRequest, number: str, payload: TransferIn):
    transferred = complaint_transfer(
        number=number, actor=request.user, unit_code=payload.unit, reason=payload.reason
    )
    return transfer_view(transferred=transferred, user=request.user)


@router.post(
    "/complaints/{number}/credit", response={200: ComplaintOut, **POST_ERRORS}, summary="表扬记入人员或机构"
)
def credit_praise(request: HttpRequest, number: str, payload: CreditIn):
    contacts.praise_credit(
        number=number,
        actor=request.user,
        username=payload.username or "",
        employee_no=payload.employee_no or "",
        unit_code=payload.unit or "",
        note=payload.note or "",
    )
    complaint = access_complaint(user=request.user, number=number)
    return complaint_detail(complaint=complaint, user=request.user)


@router.patch("/complaints/{number}/analysis", response={200: ComplaintOut, **ERRORS}, summary="记录分析结果")
def analyse_complaint(request: HttpRequest, number: str, payload: AnalysisIn):
    changes = payload.model_dump(exclude_unset=True)
    reason = changes.pop("reason", None) or ""
    services.complaint_analyse(number=number, actor=request.user, changes=changes, reason=reason)
    complaint = access_complaint(user=request.user, number=number)
    return complaint_detail(complaint=complaint, user=request.user)


@router.post("/complaints/{number}/notes", response={201: EventOut, **POST_ERRORS}, summary="添加内部备注")
def add_note(request: HttpRequest, number: str, payload: NoteIn):
    event = services.complaint_add_note(number=number, actor=request.user, text=payload.text)
    return Status(201, event_view(event))


@router.post(
    "/complaints/{number}/messages",
    response={201: EventOut, **POST_ERRORS},
    summary="记录客户留言 / add a customer message",
)
def add_customer_message(request: HttpRequest, number: str, payload: MessageIn):
    event = services.complaint_add_customer_message(
        number=number, actor=request.user, text=payload.text, channel=payload.channel
    )
    return Status(201, event_view(event))


@router.post(
    "/complaints/{number}/attachments",
    response={201: AttachmentOut, 200: AttachmentOut, **POST_ERRORS},
    summary="上传证据附件（照片、PDF）",
    description="multipart/form-data，字段 file。类型按文件内容识别（不看文件名和声明的类型）；"
    "上限见 ATTACHMENT_MAX_BYTES（默认 10 MB）。同一文件再次上传返回已有附件（200）。",
)
def upload_attachment(
    request: HttpRequest, number: str, file: File[UploadedFile], channel: Form[ChannelCode | None] = None
):
    attachment, created = attachment_add(
        number=number,
        actor=request.user,
        content=file,
        name=file.name or "",
        declared_type=file.content_type or "",
        channel=channel or "",
    )
    return Status(201 if created else 200, attachment_view(attachment, number=number))


@router.get(
    "/complaints/{number}/attachments/{attachment_id}",
    response={200: None, **ERRORS},
    url_name="complaint_attachment_download",
    summary="下载附件",
    openapi_extra={
        "responses": {
            "200": {
                "description": "文件内容",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_attachment(request: HttpRequest, number: str, attachment_id: int):
    attachment = attachment_for_download(user=request.user, number=number, attachment_id=attachment_id)
    access_log_record(  # evidence often shows the customer (an ID card, a bill): logged (privacy)
        user=request.user, kind=AccessKind.DOWNLOAD, field=AccessField.ATTACHMENT, complaint=attachment.complaint,
        detail=f"#{attachment.pk}",
    )  # fmt: skip
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.original_name)
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
