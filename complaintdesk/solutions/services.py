"""Writes for solutions and compensation. Each service is one transaction that records the timeline with
the acting user; staff messages go out after the commit (`notify.py`).

- `solution_propose`: one or two options (方案A / 方案B). Within the proposer's authority (per case and
  per month) they are offered to the customer at once; above it an approval request goes to the nearest
  level above the proposer on the case's escalation ladder whose authority covers it, with a deadline.
- `approval_decide`: the approver approves (the options are offered) or rejects, with a reason.
- `approval_on_timer`: the sweep's handler for approval timers: a warning at the policy's share of the
  time to decide; at the due time the request expires, the case escalates through `escalation.services`
  and the request goes to the level above.
- `solution_choose` / `solution_decline`: the customer's choice; a material option goes into the ledger.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, ConfigDict, PlainValidator, ValidationInfo, field_validator

from complaintdesk.accounts.models import SystemUser, User
from complaintdesk.accounts.system import system_user
from complaintdesk.calendars.selectors import calendar_for_unit
from complaintdesk.common.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.common.time import now, to_local
from complaintdesk.common.validation import Text, refusal, said, text, validated
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.states import Status
from complaintdesk.complaints.timeline import event_record
from complaintdesk.escalation.selectors import case_escalation_for, ladder_rules_for, level_holder_find
from complaintdesk.escalation.services import complaint_escalate
from complaintdesk.sla.clocks import clock_points
from complaintdesk.sla.models import TimerKind
from complaintdesk.sla.selectors import sla_policy_for
from complaintdesk.sla.services import complaint_deadlines_apply
from complaintdesk.sla.timers import WARNING

from . import limits, notify
from .clocks import approval_of_subject
from .models import (
    OPEN_PROPOSAL_STATUSES,
    ApprovalRequest,
    ApprovalStatus,
    CompensationEntry,
    ProposalStatus,
    Remedy,
    SolutionOption,
    SolutionProposal,
)
from .selectors import authorities_by_role, exposure_for, ladder_rungs, month_start, proposal_for_case

logger = logging.getLogger(__name__)

HANDLED_TIMER_KINDS = (TimerKind.APPROVAL,)
OPTION_LABELS = ("A", "B")
TEXT_MAX = 2_000
AMOUNT_MAX = Decimal("9999999999.99")
CENT = Decimal("0.01")


@dataclass
class OptionData:
    remedy: str  # a Remedy code from the catalogue
    amount: Decimal | int | str | None = None
    description: str = ""


def _approval_end(approval, *, complaint, actor, at, status: str, reason: str) -> None:
    """A pending approval ends without a decision by a person (withdrawn, expired): stamped and on the timeline."""
    approval.status, approval.decided_at, approval.decision_reason = status, at, reason
    approval.save(update_fields=["status", "decided_at", "decision_reason"])
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.APPROVAL_DECIDED,
        at=at,
        field=str(approval.pk),
        old=ApprovalStatus.PENDING,
        new=status,
        reason=reason,
    )


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


Note = text(TEXT_MAX)
Said = text(TEXT_MAX, required=True)


def _amount(value: Any) -> Decimal:
    """An amount in yuan with at most two decimals; empty is 0. A float is refused (it cannot say 0.10)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal(0)
    wrong = refusal(_("金额应为数字，最多两位小数，例如 50 或 99.50"))
    if isinstance(value, bool | float):
        raise wrong
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise wrong from None
    if not amount.is_finite():
        raise wrong
    if amount < 0:
        raise refusal(_("金额不能为负数"))
    # Before the cents: 1E+30 to the cent has more digits than decimal arithmetic holds (InvalidOperation).
    if amount > AMOUNT_MAX:
        raise refusal(_("金额太大"))
    if amount != amount.quantize(CENT, rounding="ROUND_DOWN"):
        raise wrong
    return amount


