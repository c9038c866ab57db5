"""The dashboard's tables as plain rows, and writers to CSV and Excel. Personal data of customers
(name, phone) is masked unless the user's role may see it (`view_personal_data`)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from complaintdesk.common.humanize import duration_for_people
from complaintdesk.common.masking import mask_phone, mask_text
from complaintdesk.common.names import name_for_people
from complaintdesk.common.time import to_local
from complaintdesk.complaints.states import runs_complaint_process, status_label

from .selectors import Dashboard, Kpi, user_sees_personal_data

MAX_CASE_ROWS = 10000
TREND_CODES = ("volume", "csat", "fcr", "fr_sla", "res_sla", "complaint_rate", "escalation_rate", "nps")
GROUP_CODES = (
    "volume", "csat", "fcr", "transfer_rate", "complaint_rate", "fr_sla", "res_sla", "escalation_rate",
    "repeat_rate", "reopen_rate", "art", "aht", "nps", "praise_rate", "compensation",
)  # fmt: skip


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    headers: list[str]
    rows: list[list]


HOURS = "h"  # the unit of the time KPIs (average response and handling time)


def _v(kpi: Kpi):
    """A KPI's value for the sheet: a time as on the page ("5小时22分"), never decimal hours."""
    if kpi.value is None:
        return ""
    return duration_for_people(kpi.value * 3600) if kpi.unit == HOURS else kpi.value


def _unit(kpi: Kpi) -> str:
    return "" if kpi.unit == HOURS else kpi.unit  # a time in words carries its own units


def _kpi_headers(codes, sample: dict[str, Kpi]) -> list[str]:
    return [f"{sample[c].label}{f' ({_unit(sample[c])})' if _unit(sample[c]) else ''}" for c in codes]


def kpi_table(board: Dashboard) -> Table:
    rows = [
        [
            k.label,
            _v(k),
            _unit(k),
            duration_for_people(k.numerator) if k.unit == HOURS else k.numerator,  # the total time
            k.denominator if k.denominator_measure or k.code == "complaint_rate" else "",
            "" if k.target is None else k.target,
            "" if k.met is None else (_("达标") if k.met else _("未达标")),
        ]
        for k in board.kpis.values()
    ]
    headers = [_("指标"), _("数值"), _("单位"), _("分子"), _("分母"), _("目标"), _("是否达标")]
    return Table("kpis", _("关键指标"), headers, rows)


def trend_table(board: Dashboard) -> Table:
    sample = board.kpis
    rows = [[f"{m:%Y-%m}"] + [_v(k[c]) for c in TREND_CODES] for m, k in board.trend]
    return Table("trend", _("月度趋势"), [_("月份")] + _kpi_headers(TREND_CODES, sample), rows)


def units_table(board: Dashboard) -> Table:
    sample = board.kpis
    rows = [[row.unit.code, row.label] + [_v(row.kpis[c]) for c in GROUP_CODES] for row in board.units]
    return Table("units", _("机构对比"), [_("机构编码"), _("机构")] + _kpi_headers(GROUP_CODES, sample), rows)


def categories_table(board: Dashboard) -> Table:
    total = sum(n for _cid, n, _c in board.pareto) or 1
    rows = []
    for cid, n, cumulative in board.pareto:
        category = board.categories.get(cid)
        rows.append([category.code if category else "", name_for_people(category) if category else _("未分类"), n,
                     round(n * 100 / total, 2), cumulative])  # fmt: skip
    headers = [_("类别编码"), _("类别"), _("投诉量"), _("占比 (%)"), _("累计占比 (%)")]
    return Table("categories", _("投诉类别帕累托"), headers, rows)


def channels_table(board: Dashboard, labels: dict[str, str]) -> Table:
    sample = board.kpis
    rows = [[labels.get(ch, ch)] + [_v(k[c]) for c in GROUP_CODES] for ch, k in board.channels]
    return Table("channels", _("渠道"), [_("渠道")] + _kpi_headers(GROUP_CODES, sample), rows)


