"""Similar cases, agents' corrections as labels, and the API endpoints for groups and insight."""

import pytest

from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.intelligence import selectors
from complaintdesk.intelligence.models import (
    ComplaintFingerprint,
    ComplaintGroup,
    EmotionLabel,
    GroupMember,
    InsightCorrection,
)
from complaintdesk.intelligence.services import corrections, enrichment

from .group_texts import OUTAGE

pytestmark = pytest.mark.django_db


def _enriched(intake, text, **kwargs):
    complaint = intake(text, **kwargs)
    enrichment.complaint_enrich(complaint_id=complaint.pk)
    return complaint


def test_similar_cases_of_nothing_is_nothing(org, categories, intake, api_for):
    complaint = _enriched(intake, "😡😡😡")
    assert api_for(org.agent_a).get(f"/complaints/{complaint.number}/insight").json()["similar"] == []


def test_corrections_go_onto_the_case_and_are_kept_as_labels(org, categories, intake):
    complaint = _enriched(intake, "宽带断网，光猫红灯，我要投诉到工信部")
    insight = selectors.insight_latest(complaint=complaint)
    rows = corrections.insight_correct(
        number=complaint.number,
        actor=org.agent_a,
        changes={"category": "billing_dispute", "priority": 3, "emotion": "angry"},
        reason="客户主要是对扣费不满",
    )
    assert {(r.field, r.suggested, r.corrected) for r in rows} == {
        ("category", insight.suggested_category_code, "billing_dispute"),
        ("priority", str(insight.suggested_priority), "3"),
        ("emotion", insight.emotion_level, "angry"),
    }
    complaint.refresh_from_db()
    assert complaint.category.code == "billing_dispute" and complaint.priority == 3
    event = ComplaintEvent.objects.get(complaint=complaint, field="category", actor=org.agent_a)
    assert "更正智能分析结果" in event.reason
    # The corrected category is a training label; the emotion is an emotion label.
    texts, labels = selectors.training_examples()
    assert labels == ["billing_dispute"] and "工信部" in texts[0]
    assert EmotionLabel.objects.get(complaint=complaint).level == "angry"
    assert ComplaintFingerprint.objects.get(pk=complaint.pk).topic == "billing_dispute"
    # Enrichment will not overwrite what the person set.
    enrichment.complaint_enrich(complaint_id=complaint.pk)
    complaint.refresh_from_db()
    assert complaint.category.code == "billing_dispute" and complaint.priority == 3


def test_bad_corrections_write_nothing(org, categories, intake):
    complaint = _enriched(intake, "宽带断网")
    from complaintdesk.common.errors import InvalidInput, NotFound

    for changes in ({}, {"category": "nope"}, {"emotion": "furious"}, {"status": "closed"}):
        with pytest.raises(InvalidInput):
            corrections.insight_correct(number=complaint.number, actor=org.agent_a, changes=changes)
    with pytest.raises(NotFound):
        corrections.insight_correct(number=complaint.number, actor=org.agent_b, changes={"priority": 1})
    assert not InsightCorrection.objects.exists() and not EmotionLabel.objects.exists()


# --- API ---


def _group(org, intake):
    complaints = []
    for index, text in enumerate(OUTAGE[:6]):
        complaints.append(_enriched(intake, text, phone=f"1390000{index:04d}"))
    return ComplaintGroup.objects.get(), complaints


