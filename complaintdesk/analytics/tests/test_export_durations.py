"""The dashboard's exports give the time KPIs (average response and handling time) as the page does —
"5小时22分" / "5 h 22 min", in the user's language — never as decimal hours under "(h)" or a total in
seconds. The charts draw no durations (volume, CSAT, FCR, on-time rates, complaint rate only)."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse

from complaintdesk.analytics.services import analytics_rebuild
from tests.raw_codes import visible_text

from .fixture import AT, Fixture

pytestmark = pytest.mark.django_db
PERIOD = {"from": "2026-03", "to": "2026-04"}
DECIMAL_HOURS = re.compile(r"^\d+\.\d+$")


@pytest.fixture
def board(client, org):
    Fixture(org)
    analytics_rebuild(at=AT)
    client.force_login(org.executive)
    return client


def _csv(client, language: str = "zh-hans", **params) -> list[list[str]]:
    client.cookies["django_language"] = language
    response = client.get(reverse("web:dashboard"), {**PERIOD, "format": "csv", **params})
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_kpi_export_gives_times_as_the_page_does(board):
    rows = {row[0]: row for row in _csv(board, export="kpis")[1:]}
    html = board.get(reverse("web:dashboard"), PERIOD).content.decode()
    for label, code in (("平均响应时长", "art"), ("平均处理时长（工作时间）", "aht")):
        row = rows[label]
        value, unit, numerator = row[1], row[2], row[3]
        assert re.fullmatch(r"\d+(天|小时|分钟)(\d+(小时|分))?", value), row
        assert unit == "" and not re.fullmatch(r"\d+", numerator), row  # a total in words, not seconds
        card = visible_text(re.search(rf'data-kpi="{code}".*?</div>\s*</div>', html, re.S).group(0))
        assert value in card, (value, card)  # the same words as the card on the page


@pytest.mark.parametrize("table", ["units", "trend"])
def test_no_export_has_decimal_hours(board, table):
    rows = _csv(board, export=table)
    header = rows[0]
    assert not any(h.endswith("(h)") for h in header), header
    for row in rows[1:]:
        for name, cell in zip(header, row, strict=True):
            if "时长" in name:
                assert not DECIMAL_HOURS.match(cell), (name, cell)


def test_the_export_in_english_says_the_times_in_english(board):
    rows = {row[0]: row for row in _csv(board, language="en", export="kpis")[1:]}
    times = [row[1] for label, row in rows.items() if label.lower().startswith("average")]
    assert len(times) == 2 and all(
        re.search(r"\d+ (h|min|d)", t) and not DECIMAL_HOURS.match(t) for t in times
    ), rows


def test_the_charts_draw_no_durations(board):
    html = board.get(reverse("web:dashboard"), PERIOD).content.decode()
    data = json.loads(re.search(r'id="dashboard-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    charted = set(data) - {"months", "volume_links", "csat_links", "fcr_links", "targets", "text"}
    assert charted == {"volume", "csat", "fcr", "gauges", "categories", "units"}
    assert [g["label"] for g in data["gauges"]] == ["首次响应及时率", "解决及时率"]  # percentages
    assert all(set(u) == {"label", "volume", "rate", "csat", "url"} for u in data["units"])
