"""The pure reply checker with the shipped rules, over drafts agents really write. No database."""

import time

import pytest

from complaintdesk.scripts.checking import (
    ADVICE,
    APPEND,
    BLOCK,
    REPLACE,
    Context,
    Rule,
    apply_suggestions,
    check_reply,
    pattern_errors,
)
from complaintdesk.scripts.defaults import default_rules

RULES = default_rules()
DEADLINE_ZH = "11月25日（周三）18:00"
DEADLINE_EN = "Wednesday 25 November, 18:00"
ZH = Context(
    language="zh-hans",
    own_phones=("+8613800138000",),
    own_emails=("wang.li@example.com",),
    own_values=("ACC-20261124",),
    agent_name="李敏",
    employee_no="10086",
    extension="8021",
    values={
        "agent_name": "李敏",
        "agent_role": "客服专员",
        "employee_no": "10086",
        "extension": "8021",
        "deadline": DEADLINE_ZH,
        "option_a": "减免本月月租",
    },
)
EN = Context(
    language="en",
    own_phones=("+8613800138000",),
    own_emails=("wang.li@example.com",),
    agent_name="Li Min",
    employee_no="10086",
    extension="8021",
    values={
        "agent_name": "Li Min",
        "employee_no": "10086",
        "extension": "8021",
        "deadline": DEADLINE_EN,
        "option_a": "waive this month's fee",
    },
)
ME_ZH = "我是李敏，工号10086，"
MISSING_ZH = {"identity-zh", "time-zh"}
MISSING_EN = {"identity-en", "time-en"}

