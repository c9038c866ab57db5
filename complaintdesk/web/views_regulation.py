"""Regulation pages (complaintdesk.regulation): the case page's panel — the statutory due dates of the case's
pack and its regulatory codes (suggest, confirm) — and the regulatory statistics export (/regulation/
statistics/). Views parse input, call one service or selector, and render; the rules are regulation's."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from complaintdesk.accounts.access import units_visible_to, user_sees_all_units
from complaintdesk.common.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from complaintdesk.common.time import day_as_typed, local_today, now
from complaintdesk.common.validation import whole_number_typed
from complaintdesk.complaints.access import access_complaint
from complaintdesk.regulation import referrals, selectors, services
from complaintdesk.regulation.case_view import QUEUE_SLA, QUEUE_STATUTORY, case_regulation
from complaintdesk.regulation.models import CaseCodeStatus, Clock, Condition, ReferralSource, ReportChannel
from complaintdesk.regulation.statistics import (
    StatsLayout,
    regulatory_statistics_export,
    stats_layout_saved,
    stats_layouts_saved,
)
from complaintdesk.web import refused

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _complaint_or_404(request: HttpRequest, number: str):
    try:
        return access_complaint(user=request.user, number=number)
    except NotFound:
        raise Http404 from None


def _name(obj) -> str:
    english = (get_language() or "").startswith("en")
    return obj.name_en if english and getattr(obj, "name_en", "") else obj.name


def _panel(
    request: HttpRequest,
    complaint,
    kept: refused.Kept | None = None,
    *,
    notice: str = "",
    status=200,
    banner: bool = False,
):
    view = case_regulation(complaint=complaint, user=request.user)
    pack, dues = view.pack, view.dues
    try:
        scheme = selectors.scheme_active()
    except NotFound as error:
        scheme, scheme_problem = None, error.message
    else:
        scheme_problem = ""
    current = {c.dimension_id: c for c in selectors.complaint_codes(complaint_id=complaint.pk)}
    errors = kept.errors if kept else {}
    values = kept.values if kept else {}
    dimensions = []
    if scheme is not None:
        for dimension, codes in selectors.scheme_choices(scheme=scheme):
            row = current.get(dimension.pk)
            chosen = values.get(f"code_{dimension.code}") or (row.code.code if row else "")
            dimensions.append(
                {
                    "code": dimension.code,
                    "name": _name(dimension),
                    "current": row,
                    "current_name": f"{_name(row.code)} ({row.code.code})" if row else "",
                    "confirmed": row is not None and row.status == CaseCodeStatus.CONFIRMED,
                    "options": [(c.code, f"{c.code} {_name(c)}", c.code == chosen) for c in codes],
                }
            )
    extension_rule = next((r for r in pack.rules.all() if r.extension_amount), None) if pack else None
    may_extend = (
        extension_rule is not None
        and complaint.is_open
        and complaint.complexity == "complex"
        and request.user.role == extension_rule.extension_approver_role
    )
    context = {
        "c": complaint,
        "pack": pack,
        "extension_rule": extension_rule if complaint.complexity == "complex" else None,
        "extension_role": extension_rule.get_extension_approver_role_display() if extension_rule else "",
        "may_extend": may_extend,
        "pack_name": view.pack_name,
        "statutory": view.statutory,
        "statutory_remaining": view.statutory_remaining,
        "sla_due_at": view.sla_due_at,
        "queue_follows_statutory": view.queue_follows == QUEUE_STATUTORY,
        "queue_follows_sla": view.queue_follows == QUEUE_SLA,
        "referrals": view.referrals,
        "hints": view.hints,
        "banner": banner and bool(view.hints),
        "can_refer": request.user.has_perm("complaints.handle_complaint"),
        "postal_source": ReferralSource.POSTAL_12305.value,
        "sources": ReferralSource.choices,
        "report_channels": ReportChannel.choices,
        "values": values,
        "today": local_today(),
        "today_text": local_today().isoformat(),
        "content_default": referrals.referral_content_required(complaint=complaint) if pack else "",
        "dues": [
            {
                "clock": Clock(d.clock.value).label,
                "condition": Condition(d.condition.value).label if d.condition.value != "all" else "",
                "last_day": d.last_day,
                "provisional": d.provisional,
                "extended_by": d.extended_by,
            }
            for d in dues
        ],
        "scheme": scheme,
        "scheme_problem": scheme_problem,
        "dimensions": dimensions,
        "can_classify": request.user.has_perm("complaints.handle_complaint"),
        "errors": errors,
        "notice": notice,
    }
    return render(request, "web/regulation/panel.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def regulation_panel(request: HttpRequest, number: str) -> HttpResponse:
    """GET: the panel. POST action=suggest: codes suggested from the case text; action=confirm: the codes
    chosen (one `code_<dimension>` per dimension) confirmed; action=extend: the statutory decision deadline
    extended (amount, reason, customer_notified)."""
    complaint = _complaint_or_404(request, number)
    key = refused.case_key(number, "regulation")
    if request.method == "GET":
        return _panel(request, complaint, refused.kept_take(request, key), banner=True)
    values = refused.post_values(request)
    try:
        if values.get("action") == "refer":
            names = ("source", "source_name", "reference", "forwarded_on", "due_on", "content_required")
            # An empty date is a date not given (required, or the pack's rule), not a date that is wrong.
            data = {n: values.get(n, "") for n in names if values.get(n, "") != "" or n == "content_required"}
            referrals.referral_record(number=number, actor=request.user, data=data)
            notice = _("监管转办已登记")
        elif values.get("action") == "report":
            referral_id = values.get("referral", "")
            referrals.referral_report_back(
                number=number, actor=request.user, referral_id=whole_number_typed(referral_id) or 0,
                data={"content": values.get("content", ""), "channel": values.get("channel", ""),
                      "reference": values.get("report_reference", ""),
                      **{n: values[n] for n, _label in referrals.REPORT_PARTS if values.get(n, "").strip()}},
            )  # fmt: skip
            notice = _("向转办机构的回复已登记")
        elif values.get("action") == "extend":
            amount = whole_number_typed(values.get("amount", ""))
            if amount is None or not 0 < amount <= 366:
                raise InvalidInput({"amount": [_("请填写延长的天数（正整数）。")]})
            extension = services.statutory_extension_approve(
                number=number, actor=request.user, amount=amount, reason=values.get("reason", ""),
                customer_notified_at=now() if values.get("customer_notified") else None,
            )  # fmt: skip
            if extension.customer_notice is not None:
                notice = _("法定时限已延长，已通过%(channel)s告知投诉人新的处理期限和理由。") % {
                    "channel": extension.customer_notice.get_channel_display()
                }
            else:
                notice = _("法定时限已延长")
        elif values.get("action") == "suggest":
            services.complaint_codes_suggest(number=number, actor=request.user)
            notice = _("已根据投诉内容给出建议分类，请核对后确认。")
        else:
            codes = [v for k, v in values.items() if k.startswith("code_") and v]
            services.complaint_codes_confirm(number=number, actor=request.user, codes=codes)
            notice = _("监管分类已确认")
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        if values.get("action") in ("refer", "report"):
            # Beside the fields of the form that was sent (a report names its referral).
            errors = {k: list(v) for k, v in error.fields.items()}
            if not isinstance(error, InvalidInput) or not errors:
                errors[refused.GENERAL] = [error.message]
            if "referral" in errors:
                errors.setdefault(refused.GENERAL, []).extend(errors.pop("referral"))
            kept = refused.Kept(values=values, errors=errors)
        else:
            kept = refused.Kept(values=values, errors={refused.GENERAL: _messages(error)})
        status = error.status
        if isinstance(error, PermissionDenied):
            return _panel(request, complaint, kept, status=status)
        return refused.answer(
            request,
            to=reverse("web:complaint", args=[number]) + "#regulation",
            kept=kept,
            key=key,
            panel=lambda kept: _panel(request, complaint, kept, status=status),
        )
    return refused.answer(
        request,
        to=reverse("web:complaint", args=[number]) + "#regulation",
        panel=lambda _kept: _panel(request, _complaint_or_404(request, number), notice=notice),
    )


def _messages(error: DomainError) -> list[str]:
    details = [m for messages in error.fields.values() for m in messages]
    return details or [error.message]


# The statistics export ----------------------------------------------------------------------------------


def _date(text: str) -> dt.date | None:
    return day_as_typed(text)


@login_required
@require_GET
def regulation_statistics(request: HttpRequest) -> HttpResponse:
    """The form (period, unit, layout); with `download`, the workbook."""
    if not request.user.has_perm("complaints.view_complaint"):
        raise Http404
    today = local_today()
    first = today.replace(day=1)
    last_month_end = first - dt.timedelta(days=1)
    values = {
        "start": request.GET.get("start", last_month_end.replace(day=1).isoformat()),
        "end": request.GET.get("end", last_month_end.isoformat()),
        "unit": request.GET.get("unit", ""),
        "rows": request.GET.get("rows", "A,B"),
        "column": request.GET.get("column", "C"),
        "saved_layout": request.GET.get("saved_layout", ""),
    }
    units = list(units_visible_to(request.user).order_by("path")[:500])
    errors: list[str] = []
    if "download" in request.GET:
        start, end = _date(values["start"]), _date(values["end"])
        unit = next((u for u in units if u.code == values["unit"]), None)
        if start is None or end is None:
            errors.extend(
                _("请按“年-月-日”填写日期，例如 2026-12-01：%(value)s") % {"value": values[name]}
                for name in ("start", "end")
                if _date(values[name]) is None
            )
        elif values["unit"] and unit is None:
            errors.append(_("请选择您可查看的机构。"))
        else:
            try:
                if values["saved_layout"].strip():
                    layout = stats_layout_saved(name=values["saved_layout"])
                else:
                    layout = StatsLayout(
                        rows=tuple(d.strip() for d in values["rows"].split(",") if d.strip()),
                        column=values["column"].strip() or None,
                    )
                data = regulatory_statistics_export(
                    actor=request.user, start=start, end=end, unit=unit, layout=layout
                )
            except NotFound:
                raise Http404 from None
            except DomainError as error:
                errors.extend(_messages(error))
            else:
                response = HttpResponse(data, content_type=XLSX)
                name = f"complaintdesk-regulatory-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
    context = {
        "values": values,
        "units": [(u.code, _name(u)) for u in units],
        "all_units": user_sees_all_units(request.user),
        "saved_layouts": [saved.name for saved in stats_layouts_saved()],
        "errors": errors,
    }
    return render(request, "web/regulation/statistics.html", context, status=422 if errors else 200)


# The regulator-case queue -------------------------------------------------------------------------------


@login_required
@require_GET
def regulator_queue(request: HttpRequest) -> HttpResponse:
    """Cases forwarded by a regulator or hotline, not yet reported back, the least time left first (or the
    latest reported back); only the cases of the user's units."""
    reported = request.GET.get("view") == "reported"
    try:
        rows = referrals.referral_queue(user=request.user, reported=reported)
    except NotFound:  # not open to this user (regulation.referrals.referral_queue_open_to)
        raise Http404 from None
    context = {"rows": rows, "reported": reported, "limit": referrals.QUEUE_LIMIT}
    return render(request, "web/regulation/queue.html", context)
