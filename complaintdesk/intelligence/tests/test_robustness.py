"""Any text at all: predictions degrade to "no suggestion", never an exception."""

import pytest

from complaintdesk.intelligence import classifier, emotion, keywords, selectors, services, severity, taxonomy

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
    insight = services.complaint_enrich(complaint_id=complaint.pk)
    assert insight is not None and insight.errors == []
    if name in NOTHING:
        assert insight.suggested_category_code == ""


@pytest.mark.django_db
def test_enrichment_of_the_longest_description_intake_takes(categories, intake):
    complaint = intake(TEXTS["50 KB"][:20_000])
    insight = services.complaint_enrich(complaint_id=complaint.pk)
    assert insight.errors == [] and insight.suggested_category_code == "network_quality"


@pytest.mark.django_db
def test_selector_prediction_with_no_taxonomy_and_no_model_is_no_suggestion():
    from complaintdesk.intelligence.models import CategoryKeyword

    CategoryKeyword.objects.all().delete()
    assert selectors.category_predict("宽带断网") == classifier.NO_SUGGESTION
