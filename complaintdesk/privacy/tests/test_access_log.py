"""Every reveal of a masked field and every export with personal data is logged (who, when, which case,
which field, why); a role that sees data whole is logged once a day per case and field; the auditor reads
the log at /privacy/access-log/, an agent gets 404."""

import datetime as dt
import io

from django.contrib.auth.models import Group
from django.test import Client

from complaintdesk.accounts.models import Role
from complaintdesk.analytics.services import analytics_rebuild
from complaintdesk.common.testing import clock as clock
from complaintdesk.common.testing import local
from complaintdesk.common.time import day_as_typed, to_local
from complaintdesk.complaints.attachments import attachment_add
from complaintdesk.privacy.access import AUDITOR_GROUP
from complaintdesk.privacy.models import AccessKind, AccessLog
from complaintdesk.privacy.selectors import LogFilters, access_log
from complaintdesk.testing import intake


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_reveal_needs_a_reason_and_is_logged(org):
    case = intake(org.agent_a)
    agent = _client(org.agent_a)
    refused = agent.post(f"/complaints/{case.number}/reveal", {"field": "phone"})
    assert refused.status_code == 422 and "原因" in refused.content.decode()
    assert not AccessLog.objects.exists()
    # The button's prompt sends the reason in a header (percent-encoded outside Latin-1).
    shown = agent.post(
        f"/complaints/{case.number}/reveal", {"field": "phone"},
        HTTP_HX_PROMPT="%E5%9B%9E%E7%94%B5%E6%A0%B8%E5%AE%9E", HTTP_HX_PROMPT_URI_AUTOENCODED="true",
    )  # fmt: skip
    assert shown.status_code == 200 and "138 0013 8000" in shown.content.decode()
    row = AccessLog.objects.get()
    assert (row.user, row.kind, row.field, row.case_number, row.reason) == (
        org.agent_a,
        AccessKind.REVEAL,
        "phone",
        case.number,
        "回电核实",
    )


def test_a_role_that_sees_data_whole_is_logged_once_a_day_per_case(org):
    case = intake(org.agent_a)
    manager = _client(org.manager)
    for _ in range(3):
        assert "138 0013 8000" in manager.get(f"/complaints/{case.number}/").content.decode()
    rows = AccessLog.objects.filter(user=org.manager, kind=AccessKind.VIEW)
    assert list(rows.values_list("case_number", "field")) == [(case.number, "phone")]
    # The masked view of an agent writes nothing.
    _client(org.agent_a).get(f"/complaints/{case.number}/")
    assert not AccessLog.objects.filter(user=org.agent_a).exists()


def test_a_cases_export_is_logged_with_its_cases(org):
    case = intake(org.agent_a)
    analytics_rebuild()
    month = to_local(case.created_at).strftime("%Y-%m")
    period = {"from": month, "to": month, "measure": "complaints"}
    executive = _client(org.executive)
    assert executive.get("/dashboard/cases/", period).status_code == 200  # the page itself: no export
    assert not AccessLog.objects.filter(kind=AccessKind.EXPORT).exists()
    response = executive.get("/dashboard/cases/", {**period, "format": "csv"})
    assert response.status_code == 200 and "+8613800138000" in response.content.decode("utf-8-sig")
    row = AccessLog.objects.get(kind=AccessKind.EXPORT)
    assert (row.user, row.field, row.unmasked, row.rows) == (org.executive, "cases_export", True, 1)
    assert row.numbers.split() == [case.number] and "CSV" in row.detail
    # The auditor finds the export by the case number it held.
    assert [r.pk for r in access_log(filters=LogFilters(case=case.number))] == [row.pk]