class OptionInput(BaseModel):
    """One option; the remedy catalogue comes in the validation context (`catalogue`: code → Remedy)."""

    model_config = ConfigDict(from_attributes=True)

    remedy: Text
    amount: Annotated[Decimal, PlainValidator(_amount)] = Decimal(0)
    description: Note = ""

    @field_validator("remedy")
    @classmethod
    def _in_catalogue(cls, code: str, info: ValidationInfo) -> str:
        catalogue = info.context["catalogue"]
        if code not in catalogue:
            raise refusal(
                _("请从目录中选择补救方式：%(choices)s")
                % {"choices": "、".join(f"{r.name}({r.code})" for r in catalogue.values())}
            )
        return code

    @field_validator("amount")
    @classmethod
    def _material_only(cls, amount: Decimal, info: ValidationInfo) -> Decimal:
        remedy = info.context["catalogue"].get(info.data.get("remedy"))
        if remedy is not None and not remedy.is_material and amount > 0:
            raise refusal(_("“%(remedy)s”不涉及金额") % {"remedy": remedy.name})
        return amount

    @field_validator("description")
    @classmethod
    def _says_something(cls, description: str, info: ValidationInfo) -> str:
        remedy = info.context["catalogue"].get(info.data.get("remedy"))
        amount = info.data.get("amount")  # absent when the amount was refused
        if remedy is not None and remedy.is_material and amount == 0 and not description:
            raise refusal(_("请写明方案内容或填写金额"))
        return description


class ProposalInput(BaseModel):
    options: list[OptionInput]
    note: Note = ""

    @field_validator("options", mode="before")
    @classmethod
    def _one_or_two(cls, options: Any) -> Any:
        if not options:
            raise refusal(_("请至少提出一个方案"))
        if len(options) > len(OPTION_LABELS):
            raise refusal(_("最多提出两个方案（方案A、方案B）"))
        return options


class DecisionInput(BaseModel):
    decision: Annotated[
        Literal["approve", "reject"], said(gettext_lazy("可选：approve（批准）、reject（驳回）"))
    ]
    reason: Said


class NoteInput(BaseModel):
    note: Note = ""


class DeclineInput(BaseModel):
    note: Said


def _proposal_clean(
    options: list[OptionData], note: str
) -> tuple[list[tuple[str, Remedy, Decimal, str]], str]:
    catalogue = {r.code: r for r in Remedy.objects.filter(is_active=True)[:50]}
    proposal = validated(
        ProposalInput,
        {"options": options, "note": note},
        context={"catalogue": catalogue},
    )
    cleaned = [
        (label, catalogue[option.remedy], option.amount, option.description)
        for label, option in zip(OPTION_LABELS, proposal.options, strict=False)
    ]
    return cleaned, proposal.note


def _options_summary(options: list[SolutionOption]) -> str:
    parts = []
    for option in options:
        text = _("方案%(label)s：%(remedy)s") % {"label": option.label, "remedy": option.remedy.name}
        if option.amount:
            text += _(" %(amount)s 元") % {"amount": _money(option.amount)}
        if option.description:
            text += f"（{option.description}）"
        parts.append(text)
    return "；".join(parts)


def _excess_reason(excess: list[limits.Excess]) -> str:
    parts = []
    for item in excess:
        if item.limit == limits.PER_CASE:
            parts.append(
                _("超出每单补偿权限：上限 %(allowed)s 元，本单合计将达 %(total)s 元")
                % {"allowed": _money(item.allowed), "total": _money(item.would_be)}
            )
        else:
            parts.append(
                _("超出每月补偿权限：上限 %(allowed)s 元，本月合计将达 %(total)s 元")
                % {"allowed": _money(item.allowed), "total": _money(item.would_be)}
            )
    return "；".join(parts)