# (draft, expected rule codes). Drafts carry the agent's name and a time unless the case is about them.
ZH_DRAFTS = [
    # good replies
    (
        "王女士，给您添麻烦了，我非常抱歉。我是客服专员李敏，工号10086，我会在今天下午5点前给您回电，告诉您退款进度。",
        set(),
    ),
    ("宽带断网让您没办法给孩子上网课，我非常抱歉。" + ME_ZH + "工程师会在2小时内联系您。", set()),
    ("这不是您的问题，是我们系统出了差错，我非常抱歉。" + ME_ZH + "今天下午5点前为您更正账单。", set()),
    ("对于我们的失误，我非常抱歉。" + ME_ZH + "两个工作日内给您处理完毕。", set()),
    ("给您带来不便，我们深表歉意，我本人也非常抱歉。" + ME_ZH + "明天给您回复。", set()),
    # but-words, and the words that merely contain them
    ("我理解您的心情，但是我们做不到全额退款。", {"but-zh", "refusal-zh"} | MISSING_ZH),
    ("不但是您，附近几个小区的用户也受到了影响。" + ME_ZH + "抢修会在今天18:00前完成。", set()),
    ("您的要求一点也不过分，我会在11月25日前给您答复。" + ME_ZH, set()),
    ("这张优惠券不过期，您随时可以用。" + ME_ZH + "今天就发到您的账户。", set()),
    ("这件事让您等了这么久，确实说不过去。" + ME_ZH + "3个工作日内给您结果。", set()),
    ("我马上为您处理，不过需要您提供一下订单号。" + ME_ZH + "今天给您结果。", {"but-zh"}),
    ("可是您当时并没有提出异议。", {"but-zh"} | MISSING_ZH),
    ("我们已经核实了情况，然而系统显示您已签收。" + ME_ZH + "明天给您答复。", {"but-zh"}),
    # flat refusals
    ("这个问题我们也没办法，是厂家的责任。", {"refusal-zh"} | MISSING_ZH),
    ("全额退款是不可能的。", {"refusal-zh"} | MISSING_ZH),
    ("这个不行，系统不支持。" + ME_ZH + "今天给您答复。", {"refusal-zh"}),
    ("这件事不归我们管，您去找物业吧。", {"refusal-zh"} | MISSING_ZH),
    ("我们保证这种情况不可能再发生。" + ME_ZH + "本周五前把整改说明发给您。", set()),
    # denying the feeling
    ("这不是问题，您重启一下光猫就好了。" + ME_ZH + "今天有问题随时找我。", {"deny-feeling-zh"}),
    ("这很简单，您按我说的操作一遍就行。" + ME_ZH + "今天有问题随时找我。", {"deny-feeling-zh"}),
    ("您冷静一点，听我说。", {"deny-feeling-zh"} | MISSING_ZH),
    ("操作步骤我整理好了，一共三步。" + ME_ZH + "今天内有任何问题随时找我。", set()),
    # the manager, bluntly
    ("这个我得请示一下领导。" + ME_ZH + "明天给您回复。", {"manager-zh"}),
    ("这个我做不了主。" + ME_ZH + "明天给您回复。", {"manager-zh"}),
    # "we" apologies
    ("我们很抱歉给您带来不便。" + ME_ZH + "11月25日前给您答复。", {"we-apology-zh"}),
    ("本公司对此深表歉意。" + ME_ZH + "11月25日前给您答复。", {"we-apology-zh"}),
    # vague words, and neutral words that contain them
    ("退款可能明天到账。" + ME_ZH, {"vague-zh"}),
    ("原因可能是小区光缆故障，工程师今天会上门。" + ME_ZH, {"vague-zh"}),
    ("工程师大概下午到，" + ME_ZH + "今天之内一定修好。", {"vague-zh"}),
    ("为了排除线路故障的可能性，我会安排工程师明天上午上门检测。" + ME_ZH, set()),
    ("我会尽可能在3个工作日内为您处理好。我是李敏，分机8021。", set()),
    ("评估计划已经提交，" + ME_ZH + "明天答复您。", set()),
    # time commitments
    ("我是李敏，工号10086，我会尽快处理。", {"time-zh"}),
    ("宽带断了三天，我非常抱歉。" + ME_ZH, {"time-zh"}),
    (ME_ZH + "退款会在48小时内原路退回。", set()),
    (ME_ZH + "我会在2026年11月25日前把结果告诉您。", set()),
    (ME_ZH + f"我会在{DEADLINE_ZH}前给您答复。", set()),
    # the agent's name and number
    ("我会在明天给您回电。", {"identity-zh"}),
    ("我是李敏，我会在明天给您回电。", {"identity-zh"}),
    ("我是李敏，分机8021，明天给您回电。", set()),
    # personal data: the customer's own is fine, anyone else's is not
    ("您的号码13800138000已登记。" + ME_ZH + "今天给您回电。", set()),
    ("我们会拨打您登记的+86 138 0013 8000联系您。" + ME_ZH + "今天下午5点前。", set()),
    ("处理结果已发到您的邮箱 wang.li@example.com，" + ME_ZH + "今天请查收。", set()),
    ("另一位投诉人的电话是13912345678，您可以联系他。" + ME_ZH + "今天给您回电。", {"personal-data"}),
    (
        "经核实，身份证号110101199003071234的用户已办理过该业务。" + ME_ZH + "今天给您答复。",
        {"personal-data"},
    ),
    ("请联系zhang.san@example.com了解详情。" + ME_ZH + "今天给您答复。", {"personal-data"}),
    ("退款已退回银行卡4111 1111 1111 1111。" + ME_ZH + "今天请查收。", {"personal-data"}),
    ("退款已退回您尾号7890的银行卡，账号ACC-20261124。" + ME_ZH + "今天请查收。", set()),
    ("您可以拨打门店电话021-62345678或客服热线400-810-9999。" + ME_ZH + "今天有效。", set()),
    ("您的投诉单号是TS20261124000123。" + ME_ZH + "今天给您答复。", set()),
    # a placeholder nobody filled
    ("{customer_title}您好，" + ME_ZH + "今天给您回电。", {"placeholder"}),
]

