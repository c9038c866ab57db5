"""Training data and models: classifiers (train, activate, back to keywords) and emotion labels."""

from django.db import transaction
from django.utils.translation import gettext as _

from complaintdesk.common.errors import InvalidInput
from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint

from .. import classifier, selectors
from ..models import (
    ClassifierModel,
    EmotionLabel,
    EmotionLevel,
)

# --- classifiers ---


def classifier_train(
    *,
    actor=None,
    texts: list[str] | None = None,
    labels: list[str] | None = None,
    source: str = "cases",
    folds: int = classifier.DEFAULT_FOLDS,
    activate: bool = True,
    store: bool = True,
) -> ClassifierModel:
    """Train on the organisation's categorised cases (or on the given texts and labels), measure
    k-fold figures on the same data, store a new version and, by default, make it the active one.
    With store=False the row is returned unsaved (an evaluation only)."""
    if texts is None:
        texts, labels = selectors.training_examples()
    threshold = selectors.policy_get().auto_category_threshold
    try:
        trained = classifier.train(texts, labels or [], folds=folds, threshold=threshold)
    except classifier.NotEnoughData as error:
        raise InvalidInput(
            {
                "examples": [
                    _("至少需要两个类别、每类至少 %(n)d 条已分类的投诉")
                    % {"n": classifier.MIN_EXAMPLES_PER_LABEL}
                ]
            },
            message=str(error),
        ) from None
    row = ClassifierModel(
        created_at=now(),
        created_by=actor,
        source=source[:200],
        trained_on=trained.trained_on,
        labels=trained.labels,
        evaluation=trained.evaluation,
        train_seconds=round(trained.train_seconds, 2),
        blob=classifier.dumps(trained),
    )
    if not store:
        return row
    with transaction.atomic():
        row.version = selectors.next_classifier_version()
        row.save(force_insert=True)
        if activate:
            classifier_activate(model=row)
    return row


@transaction.atomic
def classifier_activate(*, model: ClassifierModel) -> ClassifierModel:
    ClassifierModel.objects.filter(is_active=True).exclude(pk=model.pk).update(is_active=False)
    ClassifierModel.objects.filter(pk=model.pk).update(is_active=True)
    model.is_active = True
    return model


@transaction.atomic
def classifier_deactivate_all() -> None:
    """Back to the keyword taxonomy."""
    ClassifierModel.objects.filter(is_active=True).update(is_active=False)


# --- labels ---


def emotion_label_record(
    *, text: str, level: str, actor=None, complaint: Complaint | None = None
) -> EmotionLabel:
    if level not in EmotionLevel.values:
        raise InvalidInput({"level": [_("可选：%(choices)s") % {"choices": ", ".join(EmotionLevel.values)}]})
    if not (text or "").strip():
        raise InvalidInput({"text": [_("此项为必填项")]})
    return EmotionLabel.objects.create(
        complaint=complaint, text=text, level=level, labelled_by=actor, created_at=now()
    )
