"""Archive pages (complaintdesk.archive): search over archived cases and knowledge articles, an
article's page, and two HTMX panels of the case page — the case summary (归档总结) form and similar
past cases and articles. Views parse input, call one service or selector, and render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaintdesk.archive import selectors, services
from complaintdesk.common.errors import DomainError, NotFound, PermissionDenied
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.states import Status
from complaintdesk.web import refused

SUMMARY_FIELDS = services.SUMMARY_FIELDS
KIND_CHOICES = ("both", "cases", "articles")


def _complaint_or_404(request: HttpRequest, number: str):
    try:
        return access_complaint(user=request.user, number=number)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def archive_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "both")
    kind = kind if kind in KIND_CHOICES else "both"
    all_years = request.GET.get("all") == "1"
    results = (
        selectors.archive_search_results(user=request.user, query=query, kind=kind, all_years=all_years)
        if query
        else None
    )
    context = {
        "query": query,
        "kind": kind,
        "all_years": all_years,
        "results": results,
        "hits": results.hits if results else [],
        "articles": [] if query else selectors.articles_recent(user=request.user, limit=10),
    }
    return render(request, "web/archive/search.html", context)


@login_required
@require_GET
def archive_article(request: HttpRequest, article_id: int) -> HttpResponse:
    try:
        article = selectors.article_for_user(user=request.user, article_id=article_id)
    except NotFound:
        raise Http404 from None
    return render(request, "web/archive/article.html", {"article": article})


def _summary_panel(
    request: HttpRequest, complaint, kept: refused.Kept | None = None, *, status: int = 200, notice: str = ""
) -> HttpResponse:
    """The panel; with `kept`, the refused form as it was typed (if anything was) and why."""
    user = request.user
    errors, values = (kept.errors, kept.values or None) if kept else ({}, None)
    latest = services.summary_latest(complaint=complaint)
    can_write = complaint.status not in (Status.NEW, Status.WITHDRAWN) and (
        user.has_perm("complaints.handle_complaint") or user.has_perm("complaints.close_complaint")
    )
    if values is None:  # the latest version, else a draft from the case's analysis, solution and result
        values = (
            {f: getattr(latest, f) for f in SUMMARY_FIELDS}
            if latest
            else selectors.summary_draft(complaint=complaint)
        )
    labels = services.summary_field_labels()
    context = {
        "c": complaint,
        "latest": latest,
        "versions": selectors.summaries_of(complaint=complaint)[1:],
        "fields": [(f, labels[f], values.get(f, ""), errors.get(f, [])) for f in SUMMARY_FIELDS],
        "can_write": can_write,
        "can_promote": complaint.status == Status.CLOSED
        and latest is not None
        and services.user_may_promote(user),
        "articles": list(complaint.knowledge_articles.order_by("-id")[:5]),
        "errors": errors,
        "notice": notice,
    }
    return render(request, "web/archive/summary_panel.html", context, status=status)


def _summary_refused(request: HttpRequest, complaint, error: DomainError, kept: refused.Kept) -> HttpResponse:
    """HTMX: the panel with the problems, in place, answered with the error's status. A plain form goes
    back to the case page, whose panel shows them (Post/Redirect/Get). A refusal no input can mend (no
    permission) is the panel, to both."""
    if isinstance(error, PermissionDenied):
        return _summary_panel(request, complaint, kept, status=error.status)
    return refused.answer(
        request,
        to=reverse("web:complaint", args=[complaint.number]) + "#summary",
        kept=kept,
        key=refused.case_key(complaint.number, "summary"),
        panel=lambda kept: _summary_panel(request, complaint, kept, status=error.status),
    )


@login_required
@require_http_methods(["GET", "POST"])
def summary_panel(request: HttpRequest, number: str) -> HttpResponse:
    """GET: the case summary and its form. POST: a new version of the summary."""
    complaint = _complaint_or_404(request, number)
    if request.method == "GET":
        return _summary_panel(
            request, complaint, refused.kept_take(request, refused.case_key(number, "summary"))
        )
    values = {f: request.POST.get(f, "") for f in SUMMARY_FIELDS}
    try:
        services.case_summary_write(number=number, actor=request.user, **values)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        kept = refused.Kept(values=values, errors=refused.reasons(error, SUMMARY_FIELDS))
        return _summary_refused(request, complaint, error, kept)
    return refused.answer(
        request,
        to=reverse("web:complaint", args=[number]),
        panel=lambda _kept: _summary_panel(
            request, _complaint_or_404(request, number), notice=_("归档总结已保存")
        ),
    )


@login_required
@require_POST
def summary_promote(request: HttpRequest, number: str) -> HttpResponse:
    """A supervisor turns the archived case into a knowledge article (its summary as the body)."""
    complaint = _complaint_or_404(request, number)
    try:
        article = services.article_promote(number=number, actor=request.user)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _summary_refused(request, complaint, error, refused.Kept(errors=refused.reasons(error, ())))
    return refused.answer(
        request,
        to=reverse("web:archive_article", args=[article.pk]),
        panel=lambda _kept: _summary_panel(
            request, complaint, notice=_("已转为知识文章：%(title)s") % {"title": article.title}
        ),
    )


@login_required
@require_GET
def similar_panel(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _complaint_or_404(request, number)
    hits = selectors.archive_similar(complaint=complaint, user=request.user, limit=5)
    return render(request, "web/archive/similar_panel.html", {"c": complaint, "hits": hits})
