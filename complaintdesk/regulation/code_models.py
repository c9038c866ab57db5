"""Reads for suggesting a case's regulatory codes: a scheme's codes with their keywords, and each
dimension's trained classifier — loaded once per process and configuration version (common.configcache,
area `CODES_AREA`, watched in RegulationConfig.ready()), not once per case — and the training examples
(cases whose code in a dimension an agent confirmed).

The classifier is intelligence's text model (`intelligence.classifier`: TF-IDF over words and characters,
a calibrated linear SVM): regulation trains one per dimension on its own labels and stores it in
`CodeClassifierModel`; intelligence knows nothing of it."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.conf import settings

from complaintdesk.common.configcache import config_cached
from complaintdesk.intelligence import classifier

from .models import CaseCode, CaseCodeStatus, ClassificationCode, CodeClassifierModel
from .suggest import CodeKeywords

logger = logging.getLogger(__name__)

CODES_AREA = "regulation-codes"  # codes, dimensions, schemes, trained classifiers
MAX_CODES = 5000  # a scheme's codes; JR/T 0169's full table is a few hundred
# Training reads at most this many confirmed cases per dimension, the most recent first.
TRAINING_LIMIT = 50_000
DEFAULT_THRESHOLD = 0.6

_lock = threading.Lock()
_loaded: dict[int, classifier.TrainedModel | None] = {}


@dataclass(frozen=True)
class SchemeCodes:
    """The codes a case may be given (the most specific ones) of one scheme, by dimension."""

    keywords: tuple[CodeKeywords, ...]  # codes with keywords, for the keyword match (dimension = its id)
    ids: dict[tuple[int, str], int]  # (dimension id, code) → ClassificationCode id


@dataclass(frozen=True)
class ActiveModel:
    pk: int
    dimension_id: int
    version: int


def threshold() -> float:
    """The confidence a dimension's classifier must reach for its code to be suggested (setting
    REGULATION_CODE_CLASSIFIER_THRESHOLD, 0–1; below it the keywords decide)."""
    return float(getattr(settings, "REGULATION_CODE_CLASSIFIER_THRESHOLD", DEFAULT_THRESHOLD))


def scheme_codes(*, scheme_id: int) -> SchemeCodes:
    return config_cached(CODES_AREA, ("codes", scheme_id), lambda: _scheme_codes_load(scheme_id))


def _scheme_codes_load(scheme_id: int) -> SchemeCodes:
    rows = list(
        ClassificationCode.objects.filter(dimension__scheme_id=scheme_id, children__isnull=True)
        .order_by("dimension_id", "code")
        .values_list("pk", "dimension_id", "code", "level", "keywords")[:MAX_CODES]
    )
    return SchemeCodes(
        keywords=tuple(
            CodeKeywords(dimension=str(dimension_id), code=code, level=level, keywords=keywords)
            for _pk, dimension_id, code, level, keywords in rows
            if keywords
        ),
        ids={(dimension_id, code): pk for pk, dimension_id, code, _level, _keywords in rows},
    )


def active_models(*, scheme_id: int) -> tuple[ActiveModel, ...]:
    return config_cached(CODES_AREA, ("models", scheme_id), lambda: _active_models_load(scheme_id))


def _active_models_load(scheme_id: int) -> tuple[ActiveModel, ...]:
    rows = CodeClassifierModel.objects.filter(is_active=True, dimension__scheme_id=scheme_id).values_list(
        "pk", "dimension_id", "version"
    )
    return tuple(ActiveModel(pk=pk, dimension_id=d, version=v) for pk, d, v in rows[:50])


def model_loaded(model: ActiveModel) -> classifier.TrainedModel | None:
    """The trained pipeline of `model`, read and unpickled once per process; None when it cannot be loaded
    (stored by another scikit-learn version: retrain) — the keywords decide then."""
    with _lock:
        if model.pk not in _loaded:
            blob = CodeClassifierModel.objects.filter(pk=model.pk).values_list("blob", flat=True).first()
            try:
                _loaded[model.pk] = classifier.loads(blob) if blob is not None else None
            except Exception:  # an unreadable model must not stop suggesting: fall back to the keywords
                logger.exception("regulation: code classifier %s cannot be loaded; keywords only", model.pk)
                _loaded[model.pk] = None
            if len(_loaded) > 50:  # models replaced many times in one process
                for old in list(_loaded)[:-50]:
                    del _loaded[old]
        return _loaded[model.pk]


def case_text(*, title: str, description: str, demand: str, product: str) -> str:
    """The text codes are suggested from and learned on."""
    return "\n".join(p for p in (title, description, demand, product) if p)


def training_examples(*, dimension_id: int, limit: int = TRAINING_LIMIT) -> tuple[list[str], list[str]]:
    """Texts and codes of the cases whose code in this dimension an agent confirmed (a suggestion no one
    confirmed is not a label: the model would learn from itself), the most recently confirmed first."""
    rows = (
        CaseCode.objects.filter(dimension_id=dimension_id, status=CaseCodeStatus.CONFIRMED)
        .order_by("-confirmed_at", "-id")
        .values_list(
            "complaint__title",
            "complaint__description",
            "complaint__demand",
            "complaint__product",
            "code__code",
        )[:limit]
    )
    texts, labels = [], []
    for title, description, demand, product, code in rows:
        texts.append(case_text(title=title, description=description, demand=demand, product=product))
        labels.append(code)
    return texts, labels


def confirmed_count(*, dimension_id: int) -> int:
    return CaseCode.objects.filter(dimension_id=dimension_id, status=CaseCodeStatus.CONFIRMED).count()
