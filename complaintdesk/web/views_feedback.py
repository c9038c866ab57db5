"""The case page's feedback panel (HTMX partial): the result to the customer (checked by the reply checker
before it goes), the customer's confirmation, survey answers, and the follow-up (回访) with its script and
outcome form; and the follow-up queue page. Views parse input, call one service or selector, and render;
the rules are complaintdesk.surveys'."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaintdesk.common.errors import DomainError, InvalidInput, NotFound
from complaintdesk.common.time import now
from complaintdesk.common.validation import whole_number_typed
from complaintdesk.complaints.access import access_complaint
from complaintdesk.notifications.content import message_language
from complaintdesk.privacy.selectors import anonymised_customer_hidden
from complaintdesk.scripts.checking import apply_suggestions
from complaintdesk.scripts.selectors import scripts_for
from complaintdesk.scripts.services import ReplyBlocked, script_render
from complaintdesk.surveys import selectors
from complaintdesk.surveys.follow_ups import follow_up_outcome_record, follow_up_recordable
from complaintdesk.surveys.letters import letter_terms_for, routes_default
from complaintdesk.surveys.resolution import resolution_routes, result_confirm, result_unreachable_record
from complaintdesk.surveys.results import ResultNeedsOverride, result_check, result_send, result_sendable
from complaintdesk.surveys.services import rating_record
from complaintdesk.web import refused
from complaintdesk.web.refused import GENERAL

RESULT_FIELDS = (
    "cause",
    "measures",
    "outcome",
    "compensation_text",
    "verified",
    "basis",
    "routes",
    "override_reason",
)
FOLLOW_UP_FIELDS = ("result", "new_issue", "note")
UNREACHABLE_FIELDS = ("reason", "cause", "measures", "outcome", "compensation_text")
RATING_FIELDS = ("stars", "solved", "comment")
FORM_FIELDS = {
    "result": RESULT_FIELDS,
    "confirm": ("note",),
    "follow_up": FOLLOW_UP_FIELDS,
    "unreachable": UNREACHABLE_FIELDS,
    "rating": RATING_FIELDS,
}
RATING_SOLVED = {"yes": True, "no": False, "": None}  # the form's choice → solved
FOLLOW_UP_RESULTS = {  # the form's choice → (reached, satisfied)
    "not_reached": (False, None),
    "satisfied": (True, True),
    "unsatisfied": (True, False),
}
# Service field names as the forms' (anything not on the form is shown at the top of the panel).
FIELD_ALIASES = {"compensation": "compensation_text", "satisfied": "result", "reached": "result"}


def _complaint_or_404(request: HttpRequest, number: str):
    try:
        complaint = access_complaint(user=request.user, number=number)
    except NotFound:
        raise Http404 from None
    anonymised_customer_hidden(complaint)  # an anonymised case's scripts greet no one by name
    return complaint


def _errors(error: DomainError, names: tuple[str, ...]) -> dict[str, list[str]]:
    return refused.reasons(error, names, rename=lambda name: FIELD_ALIASES.get(name, name))


def _follow_up_scripts(request: HttpRequest, complaint, results) -> list:
    scripts = scripts_for(
        stage="follow_up",
        category=complaint.category,
        channel=complaint.channel,
        language=message_language(complaint),
    )[:3]
    return [(s, script_render(script=s, complaint=complaint, agent=request.user)) for s in scripts]


def _render_panel(
    request: HttpRequest,
    complaint,
    kept: refused.Kept | None = None,
    *,
    preview=None,
    status: int = 200,
    notice: str = "",
) -> HttpResponse:
    """The panel; with `kept`, the refused form (named in kept.extra["form"]) as it was typed and why."""
    user = request.user
    results = selectors.results_for_case(complaint=complaint)
    follow_up = selectors.open_follow_up_for_case(complaint=complaint)
    can_handle = user.has_perm("complaints.handle_complaint")
    routes = resolution_routes(complaint=complaint)
    can_send_result = can_handle and result_sendable(complaint=complaint)
    can_follow_up = (
        follow_up is not None
        and follow_up_recordable(complaint=complaint)
        and user.has_perm("complaints.close_complaint")
    )
    letter_terms = letter_terms_for(complaint=complaint) if can_send_result else None
    draft = {}
    if can_send_result:
        language = message_language(complaint)
        draft = selectors.result_draft(complaint=complaint, language=language)
        if letter_terms is not None:
            draft["routes"] = routes_default(terms=letter_terms, language=language)
    context = {
        "c": complaint,
        "results": results,
        "answers": selectors.survey_answers_for_case(complaint=complaint),
        "follow_ups": selectors.follow_ups_for_case(complaint=complaint),
        "follow_up": follow_up,
        "can_send_result": can_send_result,
        "can_confirm": can_handle and routes["confirm"],
        "can_unreachable": can_handle and routes["unreachable"],
        "can_rate": can_handle and bool(results),
        "stars_choices": range(5, 0, -1),
        "can_follow_up": can_follow_up,
        "scripts": _follow_up_scripts(request, complaint, results) if can_follow_up else [],
        "errors": kept.errors if kept else {},
        "values": kept.values if kept else {},
        "form": kept.extra.get("form", "") if kept else "",
        "draft": draft,
        "letter_terms": letter_terms,
        "preview": preview,
        "rewrite": "",
        "notice": notice,
    }
    if preview is not None and preview.check.findings:
        context["rewrite"] = apply_suggestions(preview.body, preview.check.findings)
    return render(request, "web/feedback/panel.html", context, status=status)


def _after(request: HttpRequest, complaint, notice: str) -> HttpResponse:
    return refused.answer(
        request,
        to=reverse("web:complaint", args=[complaint.number]),
        panel=lambda _kept: _render_panel(
            request, _complaint_or_404(request, complaint.number), notice=notice
        ),
        message=notice,
        hx_trigger="case-updated",  # the case page fetches its status, clocks and next steps again
    )


@login_required
@require_GET
def feedback_panel(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _complaint_or_404(request, number)
    kept = refused.kept_take(request, refused.case_key(number, "feedback"))
    preview = None
    if kept is not None and kept.extra.get("preview"):
        try:
            preview = _preview(request, number, kept.values)
        except DomainError:
            preview = None
    return _render_panel(request, complaint, kept, preview=preview)


def _preview(request: HttpRequest, number: str, values: dict):
    return result_check(
        number=number,
        actor=request.user,
        cause=values.get("cause", ""),
        measures=values.get("measures", ""),
        outcome=values.get("outcome", ""),
        compensation_text=values.get("compensation_text", ""),
        verified=values.get("verified", ""),
        basis=values.get("basis", ""),
        routes=values.get("routes", ""),
    )


def _refused(
    request: HttpRequest,
    complaint,
    form: str,
    values: dict,
    error: DomainError,
    *,
    field: str = "",
    preview=None,
) -> HttpResponse:
    """The panel's `form` refused with `error`: its message next to `field` when given, else next to the
    form's fields the service names. HTMX: the panel with the problems, in place, answered with the
    error's status. Otherwise back to the case page, whose panel shows them (Post/Redirect/Get: F5 does
    not send the form again)."""
    errors = {field: [error.message]} if field else _errors(error, FORM_FIELDS[form])
    return refused.answer(
        request,
        to=reverse("web:complaint", args=[complaint.number]) + "#feedback",
        kept=refused.Kept(values=values, errors=errors, extra={"form": form, "preview": preview is not None}),
        key=refused.case_key(complaint.number, "feedback"),
        panel=lambda kept: _render_panel(request, complaint, kept, preview=preview, status=error.status),
    )


def _result_values(request: HttpRequest) -> dict[str, str]:
    return {name: request.POST.get(name, "") for name in RESULT_FIELDS}


@login_required
@require_POST
def feedback_check(request: HttpRequest, number: str) -> HttpResponse:
    """The result message as the customer will get it, with the reply checker's findings (nothing is sent)."""
    complaint = _complaint_or_404(request, number)
    values = _result_values(request)
    try:
        preview = _preview(request, number, values)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        kept = refused.Kept(values=values, errors=_errors(error, RESULT_FIELDS), extra={"form": "result"})
        return _render_panel(request, complaint, kept, status=error.status)
    kept = refused.Kept(values=values, extra={"form": "result"})  # the form as typed, next to the preview
    return _render_panel(request, complaint, kept, preview=preview)


