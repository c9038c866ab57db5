"""Regulation endpoints of API v1 (complaintdesk.regulation): a case's statutory clocks beside the SLA, its
regulator referrals and admissibility hints; recording a referral and its report-back; the queue of referrals
by remaining time. Parse, call one service or selector, present (local times, words beside codes)."""

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from complaintdesk.common.time import to_local
from complaintdesk.complaints.access import access_complaint
from complaintdesk.regulation.case_view import case_regulation
from complaintdesk.regulation.models import Clock, Condition, ReferralSource, ReportChannel
from complaintdesk.regulation.referrals import (
    QUEUE_LIMIT,
    ReferralRow,
    referral_queue,
    referral_record,
    referral_report_back,
    referral_row,
)

from .schemas import ProblemOut, StrictSchema

router = Router(tags=["regulation"])
ERRORS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}
POST_ERRORS = ERRORS | {409: ProblemOut, 413: ProblemOut}

SourceCode = Literal[tuple(ReferralSource.values)]  # type: ignore[valid-type]
ChannelCode = Literal[tuple(ReportChannel.values)]  # type: ignore[valid-type]


class StatutoryDueOut(Schema):
    clock: str = Field(description="decision / answer / report_back / review_window / appeal_window")
    clock_label: str = Field(description="时限名称（当前语言）")
    condition: str = Field(
        description="适用案件：all / general / complex / fee_dispute / other_dispute / forwarded"
    )
    condition_label: str
    last_day: dt.date = Field(description="期间最后一日（本地日期），当日 24:00 届满")
    due_at: dt.datetime
    extended_by: int
    provisional: bool = Field(description="经过尚无官方节假日安排的年份，为暂定")


class HintOut(Schema):
    code: str = Field(description="appeal_window_passed（超过申诉期限）/ possible_duplicate（可能重复投诉）")
    text: str = Field(description="提示（当前语言）；投诉已照常受理，不会被拒绝")
    related: str = Field(description="possible_duplicate：另一件未结投诉的单号")


class ReferralOut(Schema):
    id: int
    complaint: str = Field(description="投诉单号")
    complaint_title: str
    source: str = Field(description="nfra_12378 / samr_12315 / miit_appeal / spb_12305 / other")
    source_label: str = Field(description="转办机构（当前语言；其他机构为填写的名称）")
    reference: str = Field(description="转办机构的编号")
    forwarded_on: dt.date
    due_on: dt.date = Field(description="回复截止日，当日 24:00 届满")
    due_at: dt.datetime
    due_basis: str = Field(description="given：转办机构要求；pack：法定时限包的转办回复时限")
    due_provisional: bool
    remaining: str = Field(description="剩余时间（文字，如“还剩 2 天”“已逾期 1 天”）；已回复为空")
    overdue: bool
    content_required: str = Field(description="回复须包含的内容")
    reported_at: dt.datetime | None
    reported_by: str | None
    report_content: str
    report_channel: str
    report_channel_label: str
    report_reference: str


class CaseRegulationOut(Schema):
    complaint: str
    pack: str = Field(description="适用的法定时限包（当前语言）；无则为空")
    pack_version: int | None
    statutory_dues: list[StatutoryDueOut] = Field(description="该包适用于本案的各项法定时限")
    statutory_due_at: dt.datetime | None = Field(
        description="本案的法定处理时限（作出处理决定，无则答复用户）；已解决或无适用包时为 null"
    )
    statutory_remaining: str = Field(description="法定处理时限的剩余时间（文字）")
    sla_due_at: dt.datetime | None = Field(description="本机构服务时限中最近的一项（正在计时的）")
    due_at: dt.datetime | None = Field(description="队列排序所依据的时限：两者中较早的")
    queue_follows: str = Field(description="statutory：法定时限较早；sla：本机构时限较早；空：不在计时")
    referrals: list[ReferralOut]
    hints: list[HintOut] = Field(description="受理提示：超过申诉期限、可能重复投诉（仅提示，不拒绝受理）")


class ReferralIn(StrictSchema):
    source: SourceCode = Field(description="转办机构")
    source_name: str = Field("", max_length=100, description="其他机构的名称（source=other 时必填）")
    reference: str = Field(max_length=64, description="转办机构的编号")
    forwarded_on: dt.date = Field(description="转办日期")
    due_on: dt.date | None = Field(
        None, description="转办机构要求的回复截止日；缺省按法定时限包的转办回复时限"
    )
    content_required: str | None = Field(
        None, max_length=4000, description="回复须包含的内容；缺省为法定时限包规则的要求"
    )


