"""Reads: KPIs over a slice (months × unit subtree × category × channel × contact kind × agent ×
severity × complexity), from the monthly rollups when the slice allows it, else from the facts; the cases behind
a number. Every KPI is a ratio of two additive sums; the formulas are in docs/metrics.md."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaintdesk.accounts.access import user_unit_ids
from complaintdesk.common.names import name_for_people
from complaintdesk.complaints.models import Category
from complaintdesk.orgs.models import OrgUnit

from .models import MEASURE_FIELDS, MEASURE_LABELS, ComplaintFact, CustomersServed, MonthlyRollup  # noqa: F401

ZERO = dict.fromkeys(MEASURE_FIELDS, 0)


def user_may_view_analytics(user) -> bool:
    """Supervisors, managers, quality inspectors and HQ roles see the dashboard; front-line agents,
    department staff and API clients do not."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.has_perm("complaints.view_complaint")
        and (user.has_perm("complaints.assign_complaint") or user.has_perm("complaints.view_all_units"))
    )


def user_sees_personal_data(user) -> bool:
    return user.has_perm("complaints.view_personal_data")


def months_between(month_from: dt.date, month_to: dt.date) -> list[dt.date]:
    months, m = [], month_from.replace(day=1)
    while m <= month_to:
        months.append(m)
        m = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


@dataclass(frozen=True)
class Slice:
    """What a KPI is computed over. Months are first days, both ends included. `unit_ids` is the set
    of units in the chosen subtree that the user may see (None: every unit)."""

    month_from: dt.date
    month_to: dt.date
    unit_ids: frozenset[int] | None = None
    category_id: int | None = None
    channel: str | None = None
    agent_id: int | None = None
    severity: str | None = None
    complexity: str | None = None
    kind: str | None = None  # one contact kind (complaints.states.ContactKind); None: every kind

    @property
    def has_complaint_rate(self) -> bool:
        """The complaint rate is about complainants: a slice of inquiries, suggestions or praise has none
        (it is shown as —, not as 0 %)."""
        return self.kind in (None, "complaint")

    @property
    def needs_facts(self) -> bool:
        return self.agent_id is not None

    def q(self, *, facts: bool) -> Q:
        q = Q(month__gte=self.month_from, month__lte=self.month_to)
        if self.unit_ids is not None:
            q &= Q(org_unit_id__in=sorted(self.unit_ids))
        for name in ("category_id", "channel", "kind", "severity", "complexity"):
            value = getattr(self, name)
            if value is not None:
                q &= Q(**{name: value})
        if facts and self.agent_id is not None:
            q &= Q(agent_id=self.agent_id)
        return q


def slice_for(
    *,
    user,
    month_from: dt.date,
    month_to: dt.date,
    unit: OrgUnit | None = None,
    category_id: int | None = None,
    channel: str | None = None,
    agent_id: int | None = None,
    severity: str | None = None,
    complexity: str | None = None,
    unit_only: bool = False,
    kind: str | None = None,
) -> Slice:
    """A slice limited to what `user` may see: the unit's subtree (rolled up) within the user's units
    (`unit_only`: the unit's own cases, without its children's)."""
    scope = user_unit_ids(user)
    unit_ids: set[int] | None = None if scope is None else set(scope)
    if unit is not None:
        subtree = (
            {unit.id}
            if unit_only
            else set(OrgUnit.objects.filter(path__startswith=unit.path).values_list("id", flat=True))
        )
        unit_ids = subtree if unit_ids is None else unit_ids & subtree
    return Slice(
        month_from=month_from.replace(day=1),
        month_to=month_to.replace(day=1),
        unit_ids=None if unit_ids is None else frozenset(unit_ids),
        category_id=category_id,
        channel=channel or None,
        agent_id=agent_id,
        severity=severity or None,
        complexity=complexity or None,
        kind=kind or None,
    )


_SUMS = {f"s_{name}": Sum(name) for name in MEASURE_FIELDS}


def _source(s: Slice, source: str) -> QuerySet:
    use_facts = source == "facts" or (source == "auto" and s.needs_facts)
    if use_facts:
        return ComplaintFact.objects.filter(s.q(facts=True))
    if s.needs_facts:
        raise ValueError("an agent's slice is computed from the facts")
    return MonthlyRollup.objects.filter(s.q(facts=False))


