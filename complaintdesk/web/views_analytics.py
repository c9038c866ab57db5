"""The management dashboard, the cases behind each number, exports and agent scorecards (analytics).
Thin: parse the filters, call analytics selectors, render."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from complaintdesk.accounts.access import units_visible_to
from complaintdesk.analytics import exports, selectors
from complaintdesk.analytics import scorecards as scorecard_selectors
from complaintdesk.analytics.definitions import GENERAL, KPI_DEFINITIONS
from complaintdesk.analytics.models import MEASURE_FIELDS
from complaintdesk.common.errors import unstorable_text
from complaintdesk.common.names import name_for_people
from complaintdesk.common.time import local_today
from complaintdesk.common.validation import whole_number_typed
from complaintdesk.complaints.models import Category, Channel, Complexity, Severity
from complaintdesk.complaints.states import ContactKind, Status
from complaintdesk.orgs.models import OrgUnit
from complaintdesk.privacy.models import AccessField, AccessKind
from complaintdesk.privacy.services import access_log_record

FORMATS = {"csv": ("text/csv; charset=utf-8", exports.to_csv), "xlsx": (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.to_xlsx)}  # fmt: skip


def _month(value: str | None, default: dt.date) -> dt.date:
    try:
        year, month = (int(x) for x in (value or "").split("-")[:2])
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        return default


@dataclass
class Filters:
    month_from: dt.date
    month_to: dt.date
    unit: OrgUnit | None
    category: Category | None
    channel: str
    agent_id: int | None
    severity: str
    complexity: str
    own: bool = False  # the unit's own cases only, not its children's
    kind: str = ""  # one contact kind (投诉/咨询/建议/表扬), "" every kind
    cases_path: str | None = None

    def query(self, **extra) -> str:
        params = {
            "from": f"{self.month_from:%Y-%m}",
            "to": f"{self.month_to:%Y-%m}",
            "unit": self.unit.code if self.unit else "",
            "category": self.category.code if self.category else "",
            "channel": self.channel,
            "agent": self.agent_id or "",
            "severity": self.severity,
            "complexity": self.complexity,
            "own": "1" if self.own else "",
            "kind": self.kind,
            **extra,
        }
        return urlencode({k: v for k, v in params.items() if v not in ("", None)})


def _code(request: HttpRequest, name: str) -> str:
    """A unit or category code from the query; one no column can hold (a NUL) is no filter, like an
    unknown code, rather than a database error."""
    code = request.GET.get(name, "")
    return "" if unstorable_text(code) else code


def _filters(request: HttpRequest) -> Filters:
    today = local_today().replace(day=1)
    month_to = _month(request.GET.get("to"), today)
    default_from = dt.date(month_to.year - 1, month_to.month, 1) + dt.timedelta(days=31)
    month_from = _month(request.GET.get("from"), default_from.replace(day=1))
    if month_from > month_to:
        month_from, month_to = month_to, month_from
    code = _code(request, "unit")
    unit = units_visible_to(request.user).filter(code=code).first() if code else None
    category_code = _code(request, "category")
    category = Category.objects.filter(code=category_code).first() if category_code else None
    channel = request.GET.get("channel", "")
    agent = request.GET.get("agent", "")
    severity, complexity = request.GET.get("severity", ""), request.GET.get("complexity", "")
    kind = request.GET.get("kind", "")
    return Filters(
        month_from=month_from,
        month_to=month_to,
        unit=unit,
        category=category,
        channel=channel if channel in Channel.values else "",
        agent_id=whole_number_typed(agent),
        severity=severity if severity in Severity.values else "",
        complexity=complexity if complexity in Complexity.values else "",
        own=request.GET.get("own") == "1" and unit is not None,
        kind=kind if kind in ContactKind.values else "",
    )


def _slice(request: HttpRequest, f: Filters) -> selectors.Slice:
    return selectors.slice_for(
        user=request.user,
        month_from=f.month_from,
        month_to=f.month_to,
        unit=f.unit,
        category_id=f.category.id if f.category else None,
        channel=f.channel or None,
        agent_id=f.agent_id,
        severity=f.severity or None,
        complexity=f.complexity or None,
        unit_only=f.own,
        kind=f.kind or None,
    )


def _require_analytics(request: HttpRequest) -> None:
    if not selectors.user_may_view_analytics(request.user):
        raise Http404


def _cases_url(f: Filters, measure: str, **narrow) -> str:
    """The list of the cases counted in `measure`, for the filters narrowed by `narrow` (a month, a
    unit, a category, a channel, a severity and complexity)."""
    if not measure:
        return ""
    if f.cases_path is None:  # reversed once per request: the page has hundreds of these links
        f.cases_path = reverse("web:dashboard_cases")
    return f.cases_path + "?" + f.query(measure=measure, **narrow)


def _labels() -> dict[str, str]:
    labels = {value: str(label) for value, label in Channel.choices}
    labels.update({value: str(label) for value, label in Severity.choices})
    labels.update({"cx_" + value: str(label) for value, label in Complexity.choices})
    return labels


def _kpi_cards(f: Filters, kpis: dict, **narrow) -> list[dict]:
    return [
        {"kpi": k, "url": _cases_url(f, k.numerator_measure, **narrow),
         "den_url": _cases_url(f, k.denominator_measure, **narrow)}
        for k in kpis.values()
    ]  # fmt: skip


def _chart_data(f: Filters, board: selectors.Dashboard) -> dict:
    months = [f"{m:%Y-%m}" for m, _k in board.trend]

    def series(code):
        return [k[code].value for _m, k in board.trend]

    def month_links(measure):
        return [_cases_url(f, measure, **{"from": m, "to": m}) for m in months]

    categories = []
    for cid, n, cumulative in board.pareto:
        category = board.categories.get(cid)
        categories.append({
            "label": name_for_people(category) if category else _("未分类"), "count": n, "cumulative": cumulative,
            "url": _cases_url(f, "complaints", category=category.code) if category else "",
        })  # fmt: skip
    units = [
        {"label": row.label, "volume": row.kpis["volume"].value,
         "rate": row.kpis["complaint_rate"].value, "csat": row.kpis["csat"].value,
         "url": _cases_url(f, "complaints", unit=row.unit.code, **({"own": "1"} if row.own_only else {}))}
        for row in board.units
    ]  # fmt: skip
    return {
        "months": months,
        "volume": series("volume"),
        "csat": series("csat"),
        "fcr": series("fcr"),
        "volume_links": month_links("complaints"),
        "csat_links": month_links("satisfied"),
        "fcr_links": month_links("fcr"),
        "gauges": [
            {
                "label": board.kpis[c].label,
                "value": board.kpis[c].value,
                "url": _cases_url(f, board.kpis[c].numerator_measure),
            }
            for c in ("fr_sla", "res_sla")
        ],  # fmt: skip
        "categories": categories,
        "units": units,
        "targets": {"csat": 95, "fcr": 80, "complaint_rate": 2, "pareto": 80},
        "text": {
            "volume": _("投诉量"),
            "csat": _("满意度 CSAT (%)"),
            "fcr": _("首次接触解决率 FCR (%)"),
            "csat_target": _("CSAT 目标 95%"),
            "fcr_target": _("FCR 目标 80%"),
            "cumulative": _("累计占比 (%)"),
            "pareto_line": _("80% 线"),
            "rate": _("投诉率 (%)"),
            "rate_target": _("投诉率目标 < 2%"),
            "no_data": _("暂无数据"),
        },  # fmt: skip
    }


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    _require_analytics(request)
    f = _filters(request)
    board = selectors.dashboard(_slice(request, f), unit=f.unit)
    labels = _labels()
    export = request.GET.get("export")
    if export:
        tables = {
            "kpis": lambda: exports.kpi_table(board),
            "trend": lambda: exports.trend_table(board),
            "units": lambda: exports.units_table(board),
            "categories": lambda: exports.categories_table(board),
            "channels": lambda: exports.channels_table(board, labels),
            "sla": lambda: exports.sla_table(board, labels),
        }
        if export not in tables:
            raise Http404
        return _export(tables[export](), request.GET.get("format", "xlsx"), f)
    context = {
        "f": f,
        "board": board,
        "cards": _kpi_cards(f, board.kpis),
        "trend": [
            (m, _kpi_cards(f, k, **{"from": f"{m:%Y-%m}", "to": f"{m:%Y-%m}"})) for m, k in board.trend
        ],
        "sla": [
            (
                labels[sev],
                labels["cx_" + cx],
                k,
                _cases_url(f, "fr_decided", severity=sev, complexity=cx),
                _cases_url(f, "fr_met", severity=sev, complexity=cx),
                _cases_url(f, "res_decided", severity=sev, complexity=cx),
                _cases_url(f, "res_met", severity=sev, complexity=cx),
            )
            for sev, cx, k in board.sla
        ],  # fmt: skip
        "pareto": list(
            zip(
                exports.categories_table(board).rows,
                [
                    _cases_url(f, "complaints", category=board.categories[cid].code)
                    if cid in board.categories
                    else ""
                    for cid, _n, _c in board.pareto
                ],
                strict=True,
            )
        ),
        "units": [
            (
                row.unit,
                row.own_only and row.label,
                _kpi_cards(f, row.kpis, unit=row.unit.code, **({"own": "1"} if row.own_only else {})),
            )
            for row in board.units
        ],
        "channels": [(labels.get(ch, ch), _kpi_cards(f, k, channel=ch)) for ch, k in board.channels],
        "chart": _chart_data(f, board),
        "unit_choices": units_visible_to(request.user).order_by("path"),
        "category_choices": Category.objects.filter(is_active=True),
        "channel_choices": Channel.choices,
        "kind_choices": ContactKind.choices,
        "query": f.query(),
        "formats": ("xlsx", "csv"),
        # What each number counts, on the page itself (docs/metrics.md is the engineers' long version).
        "definitions": [(d.label, KPI_DEFINITIONS.get(d.code, "")) for d in selectors.KPI_DEFS],
        "definitions_general": GENERAL,
    }
    return render(request, "web/analytics/dashboard.html", context)


def _export(table: exports.Table, fmt: str, f: Filters) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    content_type, writer = FORMATS[fmt]
    response = HttpResponse(writer(table), content_type=content_type)
    name = f"complaintdesk-{table.name}-{f.month_from:%Y%m}-{f.month_to:%Y%m}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def dashboard_cases(request: HttpRequest) -> HttpResponse:
    """The cases behind a number: those counted in `measure` under the same filters."""
    _require_analytics(request)
    f = _filters(request)
    measure = request.GET.get("measure", "complaints")
    if measure not in MEASURE_FIELDS:
        raise Http404
    facts = selectors.cases_behind(_slice(request, f), measure=measure)
    status_labels = {value: str(label) for value, label in Status.choices}
    channel_labels = {value: str(label) for value, label in Channel.choices}
    fmt = request.GET.get("format")
    if fmt:
        table = exports.cases_table(
            facts, user=request.user, status_labels=status_labels, channel_labels=channel_labels
        )
        if fmt in FORMATS:  # customers' names, phones and account numbers leave the system: logged (privacy)
            access_log_record(
                user=request.user, kind=AccessKind.EXPORT, field=AccessField.CASES_EXPORT, rows=len(table.rows),
                unmasked=selectors.user_sees_personal_data(request.user), numbers=[row[0] for row in table.rows],
                detail=f"{selectors.MEASURE_LABELS.get(measure, '')} · {f.month_from:%Y-%m}–{f.month_to:%Y-%m} · "
                f"{fmt.upper()}",
                reason=request.GET.get("reason", ""),
            )  # fmt: skip
        return _export(table, fmt, f)
    page = Paginator(facts, 50).get_page(request.GET.get("page"))
    table = exports.cases_table(page.object_list, user=request.user, status_labels=status_labels,
                                channel_labels=channel_labels)  # fmt: skip
    measure_label = str(selectors.MEASURE_LABELS.get(measure, measure))
    return render(
        request,
        "web/analytics/cases.html",
        {"f": f, "page": page, "table": table, "measure": measure, "measure_label": measure_label,
         "channel_label": channel_labels.get(f.channel or "", f.channel or ""),
         "query": f.query(measure=measure), "formats": ("xlsx", "csv"), "max_rows": exports.MAX_CASE_ROWS},
    )  # fmt: skip


@require_GET
def scorecards(request: HttpRequest) -> HttpResponse:
    _require_analytics(request)
    f = _filters(request)
    s = _slice(request, f)
    cards = scorecard_selectors.scorecards(s)
    if request.GET.get("format"):
        return _export(exports.scorecards_table(cards), request.GET["format"], f)
    weights = scorecard_selectors.scorecard_weights_get()
    rows = [
        (card, reverse("web:dashboard_cases") + "?" + f.query(measure="complaints", agent=card.agent.pk))
        for card in cards
        if card.agent is not None
    ]
    return render(
        request,
        "web/analytics/scorecards.html",
        {"f": f, "rows": rows, "weights": weights, "query": f.query(), "formats": ("xlsx", "csv"),
         "unit_choices": units_visible_to(request.user).order_by("path")},
    )  # fmt: skip
