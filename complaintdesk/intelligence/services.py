"""Writes for intelligence: training and activating classifiers, enriching complaints, labels.

Enrichment runs after a complaint is stored (a task), never inside intake, and never fails on any
text: each analysis that breaks is recorded in the insight's `errors` and the others still run.
Changes to the case itself go through `complaints.services.complaint_analyse` with the system actor,
so they are on the case's timeline like anyone else's.
"""

import logging
from dataclasses import asdict

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import Role, User
from complaintdesk.accounts.services import user_create
from complaintdesk.common.errors import DomainError, InvalidInput
from complaintdesk.common.time import now
from complaintdesk.complaints.models import Category, Complaint
from complaintdesk.complaints.services import complaint_analyse

from . import classifier, selectors, severity
from .classifier import NO_SUGGESTION
from .emotion import CALM_NOTHING
from .models import ClassifierModel, ComplaintInsight, EmotionLabel, EmotionLevel, RepeatLink

logger = logging.getLogger(__name__)


def intelligence_actor() -> User:
    """The service account whose name is on the timeline when enrichment changes a case. It sees all
    units and may analyse; it has no password and no token, so nobody can sign in as it."""
    user = User.objects.filter(username=selectors.SYSTEM_USERNAME).first()
    if user is not None:
        return user
    try:
        with transaction.atomic():
            return user_create(
                username=selectors.SYSTEM_USERNAME,
                password=None,
                role=Role.GENERAL_MANAGEMENT,
                org_unit=None,
                display_name=_("智能分析（系统）"),
            )
    except (InvalidInput, IntegrityError):  # created by another worker meanwhile
        return User.objects.get(username=selectors.SYSTEM_USERNAME)


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


# --- repeat complaints ---


@transaction.atomic
def repeat_links_record(*, complaint: Complaint, days: int) -> list[RepeatLink]:
    """Link the complaint to the earlier ones it repeats (idempotent: a rerun adds only new links)."""
    at = now()
    links = [
        RepeatLink(complaint=complaint, earlier=earlier, matched_on=matched, created_at=at)
        for earlier, matched in selectors.earlier_complaints(complaint=complaint, days=days)
    ]
    RepeatLink.objects.bulk_create(links, ignore_conflicts=True)
    return list(RepeatLink.objects.filter(complaint=complaint).select_related("earlier"))


# --- enrichment ---