def _row(values: dict) -> dict[str, int]:
    return {name: int(values.get(f"s_{name}") or 0) for name in MEASURE_FIELDS}


def totals(s: Slice, *, source: str = "auto") -> dict[str, int]:
    return _row(_source(s, source).aggregate(**_SUMS))


def grouped(s: Slice, *, by: str | tuple[str, ...], source: str = "auto") -> dict:
    """Measures per group: `by` is one or more of month, org_unit_id, category_id, channel, severity,
    complexity (and agent_id, from the facts)."""
    keys = (by,) if isinstance(by, str) else tuple(by)
    if "agent_id" in keys and source == "auto":
        source = "facts"
    rows = _source(s, source).values(*keys).annotate(**_SUMS).order_by()
    out = {}
    for row in rows:
        key = row[keys[0]] if len(keys) == 1 else tuple(row[k] for k in keys)
        out[key] = _row(row)
    return out


def grouped_many(s: Slice, *, sets: dict[str, tuple[str, ...]], source: str = "auto") -> dict[str, dict]:
    """Several groupings of the same slice: {name: {key: measures}} for each `sets[name]` (a tuple of
    group fields; () for the total, whose key is ()). On PostgreSQL one scan with GROUPING SETS; else
    one query per grouping."""
    from django.db import connection

    qs = _source(s, source)
    if connection.vendor != "postgresql":
        out = {}
        for name, fields in sets.items():
            if fields:
                out[name] = grouped(s, by=fields if len(fields) > 1 else fields[0], source=source)
            else:
                out[name] = {(): totals(s, source=source)}
        return out
    columns = sorted({f for fields in sets.values() for f in fields})
    inner_sql, params = qs.values(*columns, *MEASURE_FIELDS).query.sql_with_params()
    quoted = {c: connection.ops.quote_name(c) for c in columns + list(MEASURE_FIELDS)}
    grouping = ", ".join("(" + ", ".join(quoted[f] for f in fields) + ")" for fields in sets.values())
    sums = ", ".join(f"SUM({quoted[m]})" for m in MEASURE_FIELDS)
    mask_expr = f"GROUPING({', '.join(quoted[c] for c in columns)})" if columns else "0"
    sql = (
        f"SELECT {', '.join(quoted[c] for c in columns)}{', ' if columns else ''}{mask_expr}, {sums} "
        f"FROM ({inner_sql}) AS r GROUP BY GROUPING SETS ({grouping})"
    )
    masks = {
        sum(1 << (len(columns) - 1 - i) for i, c in enumerate(columns) if c not in fields): name
        for name, fields in sets.items()
    }
    out: dict[str, dict] = {name: {} for name in sets}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            values = dict(zip(columns, row[: len(columns)], strict=True))
            name = masks[row[len(columns)]]
            fields = sets[name]
            measures = {m: int(v or 0) for m, v in zip(MEASURE_FIELDS, row[len(columns) + 1 :], strict=True)}
            key = values[fields[0]] if len(fields) == 1 else tuple(values[f] for f in fields)
            out[name][key] = measures
    if () in sets.values():
        for name, fields in sets.items():
            if not fields:
                out[name].setdefault((), dict(ZERO))
    return out


# Complaint rate ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateParts:
    complainants: int  # Σ over unit-months with a served number: customers who complained there then
    served: int  # Σ customers served over the same unit-months
    unit_months_missing: int  # unit-months with complaints but no served number (left out of both)


def _rollup_complainants(s: Slice) -> str | None:
    """The rollup measure that counts this slice's complainants per unit-month, or None when only the
    facts can (an agent, a severity or a complexity, or a category and a channel together)."""
    if s.agent_id is not None or s.severity is not None or s.complexity is not None:
        return None
    if s.category_id is not None and s.channel is not None:
        return None
    if s.category_id is not None:
        return "complainants_category"
    if s.channel is not None:
        return "complainants_channel"
    return "complainants"


def complainants_by_unit_month(s: Slice, *, source: str = "auto") -> dict[tuple[int, dt.date], int]:
    """Customers who complained per (unit, month) of the slice. From the rollups (bounded by the
    months × units × dimensions, not by the complaints) when one of their measures counts them: none,
    a category, or a channel filter; from the facts otherwise, or when `source` is "facts"."""
    measure = _rollup_complainants(s)
    if measure is None or source == "facts":
        rows = (
            ComplaintFact.objects.filter(s.q(facts=True), complaints__gt=0)
            .values("org_unit_id", "month")
            .annotate(n=Count("customer_id", distinct=True))
            .order_by()
        )
    else:
        rows = (
            MonthlyRollup.objects.filter(s.q(facts=False))
            .values("org_unit_id", "month")
            .annotate(n=Sum(measure))
            .order_by()
        )
    return {(r["org_unit_id"], r["month"]): int(r["n"] or 0) for r in rows}