@login_required
@require_POST
def feedback_result_send(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _complaint_or_404(request, number)
    values = _result_values(request)
    try:
        result_send(
            number=number,
            actor=request.user,
            cause=values["cause"],
            measures=values["measures"],
            outcome=values["outcome"],
            compensation_text=values["compensation_text"],
            verified=values["verified"],
            basis=values["basis"],
            routes=values["routes"],
            override_reason=values["override_reason"],
        )
    except NotFound:
        raise Http404 from None
    except (ReplyBlocked, ResultNeedsOverride) as problem:
        # What the checker found is shown with the form; a warning asks for the reason to send anyway.
        field = "override_reason" if isinstance(problem, ResultNeedsOverride) else GENERAL
        preview = _preview(request, number, values)
        return _refused(request, complaint, "result", values, problem, field=field, preview=preview)
    except DomainError as error:
        return _refused(request, complaint, "result", values, error)
    return _after(request, complaint, _("处理结果已发送给客户，等待客户确认"))


@login_required
@require_POST
def feedback_confirm(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _complaint_or_404(request, number)
    note = request.POST.get("note", "")
    try:
        result_confirm(number=number, actor=request.user, note=note)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _refused(request, complaint, "confirm", {"note": note}, error)
    return _after(request, complaint, _("已登记客户确认，投诉已解决"))


@login_required
@require_POST
def feedback_unreachable(request: HttpRequest, number: str) -> HttpResponse:
    """The customer cannot be reached: the result and the reason are recorded and the case is resolved."""
    complaint = _complaint_or_404(request, number)
    values = {name: request.POST.get(name, "") for name in UNREACHABLE_FIELDS}
    try:
        result_unreachable_record(
            number=number,
            actor=request.user,
            reason=values["reason"],
            cause=values["cause"],
            measures=values["measures"],
            outcome=values["outcome"],
            compensation_text=values["compensation_text"],
        )
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _refused(request, complaint, "unreachable", values, error)
    return _after(request, complaint, _("已记录无法联系客户的原因，投诉已解决"))


@login_required
@require_POST
def feedback_rating(request: HttpRequest, number: str) -> HttpResponse:
    """A rating the customer gives on the phone, recorded by the agent."""
    complaint = _complaint_or_404(request, number)
    values = {name: request.POST.get(name, "") for name in RATING_FIELDS}
    stars = whole_number_typed(values["stars"])
    if values["solved"] not in RATING_SOLVED:
        return _refused(
            request, complaint, "rating", values, InvalidInput({"solved": [_("请选择问题是否已解决")]})
        )
    try:
        answer = rating_record(
            number=number,
            actor=request.user,
            stars=stars,
            comment=values["comment"],
            solved=RATING_SOLVED[values["solved"]],
        )
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _refused(request, complaint, "rating", values, error)
    notice = _("已登记客户的电话评价")
    if answer.action_note:
        notice += "；" + answer.get_action_display()
    elif answer.action == "confirmed":
        notice += _("；客户确认已解决")
    return _after(request, complaint, notice)


@login_required
@require_POST
def feedback_follow_up(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _complaint_or_404(request, number)
    values = {name: request.POST.get(name, "") for name in FOLLOW_UP_FIELDS}
    follow_up = selectors.open_follow_up_for_case(complaint=complaint)
    if follow_up is None:
        return _refused(
            request, complaint, "follow_up", values, InvalidInput({}, _("这张投诉没有待回访的任务"))
        )
    if values["result"] not in FOLLOW_UP_RESULTS:
        return _refused(
            request, complaint, "follow_up", values, InvalidInput({"result": [_("请选择回访结果")]})
        )
    reached, satisfied = FOLLOW_UP_RESULTS[values["result"]]
    try:
        recorded = follow_up_outcome_record(
            follow_up_id=follow_up.pk,
            actor=request.user,
            reached=reached,
            satisfied=satisfied,
            new_issue=values["new_issue"] if reached else "",
            note=values["note"],
        )
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _refused(request, complaint, "follow_up", values, error)
    notice = _("回访已记录")
    if recorded.linked_complaint is not None:
        notice += _("；新问题已登记为投诉 %(number)s") % {"number": recorded.linked_complaint.number}
    if recorded.closed:
        notice += _("；投诉已归档")
    elif recorded.reopened:
        notice += _("；投诉已重新打开")
    elif recorded.close_error:
        notice += _("；暂未归档：%(reason)s") % {"reason": recorded.close_error}
    return _after(request, complaint, notice)


@login_required
@require_GET
def follow_ups_page(request: HttpRequest) -> HttpResponse:
    """The follow-up queue: open follow-ups the user may see, the most urgent first, with their scripts on
    the case page."""
    scope = request.GET.get("scope", "all")
    scope = scope if scope in selectors.QUEUE_SCOPES else "all"
    overdue = request.GET.get("overdue") == "1"
    queue = selectors.follow_up_queue(user=request.user, scope=scope, overdue_only=overdue)
    return render(
        request,
        "web/feedback/follow_ups.html",
        {"queue": queue, "scope": scope, "overdue_only": overdue, "now": now()},
    )
