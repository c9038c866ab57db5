"""Enrichment of a stored complaint: classification, emotion, severity, repeats, fingerprint, groups.

Enrichment runs after a complaint is stored (a task), never inside intake, and never fails on any
text: each analysis that breaks is recorded in the insight's `errors` and the others still run.
Changes to the case itself go through `complaints.services.complaint_analyse` with the system actor,
so they are on the case's timeline like anyone else's.
"""

import logging
from dataclasses import asdict

from django.utils import translation
from django.utils.translation import gettext as _

from complaintdesk.common.errors import DomainError
from complaintdesk.common.time import now
from complaintdesk.complaints.models import Category, Complaint
from complaintdesk.complaints.services import complaint_analyse
from complaintdesk.complaints.states import runs_complaint_process

from .. import grouping, selectors, severity
from ..classifier import NO_SUGGESTION
from ..emotion import CALM_NOTHING
from ..models import (
    ComplaintInsight,
    EmotionLevel,
)
from .common import intelligence_actor
from .fingerprints import complaint_fingerprint_record
from .groups import complaint_group_detect
from .repeats import repeat_links_record

logger = logging.getLogger(__name__)


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
        # 一般投诉 / 重大投诉 is a complaint's grade: an inquiry, a suggestion or praise keeps the default.
        complaint_grade = runs_complaint_process(complaint.kind)
        if complaint_grade and "severity" not in human and complaint.severity != assessment.severity:
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

    # Group / batch detection: the fingerprint, then the region's recent complaints.
    tokens = _safely(
        errors,
        "fingerprint",
        [],
        grouping.fingerprint,
        text,
        product=complaint.product,
        place=complaint.place,
    )
    topic = applied.get("category") or (complaint.category.code if complaint.category_id else "")
    fingerprint = _safely(
        errors, "fingerprint", None, complaint_fingerprint_record, complaint=complaint, tokens=tokens,
        topic=topic or suggestion.category_code or "", policy=policy,
    )  # fmt: skip
    group = None
    if fingerprint is not None:
        group = _safely(
            errors,
            "group",
            None,
            complaint_group_detect,
            complaint=complaint,
            fingerprint=fingerprint,
            policy=policy,
        )

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
    if group is not None:
        with translation.override("zh-hans"):
            explanation += "\n" + _("群体性投诉：G%(id)s（%(title)s）") % {
                "id": group.pk,
                "title": group.title,
            }
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
