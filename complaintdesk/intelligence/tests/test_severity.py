"""Each severity rule alone, the thresholds, reputation risk, and the explanation text."""

from decimal import Decimal

import pytest
from django.utils import translation

from complaintdesk.intelligence import severity
from complaintdesk.intelligence.severity import SeverityInput, SeverityRules

RULES = SeverityRules()
CALM = {"perceived_severity": "low", "emotion_level": "calm"}


def assess(text="我要反映一个情况", **kwargs):
    return severity.assess(SeverityInput(text=text, **(CALM | kwargs)), RULES)


def rules_fired(result):
    return {r.rule: r.points for r in result.reasons}


def test_nothing_aggravating_is_low_priority_general():
    result = assess()
    assert (result.score, result.severity, result.priority, result.reputation_risk) == (
        0,
        "general",
        4,
        False,
    )


@pytest.mark.parametrize(
    ("kwargs", "points"),
    [
        ({"amount_at_stake": Decimal("50")}, RULES.money_small),
        ({"amount_at_stake": Decimal("1000")}, RULES.money_medium),
        ({"amount_at_stake": Decimal("25000")}, RULES.money_large),
        ({"text": "被多扣了 300元"}, RULES.money_small),
        ({"text": "损失了2万"}, RULES.money_large),
        ({"text": "they took $1,200 from my account"}, RULES.money_medium),
        ({"text": "損失￥5000"}, RULES.money_medium),
    ],
)
def test_money_at_stake_from_the_field_or_the_text(kwargs, points):
    assert rules_fired(assess(**kwargs))["money"] == points


@pytest.mark.parametrize(
    "text", ["宽带断网三天", "卡被冻结了", "手機無法使用", "I have been locked out of my account"]
)
def test_service_blocked(text):
    assert rules_fired(assess(text))["service_blocked"] == RULES.service_blocked


@pytest.mark.parametrize(
    "text", ["家里有八十多岁的老人", "孩子要上网课", "我是孕婦", "my elderly mother is disabled"]
)
def test_vulnerable_customer(text):
    assert rules_fired(assess(text))["vulnerable_customer"] == RULES.vulnerable_customer


def test_repeat_complaint_once_and_many():
    assert rules_fired(assess(earlier_complaints=1))["repeat"] == RULES.repeat_once
    assert rules_fired(assess(earlier_complaints=3))["repeat"] == RULES.repeat_many


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("再不处理我就向媒体曝光", "media"),
        ("我要投诉到工信部", "regulator"),
        ("我已经打了12315", "regulator"),
        ("准备起诉你们，已经找了律师", "legal"),
        ("我要向媒體曝光", "media"),
        ("我會投訴到工信部", "regulator"),
        ("我要請律師起訴你們", "legal"),
        ("I will contact the media about this", "media"),
        ("I have filed a complaint with the CFPB", "regulator"),
        ("my lawyer will sue you", "legal"),
    ],
)
def test_threats_of_going_outside_in_simplified_traditional_and_english_flag_reputation_risk(text, kind):
    result = assess(text)
    assert kind in result.threat_kinds
    assert rules_fired(result)["external_threat"] == RULES.external_threat
    assert result.reputation_risk and result.priority <= RULES.reputation_risk_priority


def test_an_issue_is_not_a_lawsuit():
    assert not assess("there is an issue with my account").reputation_risk


@pytest.mark.parametrize(("level", "points"), [("low", 0), ("medium", 5), ("high", 15), ("critical", 25)])
def test_customer_perceived_severity(level, points):
    assert rules_fired(assess(perceived_severity=level)).get("perceived", 0) == points


@pytest.mark.parametrize(("level", "points"), [("calm", 0), ("unhappy", 5), ("angry", 15)])
def test_emotion(level, points):
    assert rules_fired(assess(emotion_level=level)).get("emotion", 0) == points


def test_thresholds_set_major_and_priority():
    # blocked 20 + vulnerable 15 + angry 15 = 50: major, priority 2.
    result = assess("老人家里断网了", emotion_level="angry")
    assert (result.score, result.severity, result.priority) == (50, "major", 2)
    # + critical 25 = 75: priority 1.
    result = assess("老人家里断网了", emotion_level="angry", perceived_severity="critical")
    assert (result.score, result.priority) == (75, 1)
    assert assess(perceived_severity="high", emotion_level="unhappy").priority == 3


def test_rules_are_configurable():
    rules = SeverityRules.with_overrides({"service_blocked": 60, "major_from": 55, "no_such_rule": 1})
    result = severity.assess(SeverityInput(text="断网", **CALM), rules)
    assert (result.score, result.severity, result.priority) == (60, "major", 1)


def test_explanation_in_chinese_names_each_rule_and_the_phrases():
    result = assess("我要投诉到工信部，家里老人断网了", emotion_level="angry", earlier_complaints=1)
    with translation.override("zh-hans"):
        text = severity.explain(result)
    assert text.startswith(f"评分 {result.score}：重大投诉，优先级 1（紧急）。")
    for part in (
        "服务无法使用：断网（+20）",
        "涉及弱势客户：老人（+15）",
        "重复投诉，此前已投诉 1 次（+15）",
        "扬言向外部投诉或曝光：投诉到、工信部（+30，声誉风险）",
        "客户情绪：愤怒（+15）",
    ):
        assert part in text


def test_explanation_in_english_through_gettext():
    result = assess("my lawyer will sue you", amount_at_stake=Decimal("300"), perceived_severity="high")
    with translation.override("en"):
        text = severity.explain(result)
    assert text == (
        "Score 50: Major complaint, priority 2 (High). Amount at stake 300 (+5); "
        "threatens to go to the media, a regulator or court: lawyer, sue (+30, reputation risk); "
        "customer-perceived severity: Serious (+15)."
    )


def test_no_reason_says_so():
    with translation.override("zh-hans"):
        assert severity.explain(assess()) == "评分 0：一般投诉，优先级 4（低）。未发现加重因素。"


def test_a_customer_who_says_critical_is_at_least_high_priority_even_in_calm_words():
    """Issue 13 point 9: "非常严重" at intake counts — 25 points and never below priority 2 (高)."""
    result = assess(perceived_severity="critical")
    assert rules_fired(result)["perceived"] == 25 and result.priority == 2
    assert "非常严重（+25）" in severity.explain(result) and "优先级 2" in severity.explain(result)
    assert assess(perceived_severity="high").priority == 4  # only "critical" has a floor


def test_an_organisations_partial_table_keeps_critical():
    """Rules saved by an organisation that lists only some levels keep the others' defaults."""
    rules = SeverityRules.with_overrides({"perceived": {"low": 0, "medium": 0, "high": 10}})
    result = severity.assess(SeverityInput(text="我要反映一个情况", perceived_severity="critical"), rules)
    assert rules_fired(result)["perceived"] == 25 and result.priority == 2
    assert rules.perceived["medium"] == 0