EN_DRAFTS = [
    (
        "Ms Wang, I am truly sorry for the trouble. My name is Li Min, employee number 10086, and I will call you "
        "back by 5 pm today.",
        set(),
    ),
    ("I understand, but we can't refund the fee.", {"but-en", "refusal-en"} | MISSING_EN),
    (
        "Not only will we repair the line, but also credit your account. I'm Li Min, extension 8021, and it will "
        "be done within 2 working days.",
        set(),
    ),
    ("However, I will refund you by 25 November. Li Min, extension 8021.", {"but-en"}),
    (
        "However long it takes, I will stay on this until it is fixed. Li Min, extension 8021, by Friday.",
        set(),
    ),
    (
        "We apologize for the inconvenience. I'm Li Min, extension 8021; I will reply by Friday.",
        {"we-apology-en"},
    ),
    ("We’re so sorry about this. Li Min, extension 8021, reply today.", {"we-apology-en"}),
    ("Our apologies for the wait.", {"we-apology-en"} | MISSING_EN),
    (
        "We apologize for the delay, and I am sorry you had to chase us. Li Min, ext. 8021, reply within 24 hours.",
        set(),
    ),
    ("That's not a problem, just restart the router. Li Min, ext 8021, today.", {"deny-feeling-en"}),
    ("Please calm down and listen. Li Min, extension 8021, today.", {"deny-feeling-en"}),
    ("I need to ask my manager about that. Li Min, extension 8021, tomorrow.", {"manager-en"}),
    ("Your refund will probably arrive tomorrow. Li Min, extension 8021.", {"vague-en"}),
    ("It should be fixed, maybe tomorrow. Li Min, extension 8021.", {"vague-en"}),
    ("I can't imagine how frustrating that must be. I will fix it today. Li Min, extension 8021.", set()),
    ("There's nothing we can do about it. Li Min, extension 8021, today.", {"refusal-en"}),
    ("I will get back to you as soon as possible.", MISSING_EN),
    ("Please call John on 13912345678 for details. Li Min, extension 8021, today.", {"personal-data"}),
    ("We will call you on 138-0013-8000 today. Li Min, extension 8021.", set()),
    ("Hi {customer_name}, Li Min here, extension 8021, back to you today.", {"placeholder"}),
]


def _codes(text, context):
    return {f.code for f in check_reply(text, rules=RULES, context=context)}


def test_there_are_many_real_drafts():
    assert len(ZH_DRAFTS) + len(EN_DRAFTS) >= 40


@pytest.mark.parametrize(("draft", "expected"), ZH_DRAFTS, ids=[d[:14] for d, _ in ZH_DRAFTS])
def test_chinese_drafts(draft, expected):
    assert _codes(draft, ZH) == expected


@pytest.mark.parametrize(("draft", "expected"), EN_DRAFTS, ids=[d[:24] for d, _ in EN_DRAFTS])
def test_english_drafts(draft, expected):
    assert _codes(draft, EN) == expected


@pytest.mark.parametrize(
    ("draft", "context"), [(d, ZH) for d, _ in ZH_DRAFTS] + [(d, EN) for d, _ in EN_DRAFTS]
)
def test_spans_point_at_the_offending_text_and_fixes_clear_the_finding(draft, context):
    findings = check_reply(draft, rules=RULES, context=context)
    for finding in findings:
        assert draft[finding.start : finding.end] == finding.text
        assert finding.reason
        if finding.fix == APPEND:
            assert finding.start == finding.end == len(draft)
    fixed = apply_suggestions(draft, findings)
    replaced = {f.code for f in findings if f.fix in {REPLACE, APPEND}}
    assert not replaced & _codes(fixed, context), fixed


def test_refusal_with_but_gets_concrete_rewrites():
    draft = "我理解您的心情，但是我们做不到全额退款。"
    findings = {f.code: f for f in check_reply(draft, rules=RULES, context=ZH)}
    assert findings["but-zh"].text == "但是" and findings["but-zh"].suggestion == "同时"
    refusal = findings["refusal-zh"]
    assert refusal.severity == BLOCK and refusal.text == "我们做不到全额退款"
    assert refusal.suggestion == "我们暂时无法直接全额退款，我可以为您减免本月月租"
    assert findings["time-zh"].suggestion == f"我会在{DEADLINE_ZH}前给您答复。"
    assert (
        findings["identity-zh"].suggestion
        == "我是客服专员李敏，工号10086，分机8021，有任何问题可以直接联系我。"
    )
    assert apply_suggestions(draft, findings.values()) == (
        "我理解您的心情，同时我们暂时无法直接全额退款，我可以为您减免本月月租。"
        "我是客服专员李敏，工号10086，分机8021，有任何问题可以直接联系我。"
        f"我会在{DEADLINE_ZH}前给您答复。"
    )


def test_we_apology_becomes_first_person():
    [finding] = [
        f
        for f in check_reply("我们很抱歉给您带来不便。", rules=RULES, context=ZH)
        if f.code == "we-apology-zh"
    ]
    assert (finding.text, finding.suggestion) == ("我们很抱歉", "我很抱歉")
    [finding] = [
        f
        for f in check_reply("Our apologies for the wait.", rules=RULES, context=EN)
        if f.code == "we-apology-en"
    ]
    assert (finding.text, finding.suggestion) == ("Our apologies", "My apologies")


