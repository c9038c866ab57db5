"""What the analysis kept about an anonymised case, without personal data (个人信息保护法; `docs/privacy.md`):
registered with `common.anonymisation.case_anonymise_step_register` in `IntelligenceConfig.ready()`, run by
the privacy retention job inside the expired case's transaction, after the case's own texts are redacted.

- Each analysis (`ComplaintInsight`): the cue words of its category suggestion, the text of each emotion cue,
  the detail of each severity reason (phrases quoted from the case) and the explanation, through the job's
  `redact` (the one de-personalisation). A cue is a fragment of the case's text, so it may be a piece of the
  customer's name or phone that the de-personalisation cannot recognise alone (张伟 of 张伟明): a fragment
  that is part of one of the customer's own details is masked whole. What the figures read stays: the
  suggested category and its confidence, the source and model version, the emotion level and probability,
  each cue's kind and weight, the score, each reason's rule and points, the suggestions, what was applied.
- An agent's correction of the analysis: its reason.
- The emotion labels taken from the case (`EmotionLabel` with the case, written when an agent corrects the
  emotion): their text. A label written in the admin without a case is the staff's own training sentence,
  not the case's data: it is not touched (the admin asks to choose the case when the text comes from one).
- The case's fingerprint (the tokens group detection and similar cases compare): computed again from the
  redacted texts, without the place (emptied by the job); its index keys, which serve a window of days,
  deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from complaintdesk.common.anonymisation import rows_redact
from complaintdesk.complaints.models import Complaint

from . import grouping, selectors
from .models import ComplaintFingerprint, ComplaintInsight, EmotionLabel, FingerprintKey, InsightCorrection

# A case is analysed at intake and again when it is re-analysed: a handful of rows; a bound all the same.
LIMIT = 500
INSIGHT_FIELDS = ("category_explanation", "emotion_cues", "severity_reasons", "explanation")


def _fragment_redactor(
    known: Iterable[tuple[str, str]], redact: Callable[[str], str]
) -> Callable[[str], str]:
    details = [value for _kind, value in known if value and len(value) >= 2]

    def fragment(text: str) -> str:
        if not isinstance(text, str):
            return text
        text = redact(text)
        if len(text) >= 2 and any(text in value for value in details):
            return "*" * len(text)
        return text

    return fragment


def _key_redacted(items, key: str, fragment: Callable[[str], str]) -> list:
    return [
        {**item, key: fragment(item.get(key) or "")} if isinstance(item, dict) and item.get(key) else item
        for item in items or []
    ]


def insights_anonymise(
    *, complaint: Complaint, known: Iterable[tuple[str, str]], redact: Callable[[str], str], **_context
) -> int:
    """The case's analyses, corrections and fingerprint without personal data; returns how many rows
    changed. A second run changes none."""
    fragment = _fragment_redactor(known, redact)
    changed = 0
    for insight in ComplaintInsight.objects.filter(complaint=complaint).only("pk", *INSIGHT_FIELDS)[:LIMIT]:
        values = {
            "category_explanation": [fragment(word) for word in insight.category_explanation or []],
            "emotion_cues": _key_redacted(insight.emotion_cues, "text", fragment),
            "severity_reasons": _key_redacted(insight.severity_reasons, "detail", fragment),
            "explanation": redact(insight.explanation or ""),
        }
        values = {name: value for name, value in values.items() if value != getattr(insight, name)}
        if values:
            ComplaintInsight.objects.filter(pk=insight.pk).update(**values)
            changed += 1
    corrections = InsightCorrection.objects.filter(complaint=complaint).only("pk", "reason")[:LIMIT]
    changed += rows_redact(corrections, ("reason",), redact)
    changed += _fingerprint_anonymise(complaint)
    return changed


def _fingerprint_anonymise(complaint: Complaint) -> int:
    tokens = grouping.dump(
        grouping.fingerprint(
            selectors.complaint_text(complaint), product=complaint.product, place=complaint.place
        )
    )
    updated = (
        ComplaintFingerprint.objects.filter(pk=complaint.pk).exclude(tokens=tokens).update(tokens=tokens)
    )
    FingerprintKey.objects.filter(complaint=complaint).delete()
    return updated


def emotion_labels_anonymise(*, complaint: Complaint, redact: Callable[[str], str], **_context) -> int:
    """The text of the emotion labels taken from the case; returns how many changed. The labels stay
    (their level still trains the emotion model, now on the redacted text)."""
    labels = EmotionLabel.objects.filter(complaint=complaint).only("pk", "text")[:LIMIT]
    return rows_redact(labels, ("text",), redact)
