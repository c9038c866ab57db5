"""The reply checker on a case (rules from the database) and overriding its warnings."""

import pytest
from django.utils import translation

from complaintdesk.common.errors import InvalidInput, NotFound, too_long_message
from complaintdesk.complaints.models import EventKind
from complaintdesk.scripts.models import ReplyCheckOverride, ReplyRule
from complaintdesk.scripts.selectors import draft_hash, reply_override_for
from complaintdesk.scripts.services import (
    OVERRIDE_REASON_MAX,
    ReplyBlocked,
    reply_check,
    reply_override_record,
)

pytestmark = pytest.mark.django_db

GOOD = "王女士，我非常抱歉。我是李敏，工号10086，我会在今天下午5点前给您回电。"
WARNED = "王女士，我们很抱歉，退款可能明天到账。我是李敏，工号10086。"
BLOCKED = "王女士，但是我们做不到。"


def test_a_good_draft_passes(complaint, agent):
    result = reply_check(text=GOOD, complaint=complaint, agent=agent)
    assert result.findings == [] and not result.blocked and result.language == "zh-hans"
    assert result.draft_hash == draft_hash(GOOD)


def test_the_case_customers_own_contacts_are_fine_and_others_are_blocked(complaint, agent):
    own = "您登记的电话13800138000和邮箱wang.li@example.com都已核对。" + GOOD
    assert reply_check(text=own, complaint=complaint, agent=agent).findings == []
    other = "您邻居的电话13912345678也反映了断网。" + GOOD
    result = reply_check(text=other, complaint=complaint, agent=agent)
    assert result.blocked and [f.text for f in result.blocking] == ["13912345678"]


def test_findings_know_the_agent_and_the_deadline(complaint, agent):
    result = reply_check(text="好的，王女士。", complaint=complaint, agent=agent)
    suggestions = {f.code: f.suggestion for f in result.findings}
    assert suggestions["identity-zh"] == "我是客服专员李敏，工号10086，分机8021，有任何问题可以直接联系我。"
    assert suggestions["time-zh"].startswith("我会在11月") and suggestions["time-zh"].endswith("前给您答复。")
    assert result.warning_codes == ["identity-zh", "time-zh"] and not result.blocked


def test_english_drafts_use_the_english_rules(complaint, agent):
    result = reply_check(
        text="We apologize, but it's simple.", complaint=complaint, agent=agent, language="en-GB"
    )
    assert result.language == "en"
    assert {f.code for f in result.findings} == {
        "we-apology-en",
        "but-en",
        "deny-feeling-en",
        "identity-en",
        "time-en",
    }
    assert result.blocked


def test_reasons_follow_the_interface_language(complaint, agent):
    with translation.override("zh-hans"):
        [finding] = reply_check(text=BLOCKED, complaint=complaint, agent=agent).blocking
        assert finding.reason.startswith("不要直接拒绝客户")
    with translation.override("en"):
        [finding] = reply_check(text=BLOCKED, complaint=complaint, agent=agent).blocking
        assert finding.reason.startswith("Don't refuse the customer flatly")


def test_rules_are_configurable(complaint, agent):
    ReplyRule.objects.filter(code="refusal-zh").update(severity="warn")
    ReplyRule.objects.filter(code="but-zh").update(is_active=False)
    ReplyRule.objects.create(
        code="no-qin",
        name="不用“亲”",
        language="zh-hans",
        kind="phrase",
        severity="block",
        patterns="亲 => 您",
        reason="正式场合不称客户为“亲”",
        reason_en="Don't call customers 'dear'",
    )
    result = reply_check(text="亲，" + BLOCKED, complaint=complaint, agent=agent)
    codes = {f.code: f.severity for f in result.findings}
    assert codes == {"no-qin": "block", "refusal-zh": "warn", "identity-zh": "warn", "time-zh": "warn"}
    with translation.override("en"):
        [custom] = reply_check(text="亲", complaint=complaint, agent=agent).blocking
        assert custom.reason == "Don't call customers 'dear'"


def test_a_warning_can_be_overridden_with_a_reason(complaint, agent):
    result = reply_check(text=WARNED, complaint=complaint, agent=agent)
    assert not result.blocked and set(result.warning_codes) == {"we-apology-zh", "vague-zh"}
    row = reply_override_record(
        complaint=complaint,
        agent=agent,
        text=WARNED,
        finding_codes=result.warning_codes,
        reason="客户要求先口头告知预计到账日，书面时间另行通知",
    )
    assert row.actor == agent and row.draft_text == WARNED and row.draft_hash == draft_hash(WARNED)
    assert row.finding_codes == result.warning_codes and row.language == "zh-hans"
    assert reply_override_for(complaint=complaint, text=WARNED) == row
    assert reply_override_for(complaint=complaint, text=WARNED + "。") is None
    # The override is on the case's timeline too, with the agent and the reason.
    event = complaint.events.get(kind=EventKind.REPLY_OVERRIDDEN)
    assert event.actor == agent and event.reason == row.reason
    assert set(event.new_value.split(", ")) == set(result.warning_codes)


def test_a_blocking_finding_cannot_be_overridden(complaint, agent):
    with pytest.raises(ReplyBlocked) as error:
        reply_override_record(
            complaint=complaint,
            agent=agent,
            text=BLOCKED,
            finding_codes=["refusal-zh", "but-zh"],
            reason="客户坚持",
        )
    assert error.value.code == "reply_blocked" and "refusal-zh" in error.value.message
    assert [f.code for f in error.value.findings] == ["refusal-zh"]
    assert not ReplyCheckOverride.objects.exists()


def test_an_override_needs_a_reason_and_real_warnings(complaint, agent):
    with pytest.raises(InvalidInput) as error:
        reply_override_record(complaint=complaint, agent=agent, text=" ", finding_codes=[], reason="  ")
    assert set(error.value.fields) == {"text", "finding_codes", "reason"}
    with pytest.raises(InvalidInput) as error:
        reply_override_record(
            complaint=complaint,
            agent=agent,
            text=WARNED,
            finding_codes=["vague-zh", "but-zh"],
            reason="客户要求",
        )
    assert "but-zh" in error.value.fields["finding_codes"][0]
    assert not ReplyCheckOverride.objects.exists()


def test_an_agent_of_another_store_cannot_record_an_override(complaint, org):
    with pytest.raises(NotFound):
        reply_override_record(
            complaint=complaint, agent=org.agent_b, text=WARNED, finding_codes=["vague-zh"], reason="客户要求"
        )


def test_override_records_are_never_changed(complaint, agent):
    row = reply_override_record(
        complaint=complaint, agent=agent, text=WARNED, finding_codes=["vague-zh"], reason="客户要求"
    )
    row.reason = "改写"
    with pytest.raises(TypeError):
        row.save()


def test_an_override_names_every_missing_part_and_records_nothing(complaint, agent):
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
        reply_override_record(complaint=complaint, agent=agent, text="  ", finding_codes=[" "], reason=None)
    assert caught.value.fields == {
        "reason": ["请填写忽略警告的原因"],
        "text": ["草稿为空"],
        "finding_codes": ["请选择要忽略的警告"],
    }
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
        reply_override_record(
            complaint=complaint,
            agent=agent,
            text=WARNED,
            finding_codes=["vague-zh"],
            reason="因" * (OVERRIDE_REASON_MAX + 1),
        )
    assert caught.value.fields == {
        "reason": [too_long_message(limit=OVERRIDE_REASON_MAX, length=OVERRIDE_REASON_MAX + 1)]
    }
    assert not ReplyCheckOverride.objects.exists()
