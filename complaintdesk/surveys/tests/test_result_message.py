"""The result message carries the cause and the outcome: in short form by SMS (cut with "…", the link
intact, within the SMS limit), in full by e-mail."""

from django.test import override_settings

from complaintdesk.complaints.services import IntakeCustomer, complaint_transition
from complaintdesk.notifications.content import sms_max_segments
from complaintdesk.surveys import results
from complaintdesk.surveys.results import CAUSE_SHORT_MAX, OUTCOME_SHORT_MAX, text_shorten

from .conftest import CLEAN_RESULT

TRACK = "https://cs.example.com/t"


@override_settings(NOTIFY_TRACK_URL=TRACK)
def test_the_result_sms_carries_cause_and_outcome_and_the_link(org, handling_case):
    complaint = handling_case(org.agent_a)
    result = results.result_send(number=complaint.number, actor=org.agent_a, channel="sms", **CLEAN_RESULT)
    body = result.notification.body
    assert "原因：小区光缆被施工挖断" in body and "结果：网络已恢复正常" in body
    assert "本月宽带月租已全额减免" in body and TRACK in body
    assert result.notification.segments <= sms_max_segments()


@override_settings(NOTIFY_TRACK_URL=TRACK)
def test_a_long_cause_and_outcome_are_cut_with_an_ellipsis_and_the_link_stays_whole(org, handling_case):
    complaint = handling_case(org.agent_a)
    long = {
        **CLEAN_RESULT,
        "cause": "小区东侧道路施工时施工方未按管线图作业，挖断了我们通往您所在楼栋的主干光缆和备用光缆",
        "outcome": "网络已于当晚恢复正常，我们也已与施工方约定今后施工前先通知我们到场确认管线位置，避免再次发生",
    }
    result = results.result_send(number=complaint.number, actor=org.agent_a, channel="sms", **long)
    body = result.notification.body
    assert "原因：小区东侧道路施工时施工方" in body and "…" in body
    assert long["cause"] not in body and long["outcome"] not in body
    assert body.rstrip().endswith(TRACK)
    assert result.notification.segments <= sms_max_segments()


def test_the_result_email_has_the_cause_and_the_result_in_full(org, handling_case):
    complaint = handling_case(org.agent_a)
    long_cause = "小区东侧道路施工时施工方未按管线图作业，挖断了我们通往您所在楼栋的主干光缆和备用光缆"
    result = results.result_send(
        number=complaint.number, actor=org.agent_a, channel="email", **{**CLEAN_RESULT, "cause": long_cause}
    )
    body = result.notification.body
    assert f"原因：{long_cause}" in body and "网络已恢复正常" in body and "…" not in body


def test_the_english_result_sms(org, handling_case):
    complaint = handling_case(org.agent_a, language="en")
    result = results.result_send(
        number=complaint.number,
        actor=org.agent_a,
        channel="sms",
        cause="A contractor cut the cable",
        measures="We replaced the cable",
        outcome="Your line works again",
    )
    body = result.notification.body
    # All four parts (SPEC §2.5), as sentences, not "cause …; done …; result …".
    assert (
        f"{complaint.number} resolved. A contractor cut the cable. We replaced the cable. Your line works again."
        in body
    )
    assert body.count("Disagree?") == 1 and "; done" not in body


@override_settings(NOTIFY_TRACK_URL=TRACK)
def test_a_part_cut_short_ends_with_the_ellipsis_not_a_full_stop_after_it(org, handling_case):
    # The walk-through's English SMS read "this month's fee is…. Disagree?", the Chinese one "…。如有异议".
    chinese = handling_case(org.agent_a)
    body = results.result_send(
        number=chinese.number,
        actor=org.agent_a,
        channel="sms",
        **{**CLEAN_RESULT, "compensation_text": "本月宽带月租全额减免，并赠送下月流量包一个"},
    ).notification.body
    assert "补偿：本月宽带月租全额减免，并赠送下…如有异议" in body and "…。" not in body
    english = handling_case(
        org.agent_a, language="en", customer=IntakeCustomer(name="Ms Wang", phone="13900139000")
    )
    body = results.result_send(
        number=english.number,
        actor=org.agent_a,
        channel="sms",
        cause="a cable was cut by roadworks",
        measures="we replaced the cable",
        outcome="your service is back",
        compensation_text="this month's fee is waived in full",
        override_reason="English reply",
    ).notification.body
    assert "this month's… Disagree?" in body and "…." not in body


def test_text_shorten_cuts_at_a_character_boundary():
    assert text_shorten("短", CAUSE_SHORT_MAX) == "短"
    cut = text_shorten("很" * 100, OUTCOME_SHORT_MAX)
    assert len(cut) == OUTCOME_SHORT_MAX and cut.endswith("…")
    # Never between a letter and its combining mark, nor inside an emoji sequence.
    assert text_shorten("ab" + "e\u0301" * 5, 4) == "ab…"
    family = "👨\u200d👩\u200d👧"
    assert "\u200d…" not in text_shorten("ab" + family * 3, 5)
    # Trailing punctuation is not kept before the ellipsis.
    assert text_shorten("原因很长，" + "很" * 30, 6) == "原因很长…"


def test_text_shorten_leaves_no_bracket_open_before_the_ellipsis():
    """A walk-through's result SMS ended "补偿：费用减免共300元（含退还58…": the aside is dropped, not cut."""
    assert text_shorten("费用减免共300元（含退还58元）", 16) == "费用减免共300元…"
    assert text_shorten("退款（已到账）并赠送流量包（10GB，本月有效）", 16) == "退款（已到账）并赠送流量包…"
    assert (
        text_shorten("Refund (already paid) and a voucher (valid this month)", 24) == "Refund (already paid)…"
    )
    assert text_shorten("（" + "很" * 30, 6) == "（很很很很…"  # nothing would be left: cut as before


def test_the_result_card_tells_the_customer_it_waits_for_them_not_where_the_case_was(org, handling_case):
    # The WeChat card's status line (keyword2) is read with the result: the case now waits for the customer's
    # answer. It said 已升级 (or 处理中), the status just before the result went out.
    customer = IntakeCustomer(name="王女士", phone="13800138000", wechat_openid="oWXcustomer01")
    complaint = handling_case(org.agent_a, customer=customer)
    complaint_transition(number=complaint.number, actor=org.agent_a, to="escalated", reason="客户要求升级")
    result = results.result_send(number=complaint.number, actor=org.agent_a, channel="wechat", **CLEAN_RESULT)
    card = result.notification
    assert card.subject == "您的投诉已处理完毕"
    assert card.params["keyword2"] == "待客户确认"
