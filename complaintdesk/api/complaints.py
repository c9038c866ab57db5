"""Complaint endpoints of API v1: parse, call one service or selector, present."""

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from complaintdesk.accounts.access import access_complaint
from complaintdesk.complaints import services
from complaintdesk.complaints.selectors import complaint_list

from .presenters import complaint_detail, complaint_summary
from .schemas import (
    AnalysisIn,
    ComplaintIn,
    ComplaintListOut,
    ComplaintOut,
    ProblemOut,
    StatusCode,
    TransitionIn,
)

router = Router(tags=["complaints"])
ERRORS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}


class ListFilters(Schema):
    status: StatusCode | None = None
    mine: bool = False
    open: bool = False
    limit: int = 50


def _intake_data(payload: ComplaintIn) -> services.IntakeData:
    customer = payload.customer
    return services.IntakeData(
        channel=payload.channel,
        org_unit_code=payload.org_unit or "",
        customer=services.IntakeCustomer(
            name=customer.name, phone=customer.phone or "", email=customer.email or "",
            account_no=customer.account_no or "", wechat_openid=customer.wechat_openid or "",
            preferred_channel=customer.preferred_channel or "",
        ),
        title=payload.title,
        description=payload.description,
        demand=payload.demand or "",
        occurred_at=payload.occurred_at,
        place=payload.place or "",
        product=payload.product or "",
        people_involved=payload.people_involved or "",
        perceived_severity=payload.perceived_severity or "medium",
        category_code=payload.category or "",
        language=payload.language or "zh-hans",
    )


@router.post("/complaints", response={201: ComplaintOut, **ERRORS}, summary="登记投诉 / create a complaint")
def create_complaint(request: HttpRequest, payload: ComplaintIn):
    complaint = services.complaint_create(data=_intake_data(payload), actor=request.user)
    complaint = access_complaint(user=request.user, number=complaint.number)
    return Status(201, complaint_detail(complaint=complaint, user=request.user))


@router.get("/complaints", response={200: ComplaintListOut, **ERRORS}, summary="投诉列表 / list complaints")
def list_complaints(request: HttpRequest, filters: Query[ListFilters]):
    items = list(
        complaint_list(
            user=request.user, status=filters.status, assigned_to_me=filters.mine, open_only=filters.open,
            limit=filters.limit,
        )
    )
    return {"items": [complaint_summary(c) for c in items], "count": len(items)}


@router.get("/complaints/{number}", response={200: ComplaintOut, **ERRORS}, summary="投诉详情与处理记录")
def get_complaint(request: HttpRequest, number: str):
    complaint = access_complaint(user=request.user, number=number)
    return complaint_detail(complaint=complaint, user=request.user)


@router.post("/complaints/{number}/transitions", response={200: ComplaintOut, **ERRORS}, summary="变更状态")
def transition_complaint(request: HttpRequest, number: str, payload: TransitionIn):
    services.complaint_transition(number=number, actor=request.user, to=payload.to, reason=payload.reason or "")
    complaint = access_complaint(user=request.user, number=number)
    return complaint_detail(complaint=complaint, user=request.user)


@router.patch("/complaints/{number}/analysis", response={200: ComplaintOut, **ERRORS}, summary="记录分析结果")
def analyse_complaint(request: HttpRequest, number: str, payload: AnalysisIn):
    changes = payload.model_dump(exclude_unset=True)
    reason = changes.pop("reason", None) or ""
    services.complaint_analyse(number=number, actor=request.user, changes=changes, reason=reason)
    complaint = access_complaint(user=request.user, number=number)
    return complaint_detail(complaint=complaint, user=request.user)
