"""A web worker loads the word segmenter as it starts, so the first case page nobody waits ~2 s for it."""

import runpy
from pathlib import Path

from django.conf import settings

from complaintdesk.archive import segment

CONF = Path(settings.BASE_DIR) / "config" / "gunicorn.conf.py"


def test_a_starting_worker_loads_the_segmenter_unless_told_not_to(monkeypatch):
    monkeypatch.setattr(segment, "_tokenizer", None)
    monkeypatch.setattr(segment, "_tfidf_instance", None)
    monkeypatch.setenv("GUNICORN_WARM_SEGMENTER", "0")
    runpy.run_path(str(CONF))["post_worker_init"](None)
    assert segment._tfidf_instance is None

    monkeypatch.delenv("GUNICORN_WARM_SEGMENTER")
    runpy.run_path(str(CONF))["post_worker_init"](None)
    assert segment._tokenizer is not None and segment._tfidf_instance is not None
    assert "断网" in segment.key_words("宽带连续三天断网，光猫亮红灯，师傅一直不上门")