def served_by_unit_month(s: Slice) -> dict[tuple[int, dt.date], int]:
    if not s.has_complaint_rate:
        return {}  # no complaint rate for a slice of another kind: nothing served to divide by
    qs = CustomersServed.objects.filter(month__gte=s.month_from, month__lte=s.month_to)
    if s.unit_ids is not None:
        qs = qs.filter(org_unit_id__in=sorted(s.unit_ids))
    return {(u, m): c for u, m, c in qs.values_list("org_unit_id", "month", "customers")}


def rate_parts(complainants: dict, served: dict, *, keep=lambda key: True) -> RateParts:
    numerator = sum(n for key, n in complainants.items() if key in served and keep(key))
    denominator = sum(c for key, c in served.items() if keep(key))
    missing = sum(1 for key, n in complainants.items() if n and key not in served and keep(key))
    return RateParts(complainants=numerator, served=denominator, unit_months_missing=missing)


def complaint_rate(s: Slice, *, source: str = "auto") -> RateParts:
    return rate_parts(complainants_by_unit_month(s, source=source), served_by_unit_month(s))


# KPIs -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kpi:
    code: str
    label: str
    value: float | None
    numerator: int | float
    denominator: int | float
    unit: str  # "%", "h", "元", "" (a count or a score)
    target: float | None = None
    higher_is_better: bool = True
    numerator_measure: str = ""  # the measure whose cases are behind the numerator / denominator
    denominator_measure: str = ""

    @property
    def met(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value < self.target


@dataclass(frozen=True)
class KpiDef:
    code: str
    label: object
    num: str
    den: str  # "" for a plain sum
    unit: str
    multiply: int = 100  # value = numerator × multiply ÷ (denominator × divide), rounded half up to 2 places
    divide: int = 1
    target: float | None = None
    higher_is_better: bool = True


KPI_DEFS: tuple[KpiDef, ...] = (
    KpiDef("volume", _("投诉量"), "complaints", "", "", multiply=1),
    KpiDef("csat", _("满意度 CSAT"), "satisfied", "rated", "%", target=95.0),
    # Over every contact (complaints, inquiries, suggestions, praise), not complaints alone (issue 19).
    KpiDef("fcr", _("首次接触解决率 FCR"), "contacts_fcr", "contacts_resolved", "%", target=80.0),
    # 转办 over every contact: how many cases reached their unit only by being handed on (no target: a
    # central desk's work is to hand on; a unit's share says how much of its work came that way).
    KpiDef("transfer_rate", _("转办率"), "transferred", "contacts", "%", higher_is_better=False),
    KpiDef("complaint_rate", _("投诉率"), "complainants", "served", "%", target=2.0, higher_is_better=False),
    KpiDef("fr_sla", _("首次响应及时率"), "fr_met", "fr_decided", "%"),
    KpiDef("res_sla", _("解决及时率"), "res_met", "res_decided", "%"),
    KpiDef("escalation_rate", _("升级率"), "escalated", "complaints", "%", higher_is_better=False),
    KpiDef("repeat_rate", _("重复投诉率"), "repeat", "complaints", "%", higher_is_better=False),
    KpiDef("reopen_rate", _("重新打开率"), "reopened", "ever_resolved", "%", higher_is_better=False),
    KpiDef("art", _("平均响应时长"), "response_seconds", "responded", "h", 1, 3600, higher_is_better=False),
    KpiDef(
        "aht",
        _("平均处理时长（工作时间）"),
        "handling_seconds",
        "resolved",
        "h",
        1,
        3600,
        higher_is_better=False,
    ),
    KpiDef("nps", _("净推荐值 NPS"), "promoters", "nps_answered", ""),
    KpiDef("praise_rate", _("表扬率"), "praises", "contacts", "%"),
    KpiDef("compensation", _("补偿金额"), "compensation_cents", "", "元", 1, 100, higher_is_better=False),
)
KPI_BY_CODE = {d.code: d for d in KPI_DEFS}
_CENT = Decimal("0.01")


def ratio(num: int, den: int, *, multiply: int = 100, divide: int = 1) -> float | None:
    """num × multiply ÷ (den × divide), rounded half up to two places; None when den is 0."""
    if not den:
        return None
    return float((Decimal(num * multiply) / Decimal(den * divide)).quantize(_CENT, rounding=ROUND_HALF_UP))


def kpis_from(measures: dict[str, int], rate: RateParts | None = None) -> list[Kpi]:
    """The KPIs of a group from its measure sums (and its complaint-rate parts; without them the
    complaint rate has no value). Pure."""
    out = []
    for d in KPI_DEFS:
        if d.code == "complaint_rate":
            num, den = (rate.complainants, rate.served) if rate else (0, 0)
        elif d.code == "nps":
            num, den = measures["promoters"] - measures["detractors"], measures["nps_answered"]
        else:
            num, den = measures[d.num], (measures[d.den] if d.den else 1)
        value = num if d.code == "volume" else ratio(num, den, multiply=d.multiply, divide=d.divide)
        out.append(
            Kpi(
                code=d.code,
                label=str(d.label),
                value=value,
                numerator=num,
                denominator=den if d.den else 0,
                unit=d.unit,
                target=d.target,
                higher_is_better=d.higher_is_better,
                # The cases behind a number: for the complaint rate, the slice's complaints (the served
                # customers are not cases); for NPS, the cases with an NPS answer.
                numerator_measure={"complaint_rate": "complaints", "nps": "nps_answered"}.get(d.code, d.num),
                denominator_measure={"complaint_rate": ""}.get(d.code, d.den),
            )
        )
    return out


def kpis(s: Slice, *, source: str = "auto") -> dict[str, Kpi]:
    """The KPIs of the slice. An agent's slice has no complaint rate: customers served are counted
    per unit, not per agent."""
    rate = None if s.agent_id is not None else complaint_rate(s, source=source)
    return {k.code: k for k in kpis_from(totals(s, source=source), rate)}


# The dashboard ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    unit: OrgUnit
    kpis: dict[str, Kpi]
    own_only: bool  # the unit's own cases, without its children's

    @property
    def label(self) -> str:
        """The row's name in the reader's language: the unit's, or for its own cases alone "上海分公司（本级）" /
        "Shanghai Branch (own cases)" (one sentence with the name in it, never a piece glued on)."""
        name = name_for_people(self.unit)
        return gettext("%(unit)s（本级）") % {"unit": name} if self.own_only else name

    def __iter__(self):  # (unit, kpis) like the other breakdowns
        return iter((self.unit, self.kpis))


@dataclass
class Dashboard:
    slice: Slice
    kpis: dict[str, Kpi]
    rate: RateParts
    trend: list[tuple[dt.date, dict[str, Kpi]]]  # one entry per month of the slice
    sla: list[tuple[str, str, dict[str, Kpi]]]  # (severity, complexity, KPIs)
    pareto: list[tuple[int | None, int, float]]  # (category id, complaints, cumulative %) largest first
    units: list[UnitRow]  # the chosen unit's own cases, then its children's subtrees
    channels: list[tuple[str, dict[str, Kpi]]]
    categories: dict[int, object] = field(default_factory=dict)


def _comparison_units(unit: OrgUnit | None, visible: frozenset[int] | None) -> list[OrgUnit]:
    """The units the dashboard compares: the chosen unit's children; without a choice, the children of
    the top of what the user sees (or its several tops). A unit without children is compared alone."""
    if unit is not None:
        tops = [unit]
    elif visible is None:
        tops = list(OrgUnit.objects.filter(parent__isnull=True).order_by("path"))
    else:
        tops = [
            u
            for u in OrgUnit.objects.filter(id__in=sorted(visible)).order_by("path")
            if u.parent_id not in visible
        ]
    if len(tops) != 1:
        return tops
    children = list(OrgUnit.objects.filter(parent=tops[0]).order_by("path"))
    if visible is not None:
        children = [c for c in children if c.id in visible]
    return children or tops


def dashboard(s: Slice, *, unit: OrgUnit | None = None) -> Dashboard:
    """Everything the management dashboard shows, in a fixed number of queries."""
    sets = {
        "total": (),
        "month": ("month",),
        "sla": ("severity", "complexity"),
        "category": ("category_id",),
        "unit": ("org_unit_id",),
        "channel": ("channel",),
    }
    measure = _rollup_complainants(s)
    if measure is not None:
        sets["unit_month"] = ("org_unit_id", "month")
    groups = grouped_many(s, sets=sets)
    if measure is None:
        complainants = complainants_by_unit_month(s)
    else:
        complainants = {key: m[measure] for key, m in groups["unit_month"].items()}
    served = served_by_unit_month(s)
    rate = rate_parts(complainants, served)
    by_month = groups["month"]
    trend = []
    for month in months_between(s.month_from, s.month_to):
        month_rate = rate_parts(complainants, served, keep=lambda key, m=month: key[1] == m)
        trend.append((month, {k.code: k for k in kpis_from(by_month.get(month, ZERO), month_rate)}))
    by_sev = groups["sla"]
    sla = [
        (sev, cx, {k.code: k for k in kpis_from(by_sev.get((sev, cx), ZERO))})
        for sev in ("major", "general")
        for cx in ("complex", "general")
    ]
    by_category = groups["category"]
    counts = sorted(
        ((cid, m["complaints"]) for cid, m in by_category.items() if m["complaints"]), key=lambda x: -x[1]
    )
    total = sum(n for _cid, n in counts) or 1
    pareto, running = [], 0
    for cid, n in counts:
        running += n
        pareto.append((cid, n, round(running * 100 / total, 2)))
    # Unit comparison: each child's subtree summed, from one query grouped by unit; a parent's own
    # cases (received at the parent itself) come as a row of their own, so that the rows add up.
    by_unit = groups["unit"]
    children = _comparison_units(unit, s.unit_ids)
    ids = set(by_unit) | {u for u, _m in complainants} | {u for u, _m in served}
    paths = dict(OrgUnit.objects.filter(id__in=sorted(ids)).values_list("id", "path"))
    unit_groups: list[tuple[OrgUnit, set[int], bool]] = []
    parents = {c.parent_id for c in children if c.parent_id}
    if len(parents) == 1 and (parent_id := next(iter(parents))) in by_unit:
        unit_groups.append((OrgUnit.objects.get(pk=parent_id), {parent_id}, True))
    for child in children:
        unit_groups.append(
            (child, {uid for uid, path in paths.items() if path.startswith(child.path)}, False)
        )
    units = []
    for group_unit, members, own_only in unit_groups:
        measures = dict(ZERO)
        for uid in members & set(by_unit):
            for name, value in by_unit[uid].items():
                measures[name] += value
        group_rate = rate_parts(complainants, served, keep=lambda key, m=members: key[0] in m)
        units.append(UnitRow(group_unit, {k.code: k for k in kpis_from(measures, group_rate)}, own_only))
    by_channel = groups["channel"]
    channels = sorted(
        ((ch, {k.code: k for k in kpis_from(m)}) for ch, m in by_channel.items()),
        key=lambda x: -x[1]["volume"].value,
    )
    categories = Category.objects.in_bulk([cid for cid, _n, _p in pareto if cid is not None])
    return Dashboard(
        slice=s,
        kpis={k.code: k for k in kpis_from(groups["total"][()], rate)},
        rate=rate,
        trend=trend,
        sla=sla,
        pareto=pareto,
        units=units,
        channels=channels,
        categories=categories,
    )


def by_agent(s: Slice) -> list[tuple[int, dict[str, Kpi]]]:
    rows = grouped(replace(s), by="agent_id", source="facts")
    return [
        (agent_id, {k.code: k for k in kpis_from(m)}) for agent_id, m in rows.items() if agent_id is not None
    ]


def cases_behind(s: Slice, *, measure: str) -> QuerySet:
    """The facts (with their complaints) counted in `measure` over the slice, newest first."""
    if measure not in MEASURE_FIELDS:
        raise ValueError(measure)
    return (
        ComplaintFact.objects.filter(s.q(facts=True), **{f"{measure}__gt": 0})
        .select_related("complaint", "complaint__customer", "org_unit", "category", "agent")
        .order_by("-complaint_id")
    )


def grouped_by_unit_month(s: Slice) -> dict:
    """For tests and checks: measures per (unit, month)."""
    out = defaultdict(dict)
    for (unit_id, month), m in grouped(s, by=("org_unit_id", "month")).items():
        out[unit_id][month] = m
    return out