def test_api_groups_list_detail_unlink_link_and_resolve(org, categories, intake, api_for):
    group, complaints = _group(org, intake)
    api = api_for(org.agent_a)
    assert api.get("/groups?status=open").json()["items"] == []  # six customers: waits for a supervisor
    listed = api.get("/groups?status=pending").json()["items"]
    assert [g["id"] for g in listed] == [group.pk] and len(listed[0]["members"]) == 6
    assert listed[0]["status_label"] == "待主管确认" and listed[0]["evidence"]["customers"] == 6
    detail = api.get(f"/groups/{group.pk}").json()
    assert detail["scope_unit"] == "EAST" and "断网" in detail["shared_words"] and detail["opened_by"] is None
    assert api_for(org.agent_b).get(f"/groups/{group.pk}").status_code == 404
    # An agent may not confirm; the business manager does, and the cases are flagged.
    assert api.post(f"/groups/{group.pk}/confirm", {}).status_code == 403
    # Someone who cannot see the group's cases does not learn that it exists.
    assert api_for(org.agent_b).post(f"/groups/{group.pk}/confirm", {}).status_code == 404
    assert api_for(org.agent_b).post(f"/groups/{group.pk}/dismiss", {"reason": "x"}).status_code == 404
    response = api_for(org.manager).post(f"/groups/{group.pk}/confirm", {"reason": "同一光缆故障"})
    assert response.status_code == 200 and response.json()["status"] == "open"
    assert response.json()["confirmed_by"] == "manager"
    assert all(c.is_batch for c in type(complaints[0]).objects.filter(pk__in=[c.pk for c in complaints]))

    first = complaints[0].number
    response = api.post(f"/groups/{group.pk}/members/{first}/unlink", {"reason": "不是同一故障"})
    assert response.status_code == 200
    assert [m["is_active"] for m in response.json()["members"] if m["number"] == first] == [False]
    assert api.post(f"/groups/{group.pk}/members/{first}/unlink", {}).status_code == 422
    response = api.post(f"/groups/{group.pk}/members", {"number": first, "reason": "核实后属于同一故障"})
    assert response.status_code == 200 and GroupMember.objects.get(complaint=complaints[0]).is_active
    kinds = list(
        ComplaintEvent.objects.filter(complaint=complaints[0], kind__startswith="group").values_list(
            "kind", flat=True
        )
    )
    assert kinds == [EventKind.GROUP_LINKED, EventKind.GROUP_UNLINKED, EventKind.GROUP_LINKED]

    response = api.post(f"/groups/{group.pk}/resolve", {"resolution": "光缆已抢通"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "resolved" and len(response.json()["resolved_numbers"]) == 6


def test_api_dismiss_a_pending_group(org, categories, intake, api_for):
    group, complaints = _group(org, intake)
    manager = api_for(org.manager)
    assert manager.post(f"/groups/{group.pk}/dismiss", {}).status_code == 422  # the reason is required
    assert manager.post(f"/groups/{group.pk}/dismiss", {"reason": " "}).status_code == 422
    response = manager.post(f"/groups/{group.pk}/dismiss", {"reason": "各家情况不同"})
    body = response.json()
    assert (
        response.status_code == 200
        and body["status"] == "dismissed"
        and body["dismiss_reason"] == "各家情况不同"
    )
    assert not any(m["is_active"] for m in body["members"])
    assert manager.get("/groups?status=dismissed").json()["items"][0]["id"] == group.pk
    assert manager.post(f"/groups/{group.pk}/confirm", {}).status_code == 422  # nothing left to confirm


def test_api_open_group_by_hand(org, categories, intake, api_for):
    a = _enriched(intake, "门店营业员态度差", phone="13811111111")
    b = _enriched(intake, "门店店员不理人", phone="13822222222")
    api = api_for(org.agent_a)
    response = api.post("/groups", {"numbers": [a.number, b.number], "title": "徐汇门店服务态度"})
    assert response.status_code == 201 and response.json()["opened_by"] == "agent_a"
    assert api.post("/groups", {"numbers": [a.number], "title": "x"}).status_code == 422


def test_api_insight_and_corrections(org, categories, intake, api_for):
    complaint = _enriched(intake, "宽带断网三天，我要投诉到工信部！")
    api = api_for(org.agent_a)
    body = api.get(f"/complaints/{complaint.number}/insight").json()
    assert body["suggested_category"] == "network_quality" and body["reputation_risk"] is True
    assert "工信部" in body["explanation"] and body["similar"] == [] and body["group"] is None
    response = api.post(
        f"/complaints/{complaint.number}/insight/corrections", {"severity": "general", "emotion": "calm"}
    )
    assert response.status_code == 201
    assert {r["field"] for r in response.json()} == {"severity", "emotion"}
    assert (
        api.post(f"/complaints/{complaint.number}/insight/corrections", {"emotion": "x"}).status_code == 422
    )
    assert api_for(org.agent_b).get(f"/complaints/{complaint.number}/insight").status_code == 404
