"""Privacy pages (complaintdesk.privacy): the case page's panel — retention and the legal hold, placed and
released by those who may — and the auditor's personal-data access log (/privacy/access-log/). Views
parse input, call one service or selector, and render; the rules are privacy's."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from complaintdesk.common.errors import DomainError, NotFound
from complaintdesk.common.time import day_as_typed
from complaintdesk.common.validation import whole_number_typed
from complaintdesk.complaints.access import access_complaint
from complaintdesk.privacy import selectors, services
from complaintdesk.privacy.access import user_may_audit, user_may_hold
from complaintdesk.privacy.models import AccessField, AccessKind
from complaintdesk.web import refused

PANEL = "privacy"


def _complaint_or_404(request: HttpRequest, number: str):
    try:
        return access_complaint(user=request.user, number=number)
    except NotFound:
        raise Http404 from None


def _period(months: int) -> str:
    """A retention period in words: 3 年 / 3 years, 1 年 6 个月 / 1 year 6 months."""
    years, rest = divmod(months, 12)
    parts = []
    if years:
        parts.append(ngettext(" %(n)d 年", " %(n)d 年", years) % {"n": years})
    if rest or not years:
        parts.append(ngettext(" %(n)d 个月", " %(n)d 个月", rest) % {"n": rest})
    return "".join(parts)


def _panel(
    request: HttpRequest, complaint, kept: refused.Kept | None = None, *, notice: str = "", status=200
):
    retention = selectors.case_retention(complaint=complaint)
    context = {
        "c": complaint,
        "r": retention,
        "period": _period(retention.months),
        "may_hold": user_may_hold(request.user) and retention.anonymised_at is None,
        "errors": kept.errors if kept else {},
        "values": kept.values if kept else {},
        "notice": notice,
    }
    return render(request, "web/privacy/panel.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def privacy_panel(request: HttpRequest, number: str) -> HttpResponse:
    """GET: the panel. POST action=place / release with a reason: the legal hold set or lifted."""
    complaint = _complaint_or_404(request, number)
    key = refused.case_key(number, PANEL)
    if request.method == "GET":
        return _panel(request, complaint, refused.kept_take(request, key))
    values = refused.post_values(request, names=("action", "reason"))
    try:
        if values.get("action") == "release":
            services.legal_hold_release(number=number, actor=request.user, reason=values.get("reason", ""))
            notice = _("法律保全已解除")
        else:
            services.legal_hold_place(number=number, actor=request.user, reason=values.get("reason", ""))
            notice = _("已设置法律保全")
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        kept, status = (
            refused.Kept(values=values, errors=refused.reasons(error, names=("reason",))),
            error.status,
        )
        return refused.case_panel_answer(
            request,
            complaint,
            kept,
            name=PANEL,
            anchor=PANEL,
            render=lambda rq, c, k: _panel(rq, c, k, status=status),
        )
    return refused.case_panel_answer(
        request, complaint, name=PANEL, anchor=PANEL, render=lambda rq, c, k: _panel(rq, c, notice=notice)
    )


def _day(text: str) -> dt.date | None:
    return day_as_typed(text) if text else None


@login_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """The auditor's page: who saw which personal data of which case, when and why; newest first, 100
    rows a page, narrowed by user, case number, kind and days. Anyone else gets the product's 404."""
    if not user_may_audit(request.user):
        raise Http404
    q = request.GET
    problems = [
        _("请按“年-月-日”填写日期，例如 2026-12-01：%(value)s") % {"value": q.get(name)}
        for name in ("from", "to")
        if q.get(name) and _day(q.get(name)) is None
    ]
    kind = q.get("kind", "")
    filters = selectors.LogFilters(
        user=q.get("user", "").strip()[:150],
        case=q.get("case", "").strip().upper()[:32],
        day_from=_day(q.get("from", "")),
        day_to=_day(q.get("to", "")),
        kind=kind if kind in AccessKind.values else "",
    )
    before = q.get("before", "")
    rows = selectors.access_log(filters=filters, before_id=whole_number_typed(before))
    more = len(rows) == selectors.LOG_PAGE_MAX
    query = q.copy()
    query.pop("before", None)
    return render(
        request,
        "web/privacy/access_log.html",
        {
            "rows": rows,
            "f": filters,
            # A day understood is shown back as 2026-12-01; one that was not, as it was typed.
            "from": filters.day_from.isoformat() if filters.day_from else q.get("from", ""),
            "to": filters.day_to.isoformat() if filters.day_to else q.get("to", ""),
            "kinds": AccessKind.choices,
            "field_labels": dict(AccessField.choices),
            "problems": problems,
            "next_query": (query.urlencode() + "&" if query else "") + f"before={rows[-1].id}"
            if more
            else "",
            "page_max": selectors.LOG_PAGE_MAX,
        },
    )
