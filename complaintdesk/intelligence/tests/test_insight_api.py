"""Similar cases, agents' corrections as labels, and the API endpoints for groups and insight."""

import pytest

from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.complaints.services import complaint_analyse, complaint_transition
from complaintdesk.intelligence import selectors, services
from complaintdesk.intelligence.models import (
    ComplaintFingerprint,
    ComplaintGroup,
    EmotionLabel,
    GroupMember,
    InsightCorrection,
)
from complaintdesk.intelligence.selectors import SimilarItem

from .group_texts import OUTAGE

pytestmark = pytest.mark.django_db


def _finished(org, complaint, root_cause=""):
    complaint_transition(number=complaint.number, actor=org.agent_a, to="accepted")
    complaint_transition(number=complaint.number, actor=org.agent_a, to="handling")
    if root_cause:
        complaint_analyse(number=complaint.number, actor=org.agent_a, changes={"root_cause": root_cause})
    complaint_transition(number=complaint.number, actor=org.agent_a, to="resolved")


def _enriched(intake, text, **kwargs):
    complaint = intake(text, **kwargs)
    services.complaint_enrich(complaint_id=complaint.pk)
    return complaint


def test_similar_cases_are_finished_cases_of_the_topic_with_the_shared_words(org, categories, intake):
    outage = _enriched(intake, "宽带断网三天了，光猫红灯一直闪，报修没人来", phone="13800000001")
    _finished(org, outage, root_cause="分光器端口故障")
    slow = _enriched(intake, "宽带网速很慢，晚上看视频一直卡", phone="13800000002")
    _finished(org, slow)
    still_open = _enriched(intake, "家里宽带断网，光猫红灯", phone="13800000003")
    bill = _enriched(intake, "话费多扣了50元，要求退费", phone="13800000004")
    _finished(org, bill)

    new = _enriched(intake, "我家宽带又断网了，光猫指示灯红灯闪烁", phone="13800000005")
    found = selectors.similar_cases(complaint=new, limit=5, user=org.agent_a)
    assert [item.number for item in found][0] == outage.number
    assert still_open.number not in {i.number for i in found} and bill.number not in {i.number for i in found}
    best = found[0]
    assert best.kind == "case" and best.root_cause == "分光器端口故障" and 0 < best.score <= 1
    assert {"断网", "光猫", "红灯"} <= set(best.shared_words)
    # Scores go down.
    assert [i.score for i in found] == sorted((i.score for i in found), reverse=True)
    # Someone who cannot see the unit gets nothing from it.
    assert selectors.similar_cases(complaint=new, user=org.agent_b) == []


def test_a_knowledge_source_is_merged_by_score(org, categories, intake, monkeypatch):
    monkeypatch.setattr(selectors, "_similar_sources", [])
    article = SimilarItem(
        kind="article", id=7, title="宽带断网排查指引", score=0.99, shared_words=("断网",), url="/kb/7"
    )

    def knowledge(*, complaint, tokens, limit):
        assert "⟨断网⟩" in tokens
        return [article]

    def broken(**kwargs):
        raise RuntimeError("archive down")

    selectors.similar_source_register(knowledge)
    selectors.similar_source_register(broken)
    new = _enriched(intake, "宽带断网了")
    assert selectors.similar_cases(complaint=new) == [article]


def test_similar_cases_of_nothing_is_nothing(org, categories, intake):
    complaint = _enriched(intake, "😡😡😡")
    assert selectors.similar_cases(complaint=complaint) == []


def test_corrections_go_onto_the_case_and_are_kept_as_labels(org, categories, intake):
    complaint = _enriched(intake, "宽带断网，光猫红灯，我要投诉到工信部")
    insight = selectors.insight_latest(complaint=complaint)
    rows = services.insight_correct(
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
    services.complaint_enrich(complaint_id=complaint.pk)
    complaint.refresh_from_db()
    assert complaint.category.code == "billing_dispute" and complaint.priority == 3


def test_bad_corrections_write_nothing(org, categories, intake):
    complaint = _enriched(intake, "宽带断网")
    from complaintdesk.common.errors import InvalidInput, NotFound

    for changes in ({}, {"category": "nope"}, {"emotion": "furious"}, {"status": "closed"}):
        with pytest.raises(InvalidInput):
            services.insight_correct(number=complaint.number, actor=org.agent_a, changes=changes)
    with pytest.raises(NotFound):
        services.insight_correct(number=complaint.number, actor=org.agent_b, changes={"priority": 1})
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
    listed = api.get("/groups?status=open").json()["items"]
    assert [g["id"] for g in listed] == [group.pk] and len(listed[0]["members"]) == 6
    detail = api.get(f"/groups/{group.pk}").json()
    assert detail["scope_unit"] == "EAST" and "断网" in detail["shared_words"] and detail["opened_by"] is None
    assert api_for(org.agent_b).get(f"/groups/{group.pk}").status_code == 404

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
