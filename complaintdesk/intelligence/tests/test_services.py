"""complaint_enrich on stored complaints, training and activating versions, labels, the task."""

import pytest

from complaintdesk.complaints.models import ComplaintEvent, Priority
from complaintdesk.complaints.services import complaint_analyse
from complaintdesk.intelligence import selectors, tasks
from complaintdesk.intelligence.models import (
    CategoryKeyword,
    ClassifierModel,
    ComplaintInsight,
    IntelligencePolicy,
)
from complaintdesk.intelligence.services import enrichment, training

from .conftest import corpus_examples

pytestmark = pytest.mark.django_db


def test_shipped_taxonomy_is_loaded_by_the_migration():
    assert CategoryKeyword.objects.filter(category_code="network_quality", keyword="断网", weight=2).exists()
    assert CategoryKeyword.objects.filter(category_code="billing_dispute", keyword="overcharged").exists()


def test_confident_keyword_suggestion_sets_the_category_through_the_analysis_service(categories, intake):
    complaint = intake("家里宽带从周五晚上开始断网，重启光猫也没用")
    insight = enrichment.complaint_enrich(complaint_id=complaint.pk)
    complaint.refresh_from_db()
    assert complaint.category.code == "network_quality"
    assert insight.category_applied and insight.category_source == "keywords"
    assert "断网" in insight.category_explanation
    event = ComplaintEvent.objects.get(complaint=complaint, field="category")
    assert event.actor.username == selectors.SYSTEM_USERNAME and event.reason.startswith("智能分析")


def test_below_the_threshold_the_category_is_only_a_suggestion(categories, intake):
    IntelligencePolicy.objects.update_or_create(pk=1, defaults={"auto_category_threshold": 0.95})
    complaint = intake("宽带网速有点慢")
    insight = enrichment.complaint_enrich(complaint_id=complaint.pk)
    complaint.refresh_from_db()
    assert complaint.category is None
    assert insight.suggested_category_code == "network_quality" and not insight.category_applied


def test_severity_priority_and_reputation_risk_are_applied_with_the_explanation(categories, intake):
    complaint = intake(
        "你们这群骗子！！！家里老人断网一周，再不处理我就投诉到工信部，还要找媒体曝光",
        perceived_severity="high",
    )
    insight = enrichment.complaint_enrich(complaint_id=complaint.pk)
    complaint.refresh_from_db()
    assert (complaint.severity, complaint.priority, complaint.reputation_risk) == (
        "major",
        Priority.URGENT,
        True,
    )
    assert insight.emotion_level == "angry" and insight.reputation_risk
    assert {r["rule"] for r in insight.severity_reasons} >= {
        "service_blocked",
        "vulnerable_customer",
        "external_threat",
        "emotion",
        "perceived",
    }
    assert "重大投诉" in insight.explanation and "工信部" in insight.explanation
    assert insight.applied_changes == {
        "category": "network_quality",
        "severity": "major",
        "priority": 1,
        "reputation_risk": True,
    }
    # A major complaint gets the 2-hour first-response deadline: the analysis service recomputed it.
    assert (complaint.first_response_due_at - complaint.created_at).total_seconds() == 2 * 3600


def test_a_critical_perceived_severity_at_intake_raises_the_cases_priority(categories, intake):
    """Said calmly, but the customer chose 非常严重 at intake: the case becomes at least priority 2 (高),
    and the timeline's reason says why."""
    complaint = intake("我想反映一下门店的情况，麻烦看一下。", perceived_severity="critical")
    insight = enrichment.complaint_enrich(complaint_id=complaint.pk)
    complaint.refresh_from_db()
    assert complaint.priority == Priority.HIGH and insight.applied_changes.get("priority") == 2
    assert "客户感受严重程度：非常严重（+25）" in insight.explanation


def test_fields_a_person_set_are_not_overwritten(org, categories, intake):
    complaint = intake("我要起诉你们，宽带断网")
    complaint_analyse(
        number=complaint.number, actor=org.agent_a, changes={"priority": 4, "category": "logistics"}
    )
    insight = enrichment.complaint_enrich(complaint_id=complaint.pk)
    complaint.refresh_from_db()
    assert complaint.priority == 4 and complaint.category.code == "logistics"
    assert insight.suggested_priority < 4 and "priority" not in insight.applied_changes
    assert complaint.reputation_risk  # risk is raised even so


