"""The case page's solutions panel (HTMX partial): proposals with their options, approvals, the customer's
choice and the case's compensation ledger. Views parse input, call one service, and render the panel
again; the rules (catalogue, authority, routing, deadlines) are solutions.services'."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from complaintdesk.common.errors import DomainError, NotFound
from complaintdesk.complaints.access import access_complaint
from complaintdesk.escalation.selectors import ladder_rules_for
from complaintdesk.solutions import selectors, services
from complaintdesk.solutions.models import ApprovalStatus, ProposalStatus
from complaintdesk.web import refused

LABEL_FIELDS = {"0": "a", "1": "b"}
PANEL_FIELDS = {"note", "option", "reason", "decision"}


def _complaint_or_404(request: HttpRequest, number: str):
    try:
        return access_complaint(user=request.user, number=number)
    except NotFound:
        raise Http404 from None


def _form_field(name: str) -> str:
    """A service field name ("options.1.amount") as the panel's form field ("b_amount"); anything else
    is shown at the top of the form (refused.GENERAL)."""
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "options" and parts[1] in LABEL_FIELDS:
        return f"{LABEL_FIELDS[parts[1]]}_{parts[2]}"
    return name if name in PANEL_FIELDS else refused.GENERAL


def _decidable(*, user, complaint, proposals) -> set[int]:
    """Ids of the pending approvals this user may decide (as solutions.services checks it)."""
    pending = [a for p in proposals for a in p.approvals.all() if a.status == ApprovalStatus.PENDING]
    if not pending:
        return set()
    higher_roles: dict[int, set[str]] = {}
    levels = ladder_rules_for(unit=complaint.org_unit).levels
    for approval in pending:
        higher_roles[approval.pk] = {
            level.holder_role
            for level in levels
            if level.position > approval.level_position and not level.is_external
        }
    return {
        a.pk
        for a in pending
        if a.approver_id == user.pk or user.role == a.approver_role or user.role in higher_roles[a.pk]
    }


def _render_panel(request: HttpRequest, complaint, kept: refused.Kept | None = None) -> HttpResponse:
    error_kind, error_id = (kept.extra.get("error_for") or ["", None])[:2] if kept else ("", None)
    proposals = selectors.proposals_for_case(complaint=complaint)
    ledger = selectors.ledger_for_case(complaint=complaint)
    can_handle = complaint.is_open and request.user.has_perm("complaints.handle_complaint")
    context = {
        "c": complaint,
        "proposals": proposals,
        "remedies": selectors.remedies_active() if can_handle else [],
        "ledger": ledger,
        "ledger_total": sum((e.amount for e in ledger), Decimal(0)),
        "can_handle": can_handle,
        "decidable": _decidable(user=request.user, complaint=complaint, proposals=proposals),
        "offered": ProposalStatus.OFFERED,
        "pending": ApprovalStatus.PENDING,
        "errors": kept.errors if kept else {},
        "values": kept.values if kept else {},
        "error_kind": error_kind,
        "error_id": error_id,
    }
    # A refused form's panel is a 200 too: it is the panel, with the messages next to the fields.
    return render(request, "web/solutions/panel.html", context)


def _answer(request: HttpRequest, complaint, kept: refused.Kept | None = None) -> HttpResponse:
    return refused.case_panel_answer(
        request, complaint, kept, name="solutions", anchor="solutions", render=_render_panel
    )


def _refusal(error: DomainError, values: dict, kind: str, ident: int | None = None) -> refused.Kept:
    """The refused form (`kind`: propose, proposal or approval, of the row `ident`) as it was typed."""
    return refused.Kept(
        values=values, errors=refused.reasons(error, rename=_form_field), extra={"error_for": [kind, ident]}
    )


@login_required
@require_GET
def solutions_panel(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _complaint_or_404(request, number)
    return _render_panel(
        request, complaint, refused.kept_take(request, refused.case_key(number, "solutions"))
    )


@login_required
@require_POST
def solution_propose(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _complaint_or_404(request, number)
    post = request.POST
    values = {
        name: post.get(name, "")
        for name in ("a_remedy", "a_amount", "a_description", "b_remedy", "b_amount", "b_description", "note")
    }
    options = [
        services.OptionData(
            remedy=values["a_remedy"], amount=values["a_amount"], description=values["a_description"]
        )
    ]
    if values["b_remedy"] or values["b_amount"].strip() or values["b_description"].strip():
        options.append(
            services.OptionData(
                remedy=values["b_remedy"], amount=values["b_amount"], description=values["b_description"]
            )
        )
    try:
        services.solution_propose(
            number=complaint.number, actor=request.user, options=options, note=values["note"]
        )
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _answer(request, complaint, _refusal(error, values, "propose"))
    return _answer(request, complaint)


@login_required
@require_POST
def solution_choose(request: HttpRequest, number: str, proposal_id: int) -> HttpResponse:
    """The customer's answer to a proposal: an option (A/B), or neither (`decline`), with their words."""
    complaint = _complaint_or_404(request, number)
    values = {"option": request.POST.get("option", ""), "note": request.POST.get("note", "")}
    try:
        if request.POST.get("action") == "decline":
            services.solution_decline(
                number=complaint.number, actor=request.user, proposal_id=proposal_id, note=values["note"]
            )
        else:
            services.solution_choose(
                number=complaint.number,
                actor=request.user,
                proposal_id=proposal_id,
                option=values["option"],
                note=values["note"],
            )
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _answer(request, complaint, _refusal(error, values, "proposal", proposal_id))
    return _answer(request, complaint)


@login_required
@require_POST
def approval_decide(request: HttpRequest, number: str, approval_id: int) -> HttpResponse:
    complaint = _complaint_or_404(request, number)
    values = {"decision": request.POST.get("decision", ""), "reason": request.POST.get("reason", "")}
    try:
        approval = selectors.approval_get(approval_id=approval_id)
        if approval is None or approval.complaint_id != complaint.pk:
            raise Http404
        services.approval_decide(
            approval_id=approval_id, actor=request.user, decision=values["decision"], reason=values["reason"]
        )
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _answer(request, complaint, _refusal(error, values, "approval", approval_id))
    return _answer(request, complaint)
