"""Contact with the customer of a case, API v1: the agent's progress reply (notifications.replies) and a
masked contact detail shown in full with a reason, logged (privacy.reveals). Parse, call one service,
present."""

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from complaintdesk.common.time import to_local
from complaintdesk.notifications.models import Notification
from complaintdesk.notifications.replies import ReplyNeedsOverride, customer_reply_send
from complaintdesk.privacy.reveals import REVEAL_FIELDS, customer_contact_reveal
from complaintdesk.scripts.services import ReplyBlocked

from .schemas import ProblemOut, StrictSchema

router = Router(tags=["contact"])
POST_ERRORS = {
    400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut, 413: ProblemOut,
    422: ProblemOut,
}  # fmt: skip


class ReplyIn(StrictSchema):
    text: str = Field(description="给客户的答复（进展）；发送前做回复检查")
    override_reason: str = Field("", description="回复检查有警告时仍要发送的原因；有阻止发送的问题时无效")
    channel: str | None = Field(None, description="sms / email / wechat；缺省为客户首选的渠道")


class ReplyOut(Schema):
    id: int
    complaint: str
    channel: str
    recipient: str = Field(description="收件人（已脱敏）")
    language: str
    subject: str
    body: str = Field(description="客户收到的内容")
    status: str = Field(description="queued（排队发送）/ sending / sent / failed / gave_up")
    created_at: dt.datetime


class RevealIn(StrictSchema):
    field: Literal[REVEAL_FIELDS] = Field(  # type: ignore[valid-type]
        description="phone（电话）/ email（邮箱）/ account_no（账号或订单号）"
    )
    reason: str = Field(
        "", description="查看完整信息的原因（至少 2 个字）；可以看到完整个人信息的角色可空，其他角色必填"
    )


class RevealOut(Schema):
    field: str
    value: str = Field(description="完整的联系方式")


def _reply_view(message: Notification, number: str) -> dict:
    return {
        "id": message.pk,
        "complaint": number,
        "channel": message.channel,
        "recipient": message.recipient_masked,
        "language": message.language,
        "subject": message.subject,
        "body": message.body,
        "status": message.status,
        "created_at": to_local(message.created_at),
    }


def _findings(findings) -> list[str]:
    return [f"{f.code}: {f.text} {f.reason}".strip() for f in findings]


@router.post(
    "/complaints/{number}/reply",
    response={201: ReplyOut, **POST_ERRORS},
    summary="向客户发送进展答复",
    description="经回复检查后作为进展消息发给客户（缺省为客户首选的渠道）。有阻止发送的问题时返回 422"
    "（reply_blocked），有警告且未填 override_reason 时返回 422（reply_needs_override），`errors.findings` "
    "列出问题；填写原因后仍然发送的，原因记入时间线。已归档、已撤回等不再处理的案件返回 422（invalid_input，"
    "`errors.status`）。需要处理投诉的权限。",
)
def reply_send(request: HttpRequest, number: str, payload: ReplyIn):
    try:
        message = customer_reply_send(
            number=number,
            actor=request.user,
            text=payload.text,
            override_reason=payload.override_reason,
            channel=payload.channel,
        )
    except ReplyBlocked as problem:
        problem.fields = {"findings": _findings(problem.findings)}
        raise
    except ReplyNeedsOverride as problem:
        problem.fields = {"findings": _findings(problem.result.findings)}
        raise
    return Status(201, _reply_view(message, number))


@router.post(
    "/complaints/{number}/reveal",
    response={200: RevealOut, **POST_ERRORS},
    summary="查看客户完整的联系方式（留痕）",
    description="返回投诉客户的一项完整联系方式。看不到完整个人信息的角色须填写原因，查看记入时间线；"
    "每次查看都记入个人信息访问记录（谁、何时、哪一项、原因）。没有处理投诉或查看个人信息权限的返回 403；"
    "客户没有留下这项联系方式时返回 422。",
)
def reveal(request: HttpRequest, number: str, payload: RevealIn):
    revealed = customer_contact_reveal(
        number=number, actor=request.user, field=payload.field, reason=payload.reason
    )
    return {"field": revealed.field, "value": revealed.value}
