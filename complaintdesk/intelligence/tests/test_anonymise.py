"""What the analysis kept about a case loses the personal data with it (privacy retention job): the cue words,
the emotion cues, the severity reasons and the explanation of each analysis, an agent's correction reason,
the emotion labels taken from the case, the case's fingerprint. The figures stay."""

import datetime as dt

import pytest
from django.test import Client

from complaintdesk.common.anonymisation import case_anonymise_steps
from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.services import IntakeCustomer, IntakeData, complaint_create
from complaintdesk.complaints.states import Status
from complaintdesk.intelligence import selectors
from complaintdesk.intelligence.models import (
    ComplaintFingerprint,
    ComplaintInsight,
    EmotionLabel,
    FingerprintKey,
    InsightCorrection,
)
from complaintdesk.intelligence.services import corrections, enrichment, training
from complaintdesk.privacy.services import cases_anonymise

pytestmark = pytest.mark.django_db

NAME, PHONE, EMAIL = "张伟明", "13912345678", "zhang.wm@example.com"
PERSONAL = (NAME, "张伟", PHONE, EMAIL, "幸福里18号")
SAID = f"我是{NAME}，电话{PHONE}，邮箱{EMAIL}，住幸福里18号1502户。宽带断网三天了，气死了，再不修我就投诉到工信部"
EXPIRED = 3 * 365 + 5


def _personal(value) -> list[str]:
    text = str(value)
    return [piece for piece in PERSONAL if piece in text]


def _analysed_case(org, *, days_ago: int = EXPIRED) -> Complaint:
    data = IntakeData(
        channel="phone", title=f"{NAME}宽带断网", description=SAID, place="上海市浦东新区幸福里18号1502户",
        customer=IntakeCustomer(name=NAME, phone=PHONE, email=EMAIL),
    )  # fmt: skip
    case = complaint_create(data=data, actor=org.agent_a)
    enrichment.complaint_enrich(complaint_id=case.pk)
    corrections.insight_correct(
        number=case.number, actor=org.agent_a, changes={"emotion": "angry"}, reason=f"{NAME}在电话里骂人"
    )
    # An analysis whose cues quote the customer, as the classifier's fragments and the rules may.
    ComplaintInsight.objects.create(
        complaint=case, created_at=now(), suggested_category_code="network_quality", category_confidence=0.83,
        category_source="model", category_explanation=["断网", "张伟", PHONE, "宽带"], emotion_level="angry",
        upset_probability=0.91, emotion_cues=[{"kind": "anger", "text": f"{NAME}气死了", "weight": 2.0}],
        severity_score=7, suggested_severity="major", suggested_priority=2,
        severity_reasons=[{"rule": "external_threat", "points": 4, "detail": f"投诉到工信部（{PHONE}）"}],
        explanation=f"{NAME}（{PHONE}）情绪激动", applied_changes={"severity": "major"},
    )  # fmt: skip
    closed = now() - dt.timedelta(days=days_ago)
    Complaint.objects.filter(pk=case.pk).update(status=Status.CLOSED, is_open=False, closed_at=closed)
    case.refresh_from_db()
    return case


def test_the_analysis_of_an_anonymised_case_keeps_its_figures_and_loses_the_personal_data(org):
    case = _analysed_case(org)
    live = _analysed_case(org, days_ago=30)
    free = training.emotion_label_record(text=f"{NAME}说气死了", level="angry", actor=org.agent_a)
    insights = list(ComplaintInsight.objects.filter(complaint=case).order_by("id"))
    assert any(_personal(i.emotion_cues) or _personal(i.category_explanation) for i in insights)
    assert _personal(EmotionLabel.objects.get(complaint=case).text)
    assert _personal(ComplaintFingerprint.objects.get(pk=case.pk).tokens)
    figures = list(
        ComplaintInsight.objects.filter(complaint=case).order_by("id").values_list(
            "suggested_category_code", "category_confidence", "emotion_level", "upset_probability",
            "severity_score", "suggested_severity", "suggested_priority", "applied_changes",
        )
    )  # fmt: skip

    assert cases_anonymise().cases == 1

    for insight in ComplaintInsight.objects.filter(complaint=case):
        for name in ("category_explanation", "emotion_cues", "severity_reasons", "explanation"):
            assert not _personal(getattr(insight, name)), (name, getattr(insight, name))
    crafted = ComplaintInsight.objects.filter(complaint=case, category_source="model").get()
    assert crafted.category_explanation == [
        "断网",
        "**",
        "139****5678",
        "宽带",
    ]  # a piece of the name masked whole
    assert crafted.emotion_cues == [{"kind": "anger", "text": "张**气死了", "weight": 2.0}]
    assert crafted.severity_reasons == [
        {"rule": "external_threat", "points": 4, "detail": "投诉到工信部（139****5678）"}
    ]
    assert (
        list(
            ComplaintInsight.objects.filter(complaint=case).order_by("id").values_list(
                "suggested_category_code", "category_confidence", "emotion_level", "upset_probability",
                "severity_score", "suggested_severity", "suggested_priority", "applied_changes",
            )
        )
        == figures
    )  # fmt: skip
    assert not _personal(InsightCorrection.objects.get(complaint=case).reason)
    label = EmotionLabel.objects.get(complaint=case)
    assert (
        not _personal(label.text) and label.level == "angry"
    )  # still a training label, on the redacted text
    assert not _personal(ComplaintFingerprint.objects.get(pk=case.pk).tokens)
    assert not FingerprintKey.objects.filter(complaint=case).exists()
    # The staff's own training sentence (no case) and a live case are not touched.
    assert EmotionLabel.objects.get(pk=free.pk).text == f"{NAME}说气死了"
    assert _personal(selectors.insight_latest(complaint=live).explanation) or _personal(
        EmotionLabel.objects.get(complaint=live).text
    )
    # A second run changes nothing.
    before = list(ComplaintInsight.objects.filter(complaint=case).order_by("id").values())
    cases_anonymise()
    assert list(ComplaintInsight.objects.filter(complaint=case).order_by("id").values()) == before


def test_the_intelligence_steps_are_registered():
    assert {"intelligence", "intelligence-labels", "learning", "outreach"} <= {
        n for n, _s in case_anonymise_steps()
    }


def test_the_case_pages_analysis_panel_shows_no_personal_data_after_anonymisation(org):
    case = _analysed_case(org)
    client = Client()
    client.force_login(org.executive)
    before = client.get(f"/complaints/{case.number}/").content.decode()
    assert "张**气死了" not in before and f"{NAME}气死了" in before
    cases_anonymise()
    page = client.get(f"/complaints/{case.number}/").content.decode()
    assert not _personal(page), _personal(page)
    assert "张**气死了" in page  # the cue is still shown, masked
