"""Archive pages (complaintdesk.archive): search over archived cases and knowledge articles, an
article's page, and two HTMX panels of the case page — the case summary (归档总结) form and similar
past cases and articles. Views parse input, call one service or selector, and render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaintdesk.accounts.access import access_complaint
from complaintdesk.archive import selectors, services
from complaintdesk.common.errors import DomainError, NotFound, PermissionDenied
from complaintdesk.complaints.states import Status
from complaintdesk.web import refused

SUMMARY_FIELDS = services.SUMMARY_FIELDS
KIND_CHOICES = ("both", "cases", "articles")


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _complaint_or_404(request: HttpRequest, number: str):
    try:
        return access_complaint(user=request.user, number=number)
    except NotFound:
        raise Http404 from None


def _errors(error: DomainError, names: tuple[str, ...]) -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    for name, texts in (error.fields or {}).items():
        flat.setdefault(name if name in names else "general", []).extend(texts)
    if not flat:
        flat["general"] = [error.message]
    return flat


@login_required
@require_GET
def archive_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "both")
    kind = kind if kind in KIND_CHOICES else "both"
    hits = selectors.archive_search(user=request.user, query=query, kind=kind) if query else []
    context = {
        "query": query,
        "kind": kind,
        "hits": hits,
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
    request: HttpRequest, complaint, *, errors=None, values=None, status: int = 200, notice: str = ""
) -> HttpResponse:
    user = request.user
    latest = services.summary_latest(complaint=complaint)
    can_write = complaint.status not in (Status.NEW, Status.WITHDRAWN) and (
        user.has_perm("complaints.handle_complaint") or user.has_perm("complaints.close_complaint")
    )
    if values is None:
        values = (
            {f: getattr(latest, f) for f in SUMMARY_FIELDS} if latest else {f: "" for f in SUMMARY_FIELDS}
        )
    labels = services.summary_field_labels()
    errors = errors or {}
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


def _summary_refused(request: HttpRequest, number: str, *, errors: dict, values: dict) -> HttpResponse:
    """A plain form goes back to the case page, whose panel shows the problems (Post/Redirect/Get)."""
    return refused.refused_redirect(
        request,
        reverse("web:complaint", args=[number]) + "#summary",
        key=refused.case_key(number, "summary"),
        values=values,
        errors=errors,
    )


@login_required
@require_http_methods(["GET", "POST"])
def summary_panel(request: HttpRequest, number: str) -> HttpResponse:
    """GET: the case summary and its form. POST: a new version of the summary."""
    complaint = _complaint_or_404(request, number)
    if request.method == "GET":
        kept = refused.kept_take(request, refused.case_key(number, "summary"))
        if kept is None:
            return _summary_panel(request, complaint)
        return _summary_panel(request, complaint, errors=kept.errors, values=kept.values or None)
    values = {f: request.POST.get(f, "") for f in SUMMARY_FIELDS}
    try:
        services.case_summary_write(number=number, actor=request.user, **values)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        if not _is_htmx(request) and not isinstance(error, PermissionDenied):
            return _summary_refused(request, number, errors=_errors(error, SUMMARY_FIELDS), values=values)
        return _summary_panel(
            request, complaint, errors=_errors(error, SUMMARY_FIELDS), values=values, status=error.status
        )
    notice = _("归档总结已保存")
    if _is_htmx(request):
        return _summary_panel(request, _complaint_or_404(request, number), notice=notice)
    return redirect("web:complaint", number=number)


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
        if not _is_htmx(request) and not isinstance(error, PermissionDenied):
            return _summary_refused(request, number, errors=_errors(error, ()), values={})
        return _summary_panel(request, complaint, errors=_errors(error, ()), status=error.status)
    if _is_htmx(request):
        return _summary_panel(
            request, complaint, notice=_("已转为知识文章：%(title)s") % {"title": article.title}
        )
    return redirect("web:archive_article", article_id=article.pk)


@login_required
@require_GET
def similar_panel(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _complaint_or_404(request, number)
    hits = selectors.archive_similar(complaint=complaint, user=request.user, limit=5)
    return render(request, "web/archive/similar_panel.html", {"c": complaint, "hits": hits})
