"""The regulatory statistics export: cases received in a period by a unit (and its subtree), counted by their
confirmed codes (e.g. A × B × C of JR/T 0169-2018) with how each fared against its statutory deadline, as
an Excel workbook whose layout (which dimensions are rows, which one is spread over columns, at which level
of each tree) is chosen by the caller.

Per case, against the first clock of its pack counted from receipt (the decision clock, else the answer
clock), with its approved extensions:
- 法定时限内办结: decided (resolved, else closed) by the end of the last day;
- 超时: decided after it, or still undecided after it at the time of the export;
- 办理中: undecided, the deadline not yet passed;
- 未适用法定时限: no pack selected for the case's unit or category;
- 延期: an extension was approved (also counted in one of the above).
A case is received at its intake time until intake records `received_at` (issue 15 item 1).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from complaintdesk.accounts.access import unit_visible_to, user_sees_all_units
from complaintdesk.calendars.selectors import calendar_for_unit
from complaintdesk.common.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.common.time import DAY_EARLIEST, DAY_LATEST, local_zone, now, to_local
from complaintdesk.complaints.models import Complaint
from complaintdesk.orgs.models import OrgUnit
from complaintdesk.orgs.selectors import orgunit_subtree_ids

from . import deadlines
from .models import (
    CaseCode,
    CaseCodeStatus,
    ClassificationCode,
    ClassificationScheme,
    StatisticsLayout,
    StatsMeasure,
    StatutoryExtension,
)
from .selectors import pack_selection_for, pack_terms, pack_version_on, scheme_active
from .stats_layout import IN_PROGRESS, NO_PACK, OVERDUE, WITHIN, StatsLayout, stats_layout_parse

__all__ = ["StatsLayout", "regulatory_statistics_export", "stats_layout_parse", "stats_layout_saved"]

OUTCOMES = (WITHIN, OVERDUE, IN_PROGRESS, NO_PACK)
UNCLASSIFIED = ""  # the key of a dimension the case has no confirmed code in
MAX_CASES = 200_000
MAX_DAYS = 400


@dataclass(frozen=True)
class CaseOutcome:
    codes: dict[str, str]  # dimension code → the case's confirmed code ("" when none)
    outcome: str
    extended: bool


@dataclass
class StatsTable:
    row_dimensions: list[str]
    column_codes: list[str]  # [] without a column dimension
    rows: dict[tuple[str, ...], dict[str, Counter]]  # row key → {"columns": Counter, "outcomes": Counter}


def code_at_level(code: str, level: int | None, parents: dict[str, str], levels: dict[str, int]) -> str:
    """`code`'s ancestor at `level` (itself when it is at or above that level)."""
    if not code or level is None:
        return code
    while code in parents and levels.get(code, 0) > level:
        code = parents[code]
    return code


def tabulate(
    *, outcomes: list[CaseOutcome], layout: StatsLayout, parents: dict[str, str], levels: dict[str, int],
    column_codes: list[str],
) -> StatsTable:  # fmt: skip
    """Pure: the cases counted per row key (the row dimensions' codes at their levels), per column code and
    per outcome."""
    rows: dict[tuple[str, ...], dict[str, Counter]] = defaultdict(
        lambda: {"columns": Counter(), "outcomes": Counter()}
    )
    for case in outcomes:
        key = tuple(
            code_at_level(case.codes.get(d, UNCLASSIFIED), layout.levels.get(d), parents, levels)
            for d in layout.rows
        )
        cell = rows[key]
        if layout.column:
            column = code_at_level(
                case.codes.get(layout.column, UNCLASSIFIED), layout.levels.get(layout.column), parents, levels
            )
            cell["columns"][column] += 1
        cell["outcomes"][case.outcome] += 1
        cell["outcomes"]["total"] += 1
        if case.extended:
            cell["outcomes"]["extended"] += 1
    return StatsTable(row_dimensions=list(layout.rows), column_codes=column_codes, rows=dict(rows))


