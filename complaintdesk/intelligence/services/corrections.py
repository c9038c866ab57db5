"""Agents' corrections of what enrichment decided (category, severity, priority, emotion)."""

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from complaintdesk.common.errors import InvalidInput
from complaintdesk.common.time import now
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.services import complaint_analyse

from .. import selectors
from ..models import (
    ComplaintFingerprint,
    EmotionLevel,
    InsightCorrection,
)
from .common import reason_clean
from .training import emotion_label_record

# --- agents' corrections ---

CORRECTION_FIELDS = ("category", "severity", "priority", "emotion")


@transaction.atomic
def insight_correct(*, number: str, actor, changes: dict, reason: str = "") -> list[InsightCorrection]:
    """An agent corrects what intelligence suggested: category, severity and priority go onto the case
    through the analysis service (timeline; a person's category is a training label from then on), the
    emotion becomes an `EmotionLabel`; each correction is kept with the suggestion it corrects."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    unknown = [name for name in changes if name not in CORRECTION_FIELDS]
    if unknown:
        raise InvalidInput({name: [_("此字段不能在分析中修改")] for name in unknown})
    if not changes:
        raise InvalidInput({"changes": [_("此项为必填项")]})
    reason = reason_clean(reason, required=False)
    emotion_level = changes.get("emotion")
    if "emotion" in changes and emotion_level not in EmotionLevel.values:
        raise InvalidInput(
            {"emotion": [_("可选：%(choices)s") % {"choices": ", ".join(EmotionLevel.values)}]}
        )
    insight = selectors.insight_latest(complaint=complaint)
    suggested = {
        "category": insight.suggested_category_code if insight else "",
        "severity": insight.suggested_severity if insight else "",
        "priority": str(insight.suggested_priority or "") if insight else "",
        "emotion": insight.emotion_level if insight else "",
    }
    case_changes = {name: value for name, value in changes.items() if name != "emotion"}
    if case_changes:
        with translation.override("zh-hans"):
            text = _("更正智能分析结果") + (f"：{reason}" if reason else "")
        complaint_analyse(number=complaint.number, actor=actor, changes=case_changes, reason=text)
    if emotion_level:
        emotion_label_record(
            text=selectors.complaint_text(complaint) or complaint.title, level=emotion_level, actor=actor,
            complaint=complaint,
        )  # fmt: skip
    at = now()
    rows = [
        InsightCorrection(
            complaint=complaint,
            insight=insight,
            field=name,
            suggested=suggested[name][:32],
            corrected=str(value if value is not None else "")[:32],
            reason=reason,
            corrected_by=actor,
            created_at=at,
        )  # fmt: skip
        for name, value in changes.items()
    ]
    InsightCorrection.objects.bulk_create(rows)
    if "category" in changes:
        ComplaintFingerprint.objects.filter(pk=complaint.pk).update(topic=(changes["category"] or "")[:32])
    return rows