def test_the_auditor_reads_the_log_and_an_agent_does_not(org):
    case = intake(org.agent_a)
    _client(org.agent_a).post(f"/complaints/{case.number}/reveal", {"field": "phone", "reason": "回电"})
    auditor = org.user("audit", Role.QUALITY_INSPECTOR, org.hq)
    auditor.groups.add(Group.objects.get(name=AUDITOR_GROUP))  # made by migration 0002
    page = _client(auditor).get("/privacy/access-log/", {"case": case.number})
    html = page.content.decode()
    assert page.status_code == 200
    assert case.number in html and "电话" in html and "回电" in html and "点击查看完整信息" in html
    assert "phone" not in html.split('data-testid="access-log-rows"')[1]  # words, not field codes
    assert (
        _client(auditor)
        .get("/privacy/access-log/", {"user": "nobody"})
        .content.decode()
        .count('data-testid="access-row"')
        == 0
    )
    for user in (org.agent_a, org.manager, org.inspector):
        assert _client(user).get("/privacy/access-log/").status_code == 404
    # The auditor finds the log from the header of every staff page; nobody else is shown the way.
    assert 'data-testid="nav-access-log"' in _client(auditor).get("/", follow=True).content.decode()
    for user in (org.agent_a, org.manager, org.inspector):
        assert 'data-testid="nav-access-log"' not in _client(user).get("/", follow=True).content.decode()
    # The admin's list too.
    auditor.is_staff = True
    auditor.save(update_fields=["is_staff"])
    assert _client(auditor).get("/admin/privacy/accesslog/").status_code == 200


def test_the_log_reads_in_english_too(org, settings):
    case = intake(org.agent_a)
    _client(org.agent_a).post(f"/complaints/{case.number}/reveal", {"field": "phone", "reason": "call back"})
    auditor = org.user("audit", Role.QUALITY_INSPECTOR, org.hq)
    auditor.groups.add(Group.objects.get(name=AUDITOR_GROUP))
    client = _client(auditor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/privacy/access-log/").content.decode()
    assert "Personal data access log" in html and "Revealed on demand" in html and "Phone" in html


def test_an_attachment_download_is_logged(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = intake(org.agent_a)
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
        b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    attachment, _created = attachment_add(
        number=case.number, actor=org.agent_a, content=io.BytesIO(png), name="a.png"
    )
    response = _client(org.agent_a).get(f"/complaints/{case.number}/attachments/{attachment.pk}")
    assert response.status_code == 200
    row = AccessLog.objects.get(kind=AccessKind.DOWNLOAD)
    assert (row.user, row.case_number, row.field) == (org.agent_a, case.number, "attachment")


def test_the_days_are_typed_year_first_whatever_the_browsers_language(org, clock):
    clock.at(local(2026, 11, 20, 10))
    case = intake(org.agent_a)
    _client(org.agent_a).post(f"/complaints/{case.number}/reveal", {"field": "phone", "reason": "回电"})
    auditor = org.user("audit", Role.QUALITY_INSPECTOR, org.hq)
    auditor.groups.add(Group.objects.get(name=AUDITOR_GROUP))
    client = _client(auditor)
    page = client.get("/privacy/access-log/").content.decode()
    # Not type=date: Chromium would show it as mm/dd/yyyy in an English browser.
    assert 'type="date"' not in page and 'name="from"' in page and "年-月-日，如 2026-12-01" in page
    for typed in ("2026/11/20", "2026年11月20日", "2026.11.20"):
        html = client.get("/privacy/access-log/", {"from": typed, "to": typed}).content.decode()
        assert html.count('data-testid="access-row"') == 1, typed
        assert 'value="2026-11-20"' in html  # shown back year first
    assert (
        client.get("/privacy/access-log/", {"from": "2026-11-21"})
        .content.decode()
        .count('data-testid="access-row"')
        == 0
    )
    wrong = client.get("/privacy/access-log/", {"from": "11/20/2026"}).content.decode()
    assert "请按“年-月-日”填写日期，例如 2026-12-01：11/20/2026" in wrong and 'value="11/20/2026"' in wrong


def test_a_day_as_people_here_type_it():
    assert day_as_typed("2026-12-01") == dt.date(2026, 12, 1)
    assert day_as_typed(" 2026/1/5 ") == dt.date(2026, 1, 5)
    assert day_as_typed("2026年2月28日") == dt.date(2026, 2, 28)
    for wrong in ("", "12/01/2026", "2026-02-30", "2026-13-01", "明天"):
        assert day_as_typed(wrong) is None


def test_the_application_role_may_not_rewrite_the_log():
    from complaintdesk.common.dbroles import app_role_statements

    statements = app_role_statements(role="cd_app", tables=["privacy_accesslog", "privacy_legalhold"])
    assert 'REVOKE UPDATE, DELETE ON "privacy_accesslog" FROM "cd_app"' in statements
    assert not any("privacy_legalhold" in s for s in statements)
