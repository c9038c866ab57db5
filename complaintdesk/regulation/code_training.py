"""Writes: training each classification dimension's classifier on the codes agents confirmed, and choosing
which stored version suggests (one active per dimension). Run by `manage.py regulation_train_classifier`,
the periodic job `regulation-code-classifier` and the admin's button; the figures come from intelligence's
one trainer (`classifier.train`: k-fold accuracy and macro F1 on the same data, calibration)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from complaintdesk.common.time import now
from complaintdesk.intelligence import classifier

from . import code_models
from .models import ClassificationDimension, ClassificationScheme, CodeClassifierModel

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DimensionResult:
    """What training one dimension did: a stored model, or why none (in words)."""

    dimension: ClassificationDimension
    model: CodeClassifierModel | None
    skipped: str = ""


def code_classifiers_train(
    *,
    actor=None,
    scheme: ClassificationScheme | None = None,
    folds: int = classifier.DEFAULT_FOLDS,
    activate: bool = True,
    only_if_new: bool = False,
) -> list[DimensionResult]:
    """For each dimension of every active scheme (or of `scheme`): train on the cases whose code in it an
    agent confirmed, store a new version and, by default, make it the one that suggests. A dimension with
    too few confirmed cases (two codes, each at least MIN_EXAMPLES_PER_LABEL) is skipped with the reason.
    `only_if_new` (the periodic job): skip a dimension whose confirmed cases have not changed in number
    since its latest model."""
    schemes = (
        [scheme] if scheme is not None else list(ClassificationScheme.objects.filter(is_active=True)[:10])
    )
    results = []
    for each in schemes:
        for dimension in each.dimensions.all().order_by("sort_order", "code"):
            results.append(
                _dimension_train(
                    dimension=dimension, actor=actor, folds=folds, activate=activate, only_if_new=only_if_new
                )
            )
    return results


def _dimension_train(*, dimension, actor, folds: int, activate: bool, only_if_new: bool) -> DimensionResult:
    count = code_models.confirmed_count(dimension_id=dimension.pk)
    if only_if_new:
        latest = CodeClassifierModel.objects.filter(dimension=dimension).order_by("-version").first()
        if latest is not None and latest.examples == count:
            return DimensionResult(dimension, None, _("自上次训练以来没有新确认的分类"))
    texts, labels = code_models.training_examples(dimension_id=dimension.pk)
    try:
        trained = classifier.train(texts, labels, folds=folds, threshold=code_models.threshold())
    except classifier.NotEnoughData:
        reason = _("至少需要两个代码、每个代码至少 %(n)d 件经人工确认分类的投诉") % {
            "n": classifier.MIN_EXAMPLES_PER_LABEL
        }
        return DimensionResult(dimension, None, reason)
    row = CodeClassifierModel(
        dimension=dimension, created_at=now(), created_by=actor, examples=count, trained_on=trained.trained_on,
        labels=trained.labels, evaluation=trained.evaluation, train_seconds=round(trained.train_seconds, 2),
        blob=classifier.dumps(trained),
    )  # fmt: skip
    with transaction.atomic():
        latest = CodeClassifierModel.objects.filter(dimension=dimension).aggregate(v=Max("version"))["v"]
        row.version = (latest or 0) + 1
        row.save(force_insert=True)
        if activate:
            code_classifier_activate(model=row)
    logger.info(
        "regulation: dimension %s classifier v%d trained on %d cases",
        dimension.code,
        row.version,
        row.trained_on,
    )
    return DimensionResult(dimension, row)


@transaction.atomic
def code_classifier_activate(*, model: CodeClassifierModel) -> CodeClassifierModel:
    """`model` suggests its dimension's codes from now on (every process: the cache area changes)."""
    active = CodeClassifierModel.objects.filter(dimension_id=model.dimension_id, is_active=True).exclude(
        pk=model.pk
    )
    for other in active:
        other.is_active = False
        other.save(update_fields=["is_active"])
    model.is_active = True
    model.save(update_fields=["is_active"])
    return model


@transaction.atomic
def code_classifier_deactivate(*, model: CodeClassifierModel) -> None:
    """Back to the keywords for the dimension."""
    model.is_active = False
    model.save(update_fields=["is_active"])