def case_outcomes(
    *,
    scheme: ClassificationScheme,
    unit_ids: list[int] | None,
    start: dt.date,
    end: dt.date,
    as_of: dt.datetime,
) -> list[CaseOutcome]:
    """Each case received from `start` to `end` (local days, inclusive) in the units (None: all) with its
    confirmed codes and its outcome against the statutory deadline."""
    zone = local_zone()
    since = dt.datetime.combine(start, dt.time(0), tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    cases = Complaint.objects.filter(received_at__gte=since, received_at__lt=until)
    if unit_ids is not None:
        cases = cases.filter(org_unit_id__in=unit_ids)
    rows = list(
        cases.select_related("org_unit")
        .only(
            "id",
            "org_unit",
            "category_id",
            "complexity",
            "received_at",
            "resolved_at",
            "closed_at",
            "occurred_at",
        )
        .order_by("id")[: MAX_CASES + 1]
    )
    if len(rows) > MAX_CASES:
        raise InvalidInput(
            {"period": [_("所选期间的投诉超过 %(limit)d 件，请缩短期间。") % {"limit": MAX_CASES}]}
        )
    ids = [c.id for c in rows]
    codes: dict[int, dict[str, str]] = defaultdict(dict)
    for complaint_id, dimension, code in CaseCode.objects.filter(
        complaint_id__in=ids, status=CaseCodeStatus.CONFIRMED, dimension__scheme=scheme
    ).values_list("complaint_id", "dimension__code", "code__code"):
        codes[complaint_id][dimension] = code
    extensions: dict[int, list[deadlines.ExtensionGrant]] = defaultdict(list)
    for extension in StatutoryExtension.objects.filter(complaint_id__in=ids):
        extensions[extension.complaint_id].append(extension.grant())

    selections: dict[tuple[int, int | None], object] = {}
    versions: dict[tuple[str, dt.date], object] = {}
    terms_of: dict[int, deadlines.PackTerms] = {}
    result = []
    for case in rows:
        key = (case.org_unit_id, case.category_id)
        if key not in selections:
            selections[key] = pack_selection_for(unit=case.org_unit, category_id=case.category_id)
        selection = selections[key]
        outcome = NO_PACK
        if selection is not None:
            day = to_local(case.received_at).date()
            version_key = (selection.pack.code, day)
            if version_key not in versions:
                versions[version_key] = pack_version_on(code=selection.pack.code, day=day)
            pack = versions[version_key]
            if pack is not None:
                if pack.pk not in terms_of:
                    terms_of[pack.pk] = pack_terms(pack)
                outcome = _outcome(case, terms_of[pack.pk], tuple(extensions.get(case.id, ())), as_of)
        result.append(
            CaseOutcome(codes=codes.get(case.id, {}), outcome=outcome, extended=bool(extensions.get(case.id)))
        )
    return result


def _outcome(case: Complaint, terms: deadlines.PackTerms, grants, as_of: dt.datetime) -> str:
    facts = deadlines.CaseFacts(received_at=case.received_at, complexity=case.complexity)
    try:
        dues = deadlines.statutory_due_dates(
            pack=terms, facts=facts, calendar=calendar_for_unit(unit=case.org_unit), extensions=grants
        )
    except deadlines.ExtensionRefused:
        # Extensions are checked when approved; a pack edited since may refuse them: count without.
        dues = deadlines.statutory_due_dates(
            pack=terms, facts=facts, calendar=calendar_for_unit(unit=case.org_unit)
        )
    primary = next((d for d in dues if d.clock is deadlines.Clock.DECISION), None) or next(
        (d for d in dues if d.clock is deadlines.Clock.ANSWER), None
    )
    if primary is None:
        return NO_PACK
    decided_at = case.resolved_at or case.closed_at
    if decided_at is not None:
        return WITHIN if decided_at <= primary.due_at else OVERDUE
    return OVERDUE if as_of > primary.due_at else IN_PROGRESS


# The workbook --------------------------------------------------------------------------------------------


def _outcome_labels(layout: StatsLayout) -> list[tuple[str, str]]:
    """The measures the layout shows, in the workbook's order, as people read them."""
    return [(key, str(StatsMeasure(key).label)) for key in layout.measures_shown()]


def stats_layout_saved(*, name: str) -> StatsLayout:
    """The saved layout called `name` (models.StatisticsLayout, edited in the admin)."""
    saved = StatisticsLayout.objects.filter(name=(name or "").strip()).first()
    if saved is None:
        raise InvalidInput(
            {"saved_layout": [_("没有名为“%(name)s”的统计样式。") % {"name": (name or "").strip()}]}
        )
    return saved.layout()


def stats_layouts_saved() -> list[StatisticsLayout]:
    """The saved layouts by name, for a page to offer (bounded)."""
    return list(StatisticsLayout.objects.order_by("name")[:100])


def statistics_unit(*, code: str) -> OrgUnit | None:
    """The unit a statistics request names by its code ("" : none named); an unknown code is a field error
    (whether the reader may see it is the export's to say)."""
    if not (code or "").strip():
        return None
    unit = OrgUnit.objects.filter(code=code.strip()).first()
    if unit is None:
        raise InvalidInput({"unit": [_("没有编码为 %(code)s 的机构。") % {"code": code.strip()}]})
    return unit


def regulatory_statistics_export(
    *, actor, start: dt.date, end: dt.date, unit: OrgUnit | None = None, layout: StatsLayout | None = None,
    scheme_code: str | None = None,
) -> bytes:  # fmt: skip
    """The statistics workbook (.xlsx bytes) for `actor`: `unit` must be theirs (None: the whole
    organisation, for roles that see every unit). Counts only, no personal data."""
    if not (actor.is_active and actor.has_perm("complaints.view_complaint")):
        raise PermissionDenied(_("您没有权限执行此操作"), code="permission_denied")
    if unit is None and not user_sees_all_units(actor):
        unit = actor.org_unit
        if unit is None:
            raise PermissionDenied(_("您没有权限执行此操作"), code="permission_denied")
    if unit is not None and not unit_visible_to(actor, unit):
        raise NotFound()
    return statistics_workbook(
        scheme=scheme_active(code=scheme_code), unit=unit, start=start, end=end, layout=layout or StatsLayout(),
        as_of=now(),
    )  # fmt: skip


def _validate(*, scheme, dimensions: dict, start: dt.date, end: dt.date, layout: StatsLayout) -> None:
    problems: dict[str, list[str]] = {}
    for name, day in (("start", start), ("end", end)):
        # A day's bounds are computed in UTC: near year 1 or 9999 they overflow.
        if not DAY_EARLIEST <= day <= DAY_LATEST:
            problems[name] = [
                _("超出可接受的范围（%(range)s）")
                % {"range": f"{DAY_EARLIEST.isoformat()} ~ {DAY_LATEST.isoformat()}"}
            ]
    if problems:
        raise InvalidInput(problems)
    if end < start:
        problems["end"] = [_("结束日期不能早于开始日期。")]
    elif (end - start).days > MAX_DAYS:
        problems["end"] = [_("统计期间最长 %(days)d 天。") % {"days": MAX_DAYS}]
    named = [*layout.rows, *([layout.column] if layout.column else []), *layout.levels]
    unknown = sorted({d for d in named if d not in dimensions})
    if unknown:
        problems["layout"] = [
            _("%(scheme)s 没有维度 %(dimensions)s。") % {"scheme": scheme, "dimensions": "、".join(unknown)}
        ]
    elif layout.column and layout.column in layout.rows:
        problems["layout"] = [_("同一维度不能既作为行又作为列。")]
    elif len(set(layout.rows)) != len(layout.rows):
        problems["layout"] = [_("行维度不能重复。")]
    if problems:
        raise InvalidInput(problems)


def statistics_workbook(
    *, scheme: ClassificationScheme, unit: OrgUnit | None, start: dt.date, end: dt.date, layout: StatsLayout,
    as_of: dt.datetime,
) -> bytes:  # fmt: skip
    from openpyxl import Workbook  # heavy: loaded by an export only
    from openpyxl.styles import Font

    dimensions = {d.code: d for d in scheme.dimensions.all()}
    _validate(scheme=scheme, dimensions=dimensions, start=start, end=end, layout=layout)
    english = (get_language() or "").startswith("en")
    all_codes = list(
        ClassificationCode.objects.filter(dimension__scheme=scheme).select_related("dimension", "parent")
    )
    parents = {c.code: c.parent.code for c in all_codes if c.parent_id}
    levels = {c.code: c.level for c in all_codes}
    names = {c.code: (c.name_en if english and c.name_en else c.name) for c in all_codes}

    def label(code: str) -> str:
        return f"{code} {names.get(code, '')}".strip() if code else _("未确认分类")

    column_codes: list[str] = []
    if layout.column:
        level = layout.levels.get(layout.column)
        with_children = {c.parent_id for c in all_codes if c.parent_id}
        column_codes = [
            c.code for c in sorted(all_codes, key=lambda c: c.code)
            if c.dimension.code == layout.column and (c.level == level if level else c.pk not in with_children)
        ]  # fmt: skip
    unit_ids = orgunit_subtree_ids(unit=unit) if unit is not None else None
    outcomes = case_outcomes(scheme=scheme, unit_ids=unit_ids, start=start, end=end, as_of=as_of)
    table = tabulate(
        outcomes=outcomes, layout=layout, parents=parents, levels=levels, column_codes=column_codes
    )

    def dimension_name(code: str) -> str:
        d = dimensions[code]
        return f"{d.code} {d.name_en if english and d.name_en else d.name}"

    book = Workbook()
    sheet = book.active
    sheet.title = _("统计表")[:31]
    bold = Font(bold=True)
    scope = unit.name if unit is not None else _("全组织")
    _append(sheet, [str(scheme)])
    _append(sheet, [_("期间"), f"{start:%Y-%m-%d} – {end:%Y-%m-%d}", _("机构"), scope])
    _append(sheet, [_("生成时间"), to_local(as_of).strftime("%Y-%m-%d %H:%M")])
    sheet.append([])
    extra_columns = [c for c in table_column_keys(table) if c not in column_codes]
    header = [dimension_name(d) for d in layout.rows]
    header += [label(c) for c in [*column_codes, *extra_columns]]
    header += [text for _key, text in _outcome_labels(layout)]
    _append(sheet, header)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    totals_columns: Counter = Counter()
    totals_outcomes: Counter = Counter()
    for key in sorted(table.rows):
        cell = table.rows[key]
        totals_columns.update(cell["columns"])
        totals_outcomes.update(cell["outcomes"])
        _append(
            sheet,
            [label(code) for code in key]
            + [cell["columns"].get(c, 0) for c in [*column_codes, *extra_columns]]
            + [cell["outcomes"].get(k, 0) for k, _text in _outcome_labels(layout)],
        )
    _append(
        sheet,
        [_("合计")] + [""] * (len(layout.rows) - 1)
        + [totals_columns.get(c, 0) for c in [*column_codes, *extra_columns]]
        + [totals_outcomes.get(k, 0) for k, _text in _outcome_labels(layout)]
    )  # fmt: skip
    for cell in sheet[sheet.max_row]:
        cell.font = bold

    notes = book.create_sheet(_("说明")[:31])
    for line in (
        _("按受理时间统计所选期间内的投诉，含所选机构及其下级机构。"),
        _("法定时限：案件适用的时限包中自收到投诉起算的处理决定时限（无则为答复时限），含已批准的延长。"),
        _("法定时限内办结：在法定时限届满前解决或归档；超时：届满后办结，或届满时仍未办结。"),
        _("延期：经批准延长法定时限的案件，同时计入上述结果之一。"),
        _("未确认分类：该维度尚无经人工确认的代码。"),
    ):
        _append(notes, [line])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value):
    """Text a spreadsheet would run as a formula (=, +, -, @ …) is prefixed with an apostrophe: names come
    from imported files and the admin."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _append(sheet, row: list) -> None:
    sheet.append([_cell(v) for v in row])


def table_column_keys(table: StatsTable) -> list[str]:
    keys: set[str] = set()
    for cell in table.rows.values():
        keys.update(cell["columns"])
    return sorted(keys)