def _safely(errors: list[str], stage: str, default, function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except Exception:
        logger.exception("intelligence stage %s failed", stage)
        errors.append(stage)
        return default


def _changes_to_apply(*, complaint: Complaint, policy, suggestion, assessment) -> dict:
    """What enrichment may set on the case: never a field a person has set, never a category below
    the confidence threshold; a reputation risk is only ever raised, not cleared."""
    changes: dict = {}
    human = selectors.human_changed_fields(complaint=complaint, fields=["category", "severity", "priority"])
    if (
        policy.apply_category and complaint.category_id is None and "category" not in human
        and suggestion.category_code and suggestion.confidence >= policy.auto_category_threshold
        and Category.objects.filter(code=suggestion.category_code, is_active=True).exists()
    ):  # fmt: skip
        changes["category"] = suggestion.category_code
    if policy.apply_severity and assessment is not None:
        if "severity" not in human and complaint.severity != assessment.severity:
            changes["severity"] = assessment.severity
        if "priority" not in human and complaint.priority != assessment.priority:
            changes["priority"] = assessment.priority
        if assessment.reputation_risk and not complaint.reputation_risk:
            changes["reputation_risk"] = True
    return changes


def _explanation(*, suggestion, emotion_result, assessment, applied: dict) -> str:
    lines = []
    if suggestion.category_code:
        lines.append(
            _("类别建议：%(code)s（置信度 %(confidence).0f%%，依据：%(words)s）")
            % {
                "code": suggestion.category_code,
                "confidence": suggestion.confidence * 100,
                "words": "、".join(suggestion.explanation) or "—",
            }
        )
    else:
        lines.append(_("类别建议：无"))
    cues = "、".join(dict.fromkeys(c.text for c in emotion_result.cues if c.kind != "content")) or "—"
    lines.append(
        _("情绪：%(level)s（线索：%(cues)s）")
        % {"level": EmotionLevel(emotion_result.level).label, "cues": cues}
    )
    if assessment is not None:
        lines.append(severity.explain(assessment))
    if applied:
        lines.append(_("已自动设置：%(fields)s") % {"fields": "、".join(sorted(applied))})
    return "\n".join(str(line) for line in lines)


def complaint_enrich(*, complaint_id: int) -> ComplaintInsight | None:
    """Classify, read the emotion and score the severity of a stored complaint; record the results
    with their reasons (one ComplaintInsight per run) and apply what the policy allows.
    Returns None when the complaint does not exist."""
    complaint = Complaint.objects.select_related("customer", "category").filter(pk=complaint_id).first()
    if complaint is None:
        logger.warning("complaint_enrich: no complaint %s", complaint_id)
        return None
    errors: list[str] = []
    policy = selectors.policy_get()
    rules = _safely(
        errors,
        "rules",
        severity.SeverityRules(),
        severity.SeverityRules.with_overrides,
        policy.severity_rules,
    )
    text = selectors.complaint_text(complaint)
    suggestion = _safely(errors, "category", NO_SUGGESTION, selectors.category_predict, text)
    emotion_result = _safely(errors, "emotion", CALM_NOTHING, selectors.emotion_assess, text)
    repeats = _safely(
        errors, "repeat", [], repeat_links_record, complaint=complaint, days=rules.repeat_window_days
    )
    earlier = len(repeats)
    assessment = _safely(
        errors,
        "severity",
        None,
        severity.assess,
        severity.SeverityInput(
            text=text,
            amount_at_stake=complaint.amount_at_stake,
            perceived_severity=complaint.perceived_severity,
            emotion_level=emotion_result.level,
            earlier_complaints=earlier,
        ),
        rules,
    )

    applied: dict = {}
    changes = _changes_to_apply(
        complaint=complaint, policy=policy, suggestion=suggestion, assessment=assessment
    )
    if changes and complaint.is_open:
        with translation.override("zh-hans"):
            reason = _("智能分析：%(summary)s") % {
                "summary": severity.explain(assessment) if assessment else _("类别建议")
            }
        try:
            complaint_analyse(
                number=complaint.number, actor=intelligence_actor(), changes=changes, reason=reason
            )
            applied = changes
        except DomainError as error:
            logger.warning("complaint_enrich %s: changes refused: %s", complaint.number, error.message)
            errors.append("apply")

    with translation.override("zh-hans"):
        explanation = _safely(
            errors,
            "explanation",
            "",
            _explanation,
            suggestion=suggestion,
            emotion_result=emotion_result,
            assessment=assessment,
            applied=applied,
        )
    return ComplaintInsight.objects.create(
        complaint=complaint,
        created_at=now(),
        suggested_category_code=suggestion.category_code or "",
        category_confidence=suggestion.confidence,
        category_source=suggestion.source,
        category_explanation=list(suggestion.explanation),
        classifier_version=suggestion.model_version,
        category_applied="category" in applied,
        emotion_level=emotion_result.level,
        upset_probability=emotion_result.upset_probability,
        emotion_cues=[asdict(c) for c in emotion_result.cues[:50]],
        severity_score=assessment.score if assessment else 0,
        suggested_severity=assessment.severity if assessment else "",
        suggested_priority=assessment.priority if assessment else None,
        reputation_risk=bool(assessment and assessment.reputation_risk),
        severity_reasons=[asdict(r) for r in assessment.reasons] if assessment else [],
        explanation=explanation,
        applied_changes=applied,
        errors=errors,
    )


def complaint_enrich_later(*, complaint_id: int) -> None:
    """Queue enrichment for after the current transaction commits. Intake calls this: it neither
    waits for the analysis nor fails when the queue is down (the case is already stored; enrichment
    can be rerun with `enrich_complaint`)."""

    def enqueue() -> None:
        from .tasks import enrich_complaint

        try:
            enrich_complaint.enqueue(complaint_id)
        except Exception:
            logger.exception("could not queue enrichment of complaint %s", complaint_id)

    transaction.on_commit(enqueue, robust=True)
