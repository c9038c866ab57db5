"""Quality inspection (质检) pages: the inspectors' queue (/quality/), the scoring page of one sample
(/quality/<sample_id>/: the case read-only, the rubric, the form) and the calibration view
(/quality/calibration/), and drawing a period's sample from the queue page (/quality/draw: the service the
`manage.py quality_sample` command and the daily job use). Views parse input, call one service or selector, and render; the rules are
quality.services'. Only inspecting roles (quality inspectors, supervisors) see these pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as PageForbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaintdesk.common.errors import DomainError, NotFound
from complaintdesk.common.time import day_as_typed, local_today
from complaintdesk.common.validation import whole_number_typed
from complaintdesk.quality import schedule, selectors
from complaintdesk.quality.models import QaPeriod
from complaintdesk.quality.rubric import CRITERIA, CRITERION_CODES, LEVELS
from complaintdesk.quality.services import quality_inspection_score, quality_sample_draw
from complaintdesk.web import refused

QUEUE_VIEWS = ("pending", "done")
DRAW_KEY = "quality:draw"


def _inspector_or_403(request: HttpRequest) -> None:
    if not selectors.user_is_inspector(request.user):
        raise PageForbidden


@login_required
@require_GET
def quality_queue(request: HttpRequest) -> HttpResponse:
    _inspector_or_403(request)
    view = request.GET.get("view", "pending")
    view = view if view in QUEUE_VIEWS else "pending"
    rows = selectors.inspector_queue(user=request.user, view=view, limit=selectors.QUEUE_LIMIT)
    start, end = schedule.last_complete_period(today=local_today(), length=selectors.policy_current().period)
    kept = refused.kept_take(request, DRAW_KEY)
    context = {
        "rows": rows,
        "view": view,
        "pending_total": selectors.pending_total(user=request.user) if view == "pending" else None,
        "limit": selectors.QUEUE_LIMIT,
        "draw": kept.values if kept else {"period_start": start.isoformat(), "period_end": end.isoformat()},
        "draw_errors": kept.errors if kept else {},
    }
    return render(request, "web/quality/queue.html", context)


def _date_or_text(text: str):
    """A day typed year first (2026-12-01, 2026/12/1, 2026年12月1日), or the text as typed (the service then
    says what is wrong with it, beside the field)."""
    return day_as_typed(text) or text


@login_required
@require_POST
def quality_draw(request: HttpRequest) -> HttpResponse:
    """Draw (or top up) the sample of a period, as `manage.py quality_sample --start --end` does."""
    _inspector_or_403(request)
    values = refused.post_values(request, ("period_start", "period_end"))
    try:
        result = quality_sample_draw(
            period_start=_date_or_text(values.get("period_start", "")),
            period_end=_date_or_text(values.get("period_end", "")),
            actor=request.user,
        )
    except DomainError as error:
        kept = refused.Kept(values=values, errors=refused.reasons(error))
        return refused.answer(request, to=reverse("web:quality_queue"), kept=kept, key=DRAW_KEY)
    if result.drawn:
        message = _(
            "已为 %(period)s 抽取 %(n)d 份样本（%(agents)d 位客服专员，其中 %(calibration)d 份校准）"
        ) % {
            "period": result.period,
            "n": result.drawn,
            "agents": len([a for a in result.agents.values() if a.drawn]),
            "calibration": result.calibration,
        }
    else:
        message = _("%(period)s 没有新的样本可抽：该周期已抽满，或没有已归档的投诉") % {
            "period": result.period
        }
    return refused.answer(request, to=reverse("web:quality_queue"), message=message)


def _criteria_rows(values: dict, errors: dict) -> list[dict]:
    return [
        {
            "code": c.code,
            "label": c.label,
            "guide": c.guide,
            "value": str(values.get(c.code, "")),
            "errors": errors.get(c.code, []),
        }
        for c in CRITERIA
    ]


def _render_sample(request: HttpRequest, detail, *, values=None, errors=None, status=200) -> HttpResponse:
    values, errors = values or {}, errors or {}
    evidence = selectors.sample_evidence(sample=detail.sample)
    policy = selectors.policy_current()
    context = {
        "detail": detail,
        "s": detail.sample,
        "c": detail.sample.complaint,
        "evidence": evidence,
        "criteria": _criteria_rows(values, errors),
        "levels": LEVELS,
        "weights": policy.weights,
        "comment": values.get("comment", ""),
        "errors": errors,
        "codes": CRITERION_CODES,
    }
    return render(request, "web/quality/sample.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def quality_sample(request: HttpRequest, sample_id: int) -> HttpResponse:
    _inspector_or_403(request)
    try:
        detail = selectors.sample_for_inspector(user=request.user, sample_id=sample_id)
    except NotFound:
        raise Http404 from None
    key = f"quality:{sample_id}"
    if request.method == "GET":
        kept = refused.kept_take(request, key)
        if kept is None:
            return _render_sample(request, detail)
        return _render_sample(request, detail, values=kept.values, errors=kept.errors)
    values = {code: request.POST.get(code, "") for code in CRITERION_CODES}
    values["comment"] = request.POST.get("comment", "")
    try:
        quality_inspection_score(
            sample_id=sample_id,
            actor=request.user,
            scores={code: values[code] for code in CRITERION_CODES},
            comment=values["comment"],
        )
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        # Back to the scoring page with what was entered and what is wrong (Post/Redirect/Get).
        kept = refused.Kept(values=values, errors=refused.reasons(error))
        return refused.answer(request, to=reverse("web:quality_sample", args=[sample_id]), kept=kept, key=key)
    return refused.answer(
        request,
        to=reverse("web:quality_queue"),
        message=_("已保存 %(number)s 的质检评分") % {"number": detail.sample.complaint.number},
    )


@login_required
@require_GET
def quality_calibration(request: HttpRequest) -> HttpResponse:
    _inspector_or_403(request)
    periods = selectors.periods_recent()
    period = None
    raw = request.GET.get("period", "")
    if raw:
        period = next((p for p in periods if str(p.pk) == raw), None)
        if period is None and (pk := whole_number_typed(raw)) is not None:
            period = QaPeriod.objects.filter(pk=pk).first()
    summary = selectors.calibration_pairs(user=request.user, period=period)
    context = {
        "summary": summary,
        "periods": periods,
        "period": period,
        "criteria": CRITERIA,
        "codes": CRITERION_CODES,
    }
    return render(request, "web/quality/calibration.html", context)
