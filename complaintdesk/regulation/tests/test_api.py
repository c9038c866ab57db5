"""API v1 for regulation: a case's statutory clock beside the SLA with hints, recording a referral and its
report-back, and the referral queue; the OpenAPI schema shows them."""

import pytest

from complaintdesk.regulation.models import DeadlinePack, PackSelection
from complaintdesk.sla.models import SlaPolicy

from .conftest import intake, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def postal(org):
    return PackSelection.objects.create(pack=DeadlinePack.objects.get(code="postal-courier", version=1))


def test_the_case_view_shows_both_clocks_and_which_one_the_queue_follows(org, banking, clock, api_for):
    SlaPolicy.objects.create(
        name="宽松", first_response_general="30d", resolution_general="30d", acknowledge="30d"
    )
    clock.at(local(2026, 9, 28, 15))
    case = intake(org.agent_a, title="信用卡年费争议")
    body = api_for(org.agent_a).get(f"/complaints/{case.number}/regulation").json()
    assert body["pack"] == "银行保险机构消费投诉处理"
    assert body["statutory_due_at"] == "2026-10-14T00:00:00+08:00"
    assert body["due_at"] == body["statutory_due_at"]
    assert body["queue_follows"] == "statutory"
    assert body["sla_due_at"] == "2026-10-28T15:00:00+08:00"
    assert body["statutory_remaining"] == "还剩 15 天"
    decision = next(d for d in body["statutory_dues"] if d["clock"] == "decision")
    assert (decision["clock_label"], decision["last_day"]) == ("作出处理决定", "2026-10-13")
    assert body["hints"] == [] and body["referrals"] == []


def test_a_referral_and_its_report_back_through_the_api(org, postal, clock, api_for):
    clock.at(local(2026, 10, 1, 10))
    case = intake(org.agent_a, title="快递丢件")
    api = api_for(org.agent_a)
    created = api.post(
        f"/complaints/{case.number}/referrals",
        {"source": "spb_12305", "reference": "YZ-1", "forwarded_on": "2026-10-01"},
    )
    assert created.status_code == 201, created.content
    referral = created.json()
    assert (referral["source_label"], referral["due_on"], referral["due_basis"]) == (
        "邮政业用户申诉 12305",
        "2026-10-16",
        "pack",
    )
    assert referral["remaining"] == "还剩 15 天" and "赔偿金额" in referral["content_required"]
    refused = api.post(
        f"/complaints/{case.number}/referrals",
        {"source": "other", "reference": "X", "forwarded_on": "2026-10-01"},
    )
    assert refused.status_code == 422 and "机构名称" in refused.json()["errors"]["source_name"][0]
    clock.at(local(2026, 10, 9, 10))
    queue = api.get("/regulation/referrals").json()
    assert [(i["reference"], i["remaining"]) for i in queue["items"]] == [("YZ-1", "还剩 7 天")]
    reported = api.post(
        f"/complaints/{case.number}/referrals/{referral['id']}/report-back",
        {
            "content": "已赔偿 200 元，客户满意；处理人张三 021-12345678",
            "channel": "platform",
            "reference": "HF-9",
        },
    )
    # 12305 wants each part by itself: refused part by part, nothing recorded.
    assert reported.status_code == 422
    assert set(reported.json()["errors"]) == {
        "investigation", "liability", "compensation_amount", "complainant_satisfied", "handler", "contact_phone"
    }  # fmt: skip
    assert api.get("/regulation/referrals").json()["items"][0]["reported_at"] is None
    reported = api.post(
        f"/complaints/{case.number}/referrals/{referral['id']}/report-back",
        {
            "channel": "platform", "reference": "HF-9", "investigation": "快件在中转站丢失",
            "liability": "我司全责", "compensation_amount": 200, "complainant_satisfied": True, "handler": "张三",
            "contact_phone": "021-12345678",
        },
    )  # fmt: skip
    assert reported.status_code == 200, reported.content
    assert reported.json()["report_parts"]["compensation_amount"] == "200.00"
    assert "赔偿金额：200.00 元" in reported.json()["report_content"]
    assert (
        reported.json()["reported_by"] == "agent_a"
        and reported.json()["report_channel_label"] == "转办机构的系统"
    )
    assert api.get("/regulation/referrals").json()["items"] == []
    assert [i["reference"] for i in api.get("/regulation/referrals?reported=true").json()["items"]] == [
        "YZ-1"
    ]
    again = api.post(
        f"/complaints/{case.number}/referrals/{referral['id']}/report-back",
        {"content": "再", "channel": "phone"},
    )
    assert again.status_code == 409


def test_hints_in_the_case_view_and_another_units_case_is_404(org, clock, api_for):
    clock.at(local(2026, 10, 9, 10))
    first = intake(org.agent_a, category_code="billing_dispute")
    second = intake(org.agent_a, category_code="billing_dispute")
    hints = api_for(org.agent_a).get(f"/complaints/{second.number}/regulation").json()["hints"]
    assert [(h["code"], h["related"]) for h in hints] == [("possible_duplicate", first.number)]
    assert api_for(org.agent_b).get(f"/complaints/{second.number}/regulation").status_code == 404


