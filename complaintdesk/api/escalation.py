"""Escalation endpoints of API v1 (complaintdesk.escalation), for call-centre IVRs and CRMs: escalate a
case (next level or a named one), register the customer's objection (客户异议), record an external
referral (外部转办: to a regulator, an association, a court …) and its outcome, read where the case stands
on its ladder. Parse, call one service or selector, present."""

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from complaintdesk.common.time import to_local
from complaintdesk.complaints.access import access_complaint
from complaintdesk.escalation import services
from complaintdesk.escalation.models import EscalationHandOff, ExternalReferral, ReferralBody, ReferralOutcome

from .fields import IsoDate
from .presenters import escalation_view
from .schemas import EscalationStateOut, ProblemOut, StrictSchema

router = Router(tags=["escalation"])
ERRORS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}
POST_ERRORS = ERRORS | {409: ProblemOut, 413: ProblemOut}

BodyCode = Literal[tuple(ReferralBody.values)]  # type: ignore[valid-type]
OutcomeCode = Literal[tuple(v for v in ReferralOutcome.values if v != ReferralOutcome.PENDING)]  # type: ignore[valid-type]


class EscalateIn(StrictSchema):
    reason: str = Field(description="升级原因（必填）")
    level: int | None = Field(None, ge=1, description="升级到的层级序号；与 level_code 都缺省时升到上一层级")
    level_code: str | None = Field(None, max_length=32, description="升级到的层级编码，如 branch_head")


class ObjectionIn(StrictSchema):
    reason: str = Field(description="客户的异议（原话）；案件随即升到上一层级")


class ReferralIn(StrictSchema):
    body: BodyCode = Field(description="外部机构类型")
    body_name: str = Field("", max_length=200, description="机构名称，如“上海市消费者权益保护委员会”")
    reference_no: str = Field("", max_length=100, description="对方编号")
    reason: str = Field(min_length=1, description="转办原因 / 客户申诉的内容")
    referred_on: IsoDate | None = Field(None, description="客户申诉日期")
    response_due_on: IsoDate | None = Field(None, description="答复截止日期")


class ReferralOutcomeIn(StrictSchema):
    outcome: OutcomeCode = Field(description="外部机构的结果")
    outcome_on: IsoDate | None = None
    note: str = Field("", description="结果说明；reopen 为 true 时必填")
    reopen: bool = Field(False, description="据结果重新打开投诉并退回原层级处理")


class HandOffOut(Schema):
    id: int
    at: dt.datetime
    trigger: str
    trigger_label: str
    from_level: int
    from_level_name: str
    to_level: int
    to_level_name: str
    to_user: str | None
    holder_missing: bool
    reason: str
    acknowledge_due_at: dt.datetime | None
    resolve_due_at: dt.datetime | None


class HandOffResultOut(Schema):
    hand_off: HandOffOut
    escalation: EscalationStateOut


class ReferralOut(Schema):
    id: int
    complaint: str
    body: str
    body_label: str
    body_name: str
    reference_no: str
    referred_on: dt.date | None
    response_due_on: dt.date | None
    received_at: dt.datetime
    outcome: str
    outcome_label: str
    outcome_on: dt.date | None
    outcome_note: str
    recorded_by: str | None


def _local(value):
    return to_local(value) if value else None


def _hand_off(hand_off: EscalationHandOff) -> dict:
    return {
        "id": hand_off.pk, "at": to_local(hand_off.at), "trigger": hand_off.trigger,
        "trigger_label": hand_off.get_trigger_display(), "from_level": hand_off.from_level_position,
        "from_level_name": hand_off.from_level_name, "to_level": hand_off.to_level_position,
        "to_level_name": hand_off.to_level_name, "to_user": hand_off.to_user.username if hand_off.to_user_id else None,
        "holder_missing": hand_off.holder_missing, "reason": hand_off.reason,
        "acknowledge_due_at": _local(hand_off.acknowledge_due_at), "resolve_due_at": _local(hand_off.resolve_due_at),
    }  # fmt: skip


