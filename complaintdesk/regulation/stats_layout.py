"""The layout of the regulatory statistics workbook, pure: which dimensions are rows, which one is spread
over columns, at which level of each tree, and which measures (outcome columns) are shown. Parsed from what a
query, a command or a saved layout (models.StatisticsLayout) holds; no database here."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from complaintdesk.common.errors import InvalidInput

# The measures, in the workbook's order: the stored value and how people read it (labels in models.StatsMeasure).
TOTAL, WITHIN, OVERDUE, EXTENDED, IN_PROGRESS, NO_PACK = (
    "total", "within", "overdue", "extended", "in_progress", "no_pack",
)  # fmt: skip
MEASURES = (TOTAL, WITHIN, OVERDUE, EXTENDED, IN_PROGRESS, NO_PACK)


@dataclass(frozen=True)
class StatsLayout:
    rows: tuple[str, ...] = ("A", "B")
    column: str | None = "C"
    levels: dict[str, int] = field(default_factory=dict)  # dimension → level (1 = top); absent: as confirmed
    measures: tuple[str, ...] = ()  # which outcome columns, in MEASURES order; empty: all

    def measures_shown(self) -> tuple[str, ...]:
        return tuple(m for m in MEASURES if not self.measures or m in self.measures)


def stats_layout_parse(
    *, rows: str, column: str = "", levels: str = "", measures: list[str] | tuple[str, ...] = ()
) -> StatsLayout:
    """A layout as typed in a query, a command or a saved layout: rows "A,B", column "C" (empty: none),
    levels "A=1,B=1", measures among MEASURES (empty: all). Form errors are {field: [reason]}; whether the
    dimensions exist in the scheme is checked by the export."""
    problems: dict[str, list[str]] = {}
    parsed: dict[str, int] = {}
    for item in (levels or "").split(","):
        if not item.strip():
            continue
        dimension, _sep, level = item.partition("=")
        if not dimension.strip() or not level.strip().isdigit() or int(level) < 1:
            problems["levels"] = [_("请按“维度=级别”填写统计级别，如 A=1,B=1。")]
            break
        parsed[dimension.strip()] = int(level)
    row_dimensions = tuple(d.strip() for d in (rows or "").split(",") if d.strip())
    if not row_dimensions:
        problems["rows"] = [_("请至少选择一个行维度，如 A。")]
    unknown = [m for m in measures if m not in MEASURES]
    if unknown:
        problems["measures"] = [_("不认识的统计指标。")]
    if problems:
        raise InvalidInput(problems)
    return StatsLayout(
        rows=row_dimensions, column=(column or "").strip() or None, levels=parsed, measures=tuple(measures)
    )
