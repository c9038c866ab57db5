"""The archive's web pages and panels, and its API endpoints."""

import pytest
from django.test import Client

from complaintdesk.archive.models import CaseSummary, KnowledgeArticle

from .conftest import case_make

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_archive_search_page_shows_hits_with_marked_words(org, archive):
    page = _client(org.agent_a).get("/archive/", {"q": "光猫亮红灯"})
    html = page.content.decode()
    assert page.status_code == 200
    assert archive["broadband"].number in html and "<mark>光猫</mark>" in html
    assert archive["refund"].number not in html
    # Store B's agent sees nothing of store A.
    other = _client(org.agent_b).get("/archive/", {"q": "光猫亮红灯"}).content.decode()
    assert archive["broadband"].number not in other and 'data-testid="archive-empty"' in other


def test_summary_panel_writes_a_version_and_shows_errors(org):
    case = case_make(org, unit=org.store_a, title="宽带断网", description="断网三天", close=False)
    client = _client(org.agent_a)
    url = f"/complaints/{case.number}/summary/panel"
    assert client.get(url).status_code == 200
    bad = client.post(
        url, {"problem": "断网", "cause": "", "solution": "换端口", "lesson": "巡检"}, HTTP_HX_REQUEST="true"
    )
    assert bad.status_code == 422 and "summary-error-cause" in bad.content.decode()
    assert not CaseSummary.objects.exists()
    good = client.post(
        url,
        {"problem": "断网", "cause": "端口老化", "solution": "换端口", "lesson": "巡检"},
        HTTP_HX_REQUEST="true",
    )
    assert good.status_code == 200 and 'data-testid="summary-notice"' in good.content.decode()
    assert CaseSummary.objects.get(complaint=case).version == 1
    # Outside the scope the panel does not exist.
    assert _client(org.agent_b).get(url).status_code == 404


def test_similar_panel_and_promote_then_article_page(org, archive):
    new = case_make(
        org,
        unit=org.store_a,
        title="信用卡年费又被扣了",
        description="说好免年费，账单里还是扣了年费。",
        close=False,
    )
    panel = _client(org.agent_a).get(f"/complaints/{new.number}/similar/panel").content.decode()
    assert archive["annual_fee"].number in panel and archive["broadband"].number not in panel
    client = _client(org.manager)
    response = client.post(f"/complaints/{archive['annual_fee'].number}/summary/promote")
    article = KnowledgeArticle.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/archive/articles/{article.pk}/"
    page = _client(org.agent_b).get(f"/archive/articles/{article.pk}/")
    assert page.status_code == 200 and "营销话术必须讲清免年费条件" in page.content.decode()
    assert (
        _client(org.agent_a).post(f"/complaints/{archive['annual_fee'].number}/summary/promote").status_code
        == 403
    )


def test_api_search_summary_and_promote(org, archive, api_for):
    api = api_for(org.agent_a)
    body = api.get("/archive/search?q=%E9%80%80%E8%B4%B9").json()  # 退费
    assert [i["number"] for i in body["items"]] == [archive["refund"].number]
    assert "<mark>退费</mark>" in body["items"][0]["snippet"]
    assert api_for(org.agent_b).get("/archive/search?q=%E9%80%80%E8%B4%B9").json()["count"] == 0

    case = case_make(org, unit=org.store_a, title="宽带断网", description="断网三天", close=False)
    bad = api.post(
        f"/complaints/{case.number}/summary", {"problem": "断网", "cause": "", "solution": "x", "lesson": "y"}
    )
    assert bad.status_code == 422 and "cause" in bad.json()["errors"]
    ok = api.post(
        f"/complaints/{case.number}/summary",
        {"problem": "断网", "cause": "端口老化", "solution": "换端口", "lesson": "巡检"},
    )
    assert ok.status_code == 201 and ok.json()["version"] == 1
    assert api.get(f"/complaints/{case.number}/summary").json()["cause"] == "端口老化"
    closed = api.post(f"/complaints/{case.number}/transitions", {"to": "closed", "reason": "归档"})
    assert closed.status_code in (200, 201)

    refused = api.post(f"/complaints/{archive['refund'].number}/knowledge-article", {})
    assert refused.status_code == 403
    promoted = api_for(org.manager).post(f"/complaints/{archive['refund'].number}/knowledge-article", {})
    assert promoted.status_code == 201 and promoted.json()["status"] == "published"


def test_api_closing_without_summary_names_the_missing_fields(org, api_for):
    case = case_make(org, unit=org.store_a, title="宽带断网", description="断网三天", close=False)
    response = org and api_for(org.agent_a).post(
        f"/complaints/{case.number}/transitions", {"to": "closed", "reason": "归档"}
    )
    assert response.status_code == 422
    assert "经验教训" in response.json()["errors"]["summary"][0]


def test_the_insight_api_s_similar_cases_are_the_archive_s(org, archive, api_for):
    """One way to find similar cases: the insight endpoint, the archive API and the case page's panel
    all use archive_similar (the archived cases and articles sharing the case's key words)."""
    from complaintdesk.archive.selectors import archive_similar

    new = case_make(org, unit=org.store_a, title="光猫亮红灯宽带断网",
                    description="宽带今天早上断网，光猫亮红灯，重启也没用。", close=False)  # fmt: skip
    body = api_for(org.agent_a).get(f"/complaints/{new.number}/insight").json()
    expected = archive_similar(complaint=new, user=org.agent_a)
    assert [item["number"] for item in body["similar"]] == [hit.number for hit in expected]
    best = body["similar"][0]
    assert best["number"] == archive["broadband"].number and best["kind"] == "case"
    assert best["status"] == "closed" and {"光猫", "宽带"} <= set(best["shared_words"])
    assert best["url"] == f"/complaints/{archive['broadband'].number}/"
    # The store-B agent cannot see store A's archive: nothing from it.
    other = case_make(
        org, unit=org.store_b, title="光猫亮红灯宽带断网", description="宽带断网，光猫亮红灯。", close=False
    )
    numbers = {
        item["number"]
        for item in api_for(org.agent_b).get(f"/complaints/{other.number}/insight").json()["similar"]
    }
    assert archive["broadband"].number not in numbers
