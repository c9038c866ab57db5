"""Issue 15 end to end: a banking complaint forwarded by the financial regulator's hotline (12378), received on
Monday 28 Sep 2026 before 国庆 and typed in the next day; the pack's clock across the holiday beside the SLA;
JR/T 0169 codes suggested from the text, then confirmed; made complex and extended by the designated role once
the complainant was told (other attempts refused); decided with a decision letter (an incomplete one refused
first); reported back to the regulator; counted in the statistics export as handled within the (extended)
deadline. Through the API as an integrator would, the agent's result form through the web client."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from complaintdesk.notifications.models import Notification
from complaintdesk.regulation.models import DeadlinePack, PackSelection, RegulatorReferral
from complaintdesk.surveys.models import ResultFeedback

from .conftest import local

pytestmark = pytest.mark.django_db

RECEIVED = "2026-09-28T15:00:00+08:00"  # Monday; 国庆/中秋 off 1–7 Oct, working Saturday 10 Oct
CASE = {
    "channel": "letter",
    "customer": {"name": "李先生", "phone": "13900139000", "email": "li@example.com", "account_no": None},
    "title": "信用卡被盗刷，要求退还",
    "description": "我的信用卡9月27日夜里被盗刷两笔共8600元，卡一直在我身上。发现盗刷后立即致电挂失，"
    "要求银行核实盗刷并保障资金安全。",
    "demand": "退还被盗刷的8600元",
    "product": "信用卡",
    "occurred_at": "2026-09-27T23:40:00+08:00",
    "received_at": RECEIVED,
}
VERIFIED = "经核实，9月27日23时的两笔交易为境外伪卡交易，发生时您的卡片在您本人处，交易非您本人所为"
BASIS = "根据您与我行签订的信用卡领用合约第二十条及伪卡交易处理规定，非持卡人本人的伪卡交易损失由我行承担"
OUTCOME = "我行已将8600元退还至您的信用卡账户"


def _workbook_rows(data: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [tuple(cell for cell in row) for row in sheet.iter_rows(values_only=True)]


def test_a_12378_banking_case_from_receipt_to_the_statistics(org, clock, api_for):
    PackSelection.objects.create(pack=DeadlinePack.objects.get(code="banking-insurance", version=1))
    agent = api_for(org.agent_a)

    # Received Monday 28 Sep, typed in on Tuesday: every deadline counts from receipt.
    clock.at(local(2026, 9, 29, 10))
    created = agent.post("/complaints", CASE)
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    for to in ("accepted", "handling"):
        assert agent.post(f"/complaints/{number}/transitions", {"to": to}).status_code == 200

    # The regulator's referral, its own report-back clock (the date 12378 asked for).
    referral = agent.post(
        f"/complaints/{number}/referrals",
        {"source": "nfra_12378", "reference": "12378-20260928-0417", "forwarded_on": "2026-09-28",
         "due_on": "2026-10-20", "content_required": "核实情况、处理结果、投诉人是否满意"},
    )  # fmt: skip
    assert referral.status_code == 201, referral.content
    referral = referral.json()
    assert (referral["source_label"], referral["due_basis"]) == ("金融监管 12378", "given")

    # The pack's clock across 国庆: 15 日 from 28 Sep end on Tue 13 Oct, 24:00; both clocks shown in words.
    regulation = agent.get(f"/complaints/{number}/regulation").json()
    assert regulation["pack"] == "银行保险机构消费投诉处理"
    assert regulation["statutory_due_at"] == "2026-10-14T00:00:00+08:00"
    decision = next(d for d in regulation["statutory_dues"] if d["clock"] == "decision")
    assert decision["last_day"] == "2026-10-13" and not decision["provisional"]
    detail = agent.get(f"/complaints/{number}").json()
    labels = {c["kind"]: c["label"] for c in detail["running_clocks"]}
    assert labels["statutory"] == "法定处理时限"
    assert labels["regulator_report"] == "向转办机构回复时限"
    assert not any("其他" in label for label in labels.values())

    # JR/T 0169 codes: suggested from the text, then confirmed by the agent.
    suggested = agent.post(f"/complaints/{number}/codes/suggest", {}).json()["items"]
    # No channel keyword in the text: no guess for A; the agent supplies it (the loss was reported by phone).
    assert [(c["dimension"], c["code"], c["status"], c["suggestion_basis"]) for c in suggested] == [
        ("B", "B03", "suggested", "信用卡"),
        ("C", "C09", "suggested", "盗刷、被盗、资金安全"),
    ]
    confirmed = agent.post(f"/complaints/{number}/codes", {"codes": ["A010302", "B03", "C09"]})
    assert confirmed.status_code == 200, confirmed.content
    assert [(c["code"], c["status"], c["confirmed_by"]) for c in confirmed.json()["items"]] == [
        ("A010302", "confirmed", "agent_a"),
        ("B03", "confirmed", "agent_a"),
        ("C09", "confirmed", "agent_a"),
    ]

    # Complex (cross-border card records): 30 日 → Wed 28 Oct. An extension: only the executive, only once
    # the complainant was told.
    clock.at(local(2026, 10, 9, 10))
    analysed = agent.patch(f"/complaints/{number}/analysis", {"complexity": "complex"})
    assert analysed.status_code == 200, analysed.content
    refused = agent.post(
        f"/complaints/{number}/statutory-extensions",
        {"amount": 30, "reason": "需向境外卡组织调单", "customer_notified_at": "2026-10-09T09:30:00+08:00"},
    )
    assert refused.status_code == 403, refused.content
    assert refused.json()["title"] == "延长须由“管理层”审批。"
    executive = api_for(org.executive)
    extended = executive.post(
        f"/complaints/{number}/statutory-extensions", {"amount": 30, "reason": "需向境外卡组织调单"}
    )
    assert extended.status_code == 201, extended.content
    assert extended.json()["statutory_due_at"] == "2026-11-28T00:00:00+08:00"  # 60 日: Fri 27 Nov
    assert extended.json()["approver_role_label"] == "管理层"
    # The complainant is told in writing by the product itself: the new day as people say it, and why.
    assert extended.json()["customer_notice_channel"] == "sms"
    (told,) = Notification.objects.filter(complaint__number=number, template_code="statutory_extension")
    assert "11月27日（周五）" in told.body and "需向境外卡组织调单" in told.body

    # The decision letter: the agent's form shows its three parts, the routes prefilled.
    clock.at(local(2026, 11, 2, 10))
    web = Client()
    web.force_login(org.agent_a)
    panel = web.get(f"/complaints/{number}/feedback/panel").content.decode()
    assert 'data-testid="decision-letter"' in panel
    for words in (
        "核实情况",
        "处理依据和理由",
        "不同意时的途径",
        "申请核查",
        "申请调解",
        "申请仲裁",
        "提起诉讼",
    ):
        assert words in panel
    letter = agent.get(f"/complaints/{number}/regulation").json()["decision_letter"]
    assert letter["required"] and letter["routes"] == ["review", "mediation", "arbitration", "litigation"]
    routes = letter["routes_text"]
    result = {
        "cause": "境外伪卡交易", "measures": "我行已核查交易并向卡组织发起退单", "outcome": OUTCOME,
        "verified": VERIFIED, "basis": BASIS, "channel": "email",
    }  # fmt: skip
    # Sent on the web without the basis: refused in words, nothing sent.
    form = {**result, "basis": "", "routes": routes, "compensation_text": ""}
    page = web.post(f"/complaints/{number}/feedback/result", form, HTTP_HX_REQUEST="true")
    assert "请写明处理决定的依据和理由" in page.content.decode()
    # Through the API without arbitration: the checker blocks it, naming the route.
    short_routes = routes.replace("、申请仲裁", "")
    check = agent.post(f"/complaints/{number}/result/check", {**result, "routes": short_routes}).json()
    assert check["blocked"] and check["decision_letter"] == "银行保险机构消费投诉处理"
    assert [f["reason"] for f in check["findings"] if f["code"].startswith("letter-")] == [
        "银行保险机构消费投诉处理要求告知客户不同意时可以申请仲裁，发给客户的内容里没有"
    ]
    blocked = agent.post(f"/complaints/{number}/result", {**result, "routes": short_routes})
    assert blocked.status_code == 422 and blocked.json()["errors"]["routes"]
    assert not ResultFeedback.objects.filter(complaint__number=number).exists()
    assert not Notification.objects.filter(complaint__number=number, template_code="result").exists()
    # Complete: sent, the e-mail states every part, the letter kept as sent.
    sent = agent.post(f"/complaints/{number}/result", {**result, "routes": routes})
    assert sent.status_code == 201, sent.content
    sent = sent.json()
    assert sent["letter_pack"] == "银行保险机构消费投诉处理"
    kept = ResultFeedback.objects.get(complaint__number=number)
    email = kept.notification.body
    for words in (VERIFIED, BASIS, OUTCOME, "申请核查", "申请调解", "申请仲裁", "提起诉讼"):
        assert words in email
    assert kept.message == email == sent["message"]
    assert (kept.verified, kept.basis, kept.routes) == (VERIFIED, BASIS, routes)

    # The customer accepts on 5 Nov: resolved within the extended deadline (after the unextended 28 Oct).
    clock.at(local(2026, 11, 5, 11))
    accepted = agent.post(f"/complaints/{number}/result/confirm", {"note": "客户电话表示接受"})
    assert accepted.status_code == 200, accepted.content
    assert agent.get(f"/complaints/{number}").json()["status"] == "resolved"

    # Reported back to 12378 (late: they asked for 20 Oct — the queue would have said so).
    clock.at(local(2026, 11, 5, 15))
    reported = agent.post(
        f"/complaints/{number}/referrals/{referral['id']}/report-back",
        {
            "content": f"{VERIFIED}。{OUTCOME}。投诉人表示满意。",
            "channel": "platform",
            "reference": "回执 0417",
        },
    )
    assert reported.status_code == 200, reported.content
    assert RegulatorReferral.objects.get(pk=referral["id"]).reported_by == org.agent_a
    assert agent.get("/regulation/referrals").json()["items"] == []

    # The statistics of September (received 28 Sep): A × B rows, C columns, and the deadline columns.
    export = executive.get("/regulation/statistics?start=2026-09-01&end=2026-09-30&rows=A,B&column=C")
    assert export.status_code == 200, export.content
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _workbook_rows(export.content)
    header = next(r for r in rows if r and "合计" in r)
    (line,) = [r for r in rows if r and any("A010302" in str(v) for v in r if v)]
    counts = dict(zip(header, line, strict=False))
    assert any("B03" in str(v) for v in line if v)
    assert counts["合计"] == 1 and counts["法定时限内办结"] == 1 and counts["延期"] == 1
    assert not counts.get("超时") and not counts.get("办理中")
    c09 = next(name for name in header if name and "C09" in str(name))
    assert counts[c09] == 1
