"""The regulatory statistics workbook: cases of a period and unit subtree counted by their confirmed
A × B × C codes, with how each fared against its statutory deadline; layout chosen by the caller."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from complaintdesk.common.errors import InvalidInput, NotFound
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.services import complaint_analyse
from complaintdesk.regulation.models import ClassificationCode
from complaintdesk.regulation.services import complaint_codes_confirm, statutory_extension_approve
from complaintdesk.regulation.statistics import StatsLayout, regulatory_statistics_export

from .conftest import intake, local

pytestmark = pytest.mark.django_db


def received(clock, actor, at, codes=None, *, resolved=None, complex_=False, **fields):
    clock.at(at)
    case = intake(actor, **fields)
    if complex_:
        complaint_analyse(number=case.number, actor=actor, changes={"complexity": "complex"})
    if codes:
        complaint_codes_confirm(number=case.number, actor=actor, codes=codes)
    if resolved:
        # How the case got resolved is the lifecycle's business (tested in complaints); here only when.
        Complaint.objects.filter(pk=case.pk).update(resolved_at=resolved, status="resolved", is_open=False)
    return case


@pytest.fixture
def october(org, banking, clock):
    fraud = ["A0101", "B03", "C09"]
    received(clock, org.agent_a, local(2026, 9, 28, 10), fraud, resolved=local(2026, 10, 5, 9))  # September
    received(
        clock, org.agent_a, local(2026, 10, 8, 9), fraud, resolved=local(2026, 10, 15, 9)
    )  # due 23 Oct: in time
    received(
        clock, org.agent_b, local(2026, 10, 8, 10), fraud, resolved=local(2026, 10, 30, 9)
    )  # after 23 Oct: late
    extended = received(clock, org.agent_a, local(2026, 10, 9, 9), ["A010303", "B02", "C01"], complex_=True)
    clock.at(local(2026, 10, 20, 9))
    statutory_extension_approve(
        number=extended.number,
        actor=org.executive,
        amount=30,
        reason="跨行调查",
        customer_notified_at=local(2026, 10, 20, 8),
    )  # open, due 8 Dec: in progress
    received(clock, org.agent_b, local(2026, 10, 10, 9))  # no codes, open, due Mon 26 Oct: overdue on 1 Nov
    received(
        clock, org.executive, local(2026, 10, 12, 9), org_unit_code="HQ"
    )  # HQ itself: outside the branch
    clock.at(local(2026, 11, 1, 12))
    return org


def sheet_rows(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(min_row=5, values_only=True)]


def export(org, **kwargs):
    return sheet_rows(
        regulatory_statistics_export(
            actor=org.manager,
            start=dt.date(2026, 10, 1),
            end=dt.date(2026, 10, 31),
            unit=org.branch,
            **kwargs,
        )
    )


def test_counts_by_a_and_b_with_c_as_columns(october):
    header, *rows, total = export(october, layout=StatsLayout(rows=("A", "B"), column="C"))
    assert header[:2] == ["A 业务办理渠道", "B 业务类别"]
    assert header[-6:] == ["合计", "法定时限内办结", "超时", "延期", "办理中", "未适用法定时限"]
    column = {name: i for i, name in enumerate(header)}
    by_key = {(r[0], r[1]): r for r in rows}
    fraud = by_key[("A0101 营业现场", "B03 银行卡")]
    assert fraud[column["C09 资金安全"]] == 2 and fraud[column["C01 服务态度及服务质量"]] == 0
    assert [fraud[column[k]] for k in ("合计", "法定时限内办结", "超时", "延期", "办理中")] == [2, 1, 1, 0, 0]
    loan = by_key[("A010303 移动客户端", "B02 贷款")]
    assert [loan[column[k]] for k in ("合计", "法定时限内办结", "超时", "延期", "办理中")] == [1, 0, 0, 1, 1]
    unclassified = by_key[("未确认分类", "未确认分类")]
    assert [unclassified[column[k]] for k in ("合计", "超时")] == [1, 1]
    assert total[0] == "合计" and total[column["合计"]] == 4  # September and the department are not counted


def test_rows_can_be_rolled_up_to_a_higher_level(october):
    header, *rows, total = export(october, layout=StatsLayout(rows=("A",), column=None, levels={"A": 1}))
    assert header[0] == "A 业务办理渠道" and header[1] == "合计"
    assert {r[0]: r[1] for r in rows} == {"A01 前台业务": 3, "未确认分类": 1}


def test_a_case_without_a_pack_is_counted_apart(org, clock):
    received(clock, org.agent_a, local(2026, 10, 8, 9), ["A0101", "B03", "C09"])
    clock.at(local(2026, 11, 1, 12))
    header, row, _total = export(org, layout=StatsLayout(rows=("C",), column=None))
    assert row[header.index("未适用法定时限")] == 1 and row[header.index("超时")] == 0


def test_staff_export_only_their_own_units(october):
    with pytest.raises(NotFound):
        regulatory_statistics_export(
            actor=october.agent_b, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31), unit=october.store_a
        )
    own = sheet_rows(
        regulatory_statistics_export(
            actor=october.agent_b, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31)
        )
    )
    assert own[-1][own[0].index("合计")] == 2  # store B's two cases


@pytest.mark.parametrize(
    ("layout", "start", "end", "field"),
    [
        (StatsLayout(rows=("A", "D")), dt.date(2026, 10, 1), dt.date(2026, 10, 31), "layout"),
        (StatsLayout(rows=("A", "C"), column="C"), dt.date(2026, 10, 1), dt.date(2026, 10, 31), "layout"),
        (StatsLayout(), dt.date(2026, 10, 31), dt.date(2026, 10, 1), "end"),
        # A day's bounds in UTC overflow near year 1 and 9999 (was a 500 in the API and the page).
        (StatsLayout(), dt.date(1, 1, 1), dt.date(2026, 10, 31), "start"),
        (StatsLayout(), dt.date(9999, 12, 31), dt.date(2026, 10, 31), "start"),
        (StatsLayout(), dt.date(2099, 12, 1), dt.date(9999, 12, 31), "end"),
    ],
    ids=["unknown-dimension", "row-and-column", "end-before-start", "year-1", "year-9999", "end-9999"],
)
def test_a_bad_request_is_refused_in_words(org, layout, start, end, field):
    with pytest.raises(InvalidInput) as invalid:
        regulatory_statistics_export(actor=org.manager, start=start, end=end, unit=org.branch, layout=layout)
    assert list(invalid.value.fields) == [field]


def test_the_workbook_speaks_english_when_asked(october):
    with translation.override("en"):
        header, *rows, total = export(october, layout=StatsLayout(rows=("B",), column=None))
    assert header[0] == "B Business type" and header[1:4] == [
        "Total",
        "Decided within the statutory deadline",
        "Deadline breached",
    ]
    assert "B03 Bank cards" in [r[0] for r in rows] and total[0] == "Total"


def test_the_command_writes_the_workbook(october, tmp_path):
    out = tmp_path / "october.xlsx"
    call_command(
        "regulation_statistics", "--user", "manager", "--from", "2026-10-01", "--to", "2026-10-31", "--rows", "A",
        "--column", "", "--level", "A=1", "--out", str(out), stdout=io.StringIO(),
    )  # fmt: skip
    header, *rows, total = sheet_rows(out.read_bytes())
    assert {r[0]: r[1] for r in rows} == {"A01 前台业务": 3, "未确认分类": 1}


def test_the_command_refuses_a_bad_request_in_words(october, tmp_path):
    with pytest.raises(CommandError, match="结束日期不能早于开始日期"):
        call_command(
            "regulation_statistics", "--user", "manager", "--from", "2026-10-31", "--to", "2026-10-01",
            "--out", str(tmp_path / "x.xlsx"),
        )  # fmt: skip


def test_a_code_that_looks_like_a_formula_is_written_as_text(october):
    ClassificationCode.objects.filter(code="A0101").update(code='=HYPERLINK("x")')
    _header, *rows, _total = export(october, layout=StatsLayout(rows=("A",), column=None))
    assert '\'=HYPERLINK("x") 营业现场' in [r[0] for r in rows]
