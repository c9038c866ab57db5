"""Decision letters (issue 15 item 5): a case under a regulated pack is told what was verified, the decision's
basis and reasons, and the routes open if the customer disagrees; sending without them is refused, part by
part, in words; the letter is kept as sent. A case without a pack is told the result as before."""

import pytest
from django.utils import translation

from complaintdesk.common.errors import InvalidInput
from complaintdesk.complaints.states import Status
from complaintdesk.notifications.models import Notification
from complaintdesk.regulation.letters import decision_letter_terms
from complaintdesk.regulation.models import DeadlinePack, PackSelection
from complaintdesk.surveys import letters, results
from complaintdesk.surveys.models import ResultFeedback

from .conftest import CLEAN_RESULT

LETTER = {
    "verified": "经核实，您的账户在11月3日被重复扣收年费200元，系我行系统批量扣费时出错",
    "basis": "根据您与我行签订的信用卡领用合约第十二条，年费每年只收取一次，重复扣收的应予退还",
    "routes": "如您不同意本处理决定，可自收到之日起30日内向我行申请核查；也可以申请调解、申请仲裁或向人民法院提起诉讼",
}


def test_the_regulation_app_registers_its_letter_terms_with_surveys():
    """RegulationConfig.ready() fills surveys' registry: no test patches it in."""
    assert decision_letter_terms in letters._SOURCES


@pytest.fixture
def banking(org):
    return PackSelection.objects.create(pack=DeadlinePack.objects.get(code="banking-insurance", version=1))


def _send(complaint, actor, channel="email", **fields):
    return results.result_send(number=complaint.number, actor=actor, channel=channel, **fields)


def test_without_the_letter_parts_sending_is_refused_naming_each_and_nothing_is_sent(
    org, banking, handling_case
):
    complaint = handling_case(org.agent_a)
    with pytest.raises(InvalidInput) as refused:
        _send(complaint, org.agent_a, **CLEAN_RESULT)
    assert refused.value.fields == {
        "verified": ["请写明核实情况：核实了哪些事实，结论是什么"],
        "basis": ["请写明处理决定的依据和理由"],
        "routes": ["请告知客户不同意处理决定时可以采取的途径"],
    }
    assert "银行保险" in refused.value.message
    complaint.refresh_from_db()
    assert complaint.status == Status.HANDLING
    assert not ResultFeedback.objects.filter(complaint=complaint).exists()
    assert not Notification.objects.filter(complaint=complaint, template_code="result").exists()


def test_routes_that_leave_out_arbitration_are_refused_by_the_checker(org, banking, handling_case):
    complaint = handling_case(org.agent_a)
    routes = "如您不同意本处理决定，可在30日内向我行申请核查，也可以申请调解或向人民法院提起诉讼"
    preview = results.result_check(
        number=complaint.number, actor=org.agent_a, **CLEAN_RESULT, **LETTER | {"routes": routes}
    )
    assert preview.check.blocked
    assert [f.reason for f in preview.letter_findings] == [
        "银行保险机构消费投诉处理要求告知客户不同意时可以申请仲裁，发给客户的内容里没有"
    ]
    with pytest.raises(InvalidInput) as refused:
        _send(complaint, org.agent_a, **CLEAN_RESULT, **LETTER | {"routes": routes})
    assert list(refused.value.fields) == ["routes"]
    assert not ResultFeedback.objects.filter(complaint=complaint).exists()


def test_with_the_three_parts_the_email_states_them_and_the_letter_is_kept_as_sent(
    org, banking, handling_case
):
    complaint = handling_case(org.agent_a)
    result = _send(complaint, org.agent_a, **CLEAN_RESULT, **LETTER)
    body = result.notification.body
    assert f"核实情况：{LETTER['verified']}" in body
    assert f"处理依据和理由：{LETTER['basis']}" in body
    assert LETTER["routes"] in body
    assert body.index("处理结果：网络已恢复正常") < body.index("核实情况：") < body.index("如您不同意")
    result.refresh_from_db()
    assert result.message == body
    assert (result.verified, result.basis, result.routes) == (
        LETTER["verified"],
        LETTER["basis"],
        LETTER["routes"],
    )
    assert result.letter_pack == "银行保险机构消费投诉处理"
    complaint.refresh_from_db()
    assert complaint.status == Status.AWAITING_CUSTOMER


def test_the_sms_carries_the_whole_letter_in_one_message(org, banking, handling_case):
    complaint = handling_case(org.agent_a)
    result = _send(complaint, org.agent_a, channel="sms", **CLEAN_RESULT, **LETTER)
    body = result.notification.body
    for part in (LETTER["verified"], LETTER["basis"], "申请核查", "申请调解", "申请仲裁", "提起诉讼"):
        assert part in body
    assert "核实情况：" in body and "\n" not in body


def test_a_case_without_a_pack_is_told_the_result_as_before(org, handling_case):
    complaint = handling_case(org.agent_a)
    result = _send(complaint, org.agent_a, **CLEAN_RESULT, **LETTER)
    assert "核实情况" not in result.notification.body
    result.refresh_from_db()
    assert (result.letter_pack, result.verified, result.basis, result.routes) == ("", "", "", "")


def test_the_routes_the_agent_starts_from_name_the_review_window_and_every_route(org, banking, handling_case):
    complaint = handling_case(org.agent_a)
    terms = letters.letter_terms_for(complaint=complaint)
    assert terms.routes == ("review", "mediation", "arbitration", "litigation") and terms.review_days == 30
    zh = letters.routes_default(terms=terms, language="zh-hans")
    assert (
        zh
        == "如您不同意本处理决定，可自收到本处理决定之日起 30 日内向我们申请核查；也可以申请调解、申请仲裁或向人民法院提起诉讼。"
    )
    en = letters.routes_default(terms=terms, language="en")
    assert "review" in en and "mediation" in en and "arbitration" in en and "court" in en


def test_an_english_agent_is_told_what_is_missing_in_english(org, banking, handling_case):
    complaint = handling_case(org.agent_a)
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        _send(complaint, org.agent_a, **CLEAN_RESULT)
    said = " ".join(m for messages in refused.value.fields.values() for m in messages)
    assert "verified" in said and not any("\u4e00" <= ch <= "\u9fff" for ch in said)


def test_the_case_page_asks_for_the_three_parts_only_when_a_pack_applies(client, org, handling_case):
    complaint = handling_case(org.agent_a)
    client.force_login(org.agent_a)
    url = f"/complaints/{complaint.number}/feedback/panel"
    assert 'data-testid="decision-letter"' not in client.get(url).content.decode()
    PackSelection.objects.create(pack=DeadlinePack.objects.get(code="banking-insurance", version=1))
    page = client.get(url).content.decode()
    assert 'data-testid="decision-letter"' in page and "申请仲裁" in page  # the routes prefilled
    refused = client.post(
        f"/complaints/{complaint.number}/feedback/result", {**CLEAN_RESULT}, HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 422
    assert "请写明核实情况" in refused.content.decode()
    sent = client.post(
        f"/complaints/{complaint.number}/feedback/result", {**CLEAN_RESULT, **LETTER}, HTTP_HX_REQUEST="true"
    )
    assert sent.status_code == 200 and 'data-testid="result-letter"' in sent.content.decode()