def _open_proposals_supersede(*, complaint: Complaint, actor, at: dt.datetime) -> bool:
    """Earlier proposals still on the table make way for the new one; their pending approvals are
    withdrawn. True when an approval was withdrawn (its timer must go)."""
    withdrawn = False
    for proposal in (
        SolutionProposal.objects.select_for_update()
        .filter(complaint=complaint, status__in=OPEN_PROPOSAL_STATUSES)
        .order_by("id")[:20]
    ):
        for approval in ApprovalRequest.objects.select_for_update().filter(
            proposal=proposal, status=ApprovalStatus.PENDING
        ):
            _approval_end(
                approval,
                complaint=complaint,
                actor=actor,
                at=at,
                status=ApprovalStatus.CANCELLED,
                reason=_("已提出新方案，申请撤回"),
            )
            withdrawn = True
        old = proposal.status
        proposal.status, proposal.updated_at = ProposalStatus.SUPERSEDED, at
        proposal.save(update_fields=["status", "updated_at"])
        event_record(
            complaint=complaint,
            actor=actor,
            kind=EventKind.SOLUTION_PROPOSED,
            at=at,
            field=str(proposal.pk),
            old=old,
            new=ProposalStatus.SUPERSEDED,
            reason=_("已被新方案取代"),
        )
    return withdrawn


def _approval_due(*, complaint: Complaint, role: str, table: dict, at: dt.datetime):
    policy = sla_policy_for(unit=complaint.org_unit, category_id=complaint.category_id)
    authority = limits.authority_of(table, role)
    return clock_points(
        start=at,
        duration=authority.approval_limit,
        calendar=calendar_for_unit(unit=complaint.org_unit),
        warn_share=policy.warn_at_share,
    )


def _approval_open(
    *,
    complaint: Complaint,
    proposal: SolutionProposal,
    rung: limits.Rung,
    requested_by,
    reason: str,
    table: dict,
    at: dt.datetime,
    actor,
) -> ApprovalRequest:
    level = ladder_rules_for(unit=complaint.org_unit).level(rung.position)
    holder = level_holder_find(unit=complaint.org_unit, level=level)
    points = _approval_due(complaint=complaint, role=rung.role, table=table, at=at)
    approval = ApprovalRequest.objects.create(
        proposal=proposal,
        complaint=complaint,
        level_position=level.position,
        level_name=level.name,
        approver_role=rung.role,
        approver=holder.user,
        approver_unit=holder.unit,
        requested_by=requested_by,
        requested_at=at,
        reason=reason,
        amount=proposal.max_amount,
        due_at=points.due_at,
        warn_at=points.warn_at,
        deadline_provisional=points.provisional,
    )
    who = (
        str(holder.user)
        if holder.user
        else _("%(unit)s（暂无%(level)s，待认领）")
        % {"unit": holder.unit.name if holder.unit else "", "level": level.name}
    )
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.APPROVAL_REQUESTED,
        at=at,
        field=str(approval.pk),
        new=_("%(level)s %(who)s，%(due)s 前审批")
        % {"level": level.name, "who": who, "due": f"{to_local(approval.due_at):%Y-%m-%d %H:%M}"},
        reason=reason,
    )
    _notify_after_commit(
        approval=approval,
        user_ids=[holder.user.pk] if holder.user else [],
        unit_id=holder.unit.pk if holder.unit else None,
        what="requested",
    )
    return approval


def _notify_after_commit(
    *, approval: ApprovalRequest, user_ids: list[int], unit_id: int | None, what: str
) -> None:
    values = {
        "approval_id": approval.pk,
        "complaint_id": approval.complaint_id,
        "user_ids": user_ids,
        "unit_id": unit_id,
        "what": what,
        "due_at": approval.due_at,
    }
    transaction.on_commit(lambda: notify.approval_notified(**values))


def _authoriser_lock(user) -> None:
    """One grant at a time per person: their month total is read and added to under this lock, so two
    proposals on different cases cannot both fit the last of the month's allowance. Taken after the
    case's lock, as everywhere here."""
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()


