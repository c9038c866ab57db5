"""Any text at all: predictions degrade to "no suggestion", never an exception."""

import pytest

from complaintdesk.archive.selectors import archive_similar
from complaintdesk.intelligence import classifier, emotion, keywords, selectors, severity, taxonomy
from complaintdesk.intelligence.services import enrichment

from .conftest import corpus_examples

TEXTS = {
    "empty": "",
    "whitespace": " \n\t ",
    "50 KB": "宽带断网，" * 10_000 + "x" * 1_200,
    "emoji only": "😡😡😡🤬👍🏻🇨🇳",
    "mixed zh/en": "我的broadband从Monday开始就断网了, please fix ASAP!!! 我要投诉到工信部",
    "traditional": "寬頻連續三天斷網，客服態度惡劣，我要向媒體曝光並請律師起訴你們！",
    "all punctuation": "！？。，、；：“”‘’（）【】《》…—!?.,;:'\"()[]{}<>/\\|@#$%^&*_+=-~`",
    "control characters": "\x00\x01\x02\ufeff\u200b",
    "digits only": "13800138000",
}
NOTHING = {"empty", "whitespace", "emoji only", "all punctuation", "control characters"}


@pytest.fixture(scope="module")
def model():
    return classifier.train(*corpus_examples(), folds=0)


@pytest.mark.parametrize("name", list(TEXTS))
def test_every_analysis_accepts_the_text(name, model):
    text = TEXTS[name]
    prediction = classifier.predict(model, text)
    by_keywords = keywords.classify(text, [keywords.KeywordRule(*r) for r in taxonomy.default_keyword_rows()])
    feeling = emotion.assess(text)
    score = severity.assess(severity.SeverityInput(text=text))
    assert (
        0 <= prediction.confidence <= 1
        and 0 <= feeling.upset_probability <= 1
        and score.priority in (1, 2, 3, 4)
    )
    severity.explain(score)
    if name in NOTHING:
        assert prediction.category_code is None and by_keywords.category_code is None


def test_the_fifty_kilobyte_text_is_fast_enough(model):
    import time

    started = time.perf_counter()
    classifier.predict(model, TEXTS["50 KB"])
    assert time.perf_counter() - started < 0.5


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["all punctuation", "emoji only", "mixed zh/en", "traditional", "digits only"]
)
def test_enrichment_of_stored_complaints_never_raises(name, categories, intake):
    complaint = intake(TEXTS[name], title=TEXTS[name][:200])
    insight = enrichment.complaint_enrich(complaint_id=complaint.pk)
    assert insight is not None and insight.errors == []
    if name in NOTHING:
        assert insight.suggested_category_code == ""


@pytest.mark.django_db
def test_enrichment_of_the_longest_description_intake_takes(categories, intake):
    complaint = intake(TEXTS["50 KB"][:20_000])
    insight = enrichment.complaint_enrich(complaint_id=complaint.pk)
    assert insight.errors == [] and insight.suggested_category_code == "network_quality"


@pytest.mark.django_db
def test_selector_prediction_with_no_taxonomy_and_no_model_is_no_suggestion():
    from complaintdesk.intelligence.models import CategoryKeyword

    CategoryKeyword.objects.all().delete()
    assert selectors.category_predict("宽带断网") == classifier.NO_SUGGESTION


@pytest.mark.parametrize("name", list(TEXTS))
def test_fingerprints_and_similarity_accept_the_text(name):
    from complaintdesk.intelligence import grouping

    tokens = frozenset(grouping.fingerprint(TEXTS[name]))
    assert grouping.similarity(tokens, tokens) in (0.0, 1.0)
    if name in NOTHING:
        assert tokens == frozenset()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["all punctuation", "emoji only", "mixed zh/en", "traditional", "digits only"]
)
def test_similar_cases_and_insight_api_never_fail_on_the_text(name, org, categories, intake, api_for):
    complaint = intake(TEXTS[name], title=TEXTS[name][:200])
    enrichment.complaint_enrich(complaint_id=complaint.pk)
    assert isinstance(archive_similar(complaint=complaint, user=org.agent_a), list)
    assert api_for(org.agent_a).get(f"/complaints/{complaint.number}/insight").status_code == 200


@pytest.mark.django_db
def test_intake_neither_waits_for_nor_fails_because_of_intelligence(
    org, categories, monkeypatch, django_capture_on_commit_callbacks
):
    """A classifier that raises, then an enrichment that raises altogether: intake stores the case
    and returns it every time; what failed is recorded or logged, and can be rerun."""
    from complaintdesk.channels.intake import complaint_intake
    from complaintdesk.complaints.models import Complaint
    from complaintdesk.complaints.services import IntakeCustomer, IntakeData
    from complaintdesk.intelligence.models import ComplaintInsight

    def data(text):
        return IntakeData(channel="phone", title="投诉", description=text,
                          customer=IntakeCustomer(name="王女士", phone="13800138000"))  # fmt: skip

    def broken_classifier(text):
        raise RuntimeError("model file corrupt")

    monkeypatch.setattr(selectors, "category_predict", broken_classifier)
    with django_capture_on_commit_callbacks(execute=True):
        first = complaint_intake(data=data("宽带断网，我要投诉到工信部"), actor=org.agent_a)
    assert Complaint.objects.filter(pk=first.pk).exists()
    insight = ComplaintInsight.objects.get(complaint=first)
    assert insight.errors == ["category"] and insight.reputation_risk  # the rest still ran

    def broken_enrichment(**kwargs):
        raise MemoryError("out of memory in the model")

    monkeypatch.setattr(enrichment, "complaint_enrich", broken_enrichment)
    with django_capture_on_commit_callbacks(execute=True):
        second = complaint_intake(data=data("宽带又断网了"), actor=org.agent_a)
    assert Complaint.objects.filter(pk=second.pk).exists() and second.number
    assert not ComplaintInsight.objects.filter(complaint=second).exists()


def test_threat_explanations_name_what_was_said_in_each_script():
    from django.utils import translation

    cases = {
        "我要向媒體曝光，還要請律師起訴你們": ("扬言向外部投诉或曝光", ("曝光", "律师", "起诉")),
        "再不解决就投诉到工信部": ("扬言向外部投诉或曝光", ("投诉到", "工信部")),
        "I will go to the media and my lawyer will sue you": (
            "扬言向外部投诉或曝光",
            ("media", "lawyer", "sue"),
        ),
    }
    for text, (rule, phrases) in cases.items():
        result = severity.assess(severity.SeverityInput(text=text))
        with translation.override("zh-hans"):
            explanation = severity.explain(result)
        assert result.reputation_risk and rule in explanation and "声誉风险" in explanation, explanation
        for phrase in phrases:
            assert phrase in explanation, (phrase, explanation)
