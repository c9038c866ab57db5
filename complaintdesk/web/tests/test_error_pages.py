"""The product's own error pages: 404, 403, 500, 400 and a refused CSRF check are ComplaintDesk pages in the
user's language (Chinese unless the user chose English) with a way back; the API keeps problem+json."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _client(user=None, **kwargs) -> Client:
    client = Client(raise_request_exception=False, **kwargs)
    if user is not None:
        client.force_login(user)
    return client


def test_a_missing_case_is_our_404_in_chinese_with_a_way_back(org):
    response = _client(org.agent_a).get("/complaints/TS20990101000001/")

    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="zh-hans">' in html and "找不到这个页面" in html
    assert 'href="/"' in html and "返回工作台" in html and "返回上一页" in html
    assert "Not Found" not in html


def test_the_404_is_in_english_for_a_user_who_reads_english(org):
    client = _client(org.agent_a)
    client.cookies["django_language"] = "en"

    html = client.get("/no-such-page/").content.decode()

    assert '<html lang="en">' in html and "Page not found" in html and "Back to the workbench" in html
    assert "找不到" not in html
    assert "Page not found" in _client(org.agent_a, **EN).get("/no-such-page/").content.decode()


def test_a_customers_404_leads_back_to_the_portal(db):
    html = _client().get("/portal/case/TS20990101000001/nothing/").content.decode()

    assert "找不到这个页面" in html and 'href="/portal/"' in html and "返回投诉服务首页" in html


def test_a_forbidden_page_is_our_403(org, settings):
    from django.core.exceptions import PermissionDenied
    from django.urls import path

    from complaintdesk.web import views_errors

    def refuse(request):
        raise PermissionDenied

    urls = type(
        "urls", (), {"urlpatterns": [path("refuse/", refuse)], "handler403": views_errors.permission_denied}
    )
    settings.ROOT_URLCONF = urls
    response = _client(org.agent_a).get("/refuse/")
    assert response.status_code == 403 and "您没有权限执行此操作" in response.content.decode()
    response = _client(org.agent_a, **EN).get("/refuse/")
    assert "You do not have permission to do this" in response.content.decode()


def test_a_server_error_is_our_500_in_the_users_language(org, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("complaintdesk.web.selectors.queue_page", broken)

    response = _client(org.agent_a).get("/queues/team/")
    html = response.content.decode()
    assert response.status_code == 500 and "服务器出错了，请稍后再试" in html and 'href="/"' in html
    assert "boom" not in html and "Traceback" not in html
    english = _client(org.agent_a, **EN).get("/queues/team/").content.decode()
    assert "Something went wrong on our side" in english


def test_a_database_gone_away_is_our_503_with_retry_after_on_pages_and_the_portal(org, monkeypatch):
    def dropped(**kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr("complaintdesk.web.selectors.queue_page", dropped)
    response = _client(org.agent_a).get("/queues/team/")
    html = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "系统暂时繁忙，请稍后再试" in html and "administrator command" not in html
    english = _client(org.agent_a, **EN).get("/queues/team/").content.decode()
    assert "The system is busy" in english

    # A customer on the portal: the same page, leading back to the portal.
    monkeypatch.setattr("complaintdesk.portal.views.selectors.number_clean", dropped_any)
    customer = _client().get("/portal/track/?number=TS1")
    assert customer.status_code == 503 and 'href="/portal/"' in customer.content.decode()


def dropped_any(*args, **kwargs):
    raise InterfaceError("connection already closed")


def test_a_stale_form_is_our_csrf_page_not_djangos(org):
    client = _client(org.agent_a, enforce_csrf_checks=True)

    response = client.post("/queues-assign/", {"numbers": ["TS1"]})

    html = response.content.decode()
    assert response.status_code == 403 and "页面已过期，请刷新后重试" in html and 'href="/"' in html
    assert "CSRF" not in html
    english = _client(org.agent_a, enforce_csrf_checks=True, **EN).post("/queues-assign/", {})
    assert "This page has expired" in english.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/no-such-endpoint", "/api/v2/complaints"])
def test_the_api_keeps_problem_json_for_an_unknown_path(db, path):
    response = _client().get(path)

    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_the_favicon_is_served(db):
    response = _client().get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/web/favicon.ico"
    from django.contrib.staticfiles import finders

    assert finders.find("web/favicon.ico") and finders.find("web/favicon.svg")


def test_a_bad_request_is_our_400(org, settings):
    from django.core.exceptions import SuspiciousOperation
    from django.urls import path

    from complaintdesk.web import views_errors

    def suspicious(request):
        raise SuspiciousOperation("tampered")

    urls = type(
        "urls", (), {"urlpatterns": [path("odd/", suspicious)], "handler400": views_errors.bad_request}
    )
    settings.ROOT_URLCONF = urls
    response = _client(org.agent_a).get("/odd/")
    assert response.status_code == 400 and "请求无效" in response.content.decode()
    assert "tampered" not in response.content.decode()
    assert "Bad request" in _client(org.agent_a, **EN).get("/odd/").content.decode()


def test_a_customers_stale_form_leads_back_to_the_portal(db):
    response = Client(enforce_csrf_checks=True).post("/portal/", {"title": "x"})

    html = response.content.decode()
    assert response.status_code == 403 and "页面已过期，请刷新后重试" in html
    assert 'href="/portal/"' in html and "返回投诉服务首页" in html and "返回工作台" not in html