def test_openapi_shows_the_regulation_endpoints(org, api_for):
    paths = api_for(org.agent_a).get("/openapi.json").json()["paths"]
    assert "/api/v1/complaints/{number}/regulation" in paths
    assert "post" in paths["/api/v1/complaints/{number}/referrals"]
    assert "/api/v1/regulation/referrals" in paths


def test_a_case_without_a_pack_needs_no_decision_letter_and_its_result_is_unchanged(org, api_for, clock):
    clock.at(local(2026, 11, 2, 10))
    case = intake(org.agent_a, title="宽带断网")
    api = api_for(org.agent_a)
    letter = api.get(f"/complaints/{case.number}/regulation").json()["decision_letter"]
    assert letter == {
        "required": False, "pack": "", "routes": [], "routes_labels": [], "review_days": None, "routes_text": "",
    }  # fmt: skip
    for to in ("accepted", "handling"):
        api.post(f"/complaints/{case.number}/transitions", {"to": to})
    sent = api.post(
        f"/complaints/{case.number}/result",
        {
            "cause": "小区光缆被施工挖断",
            "measures": "我们已安排工程师更换了光缆",
            "outcome": "网络已恢复正常",
        },
    )
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert body["letter_pack"] == "" and "核实情况" not in body["message"]


def test_the_decision_letter_terms_of_a_banking_case(org, banking, api_for, clock):
    clock.at(local(2026, 11, 2, 10))
    case = intake(org.agent_a, title="信用卡年费争议")
    letter = api_for(org.agent_a).get(f"/complaints/{case.number}/regulation").json()["decision_letter"]
    assert letter["required"] and letter["review_days"] == 30
    assert letter["routes_labels"] == ["申请核查", "申请调解", "申请仲裁", "向人民法院提起诉讼"]
    assert letter["routes_text"].startswith(
        "如您不同意本处理决定，可自收到本处理决定之日起 30 日内向我们申请核查"
    )


def test_codes_and_statistics_refuse_bad_input_in_words(org, banking, api_for, clock):
    clock.at(local(2026, 10, 8, 9))
    case = intake(org.agent_a, title="信用卡被盗刷")
    api = api_for(org.agent_a)
    refused = api.post(f"/complaints/{case.number}/codes", {"codes": ["A01", "B03", "Z9"]})
    assert refused.status_code == 422
    problems = refused.json()["errors"]["codes"]
    assert "“前台业务”（A01）还有下级分类，请选择最末级的代码。" in problems
    assert any("Z9" in p for p in problems) and "请选择“投诉原因”的代码。" in problems
    assert api.get(f"/complaints/{case.number}/codes").json()["items"] == []
    bad_levels = api.get("/regulation/statistics?start=2026-10-01&end=2026-10-31&levels=A1")
    assert bad_levels.status_code == 422
    assert bad_levels.json()["errors"]["levels"] == ["请按“维度=级别”填写统计级别，如 A=1,B=1。"]
    unknown = api.get("/regulation/statistics?start=2026-10-01&end=2026-10-31&unit=NOPE")
    assert unknown.status_code == 422 and unknown.json()["errors"]["unit"] == ["没有编码为 NOPE 的机构。"]
    year_one = api.get("/regulation/statistics?start=0001-01-01&end=0001-01-01&column=")
    assert year_one.status_code == 422 and "start" in year_one.json()["errors"]  # was a 500
    backwards = api.get("/regulation/statistics?start=2026-10-31&end=2026-10-01")
    assert backwards.status_code == 422 and backwards.json()["errors"]["end"] == [
        "结束日期不能早于开始日期。"
    ]
    fine = api.get("/regulation/statistics?start=2026-10-01&end=2026-10-31&levels=A=1")
    assert fine.status_code == 200 and fine.content[:2] == b"PK"


def test_a_12305_report_back_is_refused_in_the_callers_language(org, postal, clock, api_for):
    clock.at(local(2026, 10, 1, 10))
    case = intake(org.agent_a, title="快递丢件")
    api = api_for(org.agent_a)
    referral = api.post(
        f"/complaints/{case.number}/referrals",
        {"source": "spb_12305", "reference": "YZ-2", "forwarded_on": "2026-10-01"},
    ).json()
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    refused = api.post(
        f"/complaints/{case.number}/referrals/{referral['id']}/report-back",
        {"channel": "platform", "investigation": "Lost at the depot"},
    )
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert "investigation" not in errors
    assert "liability" in errors["liability"][0].lower() and "12305" in errors["liability"][0]
    assert not any("\u4e00" <= ch <= "\u9fff" for messages in errors.values() for m in messages for ch in m)


def test_the_referral_queue_answers_whom_the_page_answers(org, api_for):
    """A department's staff have no referral queue on the page (404) and none through the API either; an
    agent, and the API client of a business system, have it."""
    assert api_for(org.dept_staff).get("/regulation/referrals").status_code == 404
    assert api_for(org.agent_a).get("/regulation/referrals").status_code == 200
    assert api_for(org.api_a).get("/regulation/referrals").status_code == 200
