"""Saved layouts of the statistics workbook (issue 15 item 4): a layout kept by name in the admin (rows,
columns, levels, measures) drives the workbook's headers wherever the export is asked for — the API, the
statistics page, the command."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from complaintdesk.accounts.services import user_create
from complaintdesk.common.errors import InvalidInput
from complaintdesk.regulation.models import StatisticsLayout
from complaintdesk.regulation.statistics import regulatory_statistics_export, stats_layout_saved

from .conftest import local
from .test_statistics import october as october  # the fixture

pytestmark = pytest.mark.django_db


def header_and_rows(data: bytes) -> tuple[list, list[list]]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    header, *rows = [list(r) for r in sheet.iter_rows(min_row=5, values_only=True)]
    return header, rows


@pytest.fixture
def monthly(db):
    return StatisticsLayout.objects.create(
        name="月报：渠道×原因", rows="A", column="C", levels="A=1", measures=["total", "overdue", "extended"]
    )


def test_a_saved_layout_drives_the_workbook_headers(october, monthly):
    data = regulatory_statistics_export(
        actor=october.manager, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31), unit=october.branch,
        layout=stats_layout_saved(name="月报：渠道×原因"),
    )  # fmt: skip
    header, rows = header_and_rows(data)
    assert header[0] == "A 业务办理渠道" and "B 业务类别" not in header
    assert "C09 资金安全" in header and "C01 服务态度及服务质量" in header  # C spread over the columns
    assert header[-3:] == ["合计", "超时", "延期"]  # only the chosen measures, in the workbook's order
    assert "法定时限内办结" not in header and "办理中" not in header
    by_row = {r[0]: r for r in rows}
    front = by_row["A01 前台业务"]  # rolled up to level 1
    assert front[header.index("合计")] == 3 and front[header.index("延期")] == 1


def test_an_unknown_name_is_refused_in_words(db):
    with pytest.raises(InvalidInput) as refused:
        stats_layout_saved(name="不存在的样式")
    assert refused.value.fields == {"saved_layout": ["没有名为“不存在的样式”的统计样式。"]}


def test_the_api_chooses_a_saved_layout_by_name(october, monthly, api_for):
    api = api_for(october.manager)
    answer = api.get(
        "/regulation/statistics?start=2026-10-01&end=2026-10-31&unit=SH&saved_layout=月报：渠道×原因"
    )
    assert answer.status_code == 200, answer.content
    header, _rows = header_and_rows(answer.content)
    assert header[0] == "A 业务办理渠道" and header[-3:] == ["合计", "超时", "延期"]
    missing = api.get("/regulation/statistics?start=2026-10-01&end=2026-10-31&saved_layout=无")
    assert (
        missing.status_code == 422 and "没有名为“无”的统计样式" in missing.json()["errors"]["saved_layout"][0]
    )


def test_the_statistics_page_offers_the_saved_layouts(october, monthly):
    client = Client()
    client.force_login(october.manager)
    page = client.get("/regulation/statistics/").content.decode()
    assert 'data-testid="regulation-saved-layout"' in page and "月报：渠道×原因" in page
    answer = client.get(
        "/regulation/statistics/",
        {
            "download": "1",
            "start": "2026-10-01",
            "end": "2026-10-31",
            "unit": "SH",
            "saved_layout": monthly.name,
        },
    )
    assert answer.status_code == 200
    header, _rows = header_and_rows(answer.content)
    assert header[-3:] == ["合计", "超时", "延期"]


def test_the_command_takes_a_saved_layout(october, monthly, tmp_path):
    out = tmp_path / "stats.xlsx"
    call_command(
        "regulation_statistics", "--user", october.manager.username, "--from", "2026-10-01", "--to", "2026-10-31",
        "--unit", "SH", "--layout", monthly.name, "--out", str(out),
    )  # fmt: skip
    header, _rows = header_and_rows(out.read_bytes())
    assert header[0] == "A 业务办理渠道" and header[-1] == "延期"


@pytest.fixture
def admin_client(org):
    admin = user_create(
        username="root", password=None, role="administrator", org_unit=org.hq, display_name="root"
    )
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(admin)
    return client


def test_the_admin_saves_a_layout_and_refuses_one_the_export_would_refuse(admin_client, banking, clock):
    clock.at(local(2026, 11, 1, 9))
    url = "/admin/regulation/statisticslayout/add/"
    form = admin_client.get(url).content.decode()
    assert "法定时限内办结" in form and 'type="checkbox"' in form
    bad = admin_client.post(url, {"name": "错", "rows": "A,D", "column": "A", "levels": "A1"})
    html = bad.content.decode()
    assert bad.status_code == 200 and not StatisticsLayout.objects.exists()
    assert "请按“维度=级别”填写统计级别" in html
    bad = admin_client.post(url, {"name": "错", "rows": "A,D", "column": "A", "levels": ""})
    html = bad.content.decode()
    assert "启用的分类标准没有维度 D" in html and "同一维度不能既作为行又作为列" in html
    good = admin_client.post(
        url, {"name": "季报", "rows": "B", "column": "", "levels": "", "measures": ["overdue", "total"]}
    )
    assert good.status_code == 302
    saved = StatisticsLayout.objects.get(name="季报")
    assert saved.measures == ["total", "overdue"] and saved.column == ""
    assert admin_client.get("/admin/regulation/statisticslayout/").status_code == 200