class ReportIn(StrictSchema):
    content: str = Field(max_length=8000, description="回复内容")
    channel: ChannelCode = Field(
        description="回复方式：platform 转办机构的系统 / letter / email / phone / other"
    )
    reference: str = Field("", max_length=200, description="回复凭证或附件编号")
    reported_at: dt.datetime | None = Field(None, description="回复时间（带时区）；缺省为现在")


class ReferralQuery(Schema):
    reported: bool = Field(False, description="true：最近已回复的；默认：未回复的，剩余时间最少的在前")
    limit: int = Field(50, ge=1, le=QUEUE_LIMIT)


class ReferralListOut(Schema):
    items: list[ReferralOut]
    count: int


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return to_local(value) if value is not None else None


def _referral_view(row: ReferralRow, *, number: str | None = None, title: str | None = None) -> dict:
    r = row.referral
    return {
        "id": r.pk,
        "complaint": number or r.complaint.number,
        "complaint_title": title if title is not None else r.complaint.title,
        "source": r.source,
        "source_label": r.source_label,
        "reference": r.reference,
        "forwarded_on": r.forwarded_on,
        "due_on": r.due_on,
        "due_at": to_local(r.due_at),
        "due_basis": r.due_basis,
        "due_provisional": r.due_provisional,
        "remaining": row.remaining,
        "overdue": row.overdue,
        "content_required": r.content_required,
        "reported_at": _local(r.reported_at),
        "reported_by": r.reported_by.username if r.reported_by_id else None,
        "report_content": r.report_content,
        "report_channel": r.report_channel,
        "report_channel_label": r.get_report_channel_display() if r.report_channel else "",
        "report_reference": r.report_reference,
    }


def _due_view(due) -> dict:
    return {
        "clock": due.clock.value,
        "clock_label": str(Clock(due.clock.value).label),
        "condition": due.condition.value,
        "condition_label": str(Condition(due.condition.value).label),
        "last_day": due.last_day,
        "due_at": to_local(due.due_at),
        "extended_by": due.extended_by,
        "provisional": due.provisional,
    }


@router.get(
    "/complaints/{number}/regulation",
    response={200: CaseRegulationOut, **ERRORS},
    summary="投诉的法定时限（与本机构时限并列）、监管转办与受理提示",
)
def complaint_regulation(request: HttpRequest, number: str):
    complaint = access_complaint(user=request.user, number=number)
    view = case_regulation(complaint=complaint, user=request.user)
    return {
        "complaint": complaint.number,
        "pack": view.pack_name,
        "pack_version": view.pack.version if view.pack else None,
        "statutory_dues": [_due_view(d) for d in view.dues],
        "statutory_due_at": _local(view.statutory.due_at) if view.statutory else None,
        "statutory_remaining": view.statutory_remaining,
        "sla_due_at": _local(view.sla_due_at),
        "due_at": _local(view.due_at),
        "queue_follows": view.queue_follows,
        "referrals": [
            _referral_view(r, number=complaint.number, title=complaint.title) for r in view.referrals
        ],
        "hints": [{"code": h.code, "text": h.text, "related": h.related} for h in view.hints],
    }


@router.post(
    "/complaints/{number}/referrals",
    response={201: ReferralOut, **POST_ERRORS},
    summary="登记监管或热线转办（12378、12315、工信部申诉受理中心、12305 等）",
)
def referral_create(request: HttpRequest, number: str, payload: ReferralIn):
    referral = referral_record(number=number, actor=request.user, data=payload.model_dump(exclude_unset=True))
    return Status(201, _referral_view(referral_row(referral=referral)))


@router.post(
    "/complaints/{number}/referrals/{referral_id}/report-back",
    response={200: ReferralOut, **POST_ERRORS},
    summary="登记向转办机构的回复（回复人、时间、内容、方式、凭证）",
)
def referral_report(request: HttpRequest, number: str, referral_id: int, payload: ReportIn):
    referral = referral_report_back(
        number=number,
        referral_id=referral_id,
        actor=request.user,
        data=payload.model_dump(exclude_unset=True),
    )
    return _referral_view(referral_row(referral=referral))


@router.get(
    "/regulation/referrals",
    response={200: ReferralListOut, **ERRORS},
    summary="监管转办案件队列：未回复的按剩余时间排序（本人可见机构内）",
)
def referral_list(request: HttpRequest, filters: Query[ReferralQuery]):
    rows = referral_queue(user=request.user, reported=filters.reported, limit=filters.limit)
    return {"items": [_referral_view(r) for r in rows], "count": len(rows)}
