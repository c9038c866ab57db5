"""Regulation endpoints of API v1 (complaintdesk.regulation): a case's statutory clocks beside the SLA, its
regulator referrals, admissibility hints and what its decision letter must state; recording a referral and its
report-back; the queue of referrals by remaining time; a case's regulatory codes (suggest, confirm); a
statutory extension; the statistics workbook. Parse, call one service or selector, present (local times,
words beside codes)."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from complaintdesk.common.names import name_for_people
from complaintdesk.common.time import to_local
from complaintdesk.complaints.access import access_complaint
from complaintdesk.regulation.case_view import case_regulation
from complaintdesk.regulation.models import CaseCode, Clock, Condition, ReferralSource, ReportChannel
from complaintdesk.regulation.referrals import (
    QUEUE_LIMIT,
    ReferralRow,
    referral_queue,
    referral_record,
    referral_report_back,
    referral_row,
)
from complaintdesk.regulation.selectors import complaint_codes
from complaintdesk.regulation.services import (
    complaint_codes_confirm,
    complaint_codes_suggest,
    statutory_extension_approve,
)
from complaintdesk.regulation.statistics import (
    regulatory_statistics_export,
    statistics_unit,
    stats_layout_parse,
    stats_layout_saved,
)
from complaintdesk.surveys.letters import letter_terms_for, route_phrase, routes_default

from .schemas import HintOut, ProblemOut, StrictSchema

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
    report_parts: dict[str, str | bool | Decimal | None] = Field(
        description="回复的各项（12305）：investigation、liability、compensation_amount、complainant_satisfied、"
        "handler、contact_phone；未填为 null"
    )


class DecisionLetterOut(Schema):
    required: bool = Field(
        description="发送处理结果时是否须写明处理决定书的三项（核实情况、处理依据和理由、不同意时的途径）"
    )
    pack: str = Field(description="要求处理决定书的法规（当前语言）；不要求时为空")
    routes: list[str] = Field(
        description="须告知的途径：review 核查 / mediation 调解 / arbitration 仲裁 / litigation 诉讼 / appeal 申诉"
    )
    routes_labels: list[str] = Field(description="须告知的途径（当前语言）")
    review_days: int | None = Field(description="申请核查的期限（日）；无则为 null")
    routes_text: str = Field(description="“不同意时的途径”预填的文字（客户的语言），可修改后作为 routes 发送")


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
    decision_letter: DecisionLetterOut = Field(
        description="处理决定书的要求（POST /complaints/{number}/result 的 verified、basis、routes）"
    )


class ReferralIn(StrictSchema):
    source: SourceCode = Field(description="转办机构")
    source_name: str = Field("", max_length=100, description="其他机构的名称（source=other 时必填）")
    reference: str = Field(max_length=64, description="转办机构的编号")
    forwarded_on: dt.date = Field(description="转办日期（2000-01-01 至今天）")
    due_on: dt.date | None = Field(
        None, description="转办机构要求的回复截止日（不晚于 2099-12-31）；缺省按法定时限包的转办回复时限"
    )
    content_required: str | None = Field(
        None, max_length=4000, description="回复须包含的内容；缺省为法定时限包规则的要求"
    )


class ReportIn(StrictSchema):
    content: str = Field(
        "", max_length=8000, description="回复内容；12305 以外的转办必填，12305 转办可只填下列各项"
    )
    channel: ChannelCode = Field(
        description="回复方式：platform 转办机构的系统 / letter / email / phone / other"
    )
    reference: str = Field("", max_length=200, description="回复凭证或附件编号")
    reported_at: dt.datetime | None = Field(None, description="回复时间（带时区）；缺省为现在")
    # 12305 (邮政业用户申诉) requires each of these; other sources may give them.
    investigation: str | None = Field(None, max_length=4000, description="调查情况（12305 必填）")
    liability: str | None = Field(None, max_length=2000, description="责任认定（12305 必填）")
    compensation_amount: Decimal | None = Field(
        None, ge=0, max_digits=12, decimal_places=2, description="赔偿金额（元；没有赔偿为 0；12305 必填）"
    )
    complainant_satisfied: bool | None = Field(None, description="投诉人是否满意（12305 必填）")
    handler: str | None = Field(None, max_length=50, description="处理人（12305 必填）")
    contact_phone: str | None = Field(None, max_length=30, description="联系电话（12305 必填）")


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
        "report_parts": {
            "investigation": r.report_investigation or None,
            "liability": r.report_liability or None,
            "compensation_amount": r.report_compensation,
            "complainant_satisfied": r.report_satisfied,
            "handler": r.report_handler or None,
            "contact_phone": r.report_phone or None,
        },
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
        "decision_letter": _letter_view(complaint),
    }


def _letter_view(complaint) -> dict:
    terms = letter_terms_for(complaint=complaint)
    if terms is None:
        return {
            "required": False, "pack": "", "routes": [], "routes_labels": [], "review_days": None, "routes_text": "",
        }  # fmt: skip
    return {
        "required": True,
        "pack": terms.pack_name,
        "routes": list(terms.routes),
        "routes_labels": [route_phrase(r) for r in terms.routes],
        "review_days": terms.review_days,
        "routes_text": routes_default(terms=terms, language=complaint.language or "zh-hans"),
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
        data={k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None},
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


# A case's regulatory codes -------------------------------------------------------------------------------


class CaseCodeOut(Schema):
    dimension: str = Field(description="维度代码（A 业务办理渠道、B 业务类别、C 投诉原因 …）")
    dimension_name: str
    code: str
    name: str = Field(description="代码名称（当前语言）")
    status: str = Field(description="suggested（系统建议）/ confirmed（已确认）")
    status_label: str
    suggestion_basis: str = Field(
        description="系统建议的依据：关键词建议为所匹配的关键词，分类模型建议为对结果影响最大的词"
    )
    suggestion_confidence: float | None = Field(
        description="分类模型建议时模型的置信度（0–1）；关键词建议或已确认时为空"
    )
    suggestion_text: str = Field(description="建议的来源，供人阅读（当前语言），如“分类模型建议，置信度 87%”")
    confirmed_by: str | None
    confirmed_at: dt.datetime | None


class CaseCodesOut(Schema):
    complaint: str
    items: list[CaseCodeOut]


class CodesIn(StrictSchema):
    codes: list[str] = Field(
        max_length=20, description='每个维度一个最末级代码，所有维度都要给出，如 ["A0101", "B03", "C09"]'
    )
    scheme: str | None = Field(None, max_length=64, description="分类标准代码；缺省为唯一启用的标准")


class SuggestIn(StrictSchema):
    scheme: str | None = Field(None, max_length=64, description="分类标准代码；缺省为唯一启用的标准")


def _code_view(row: CaseCode) -> dict:
    return {
        "dimension": row.dimension.code,
        "dimension_name": name_for_people(row.dimension),
        "code": row.code.code,
        "name": name_for_people(row.code),
        "status": row.status,
        "status_label": row.get_status_display(),
        "suggestion_basis": row.suggestion_basis,
        "suggestion_confidence": row.suggestion_confidence,
        "suggestion_text": row.suggestion_words(),
        "confirmed_by": row.confirmed_by.username if row.confirmed_by_id else None,
        "confirmed_at": _local(row.confirmed_at),
    }


def _codes_out(number: str, complaint_id: int) -> dict:
    return {"complaint": number, "items": [_code_view(r) for r in complaint_codes(complaint_id=complaint_id)]}


@router.get(
    "/complaints/{number}/codes",
    response={200: CaseCodesOut, **ERRORS},
    summary="投诉的监管分类代码（系统建议的与已确认的）",
)
def codes_list(request: HttpRequest, number: str):
    complaint = access_complaint(user=request.user, number=number)
    return _codes_out(complaint.number, complaint.pk)


@router.post(
    "/complaints/{number}/codes/suggest",
    response={200: CaseCodesOut, **POST_ERRORS},
    summary="按投诉内容建议监管分类代码（不确认；已确认的不会被替换）",
)
def codes_suggest(request: HttpRequest, number: str, payload: SuggestIn):
    complaint_codes_suggest(number=number, actor=request.user, scheme_code=payload.scheme)
    complaint = access_complaint(user=request.user, number=number)
    return _codes_out(complaint.number, complaint.pk)


@router.post(
    "/complaints/{number}/codes",
    response={200: CaseCodesOut, **POST_ERRORS},
    summary="确认监管分类代码（每个维度一个最末级代码）",
)
def codes_confirm(request: HttpRequest, number: str, payload: CodesIn):
    complaint_codes_confirm(
        number=number, actor=request.user, codes=payload.codes, scheme_code=payload.scheme
    )
    complaint = access_complaint(user=request.user, number=number)
    return _codes_out(complaint.number, complaint.pk)


# A statutory extension -----------------------------------------------------------------------------------


class ExtensionIn(StrictSchema):
    amount: int = Field(ge=1, le=366, description="延长的日数")
    reason: str = Field(max_length=2000, description="延长理由")
    customer_notified_at: dt.datetime | None = Field(
        None,
        description="已另行（电话、书面）告知投诉人的时间（带时区）。批准后系统会按投诉人希望的渠道发送延期告知"
        "（新的处理期限和理由）；投诉人没有可发送的联系方式而法定时限包要求告知时，此项必填",
    )


class ExtensionOut(Schema):
    id: int
    complaint: str
    amount: int
    reason: str
    approved_by: str
    approver_role: str
    approver_role_label: str
    approved_at: dt.datetime
    customer_notified_at: dt.datetime | None
    customer_notice_channel: str = Field(
        description="延期告知的发送渠道（sms / email / wechat）；未发送时为空"
    )
    customer_notice_status: str = Field(description="延期告知的发送状态（当前语言）；未发送时为空")
    statutory_due_at: dt.datetime | None = Field(description="延长后的法定处理时限")


@router.post(
    "/complaints/{number}/statutory-extensions",
    response={201: ExtensionOut, **POST_ERRORS},
    summary="审批延长法定处理时限（仅复杂案件，须由指定角色审批并告知投诉人）",
    description="不符合法定时限包的条件（非复杂案件、审批人角色不符、未告知投诉人、超过单次或总的延长上限）时返回 403，"
    "`detail` 说明原因。",
)
def extension_approve(request: HttpRequest, number: str, payload: ExtensionIn):
    extension = statutory_extension_approve(
        number=number,
        actor=request.user,
        amount=payload.amount,
        reason=payload.reason,
        customer_notified_at=payload.customer_notified_at,
    )
    complaint = access_complaint(user=request.user, number=number)
    view = case_regulation(complaint=complaint, user=request.user)
    notice = extension.customer_notice
    return Status(
        201,
        {
            "id": extension.pk,
            "complaint": complaint.number,
            "amount": extension.amount,
            "reason": extension.reason,
            "approved_by": request.user.username,
            "approver_role": extension.approver_role,
            "approver_role_label": extension.get_approver_role_display(),
            "approved_at": to_local(extension.approved_at),
            "customer_notified_at": _local(extension.customer_notified_at),
            "customer_notice_channel": notice.channel if notice else "",
            "customer_notice_status": notice.get_status_display() if notice else "",
            "statutory_due_at": _local(view.statutory.due_at) if view.statutory else None,
        },
    )


# The statistics workbook ---------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StatisticsQuery(Schema):
    start: dt.date = Field(description="统计期间的第一天（按受理日，本地日期；2000-01-01 至 2099-12-31）")
    end: dt.date = Field(description="统计期间的最后一天（含；2000-01-01 至 2099-12-31，不早于 start）")
    unit: str = Field(
        "", max_length=64, description="机构编码（含下级）；缺省为可查看全部机构者的全机构，否则为本人机构"
    )
    rows: str = Field("A,B", max_length=40, description="作为行的维度，逗号分隔")
    column: str = Field("C", max_length=10, description="展开为列的维度；空则不展开")
    levels: str = Field("", max_length=80, description="各维度统计到第几级，如 A=1,B=1；缺省按确认的代码")
    scheme: str | None = Field(None, max_length=64, description="分类标准代码；缺省为唯一启用的标准")
    saved_layout: str = Field(
        "",
        max_length=80,
        description="保存的统计报表样式的名称（在管理后台维护：行、列维度、统计级别、统计指标）；给出时代替 rows、column、levels",
    )


@router.get(
    "/regulation/statistics",
    response={200: None, **ERRORS},
    summary="监管投诉统计表（Excel）：按分类代码统计受理量、法定时限内办结、超时、延期",
    description="返回 .xlsx 文件（仅统计数字，不含个人信息）。本人只能统计自己可查看的机构；统计期间最长一年。",
)
def statistics_export(request: HttpRequest, filters: Query[StatisticsQuery]):
    unit = statistics_unit(code=filters.unit)
    if filters.saved_layout.strip():
        layout = stats_layout_saved(name=filters.saved_layout)
    else:
        layout = stats_layout_parse(rows=filters.rows, column=filters.column, levels=filters.levels)
    data = regulatory_statistics_export(
        actor=request.user,
        start=filters.start,
        end=filters.end,
        unit=unit,
        layout=layout,
        scheme_code=filters.scheme,
    )
    response = HttpResponse(data, content_type=XLSX)
    name = f"complaintdesk-regulatory-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
