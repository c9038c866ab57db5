"""The customer's record behind a case: staff update it or merge two records, with a reason.

Intake never changes a known customer from an unverified channel (the details stay on the case); these
are the deliberate, audited ways to do it."""

from django.http import HttpRequest
from ninja import Router
from pydantic import Field

from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.services import customer_merge, customer_record_update

from .presenters import customer_view
from .schemas import CustomerOut, ProblemOut, StrictSchema

router = Router(tags=["customers"])

ERRORS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}
POST_ERRORS = ERRORS | {409: ProblemOut, 413: ProblemOut}


class CustomerRecordIn(StrictSchema):
    reason: str = Field(description="为什么修改（如“客户来电核实本人邮箱”），记入处理记录", max_length=1000)
    name: str | None = Field(None, description="不传则不变")
    phone: str | None = Field(None, description="不传则不变；空字符串表示删除")
    email: str | None = Field(None, description="不传则不变；空字符串表示删除")
    account_no: str | None = Field(None, description="不传则不变；空字符串表示删除")
    wechat_openid: str | None = Field(None, description="不传则不变；空字符串表示删除")


class CustomerMergeIn(StrictSchema):
    duplicate_number: str = Field(
        description="另一件投诉的单号：它的客户档案并入本单的客户档案", max_length=32
    )
    reason: str = Field(description="为什么认定是同一个人", max_length=1000)


@router.post(
    "/complaints/{number}/customer",
    response={200: CustomerOut, **POST_ERRORS},
    summary="修改本单客户的档案（须填写原因，记入处理记录）",
    description="422：字段格式不正确、缺少原因、删除了最后一种联系方式，或该信息已属于另一位客户（请改用合并）。",
)
def customer_update(request: HttpRequest, number: str, payload: CustomerRecordIn):
    customer_record_update(number=number, actor=request.user, **payload.dict())
    complaint = access_complaint(user=request.user, number=number)
    return customer_view(complaint=complaint, user=request.user)


@router.post(
    "/complaints/{number}/customer/merge",
    response={200: CustomerOut, **POST_ERRORS},
    summary="把另一件投诉的客户档案并入本单客户（须填写原因）",
    description="403：被并入的客户在您无权查看的机构还有投诉。422：缺少原因，或两件投诉已属于同一位客户。",
)
def customer_merge_into(request: HttpRequest, number: str, payload: CustomerMergeIn):
    customer_merge(
        number=number, actor=request.user, duplicate_number=payload.duplicate_number, reason=payload.reason
    )
    complaint = access_complaint(user=request.user, number=number)
    return customer_view(complaint=complaint, user=request.user)