@transaction.atomic
def solution_propose(*, number: str, actor, options: list[OptionData], note: str = "") -> SolutionProposal:
    """Put one or two options to the customer. Above the proposer's authority the proposal waits for
    approval (status pending_approval) and an approval request goes up the case's ladder."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    if not complaint.is_open:
        raise InvalidInput({"status": [_("投诉已结束，不能再提出方案")]})
    cleaned, note = _proposal_clean(options, note)

    at = now()
    withdrawn = _open_proposals_supersede(complaint=complaint, actor=actor, at=at)
    max_amount = max(
        (amount for _label, remedy, amount, _d in cleaned if remedy.is_material), default=Decimal(0)
    )
    table = authorities_by_role()
    authority = limits.authority_of(table, actor.role)
    _authoriser_lock(actor)
    exposure = exposure_for(complaint_id=complaint.pk, user_id=actor.pk, at=at)
    excess = limits.authority_excess(amount=max_amount, authority=authority, exposure=exposure)

    rung = None
    if excess:
        state = case_escalation_for(complaint_id=complaint.pk)
        rungs = ladder_rungs(unit=complaint.org_unit, table=table)
        base = limits.proposer_position(
            rungs=rungs, role=actor.role, case_level=state.level_position if state else 0
        )
        rung = limits.approval_level(
            rungs=rungs, above=base, amount=max_amount, case_total=exposure.case_total
        )
        if rung is None:
            raise InvalidInput(
                {"options": [_excess_reason(excess) + _("；升级阶梯中没有可以审批的更高层级")]},
                message=_("超出补偿权限"),
            )

    proposal = SolutionProposal.objects.create(
        complaint=complaint,
        proposed_by=actor,
        proposed_at=at,
        note=note,
        status=ProposalStatus.PENDING_APPROVAL if excess else ProposalStatus.OFFERED,
        max_amount=max_amount,
        authorised_by=None if excess else actor,
        authorised_at=None if excess else at,
        updated_at=at,
    )
    created = SolutionOption.objects.bulk_create(
        SolutionOption(proposal=proposal, label=label, remedy=remedy, amount=amount, description=description)
        for label, remedy, amount, description in cleaned
    )
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.SOLUTION_PROPOSED,
        at=at,
        field=str(proposal.pk),
        new=_options_summary(created),
        reason=note,
    )
    if rung is not None:
        _approval_open(
            complaint=complaint,
            proposal=proposal,
            rung=rung,
            requested_by=actor,
            reason=_excess_reason(excess),
            table=table,
            at=at,
            actor=actor,
        )
    if rung is not None or withdrawn:
        complaint_deadlines_apply(complaint=complaint, actor=actor, at=at, reason=_("补偿审批时限"))
    else:
        Complaint.objects.filter(pk=complaint.pk).update(updated_at=at)
    return proposal


APPROVE, REJECT = "approve", "reject"


def _may_decide(*, actor, approval: ApprovalRequest, complaint: Complaint) -> bool:
    """The request's approver; a holder of its role (when nobody was named, or the named one is away);
    or a holder of a higher internal level of the case's ladder."""
    if approval.approver_id == actor.pk:
        return True
    if actor.role == approval.approver_role:
        return True
    ladder = ladder_rules_for(unit=complaint.org_unit)
    return any(
        level.holder_role == actor.role and level.position > approval.level_position and not level.is_external
        for level in ladder.levels
    )


