"""The case page's escalation panel (HTMX partial): the case's level on its ladder, who holds it, the
clocks that run now, and the forms to escalate (next level or a named one, with a reason), to register
the customer's objection to the result (客户异议, once a result has been given) and to record an
external referral (外部转办). Views parse input and call one service; the ladder's rules are
escalation.services'."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaintdesk.common.errors import DomainError, InvalidInput, NotFound
from complaintdesk.common.time import day_as_typed
from complaintdesk.common.validation import DAY_FORMAT_MESSAGE, whole_number_typed
from complaintdesk.complaints.access import access_complaint
from complaintdesk.escalation import services
from complaintdesk.escalation.models import ReferralBody
from complaintdesk.escalation.selectors import case_ladder_for, level_name_for_people, objection_offered
from complaintdesk.web import refused

PANEL_FIELDS = {"level", "reason", "body", "body_name", "reference_no", "response_due_on"}


def _complaint_or_404(request: HttpRequest, number: str):
    try:
        return access_complaint(user=request.user, number=number)
    except NotFound:
        raise Http404 from None


def _render_panel(request: HttpRequest, complaint, kept: refused.Kept | None = None) -> HttpResponse:
    ladder = case_ladder_for(complaint=complaint)
    user = request.user
    can_escalate = complaint.is_open and user.has_perm("complaints.escalate_complaint")
    context = {
        "c": complaint,
        "ladder": ladder,
        "state": ladder.state,
        "targets": [(lv.position, level_name_for_people(lv)) for lv in ladder.escalate_to]
        if can_escalate
        else [],
        "can_refer": user.has_perm("complaints.escalate_complaint"),
        "can_object": objection_offered(complaint=complaint) and user.has_perm("complaints.handle_complaint"),
        "bodies": ReferralBody.choices,
        "paused": complaint.sla_paused_at is not None,
        "errors": kept.errors if kept else {},
        "values": kept.values if kept else {},
        "error_for": (kept.extra.get("error_for") or "") if kept else "",
    }
    return render(request, "web/escalation/panel.html", context)


def _answer(request: HttpRequest, complaint, kept: refused.Kept | None = None) -> HttpResponse:
    return refused.case_panel_answer(
        request, complaint, kept, name="escalation", anchor="escalation", render=_render_panel
    )


def _refusal(error: DomainError, values: dict, form: str) -> refused.Kept:
    rename = {"level_code": "level", "note": "reason"}

    def field(name: str) -> str:
        name = rename.get(name, name)
        return name if name in PANEL_FIELDS else refused.GENERAL

    return refused.Kept(values=values, errors=refused.reasons(error, rename=field), extra={"error_for": form})


@login_required
@require_GET
def escalation_panel(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _complaint_or_404(request, number)
    return _render_panel(
        request, complaint, refused.kept_take(request, refused.case_key(number, "escalation"))
    )


@login_required
@require_POST
def escalation_escalate(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _complaint_or_404(request, number)
    values = {name: request.POST.get(name, "") for name in ("level", "reason")}
    try:
        level = values["level"].strip()
        to_level = whole_number_typed(level)
        if level and to_level is None:
            raise InvalidInput({"level": [_("请选择升级阶梯中的层级")]})
        services.complaint_escalate(
            number=complaint.number,
            actor=request.user,
            reason=values["reason"],
            to_level=to_level,
        )
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _answer(request, complaint, _refusal(error, values, "escalate"))
    return _answer(request, complaint)


@login_required
@require_POST
def escalation_objection(request: HttpRequest, number: str) -> HttpResponse:
    """The customer objects to the result (on the phone, at the counter): their words, and the case goes up
    one level, through the same service as the API's `POST /complaints/{number}/objections`."""
    complaint = _complaint_or_404(request, number)
    values = {"reason": request.POST.get("reason", "")}
    try:
        services.complaint_object(number=complaint.number, actor=request.user, reason=values["reason"])
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _answer(request, complaint, _refusal(error, values, "objection"))
    return _answer(request, complaint)


def _date(value: str, field: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    day = day_as_typed(value)
    if day is None:
        raise InvalidInput({field: [DAY_FORMAT_MESSAGE()]})
    return day


@login_required
@require_POST
def escalation_referral(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _complaint_or_404(request, number)
    names = ("body", "body_name", "reference_no", "reason", "response_due_on")
    values = {name: request.POST.get(name, "") for name in names}
    try:
        if not values["reason"].strip():
            raise InvalidInput({"reason": [_("请填写转办原因")]})
        services.external_referral_open(
            number=complaint.number, actor=request.user, body=values["body"], body_name=values["body_name"],
            reference_no=values["reference_no"], note=values["reason"],
            response_due_on=_date(values["response_due_on"], "response_due_on"),
        )  # fmt: skip
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _answer(request, complaint, _refusal(error, values, "referral"))
    return _answer(request, complaint)
