"""Closing needs the case summary; summaries are versioned and on the timeline; articles from cases."""

import pytest

from complaintdesk.archive.models import ArticleStatus, CaseSummary, KnowledgeArticle
from complaintdesk.archive.selectors import archive_search
from complaintdesk.archive.services import article_promote, article_update, case_summary_write
from complaintdesk.common.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.complaints.services import complaint_transition

from .conftest import case_make

pytestmark = pytest.mark.django_db

SUMMARY = {"problem": "宽带断网", "cause": "端口老化", "solution": "更换端口", "lesson": "主动排查端口"}


def test_closing_without_a_summary_is_refused_naming_the_fields(org):
    case = case_make(org, unit=org.store_a, title="宽带断网", description="断网三天", close=False)
    with pytest.raises(InvalidInput) as refused:
        complaint_transition(number=case.number, actor=org.manager, to="closed", reason="归档")
    message = refused.value.fields["summary"][0]
    for name in ("问题", "原因", "解决办法", "经验教训"):
        assert name in message
    case.refresh_from_db()
    assert case.status == "resolved" and case.closed_at is None
    assert not ComplaintEvent.objects.filter(complaint=case, field="status", new_value="closed").exists()


def test_closing_with_a_summary_archives_the_case(org):
    case = case_make(org, unit=org.store_a, title="宽带断网", description="断网三天", close=False)
    case_summary_write(number=case.number, actor=org.agent_a, **SUMMARY)
    complaint_transition(number=case.number, actor=org.manager, to="closed", reason="归档")
    case.refresh_from_db()
    assert case.status == "closed"
    assert archive_search(user=org.agent_a, query="端口老化")[0].number == case.number


def test_an_incomplete_summary_writes_nothing(org):
    case = case_make(org, unit=org.store_a, title="宽带断网", description="断网三天", close=False)
    with pytest.raises(InvalidInput) as refused:
        case_summary_write(
            number=case.number, actor=org.agent_a, problem="断网", cause=" ", solution="", lesson="排查"
        )
    assert set(refused.value.fields) == {"cause", "solution"}
    assert not CaseSummary.objects.exists()
    assert not ComplaintEvent.objects.filter(complaint=case, kind=EventKind.SUMMARY).exists()


def test_summaries_are_versioned_and_on_the_timeline(org):
    case = case_make(org, unit=org.store_a, title="宽带断网", description="断网三天", close=False)
    case_summary_write(number=case.number, actor=org.agent_a, **SUMMARY)
    case_summary_write(number=case.number, actor=org.agent_a, **SUMMARY)  # unchanged: no new version
    case_summary_write(number=case.number, actor=org.agent_a, **(SUMMARY | {"lesson": "端口巡检"}))
    assert list(CaseSummary.objects.filter(complaint=case).values_list("version", flat=True)) == [2, 1]
    events = ComplaintEvent.objects.filter(complaint=case, kind=EventKind.SUMMARY)
    assert [(e.actor, e.new_value) for e in events] == [(org.agent_a, "1"), (org.agent_a, "2")]


def test_summary_outside_scope_is_not_found(org):
    case = case_make(org, unit=org.store_b, title="快递丢件", description="丢件", close=False)
    with pytest.raises(NotFound):
        case_summary_write(number=case.number, actor=org.agent_a, **SUMMARY)
    with pytest.raises(PermissionDenied):  # inspectors see everything but do not write summaries
        case_summary_write(number=case.number, actor=org.inspector, **SUMMARY)


def test_promote_a_case_to_a_knowledge_article(org, archive):
    number = archive["annual_fee"].number
    with pytest.raises(PermissionDenied):
        article_promote(number=number, actor=org.agent_a)
    assert not KnowledgeArticle.objects.exists()
    article = article_promote(number=number, actor=org.manager)
    assert (
        article.status == ArticleStatus.PUBLISHED and article.source_complaint_id == archive["annual_fee"].pk
    )
    assert "营销话术必须讲清免年费条件" in article.body
    # Every member of staff finds published articles, whatever their store.
    hits = archive_search(user=org.agent_b, query="免年费条件", kind="articles")
    assert [(h.kind, h.id) for h in hits] == [("article", article.pk)]
    # Unpublished: gone from the search.
    article_update(
        article_id=article.pk,
        actor=org.inspector,
        title=article.title,
        body=article.body,
        status=ArticleStatus.DRAFT,
    )
    assert archive_search(user=org.agent_b, query="免年费条件", kind="articles") == []


def test_only_archived_cases_with_a_summary_become_articles(org):
    case = case_make(org, unit=org.store_a, title="宽带断网", description="断网三天", close=False)
    with pytest.raises(InvalidInput):
        article_promote(number=case.number, actor=org.manager)
    assert not KnowledgeArticle.objects.exists()