@transaction.atomic
def approval_decide(*, approval_id: int, actor, decision: str, reason: str) -> ApprovalRequest:
    """Approve (the options are offered to the customer, under the approver's authority) or reject (the
    proposer proposes again), with a reason. Only a pending request can be decided."""
    found = ApprovalRequest.objects.filter(pk=approval_id).values_list("complaint__number", flat=True).first()
    try:
        if found is None:
            raise NotFound(_("没有这条审批申请"))
        complaint = access_complaint(user=actor, number=found, for_update=True)
    except NotFound:
        # The same answer whether the request does not exist or is on a case the actor cannot see: an id
        # must not tell a foreign user that it exists, nor the number of its case.
        raise NotFound(_("没有这条审批申请")) from None
    approval = ApprovalRequest.objects.select_for_update().select_related("proposal").get(pk=approval_id)
    reason = validated(DecisionInput, {"decision": decision, "reason": reason}).reason
    if approval.status != ApprovalStatus.PENDING:
        raise InvalidInput(
            {
                "approval": [
                    _("该审批申请已处理（%(status)s）") % {"status": ApprovalStatus(approval.status).label}
                ]
            }
        )
    if not _may_decide(actor=actor, approval=approval, complaint=complaint):
        raise PermissionDenied(_("只有%(level)s或更高层级可以审批这条申请") % {"level": approval.level_name})

    at = now()
    proposal = SolutionProposal.objects.select_for_update().get(pk=approval.proposal_id)
    if decision == APPROVE:
        table = authorities_by_role()
        _authoriser_lock(actor)
        excess = limits.authority_excess(
            amount=proposal.max_amount,
            authority=limits.authority_of(table, actor.role),
            exposure=exposure_for(
                complaint_id=complaint.pk, user_id=actor.pk, at=at, exclude_proposal_id=proposal.pk
            ),
        )
        if excess:
            raise InvalidInput(
                {"decision": [_excess_reason(excess) + _("；请驳回，或由更高层级审批")]},
                message=_("超出您的补偿权限"),
            )
        approval.status = ApprovalStatus.APPROVED
        proposal.status, proposal.authorised_by, proposal.authorised_at = ProposalStatus.OFFERED, actor, at
    else:
        approval.status = ApprovalStatus.REJECTED
        proposal.status = ProposalStatus.REJECTED
    approval.decided_by, approval.decided_at, approval.decision_reason = actor, at, reason
    approval.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    proposal.updated_at = at
    proposal.save(update_fields=["status", "authorised_by", "authorised_at", "updated_at"])
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.APPROVAL_DECIDED,
        at=at,
        field=str(approval.pk),
        old=ApprovalStatus.PENDING,
        new=approval.status,
        reason=reason,
    )
    complaint_deadlines_apply(complaint=complaint, actor=actor, at=at, reason=_("补偿审批已处理"))
    _notify_after_commit(
        approval=approval,
        user_ids=[approval.requested_by_id] if approval.requested_by_id else [],
        unit_id=complaint.org_unit_id,
        what=approval.status,
    )
    return approval


def approval_on_timer(*, timer, complaint: Complaint, phase: str, at: dt.datetime) -> None:
    """An approval timer warned or fired (inside the sweep's claim transaction, the case locked). At the
    due time the request expires; the case escalates to the level above the approver (through
    escalation.services) and the request is opened again at that level, so it is not lost. With no level
    above (or the case closed meanwhile) the proposal expires."""
    approval_id = approval_of_subject(timer.subject)
    approval = (
        ApprovalRequest.objects.select_for_update()
        .filter(pk=approval_id, status=ApprovalStatus.PENDING)
        .first()
        if approval_id
        else None
    )
    if approval is None:
        return
    if phase == WARNING:
        _notify_after_commit(
            approval=approval,
            user_ids=[approval.approver_id] if approval.approver_id else [],
            unit_id=approval.approver_unit_id,
            what="warning",
        )
        return

    _approval_expire(approval=approval, complaint=complaint, at=at)
    proposal = SolutionProposal.objects.select_for_update().get(pk=approval.proposal_id)
    table = authorities_by_role()
    rungs = ladder_rungs(unit=complaint.org_unit, table=table)
    exposure = exposure_for(
        complaint_id=complaint.pk,
        user_id=approval.requested_by_id or 0,
        at=at,
        exclude_proposal_id=proposal.pk,
    )
    above = limits.approval_level(
        rungs=rungs, above=approval.level_position, amount=proposal.max_amount, case_total=exposure.case_total
    )
    if above is None or not complaint.is_open:
        _proposal_expire(proposal=proposal, complaint=complaint, reason=approval.decision_reason, at=at)
        return

    why = _("补偿审批超时未处理（%(level)s）") % {"level": approval.level_name}
    complaint = _approval_escalate(complaint=complaint, to_level=above.position, reason=why)
    _approval_reopen(
        approval=approval, complaint=complaint, proposal=proposal, rung=above, why=why, table=table, at=at
    )