def test_english_deletions_take_a_space_and_keep_capitals():
    findings = [
        f
        for f in check_reply("It will probably arrive tomorrow.", rules=RULES, context=EN)
        if f.code == "vague-en"
    ]
    assert apply_suggestions("It will probably arrive tomorrow.", findings) == "It will arrive tomorrow."
    [but] = [
        f for f in check_reply("However, I will refund you.", rules=RULES, context=EN) if f.code == "but-en"
    ]
    assert but.suggestion == "At the same time"


def test_a_suggestion_without_its_values_is_advice_naming_them_never_part_of_the_rewrite():
    context = Context(language="zh-hans", agent_name="李敏")
    findings = {f.code: f for f in check_reply("好的。", rules=RULES, context=context)}
    assert findings["time-zh"].suggestion == "我会在〔时限〕前给您答复。"
    assert findings["time-zh"].fix == ADVICE
    # Optional segments vanish when the agent has no number on file.
    assert findings["identity-zh"].suggestion == "我是〔岗位〕〔客服姓名〕，有任何问题可以直接联系我。"
    assert "{" not in apply_suggestions("好的。", findings.values())
    # With the values, the same sentences are appended to the rewrite, filled.
    filled = Context(
        language="zh-hans",
        agent_name="李敏",
        values={"deadline": "12月8日（周二）18:00", "agent_name": "李敏"},
    )
    findings = {f.code: f for f in check_reply("好的。", rules=RULES, context=filled)}
    assert findings["time-zh"].fix == APPEND
    assert "我会在12月8日（周二）18:00前给您答复。" in apply_suggestions("好的。", findings.values())


def test_the_suggested_rewrite_of_a_refusal_never_holds_an_unfilled_option():
    draft = "这个做不到。"
    findings = check_reply(draft, rules=RULES, context=Context(language="zh-hans"))
    rewrite = apply_suggestions(draft, findings)
    assert "{" not in rewrite and "option_a" not in rewrite
    [refusal] = [f for f in findings if "〔方案A〕" in f.suggestion]
    assert refusal.fix == ADVICE
    # With the option on the case, the rewrite offers it.
    offered = Context(language="zh-hans", values={"option_a": "减免本月月租"})
    rewrite = apply_suggestions(draft, check_reply(draft, rules=RULES, context=offered))
    assert "我可以为您减免本月月租" in rewrite and "{" not in rewrite


def test_identity_without_known_agent_accepts_any_number():
    context = Context(language="zh-hans")
    assert "identity-zh" not in _codes("我是小李，工号 A123，今天给您回复。", context)
    assert "identity-zh" in _codes("我是小李，今天给您回复。", context)


def test_personal_data_suggests_masking():
    [finding] = [
        f
        for f in check_reply("他的电话是13912345678。", rules=RULES, context=ZH)
        if f.code == "personal-data"
    ]
    assert finding.severity == BLOCK and finding.suggestion == "139****5678"


def test_rules_of_another_language_do_not_apply():
    assert "but-zh" not in _codes("Thanks, 但是 is a word I avoid. Li Min, extension 8021, today.", EN)
    assert "but-en" not in _codes("我们会处理，but 这是英文。", ZH)


def test_admin_rules_tolerate_bad_patterns_and_unknown_kinds():
    rules = [
        Rule(code="broken", kind="regex", severity="block", patterns="([unclosed\n退款 => 退费", reason="x"),
        Rule(code="odd-kind", kind="telepathy", severity="block", patterns="x", reason="x"),
        Rule(code="odd-severity", kind="phrase", severity="maybe", patterns="退款", reason="x"),
        Rule(
            code="advice",
            kind="phrase",
            severity="warn",
            patterns="# a comment\n亲",
            reason="x",
            suggestion="称呼客户为“您”",
        ),
    ]
    findings = check_reply("亲，退款已经到账。", rules=rules, context=ZH)
    assert [(f.code, f.text, f.fix) for f in findings] == [
        ("advice", "亲", ADVICE),
        ("broken", "退款", REPLACE),
    ]
    assert pattern_errors("regex", "([unclosed\nok") and not pattern_errors("phrase", "([unclosed")
    assert not pattern_errors("personal_data", "phone\nemail")


def test_empty_and_long_drafts():
    assert {f.code for f in check_reply("", rules=RULES, context=ZH)} == MISSING_ZH
    long_draft = ("我理解您的心情，我会在今天下午5点前给您答复。" * 300) + ME_ZH
    started = time.perf_counter()
    assert check_reply(long_draft, rules=RULES, context=ZH) == []
    assert time.perf_counter() - started < 1.0