def sla_table(board: Dashboard, labels: dict[str, str]) -> Table:
    rows = [
        [labels.get(sev, sev), labels.get("cx_" + cx, cx), k["fr_sla"].numerator, k["fr_sla"].denominator,
         _v(k["fr_sla"]), k["res_sla"].numerator, k["res_sla"].denominator, _v(k["res_sla"])]
        for sev, cx, k in board.sla
    ]  # fmt: skip
    headers = [_("严重级别"), _("复杂程度"), _("首次响应按时"), _("首次响应已判定"), _("首次响应及时率 (%)"),
               _("按时解决"), _("解决已判定"), _("解决及时率 (%)")]  # fmt: skip
    return Table("sla", _("时限达成（按严重级别与复杂程度）"), headers, rows)


def agents_table(rows_in: list[tuple[object, dict[str, Kpi]]], sample: dict[str, Kpi]) -> Table:
    rows = [[str(agent), getattr(agent, "employee_no", "")] + [_v(k[c]) for c in GROUP_CODES if c != "complaint_rate"]
            for agent, k in rows_in]  # fmt: skip
    codes = [c for c in GROUP_CODES if c != "complaint_rate"]
    return Table("agents", _("客服专员"), [_("客服专员"), _("工号")] + _kpi_headers(codes, sample), rows)


def scorecards_table(cards) -> Table:
    rows = []
    for card in cards:
        row = [
            str(card.agent),
            getattr(card.agent, "employee_no", ""),
            "" if card.total is None else card.total,
        ]
        for component in card.components:
            row += ["" if component.score is None else component.score, component.effective_weight]
        rows.append(row)
    headers = [_("客服专员"), _("工号"), _("总分")]
    if cards:
        for component in cards[0].components:
            headers += [component.label, _("%(label)s 实际权重 (%%)") % {"label": component.label}]
    return Table("scorecards", _("客服考核"), headers, rows)


def _mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def cases_table(facts, *, user, status_labels: dict, channel_labels: dict) -> Table:
    full = user_sees_personal_data(user)
    rows = []
    for fact in facts[:MAX_CASE_ROWS]:
        c = fact.complaint
        customer = c.customer
        # A contact's kind in words, its status in the kind's words (已答复, not 已归档, for an inquiry); the
        # complaint grade (一般投诉 / 重大投诉) only on a complaint's row, empty on the other kinds.
        complaint_grade = runs_complaint_process(c.kind)
        rows.append([
            c.number, c.get_kind_display(), f"{to_local(c.created_at):%Y-%m-%d %H:%M}",
            name_for_people(fact.org_unit), name_for_people(fact.category), channel_labels.get(c.channel, c.channel),
            str(fact.agent) if fact.agent else "",
            status_labels.get(c.status, c.status) if complaint_grade else status_label(c.status, c.kind),
            c.get_severity_display() if complaint_grade else "", c.title,
            customer.name if full else _mask_name(customer.name),
            customer.phone if full or not customer.phone else mask_phone(customer.phone),
            customer.account_no if full or not customer.account_no else mask_text(customer.account_no, 2),
        ])  # fmt: skip
    headers = [_("受理单号"), _("联系类型"), _("受理时间"), _("受理机构"), _("类别"), _("渠道"), _("处理人"), _("状态"),
               _("投诉级别"), _("标题"), _("客户"), _("电话"), _("账号/订单号")]  # fmt: skip
    return Table("cases", _("案件明细"), headers, rows)


def _cell(value):
    """Text that a spreadsheet would run as a formula (=, +, -, @) is prefixed with an apostrophe
    (plain signed digits, such as a phone number in E.164, stay as they are)."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        if value[:1] in "+-" and value[1:].isdigit():  # a phone number in E.164, a negative number
            return value
        return "'" + value
    return value


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")  # the BOM lets Excel open Chinese text as UTF-8


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=table.title[:31])
    sheet.append(table.headers)
    for row in table.rows:
        sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