def _approval_expire(*, approval: ApprovalRequest, complaint: Complaint, at: dt.datetime) -> None:
    """The request ran out of time: it ends as expired and its requester is told."""
    _approval_end(
        approval,
        complaint=complaint,
        actor=None,
        at=at,
        status=ApprovalStatus.EXPIRED,
        reason=_("超过审批时限未处理"),
    )
    _notify_after_commit(
        approval=approval,
        user_ids=[approval.requested_by_id] if approval.requested_by_id else [],
        unit_id=complaint.org_unit_id,
        what="expired",
    )


def _proposal_expire(
    *, proposal: SolutionProposal, complaint: Complaint, reason: str, at: dt.datetime
) -> None:
    """No one above the approver may grant it (or the case is closed): the proposal expires."""
    proposal.status, proposal.updated_at = ProposalStatus.EXPIRED, at
    proposal.save(update_fields=["status", "updated_at"])
    event_record(
        complaint=complaint,
        actor=None,
        kind=EventKind.SOLUTION_PROPOSED,
        at=at,
        field=str(proposal.pk),
        old=ProposalStatus.PENDING_APPROVAL,
        new=ProposalStatus.EXPIRED,
        reason=reason,
    )
    complaint_deadlines_apply(complaint=complaint, actor=None, at=at, reason=_("补偿审批超时"))


def _approval_escalate(*, complaint: Complaint, to_level: int, reason: str) -> Complaint:
    """The case goes up to the level that may grant it; returns the case locked and read again."""
    _case_escalate(complaint=complaint, to_level=to_level, reason=reason)
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("org_unit", "assignee")
        .get(pk=complaint.pk)
    )


def _approval_reopen(
    *,
    approval: ApprovalRequest,
    complaint: Complaint,
    proposal: SolutionProposal,
    rung,
    why: str,
    table,
    at: dt.datetime,
) -> None:
    """The expired request is asked again of the level above, with the same requester."""
    _approval_open(
        complaint=complaint,
        proposal=proposal,
        rung=rung,
        requested_by=approval.requested_by,
        reason=f"{why}；{approval.reason}" if approval.reason else why,
        table=table,
        at=at,
        actor=None,
    )
    complaint_deadlines_apply(complaint=complaint, actor=None, at=at, reason=_("补偿审批时限"))


def _case_escalate(*, complaint: Complaint, to_level: int, reason: str) -> None:
    """Escalate the case to `to_level` when it is below it, as the escalation ladder's system account."""
    state = case_escalation_for(complaint_id=complaint.pk)
    if (state.level_position if state else 0) >= to_level:
        return
    try:
        complaint_escalate(
            number=complaint.number,
            actor=system_user(SystemUser.ESCALATION),
            reason=reason,
            to_level=to_level,
        )
    except InvalidInput:  # refused by the ladder (e.g. closed meanwhile): the request still goes up
        logger.warning(
            "approval expiry on complaint %s could not escalate to level %s", complaint.pk, to_level
        )


def _offered_proposal(*, complaint: Complaint, proposal_id: int) -> SolutionProposal:
    proposal = proposal_for_case(complaint=complaint, proposal_id=proposal_id, for_update=True)
    if proposal is None:
        raise InvalidInput({"proposal": [_("这张投诉单没有这个方案")]})
    if proposal.status != ProposalStatus.OFFERED:
        raise InvalidInput(
            {
                "proposal": [
                    _("该方案当前为“%(status)s”，不能登记客户选择")
                    % {"status": ProposalStatus(proposal.status).label}
                ]
            }
        )
    return proposal


