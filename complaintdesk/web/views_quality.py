"""Quality inspection (质检) pages: the inspectors' queue (/quality/), the scoring page of one sample
(/quality/<sample_id>/: the case read-only, the rubric, the form) and the calibration view
(/quality/calibration/). Views parse input, call one service or selector, and render; the rules are
quality.services'. Only inspecting roles (quality inspectors, supervisors) see these pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as PageForbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from complaintdesk.common.errors import DomainError, NotFound
from complaintdesk.complaints.models import EventKind
from complaintdesk.complaints.states import Status
from complaintdesk.quality import selectors
from complaintdesk.quality.models import QaPeriod
from complaintdesk.quality.rubric import CRITERIA, CRITERION_CODES, LEVELS
from complaintdesk.quality.services import quality_inspection_score
from complaintdesk.web import refused

QUEUE_VIEWS = ("pending", "done")


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
    context = {
        "rows": rows,
        "view": view,
        "pending_total": selectors.pending_total(user=request.user) if view == "pending" else None,
        "limit": selectors.QUEUE_LIMIT,
    }
    return render(request, "web/quality/queue.html", context)


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
        "event_kinds": dict(EventKind.choices),
        "status_labels": dict(Status.choices),
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
        if period is None and raw.isdigit():
            period = QaPeriod.objects.filter(pk=int(raw)).first()
    summary = selectors.calibration_pairs(user=request.user, period=period)
    context = {
        "summary": summary,
        "periods": periods,
        "period": period,
        "criteria": CRITERIA,
        "codes": CRITERION_CODES,
    }
    return render(request, "web/quality/calibration.html", context)
