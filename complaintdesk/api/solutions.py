"""Solution, approval and compensation endpoints of API v1: parse, call one service or selector, present."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from complaintdesk.accounts.access import units_visible_to
from complaintdesk.common.errors import InvalidInput
from complaintdesk.common.time import to_local
from complaintdesk.complaints.access import access_complaint
from complaintdesk.solutions import selectors, services
from complaintdesk.solutions.models import ApprovalRequest, ApprovalStatus, ProposalStatus, SolutionProposal

from .fields import IsoDate
from .schemas import ProblemOut, StrictSchema

router = Router(tags=["solutions"])
ERRORS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}
POST_ERRORS = ERRORS | {409: ProblemOut, 413: ProblemOut}


def _local(value):
    return to_local(value) if value else None


def _username(user):
    return user.username if user else None


# --- shapes -------------------------------------------------------------------------------------------------


class RemedyOut(Schema):
    code: str
    name: str
    name_en: str
    is_material: bool = Field(description="物质补偿：金额计入补偿权限与台账；道歉等无金额")


class OptionIn(StrictSchema):
    remedy: str = Field(
        description="补救方式编码，见 GET /remedies：fee_waiver、refund、exchange、repair、"
        "service_adjustment、coupon、gift、apology"
    )
    amount: Decimal | None = Field(None, description="金额（元），最多两位小数；道歉不填")
    description: str | None = Field(None, description="方案内容，如“减免本月月租”")


class ProposalIn(StrictSchema):
    options: list[OptionIn] = Field(description="一个或两个方案（方案A、方案B）")
    note: str | None = Field(None, description="说明")


class ChoiceIn(StrictSchema):
    option: str = Field(description="客户选择的方案：A 或 B")
    note: str | None = Field(None, description="客户的原话或意见")


class DeclineIn(StrictSchema):
    note: str = Field(description="客户为什么不接受")


class DecisionIn(StrictSchema):
    decision: Literal["approve", "reject"]
    reason: str = Field(description="审批意见（必填）")


class OptionOut(Schema):
    label: str
    remedy: str
    remedy_name: str
    amount: Decimal
    description: str


class ApprovalOut(Schema):
    id: int
    complaint: str = Field(description="投诉单号")
    proposal_id: int
    level_position: int
    level_name: str
    approver: str | None = Field(description="审批人用户名；null：该层级暂无承接人，由同角色人员认领")
    approver_role: str
    amount: Decimal
    reason: str = Field(description="为什么需要审批（超出哪项权限）")
    requested_by: str | None
    requested_at: dt.datetime
    due_at: dt.datetime
    deadline_provisional: bool
    status: Literal[tuple(ApprovalStatus.values)]  # type: ignore[valid-type]
    status_label: str
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_reason: str


class ProposalOut(Schema):
    id: int
    status: Literal[tuple(ProposalStatus.values)]  # type: ignore[valid-type]
    status_label: str
    proposed_by: str
    proposed_at: dt.datetime
    note: str
    max_amount: Decimal = Field(description="各方案中最高的补偿金额（按此核对权限）")
    authorised_by: str | None = Field(description="在其权限内提出或批准方案的人")
    authorised_at: dt.datetime | None
    options: list[OptionOut]
    chosen_option: str | None
    chosen_at: dt.datetime | None
    customer_note: str
    approvals: list[ApprovalOut]


class LedgerEntryOut(Schema):
    id: int
    at: dt.datetime
    remedy: str
    amount: Decimal
    authorised_by: str
    recorded_by: str


class CaseSolutionsOut(Schema):
    proposals: list[ProposalOut] = Field(description="最新的在前")
    ledger: list[LedgerEntryOut]
    ledger_total: Decimal


class ApprovalListOut(Schema):
    items: list[ApprovalOut]


class TotalOut(Schema):
    unit: str
    unit_name: str
    month: dt.date
    total: Decimal
    entries: int


class TotalsOut(Schema):
    items: list[TotalOut]


class TotalsFilters(Schema):
    unit: str | None = Field(None, description="机构编码：该机构及其下级机构")
    month_from: IsoDate | None = Field(None, description="起始月份（含），如 2026-10-01")
    month_to: IsoDate | None = Field(None, description="截止月份（含）")


# --- presenters ---------------------------------------------------------------------------------------------


def approval_view(approval: ApprovalRequest, *, number: str) -> dict:
    return {
        "id": approval.pk,
        "complaint": number,
        "proposal_id": approval.proposal_id,
        "level_position": approval.level_position,
        "level_name": approval.level_name,
        "approver": _username(approval.approver),
        "approver_role": approval.approver_role,
        "amount": approval.amount,
        "reason": approval.reason,
        "requested_by": _username(approval.requested_by),
        "requested_at": _local(approval.requested_at),
        "due_at": _local(approval.due_at),
        "deadline_provisional": approval.deadline_provisional,
        "status": approval.status,
        "status_label": str(ApprovalStatus(approval.status).label),
        "decided_by": _username(approval.decided_by),
        "decided_at": _local(approval.decided_at),
        "decision_reason": approval.decision_reason,
    }


def proposal_view(proposal: SolutionProposal, *, number: str) -> dict:
    options = list(proposal.options.all())
    chosen = next((o for o in options if o.pk == proposal.chosen_option_id), None)
    return {
        "id": proposal.pk,
        "status": proposal.status,
        "status_label": str(ProposalStatus(proposal.status).label),
        "proposed_by": proposal.proposed_by.username,
        "proposed_at": _local(proposal.proposed_at),
        "note": proposal.note,
        "max_amount": proposal.max_amount,
        "authorised_by": _username(proposal.authorised_by),
        "authorised_at": _local(proposal.authorised_at),
        "options": [
            {
                "label": o.label,
                "remedy": o.remedy.code,
                "remedy_name": o.remedy.name,
                "amount": o.amount,
                "description": o.description,
            }
            for o in options
        ],
        "chosen_option": chosen.label if chosen else None,
        "chosen_at": _local(proposal.chosen_at),
        "customer_note": proposal.customer_note,
        "approvals": [approval_view(a, number=number) for a in proposal.approvals.all()],
    }


def _proposal_out(*, user, number: str, proposal_id: int) -> dict:
    complaint = access_complaint(user=user, number=number)
    return proposal_view(
        selectors.proposal_detail(complaint=complaint, proposal_id=proposal_id), number=number
    )


# --- endpoints ----------------------------------------------------------------------------------------------


@router.get("/remedies", response={200: list[RemedyOut], **ERRORS}, summary="补救方式目录 / remedy catalogue")
def list_remedies(request: HttpRequest):
    return [
        {"code": r.code, "name": r.name, "name_en": r.name_en, "is_material": r.is_material}
        for r in selectors.remedies_active()
    ]


@router.get(
    "/complaints/{number}/solutions",
    response={200: CaseSolutionsOut, **ERRORS},
    summary="投诉的解决方案、审批与补偿台账",
)
def case_solutions(request: HttpRequest, number: str):
    complaint = access_complaint(user=request.user, number=number)
    entries = selectors.ledger_for_case(complaint=complaint)
    return {
        "proposals": [
            proposal_view(p, number=number) for p in selectors.proposals_for_case(complaint=complaint)
        ],
        "ledger": [
            {
                "id": e.pk,
                "at": _local(e.at),
                "remedy": e.remedy.code,
                "amount": e.amount,
                "authorised_by": e.authorised_by.username,
                "recorded_by": e.recorded_by.username,
            }
            for e in entries
        ],
        "ledger_total": sum((e.amount for e in entries), Decimal(0)),
    }


@router.post(
    "/complaints/{number}/solutions",
    response={201: ProposalOut, **POST_ERRORS},
    summary="提出方案（方案A/方案B）",
    description="在提出人的补偿权限内（每单、每月）直接提供给客户（offered）；超出则进入待审批（pending_approval），"
    "审批申请发给投诉升级阶梯上一级的承接人，并有审批时限。",
)
def propose(request: HttpRequest, number: str, payload: ProposalIn):
    proposal = services.solution_propose(
        number=number,
        actor=request.user,
        note=payload.note or "",
        options=[
            services.OptionData(remedy=o.remedy, amount=o.amount, description=o.description or "")
            for o in payload.options
        ],
    )
    return Status(201, _proposal_out(user=request.user, number=number, proposal_id=proposal.pk))


@router.post(
    "/complaints/{number}/solutions/{proposal_id}/choice",
    response={200: ProposalOut, **POST_ERRORS},
    summary="登记客户选择的方案（物质补偿记入台账）",
)
def choose(request: HttpRequest, number: str, proposal_id: int, payload: ChoiceIn):
    services.solution_choose(
        number=number,
        actor=request.user,
        proposal_id=proposal_id,
        option=payload.option,
        note=payload.note or "",
    )
    return _proposal_out(user=request.user, number=number, proposal_id=proposal_id)


@router.post(
    "/complaints/{number}/solutions/{proposal_id}/decline",
    response={200: ProposalOut, **POST_ERRORS},
    summary="登记客户不接受方案",
)
def decline(request: HttpRequest, number: str, proposal_id: int, payload: DeclineIn):
    services.solution_decline(number=number, actor=request.user, proposal_id=proposal_id, note=payload.note)
    return _proposal_out(user=request.user, number=number, proposal_id=proposal_id)


@router.get(
    "/approvals", response={200: ApprovalListOut, **ERRORS}, summary="待我审批的补偿申请（最近时限优先）"
)
def my_approvals(request: HttpRequest):
    return {
        "items": [
            approval_view(a, number=a.complaint.number)
            for a in selectors.approvals_pending_for(user=request.user)
        ]
    }


@router.post(
    "/approvals/{approval_id}/decision",
    response={200: ApprovalOut, **POST_ERRORS},
    summary="审批：批准或驳回（须填写意见）",
)
def decide(request: HttpRequest, approval_id: int, payload: DecisionIn):
    approval = services.approval_decide(
        approval_id=approval_id, actor=request.user, decision=payload.decision, reason=payload.reason
    )
    approval = ApprovalRequest.objects.select_related(
        "complaint", "approver", "requested_by", "decided_by"
    ).get(pk=approval.pk)
    return approval_view(approval, number=approval.complaint.number)


@router.get("/compensation/totals", response={200: TotalsOut, **ERRORS}, summary="补偿台账：按机构、按月汇总")
def compensation_totals(request: HttpRequest, filters: Query[TotalsFilters]):
    unit = None
    if filters.unit:
        unit = units_visible_to(request.user).filter(code=filters.unit).first()
        if unit is None:
            raise InvalidInput({"unit": [_("未知的机构编码：%(code)s") % {"code": filters.unit}]})
    totals = selectors.ledger_totals(
        user=request.user, unit=unit, month_from=filters.month_from, month_to=filters.month_to
    )
    return {
        "items": [
            {
                "unit": t.unit_code,
                "unit_name": t.unit_name,
                "month": t.month,
                "total": t.total,
                "entries": t.entries,
            }
            for t in totals
        ]
    }