@transaction.atomic
def solution_choose(*, number: str, actor, proposal_id: int, option: str, note: str = "") -> SolutionProposal:
    """Record the customer's choice. A material option with an amount goes into the ledger (补偿记账)
    under the person who authorised the proposal."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    proposal = _offered_proposal(complaint=complaint, proposal_id=proposal_id)
    note = validated(NoteInput, {"note": note}).note
    chosen = (
        SolutionOption.objects.select_related("remedy")
        .filter(proposal=proposal, label=str(option or "").strip().upper())
        .first()
    )
    if chosen is None:  # the proposal's own labels: a check on the database, after the model
        labels = list(proposal.options.order_by("label").values_list("label", flat=True))
        raise InvalidInput({"option": [_("可选：%(choices)s") % {"choices": "、".join(labels)}]})
    at = now()
    proposal.status, proposal.chosen_option, proposal.chosen_at = ProposalStatus.CHOSEN, chosen, at
    proposal.choice_recorded_by, proposal.customer_note, proposal.updated_at = actor, note, at
    proposal.save(
        update_fields=[
            "status",
            "chosen_option",
            "chosen_at",
            "choice_recorded_by",
            "customer_note",
            "updated_at",
        ]
    )
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.SOLUTION_CHOSEN,
        at=at,
        field=str(proposal.pk),
        new=_options_summary([chosen]),
        reason=note,
    )
    if chosen.remedy.is_material and chosen.amount > 0:
        entry = CompensationEntry.objects.create(
            complaint=complaint,
            org_unit=complaint.org_unit,
            proposal=proposal,
            option=chosen,
            remedy=chosen.remedy,
            amount=chosen.amount,
            authorised_by_id=proposal.authorised_by_id,
            recorded_by=actor,
            at=at,
            month=month_start(at),
        )
        event_record(
            complaint=complaint,
            actor=actor,
            kind=EventKind.COMPENSATION_PAID,
            at=at,
            field=str(entry.pk),
            new=_("%(remedy)s %(amount)s 元")
            % {"remedy": chosen.remedy.name, "amount": _money(chosen.amount)},
            reason=_("授权人：%(who)s") % {"who": proposal.authorised_by},
        )
    Complaint.objects.filter(pk=complaint.pk).update(updated_at=at)
    return proposal


@transaction.atomic
def solution_decline(*, number: str, actor, proposal_id: int, note: str) -> SolutionProposal:
    """The customer accepts neither option; their words are recorded (the agent proposes again or
    escalates)."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    proposal = _offered_proposal(complaint=complaint, proposal_id=proposal_id)
    note = validated(DeclineInput, {"note": note}).note
    at = now()
    proposal.status, proposal.customer_note, proposal.choice_recorded_by = (
        ProposalStatus.DECLINED,
        note,
        actor,
    )
    proposal.chosen_at, proposal.updated_at = at, at
    proposal.save(update_fields=["status", "customer_note", "choice_recorded_by", "chosen_at", "updated_at"])
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.SOLUTION_CHOSEN,
        at=at,
        field=str(proposal.pk),
        old=ProposalStatus.OFFERED,
        new=ProposalStatus.DECLINED,
        reason=note,
    )
    Complaint.objects.filter(pk=complaint.pk).update(updated_at=at)
    return proposal


def resolution_waits_for_approvals(*, complaint: Complaint, target: str, actor) -> None:
    """complaints.services transition guard: a case is not resolved while a compensation approval is
    pending (the customer has not been offered what they are to be told about)."""
    if target != Status.RESOLVED:
        return
    pending = (
        ApprovalRequest.objects.filter(complaint_id=complaint.pk, status=ApprovalStatus.PENDING)
        .order_by("due_at", "id")
        .values_list("level_name", "due_at")[:5]
    )
    if pending:
        names = "、".join(f"{level}（{to_local(due):%Y-%m-%d %H:%M}）" for level, due in pending)
        raise InvalidInput(
            {
                "to": [
                    _("补偿方案仍在等待审批：%(approvals)s。请等审批完成，或提出新方案后再解决。")
                    % {"approvals": names}
                ]
            },
            message=_("补偿审批未完成，不能解决投诉"),
        )
