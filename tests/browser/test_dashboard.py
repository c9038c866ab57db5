"""The management dashboard in Chromium: the charts are drawn from the vendored Chart.js with their
target lines, a customer's 2-star answer shows on the supervisor's dashboard after the sync, and the
numbers lead to the cases behind them."""

import pytest

from complaintdesk.analytics.services import analytics_rebuild, analytics_sync
from complaintdesk.analytics.tests.fixture import AT, Fixture
from complaintdesk.surveys.invitations import survey_invite
from complaintdesk.surveys.services import survey_answer_submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def test_supervisor_sees_a_low_rating_on_the_dashboard_and_opens_the_case(
    org, new_page, screenshot, settings, tmp_path
):
    settings.NOTIFY_SMS_BACKEND = "complaintdesk.notifications.sms.backends.file.FileSmsBackend"
    settings.NOTIFY_SMS_OUTBOX = tmp_path / "sms.jsonl"
    fixture = Fixture(org)
    analytics_rebuild(at=AT)
    org.manager.set_password(PASSWORD)
    org.manager.save()
    # A B1c case (still being handled) is rated 2 stars by the customer through the survey link.
    case = fixture.cases["B1"][-1]
    invited = survey_invite(complaint=case)
    survey_answer_submit(token=invited.token, stars=2, comment="处理太慢", solved=False)
    analytics_sync(at=AT)

    page = new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "manager")
    page.goto("/dashboard/?from=2026-03&to=2026-04")
    # The manager's units are SH and below: CSAT (27 + 0) ÷ (33 + 1) = 79.41 % (see analytics/tests/test_kpis.py).
    csat = page.locator("[data-kpi=csat]")
    assert "79.41" in csat.inner_text()
    assert "kpi-missed" in csat.get_attribute("class")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-trend'))")
    assert errors == []
    datasets = page.evaluate(
        "() => ['chart-trend', 'chart-pareto', 'chart-units'].map(id =>"
        " Chart.getChart(document.getElementById(id)).data.datasets.map(d => d.label))"
    )
    trend, pareto, units = datasets
    assert "CSAT 目标 95%" in trend and "FCR 目标 80%" in trend
    assert "80% 线" in pareto and "投诉率目标 < 2%" in units
    assert page.evaluate("() => !!Chart.getChart(document.getElementById('chart-gauge-0'))")
    screenshot(page, "dashboard")

    # The number of rated cases leads to the list; the low rating is there; it opens the case.
    csat.locator("a[href*='measure=rated']").click()
    page.wait_for_selector("[data-testid=cases-table]")
    assert page.locator("[data-testid=cases-table] tbody tr").count() == 34
    page.click(f"text={case.number}")
    page.wait_for_url(f"**/complaints/{case.number}/")
    assert case.number in page.content()
