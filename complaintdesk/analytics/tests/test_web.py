"""The dashboard, the cases behind its numbers, exports (masked by role), scorecards and the API."""

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from complaintdesk.accounts.models import Role
from complaintdesk.accounts.services import user_create
from complaintdesk.analytics.models import ContributionScore
from complaintdesk.analytics.services import analytics_rebuild, scorecard_weights_set

from .fixture import AT, Fixture, local

pytestmark = pytest.mark.django_db
PERIOD = {"from": "2026-03", "to": "2026-04"}


@pytest.fixture
def fx(org):
    fixture = Fixture(org)
    analytics_rebuild(at=AT)
    return fixture


def get(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(name), params)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_dashboard_shows_kpis_with_links_to_the_cases(client, fx, org):
    response = get(client, org.executive, "web:dashboard", **PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    # CSAT 77.14 % (27 of 35 rated, see test_kpis), linked to the 27 satisfied cases.
    card = re.search(r'data-kpi="csat".*?</div>\s*</div>', html, re.S).group(0)
    assert "77.14" in card and "measure=satisfied" in card and "measure=rated" in card
    assert 'id="dashboard-data"' in html and "vendor/chartjs/chart.umd.min.js" in html
    cases = client.get(reverse("web:dashboard_cases"), {**PERIOD, "measure": "satisfied"})
    assert cases.status_code == 200
    assert cases.content.decode().count('href="/complaints/TS') == 27


def test_dashboard_is_for_supervisors_and_managers_only(client, fx, org):
    assert get(client, org.agent_a, "web:dashboard").status_code == 404
    assert get(client, org.agent_a, "web:scorecards").status_code == 404
    assert get(client, org.dept_staff, "web:dashboard_cases").status_code == 404
    assert get(client, org.manager, "web:dashboard", **PERIOD).status_code == 200


def test_cases_behind_a_unit_and_month(client, fx, org):
    response = get(
        client,
        org.executive,
        "web:dashboard_cases",
        measure="complaints",
        unit="SH-A",
        **{"from": "2026-03", "to": "2026-03"},
    )
    # SH-A in March: A1 10 + A2 6 + A3 4 = 20
    assert response.content.decode().count('href="/complaints/TS') == 20


def test_exports_mask_personal_data_unless_the_role_may_see_it(client, fx, org):
    params = {**PERIOD, "measure": "complaints", "unit": "SH-A", "format": "csv"}
    full = csv_rows(get(client, org.executive, "web:dashboard_cases", **params))
    masked = csv_rows(
        get(client, org.inspector, "web:dashboard_cases", **params)
    )  # QA: no view_personal_data
    assert len(full) == len(masked) == 1 + 10 + 6 + 4 + 5 + 1 + 1  # header + SH-A's 27 cases
    phone, name = full[0].index("电话"), full[0].index("客户")
    assert all(row[phone].startswith("+86138") for row in full[1:])
    assert all("****" in row[phone] and "+86" not in row[phone] for row in masked[1:])
    assert all(row[name].startswith("客") and set(row[name][1:]) == {"*"} for row in masked[1:])
    xlsx = get(client, org.inspector, "web:dashboard_cases", **{**params, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [cell.value for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not any(isinstance(v, str) and v.startswith("+86") for v in values)


@pytest.mark.parametrize("table", ["kpis", "trend", "units", "categories", "channels", "sla"])
def test_every_dashboard_table_exports_to_csv_and_excel(client, fx, org, table):
    rows = csv_rows(get(client, org.executive, "web:dashboard", export=table, format="csv", **PERIOD))
    assert len(rows) > 1
    xlsx = get(client, org.executive, "web:dashboard", export=table, format="xlsx", **PERIOD)
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == rows[0]
    if table == "kpis":
        csat = next(r for r in rows if r[0].startswith("满意度"))
        assert csat[1:5] == ["77.14", "%", "27", "35"]


def test_export_neutralises_formulas(client, fx, org):
    case = fx.cases["A1"][0]
    type(case).objects.filter(pk=case.pk).update(title='=HYPERLINK("http://x")')
    rows = csv_rows(
        get(client, org.executive, "web:dashboard_cases", measure="complaints", format="csv", **PERIOD)
    )
    assert '\'=HYPERLINK("http://x")' in [cell for row in rows for cell in row]


def test_dashboard_query_count_does_not_grow_with_the_data(client, fx, org):
    client.force_login(org.executive)
    url = reverse("web:dashboard")
    client.get(url, PERIOD)  # warm caches (permissions, calendars)
    with CaptureQueriesContext(connection) as first:
        client.get(url, PERIOD)
    for i in range(30):
        fx.case(
            "Z", f"z{i}", org.store_b, local(4, 21, 10), category=fx.network, channel="sms", agent=org.agent_b
        )
    fx.network.__class__.objects.create(code="logistics", name="物流")
    analytics_rebuild(at=AT)
    with CaptureQueriesContext(connection) as second:
        client.get(url, PERIOD)
    assert len(second) == len(first)
    assert len(first) <= 25


def test_scorecards_show_components_and_their_sources(client, fx, org):
    ContributionScore.objects.create(agent=org.agent_a, month=local(3, 1, 0).date(), score=90, entered_at=AT)
    response = get(client, org.executive, "web:scorecards", **PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-agent="agent_a"' in html and 'data-agent="agent_b"' in html
    # No inspection scored yet: attitude is missing and its weight is shared among the others.
    assert "暂无质检评分" in html and "缺失" in html
    rows = csv_rows(get(client, org.executive, "web:scorecards", format="csv", **PERIOD))
    assert rows[0][:3] == ["客服专员", "工号", "总分"]


def test_scorecard_weights_must_add_up_to_100(org):
    from complaintdesk.common.errors import InvalidInput

    with pytest.raises(InvalidInput):
        scorecard_weights_set(attitude=30, efficiency=30, feedback=30, contribution=30, actor=org.executive)
    row = scorecard_weights_set(attitude=20, efficiency=30, feedback=40, contribution=10, actor=org.executive)
    assert (row.attitude, row.feedback) == (20, 40)


def test_api_kpis_and_scorecards(fx, org, api_for):
    supervisor = user_create(username="sup", password=None, role=Role.SUPERVISOR, org_unit=org.branch)
    api = api_for(supervisor)
    response = api.get("/analytics/kpis?month_from=2026-03&month_to=2026-04")
    assert response.status_code == 200, response.content
    body = response.json()
    kpis = {k["code"]: k for k in body["kpis"]}
    # The supervisor belongs to SH: SH's subtree (48 cases, see test_kpis), CSAT 27/33.
    assert kpis["volume"]["value"] == 48
    assert (kpis["csat"]["value"], kpis["csat"]["numerator"], kpis["csat"]["denominator"]) == (81.82, 27, 33)
    assert kpis["csat"]["met"] is False and kpis["complaint_rate"]["met"] is True
    assert api.get("/analytics/kpis?month_from=2026-13&month_to=2026-04").status_code == 422
    assert api.get("/analytics/kpis?month_from=2026-03&month_to=2026-04&unit=BILL").status_code == 404
    cards = api.get("/analytics/scorecards?month_from=2026-03&month_to=2026-04").json()
    assert {c["agent"] for c in cards} == {"agent_a", "agent_b"}
    assert api_for(org.agent_a).get("/analytics/kpis?month_from=2026-03&month_to=2026-04").status_code == 404


def test_cases_received_at_a_parent_unit_itself(client, fx, org):
    # SH's own cases (S1: 3), without its stores'; the link the unit comparison gives for SH's own row.
    response = get(
        client, org.executive, "web:dashboard_cases", measure="complaints", unit="SH", own="1", **PERIOD
    )
    assert response.content.decode().count('href="/complaints/TS') == 3
    html = get(client, org.executive, "web:dashboard", unit="SH", **PERIOD).content.decode()
    assert "unit=SH&amp;own=1" in html or "unit=SH&own=1" in html


@pytest.mark.parametrize(
    ("language", "label"), [("en", "Shanghai Branch (own cases)"), ("zh-hans", "上海分公司（本级）")]
)
def test_a_units_own_cases_are_named_in_one_piece(client, fx, org, language, label):
    """The unit comparison's row for a unit's own cases reads as one name, the same in the table, the chart and
    the export: "Shanghai Branch (own cases)" (no space stuck on the front of a separate piece)."""
    org.branch.name_en = "Shanghai Branch"
    org.branch.save(update_fields=["name_en"])
    client.force_login(org.executive)
    client.cookies["django_language"] = language
    params = {**PERIOD, "unit": "SH"}
    html = client.get(reverse("web:dashboard"), params).content.decode()
    assert f'<th scope="row">{label}</th>' in html
    chart = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S)
    assert label in [u["label"] for u in json.loads(chart.group(1))["units"]]
    rows = csv_rows(client.get(reverse("web:dashboard"), {**params, "export": "units", "format": "csv"}))
    assert ["SH", label] in [row[:2] for row in rows]
