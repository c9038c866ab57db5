"""The team's learning (complaintdesk.learning): the case page's panel to choose a finished case as a
training example, the library and one case with the handler's consent, and the daily service log.
Views parse input, call one service or selector, and render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaintdesk.common.errors import DomainError, NotFound, PermissionDenied
from complaintdesk.common.time import day_as_typed, local_today
from complaintdesk.common.validation import DAY_FORMAT_MESSAGE, whole_number_typed
from complaintdesk.complaints.access import access_complaint
from complaintdesk.learning import selectors, services
from complaintdesk.learning.models import ExampleKind, TrainingCase
from complaintdesk.web import refused

PROPOSAL_FIELDS = ("kind", "title", "lesson")
LOG_FIELDS = ("went_well", "to_improve")


def _complaint_or_404(request: HttpRequest, number: str):
    try:
        return access_complaint(user=request.user, number=number)
    except NotFound:
        raise Http404 from None


def _panel(
    request: HttpRequest, complaint, kept: refused.Kept | None = None, *, status: int = 200
) -> HttpResponse:
    """Nothing for someone who cannot choose examples (the panel hides itself when empty)."""
    case = TrainingCase.objects.filter(complaint_id=complaint.pk).first()
    may_propose = (
        case is None
        and services.user_may_curate(request.user)
        and complaint.status in services.FINISHED_STATUSES
        and complaint.assignee_id is not None
    )
    if case is None and not may_propose:
        return HttpResponse("", status=status)
    context = {
        "c": complaint,
        "case": case,
        "may_propose": may_propose,
        "kinds": ExampleKind.choices,
        "values": (kept.values if kept else None) or {"kind": ExampleKind.GOOD},
        "errors": kept.errors if kept else {},
    }
    return render(request, "web/learning/panel.html", context, status=status)


@login_required
@require_GET
def learning_panel(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _complaint_or_404(request, number)
    return _panel(request, complaint, refused.kept_take(request, refused.case_key(number, "learning")))


@login_required
@require_POST
def learning_propose(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _complaint_or_404(request, number)
    values = refused.post_values(request, PROPOSAL_FIELDS)
    try:
        services.training_case_propose(number=number, actor=request.user, **values)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        kept = refused.Kept(values=values, errors=refused.reasons(error, PROPOSAL_FIELDS))
        status = error.status
        return refused.answer(
            request,
            to=reverse("web:complaint", args=[number]) + "#learning",
            kept=kept,
            key=refused.case_key(number, "learning"),
            panel=lambda kept: _panel(request, complaint, kept, status=status),
        )
    return refused.case_panel_answer(request, complaint, name="learning", anchor="learning", render=_panel)


@login_required
@require_GET
def library_page(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in ExampleKind.values else ""
    context = {
        "kind": kind,
        "kinds": ExampleKind.choices,
        "cases": selectors.training_cases_published(user=request.user, kind=kind),
        "awaiting": selectors.training_cases_awaiting(user=request.user),
        "proposed": selectors.training_cases_proposed_by(user=request.user),
    }
    return render(request, "web/learning/library.html", context)


def _case_page(request: HttpRequest, case_id: int, *, status: int = 200, errors=None) -> HttpResponse:
    try:
        case = selectors.training_case_for_user(user=request.user, case_id=case_id)
    except NotFound:
        raise Http404 from None
    context = {
        "case": case,
        "is_handler": case.handler_id == request.user.pk,
        "may_remove": services.user_may_remove(request.user, case),
        "errors": errors or {},
    }
    return render(request, "web/learning/case.html", context, status=status)


@login_required
@require_GET
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    kept = refused.kept_take(request, f"learning:{case_id}")
    return _case_page(request, case_id, errors=kept.errors if kept else None)


@login_required
@require_POST
def case_consent(request: HttpRequest, case_id: int) -> HttpResponse:
    agree = request.POST.get("answer") == "agree"
    note = request.POST.get("note", "")
    try:
        services.training_case_consent(case_id=case_id, actor=request.user, agree=agree, note=note)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        kept = refused.Kept(values={"note": note}, errors=refused.reasons(error, ("note",)))
        return refused.answer(
            request, to=reverse("web:learning_case", args=[case_id]), kept=kept, key=f"learning:{case_id}"
        )
    message = _("已同意，案例已发布到培训案例库") if agree else _("已表示不同意，案例不会发布")
    return refused.answer(request, to=reverse("web:learning_case", args=[case_id]), message=message)


@login_required
@require_POST
def case_remove(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        services.training_case_remove(case_id=case_id, actor=request.user)
    except NotFound:
        raise Http404 from None
    except PermissionDenied as error:
        return _case_page(request, case_id, status=403, errors={refused.GENERAL: [error.message]})
    return refused.answer(request, to=reverse("web:learning_library"), message=_("已从培训案例库撤下"))


@login_required
@require_http_methods(["GET", "POST"])
def service_log_page(request: HttpRequest) -> HttpResponse:
    """The agent's log for today (and their last entries); a supervisor's view of their people's logs."""
    user = request.user
    if request.method == "POST":
        values = refused.post_values(request, LOG_FIELDS)
        try:
            services.service_log_write(actor=user, **values)
        except DomainError as error:
            kept = refused.Kept(values=values, errors=refused.reasons(error, LOG_FIELDS))
            return refused.answer(request, to=reverse("web:service_log"), kept=kept, key="learning:log")
        return refused.answer(request, to=reverse("web:service_log"), message=_("今天的服务日志已保存"))
    kept = refused.kept_take(request, "learning:log")
    agent_id = request.GET.get("agent", "")
    agent_id = whole_number_typed(agent_id)
    day_text = request.GET.get("day", "").strip()[:40]
    # Typed year first: 2026-12-01, 2026/12/1, 2026年12月1日.
    day = day_as_typed(day_text) if day_text else None
    today = local_today()
    mine = selectors.service_logs_readable(reader=user, agent_id=user.pk, since=today)
    own_today = next(iter(mine), None)
    values = (kept.values if kept else None) or (
        {"went_well": own_today.went_well, "to_improve": own_today.to_improve} if own_today else {}
    )
    context = {
        "may_write": services.user_may_log(user),
        "values": values,
        "errors": kept.errors if kept else {},
        "today": today,
        "may_read_others": services.user_may_curate(user),
        "agents": selectors.log_agents_for(reader=user),
        "agent_id": agent_id,
        "day": day,
        "day_text": day.isoformat() if day else day_text,
        "day_error": DAY_FORMAT_MESSAGE() if day_text and day is None else "",
        "entries": selectors.service_logs_readable(reader=user, agent_id=agent_id, day=day),
    }
    return render(request, "web/learning/log.html", context)