def test_running_again_records_another_insight_and_changes_nothing_more(categories, intake):
    complaint = intake("宽带断网了")
    enrichment.complaint_enrich(complaint_id=complaint.pk)
    events = ComplaintEvent.objects.filter(complaint=complaint).count()
    second = enrichment.complaint_enrich(complaint_id=complaint.pk)
    assert ComplaintInsight.objects.filter(complaint=complaint).count() == 2
    assert (
        second.applied_changes == {} and ComplaintEvent.objects.filter(complaint=complaint).count() == events
    )


def test_repeat_complaints_by_the_same_customer_raise_the_score(categories, intake):
    intake("宽带断网了")
    complaint = intake("宽带还是断网")
    insight = enrichment.complaint_enrich(complaint_id=complaint.pk)
    assert {"rule": "repeat", "points": 15, "detail": "1"} in insight.severity_reasons


def test_unknown_complaint_gives_none():
    assert enrichment.complaint_enrich(complaint_id=987654) is None


def test_a_broken_stage_is_recorded_and_the_others_still_run(categories, intake, monkeypatch):
    def broken(text):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "category_predict", broken)
    complaint = intake("我要投诉到工信部")
    insight = enrichment.complaint_enrich(complaint_id=complaint.pk)
    assert (
        insight.errors == ["category"] and insight.reputation_risk and insight.suggested_category_code == ""
    )


def _categorised_cases(intake, org):
    texts, labels = corpus_examples()
    for index, (text, label) in enumerate(zip(texts, labels, strict=True)):
        complaint = intake(text, phone=f"1380013{index:04d}")
        complaint_analyse(number=complaint.number, actor=org.agent_a, changes={"category": label})


def test_training_on_stored_cases_stores_an_active_version_that_then_predicts(org, categories, intake):
    _categorised_cases(intake, org)
    first = training.classifier_train(actor=org.executive, folds=3)
    assert (first.version, first.is_active, first.trained_on) == (1, True, 45)
    assert first.evaluation["kfold"]["folds"] == 3
    second = training.classifier_train(folds=0, activate=False)
    assert second.version == 2 and not second.is_active
    complaint = intake("家里网速很慢，一直掉线")
    insight = enrichment.complaint_enrich(complaint_id=complaint.pk)
    assert insight.category_source == "model" and insight.classifier_version == 1
    assert insight.suggested_category_code == "network_quality"
    training.classifier_activate(model=second)
    assert list(ClassifierModel.objects.filter(is_active=True).values_list("version", flat=True)) == [2]


def test_categories_the_system_set_are_not_training_labels_until_a_person_touches_them(
    org, categories, intake
):
    auto = intake("宽带断网，光猫红灯")
    enrichment.complaint_enrich(complaint_id=auto.pk)
    manual = intake("快递丢件了")
    complaint_analyse(number=manual.number, actor=org.agent_a, changes={"category": "logistics"})
    texts, labels = selectors.training_examples()
    assert labels == ["logistics"]
    complaint_analyse(number=auto.number, actor=org.agent_a, changes={"category": "billing_dispute"})
    assert sorted(selectors.training_examples()[1]) == ["billing_dispute", "logistics"]


def test_too_little_data_is_a_clear_error(categories):
    from complaintdesk.common.errors import InvalidInput

    with pytest.raises(InvalidInput):
        training.classifier_train()


def test_enrich_task_runs_the_service(categories, intake):
    complaint = intake("宽带断网")
    result = tasks.enrich_complaint.enqueue(complaint.pk)
    assert result.return_value == ComplaintInsight.objects.get(complaint=complaint).pk


def test_emotion_labels_are_recorded(org):
    label = training.emotion_label_record(text="谢谢，已经解决了", level="calm", actor=org.agent_a)
    assert selectors.emotion_labels() == (["谢谢，已经解决了"], [0]) and label.labelled_by == org.agent_a


def test_stored_reasons_read_in_english(categories, intake):
    complaint = intake("my lawyer will sue you, the internet is not working")
    insight = enrichment.complaint_enrich(complaint_id=complaint.pk)
    english = selectors.insight_severity_explanation(insight=insight, language="en")
    assert english.startswith(f"Score {insight.severity_score}: ")
    assert "threatens to go to the media, a regulator or court: lawyer, sue (+30, reputation risk)" in english
    assert selectors.insight_severity_explanation(insight=insight, language="zh-hans") in insight.explanation