def _moved(request: HttpRequest, number: str, hand_off: EscalationHandOff) -> dict:
    complaint = access_complaint(user=request.user, number=number)
    return {"hand_off": _hand_off(hand_off), "escalation": escalation_view(complaint=complaint)}


def _referral(referral: ExternalReferral) -> dict:
    return {
        "id": referral.pk, "complaint": referral.complaint.number, "body": referral.body,
        "body_label": referral.get_body_display(), "body_name": referral.body_name,
        "reference_no": referral.reference_no, "referred_on": referral.referred_on,
        "response_due_on": referral.response_due_on, "received_at": to_local(referral.received_at),
        "outcome": referral.outcome, "outcome_label": referral.get_outcome_display(),
        "outcome_on": referral.outcome_on, "outcome_note": referral.outcome_note,
        "recorded_by": referral.recorded_by.username if referral.recorded_by_id else None,
    }  # fmt: skip


@router.get(
    "/complaints/{number}/escalation",
    response={200: EscalationStateOut, **ERRORS},
    summary="升级状态：当前层级、承接人和正在计时的时限",
)
def get_escalation(request: HttpRequest, number: str):
    complaint = access_complaint(user=request.user, number=number)
    return escalation_view(complaint=complaint)


@router.post(
    "/complaints/{number}/escalations",
    response={201: HandOffResultOut, **POST_ERRORS},
    summary="升级投诉 / escalate",
    description="按升级阶梯把投诉交给上一层级（或指定的更高层级）：设定承接人，启动该层级的告知客户和解决时限，"
    "通知客户和承接人。与 `POST /transitions`（to=escalated，升到上一层级）效果相同。"
    "不能升级到外部机构层级：客户向外部机构申诉请用 external-referrals。",
)
def escalate(request: HttpRequest, number: str, payload: EscalateIn):
    hand_off = services.complaint_escalate(
        number=number,
        actor=request.user,
        reason=payload.reason,
        to_level=payload.level,
        level_code=payload.level_code or "",
    )
    return Status(201, _moved(request, number, hand_off))


@router.post(
    "/complaints/{number}/objections",
    response={201: HandOffResultOut, **POST_ERRORS},
    summary="登记客户异议 / register an objection",
    description="客户对处理结果有异议：记录客户原话，投诉随即升到上一层级（已解决或已归档的投诉先重新打开）。",
)
def register_objection(request: HttpRequest, number: str, payload: ObjectionIn):
    hand_off = services.complaint_object(number=number, actor=request.user, reason=payload.reason)
    return Status(201, _moved(request, number, hand_off))


@router.post(
    "/complaints/{number}/external-referrals",
    response={201: ReferralOut, **POST_ERRORS},
    summary="登记外部转办 / record an external referral",
    description="客户把投诉提交到外部机构（监管部门、消费者协会、仲裁、法院…），或投诉被转给其他单位："
    "记录机构、对方编号和原因；投诉转到外部机构层级，原承接人继续负责答复，处理记录中留痕。",
)
def record_referral(request: HttpRequest, number: str, payload: ReferralIn):
    referral = services.external_referral_open(
        number=number,
        actor=request.user,
        body=payload.body,
        body_name=payload.body_name,
        reference_no=payload.reference_no,
        referred_on=payload.referred_on,
        response_due_on=payload.response_due_on,
        note=payload.reason,
    )
    return Status(201, _referral(referral))


@router.post(
    "/external-referrals/{referral_id}/outcome",
    response={200: ReferralOut, **POST_ERRORS},
    summary="记录外部机构的结果",
)
def record_referral_outcome(request: HttpRequest, referral_id: int, payload: ReferralOutcomeIn):
    referral = services.external_referral_outcome_record(
        referral_id=referral_id,
        actor=request.user,
        outcome=payload.outcome,
        outcome_on=payload.outcome_on,
        note=payload.note,
        reopen=payload.reopen,
    )
    return _referral(referral)
