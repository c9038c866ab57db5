"""Severity and priority from explicit, weighted rules, with the reasons in words. Pure.

Each rule adds points when it fires; the total decides major vs general and the priority (1 = urgent
… 4 = low); a threat of going outside (media, 12315, the regulator, court, a lawyer) flags reputation
risk. Weights and thresholds are `SeverityRules`, which the organisation overrides (IntelligencePolicy).
Phrases are matched on the normal form of the text (traditional folded to simplified, lower case),
and the traditional forms the folding table misses are listed too.
"""

import re
from dataclasses import asdict, dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from . import text as textlib


@dataclass(frozen=True)
class SeverityRules:
    money_large: int = 25
    money_medium: int = 15
    money_small: int = 5
    money_large_from: int = 10_000
    money_medium_from: int = 1_000
    service_blocked: int = 20
    vulnerable_customer: int = 15
    repeat_once: int = 15
    repeat_many: int = 25  # two or more earlier complaints in the window
    repeat_window_days: int = 30
    external_threat: int = 30
    perceived: dict = field(default_factory=lambda: {"low": 0, "medium": 5, "high": 15, "critical": 25})
    # What the customer said at intake is never outweighed by a calm text: "critical" is at least this
    # urgent (priority 2, 高), whatever else the score says.
    perceived_priority: dict = field(default_factory=lambda: {"critical": 2})
    emotion: dict = field(default_factory=lambda: {"calm": 0, "unhappy": 5, "angry": 15})
    major_from: int = 50
    priority_from: dict = field(default_factory=lambda: {"1": 60, "2": 40, "3": 20})
    reputation_risk_priority: int = 2  # a reputation risk is at least this urgent

    @classmethod
    def with_overrides(cls, overrides: dict | None) -> "SeverityRules":
        """Defaults with the keys of `overrides` that name a rule; unknown keys are ignored."""
        known = {f.name for f in fields(cls)}
        defaults = cls()
        clean = {}
        for key, value in (overrides or {}).items():
            if key not in known:
                continue
            default = getattr(defaults, key)
            # A table overridden in part keeps the other entries: an organisation's rules saved
            # without "critical" must not make a critical complaint count for nothing.
            clean[key] = (
                {**default, **value} if isinstance(default, dict) and isinstance(value, dict) else value
            )
        return replace(defaults, **clean)

    def as_dict(self) -> dict:
        return asdict(self)


THREAT_TERMS: dict[str, tuple[str, ...]] = {
    "media": (
        "曝光",
        "媒体",
        "记者",
        "电视台",
        "报社",
        "微博",
        "抖音",
        "热搜",
        "网上发帖",
        "发到网上",
        "朋友圈",
        "媒體",
        "記者",
        "電視台",
        "the media",
        "media",
        "press",
        "journalist",
        "news",
        "social media",
        "twitter",
        "go public",
        "post online",
        "viral",
    ),
    "regulator": (
        "投诉到",
        "工信部",
        "通管局",
        "12315",
        "12345",
        "12321",
        "12378",
        "消协",
        "消费者协会",
        "市场监管",
        "银保监",
        "金融监管",
        "监管部门",
        "监管局",
        "信访",
        "上级部门",
        "投訴到",
        "消費者協會",
        "監管",
        "regulator",
        "cfpb",
        "ftc",
        "fcc",
        "bbb",
        "better business bureau",
        "attorney general",
        "ombudsman",
        "consumer protection",
    ),
    "legal": (
        "起诉",
        "律师",
        "法院",
        "打官司",
        "诉讼",
        "仲裁",
        "报警",
        "法律途径",
        "律师函",
        "起訴",
        "律師",
        "訴訟",
        "報警",
        "lawyer",
        "attorney",
        "sue",
        "suing",
        "lawsuit",
        "court",
        "legal action",
        "small claims",
        "police",
    ),
}
BLOCKED_TERMS = (
    "断网",
    "上不了网",
    "无法上网",
    "停机",
    "无法使用",
    "不能用",
    "用不了",
    "打不通",
    "无法登录",
    "登录不了",
    "无法取款",
    "账户冻结",
    "卡被冻结",
    "冻结",
    "无法转账",
    "没信号",
    "无信号",
    "无法通话",
    "斷網",
    "無法使用",
    "can't access",
    "cannot access",
    "unable to access",
    "locked out",
    "frozen",
    "no service",
    "outage",
    "not working",
    "can't log in",
    "cannot log in",
    "cannot use",
    "can't use",
    "no internet",
    "no signal",
)
VULNERABLE_TERMS = (
    "老人",
    "老年人",
    "七十多岁",
    "八十多岁",
    "孕妇",
    "怀孕",
    "残疾",
    "残障",
    "病人",
    "住院",
    "生病",
    "患者",
    "孩子",
    "儿童",
    "婴儿",
    "上网课",
    "独居",
    "低保",
    "盲人",
    "聋",
    "老年",
    "殘疾",
    "孕婦",
    "elderly",
    "senior citizen",
    "disabled",
    "disability",
    "pregnant",
    "hospital",
    "hospitalized",
    "sick",
    "patient",
    "my child",
    "children",
    "baby",
    "veteran",
    "low income",
    "blind",
    "deaf",
)


@dataclass(frozen=True)
class SeverityInput:
    text: str
    amount_at_stake: Decimal | None = None
    perceived_severity: str = "medium"
    emotion_level: str = "calm"
    earlier_complaints: int = 0  # by the same customer within the repeat window


@dataclass(frozen=True)
class Reason:
    rule: str  # money, service_blocked, vulnerable_customer, repeat, external_threat, perceived, emotion
    points: int
    detail: str = ""  # the matched phrases or the value that fired the rule


@dataclass(frozen=True)
class SeverityResult:
    score: int
    severity: str  # "major" or "general" (complaints.models.Severity)
    priority: int  # 1 (urgent) … 4 (low)
    reputation_risk: bool
    reasons: tuple[Reason, ...] = ()
    threat_kinds: tuple[str, ...] = ()


def _matcher(terms) -> re.Pattern:
    def pattern(term: str) -> str:
        term = textlib.normalise(term)
        escaped = re.escape(term)
        return r"(?<![a-z0-9])" + escaped + r"(?![a-z0-9])" if term.isascii() else escaped

    return re.compile("|".join(pattern(t) for t in sorted(set(terms), key=len, reverse=True)))


_THREATS = {kind: _matcher(terms) for kind, terms in THREAT_TERMS.items()}
_BLOCKED = _matcher(BLOCKED_TERMS)
_VULNERABLE = _matcher(VULNERABLE_TERMS)
_AMOUNTS = re.compile(
    r"(?:[¥$]|rmb|usd|cny)\s?(\d[\d,]*(?:\.\d+)?)\s?(万|k)?"
    r"|(\d[\d,]*(?:\.\d+)?)\s?(万元|万块|万|元|块钱|块|rmb|yuan|dollars|usd|cny)"
)


def _found(pattern: re.Pattern, text: str, limit: int = 3) -> list[str]:
    return list(dict.fromkeys(m.group() for m in pattern.finditer(text)))[:limit]


def amounts_in_text(text: str) -> list[Decimal]:
    """Money mentioned in a normalised text: "300元", "¥1,200", "2万", "$450", "500 dollars"."""
    found = []
    for match in _AMOUNTS.finditer(text):
        number, unit = (
            (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        )
        try:
            value = Decimal(number.replace(",", ""))
        except InvalidOperation:
            continue
        if unit and (unit.startswith("万") or unit == "k"):
            value *= 10_000 if unit.startswith("万") else 1_000
        found.append(value)
    return found


def assess(data: SeverityInput, rules: SeverityRules | None = None) -> SeverityResult:
    rules = rules or SeverityRules()
    text = textlib.normalise(data.text)
    reasons: list[Reason] = []

    amounts = [a for a in [data.amount_at_stake, *amounts_in_text(text)] if a is not None and a > 0]
    if amounts:
        amount = max(amounts)
        points = (
            rules.money_large if amount >= rules.money_large_from
            else rules.money_medium if amount >= rules.money_medium_from else rules.money_small
        )  # fmt: skip
        reasons.append(Reason("money", points, f"{amount.normalize():f}"))
    if blocked := _found(_BLOCKED, text):
        reasons.append(Reason("service_blocked", rules.service_blocked, "、".join(blocked)))
    if vulnerable := _found(_VULNERABLE, text):
        reasons.append(Reason("vulnerable_customer", rules.vulnerable_customer, "、".join(vulnerable)))
    if data.earlier_complaints > 0:
        points = rules.repeat_many if data.earlier_complaints >= 2 else rules.repeat_once
        reasons.append(Reason("repeat", points, str(data.earlier_complaints)))
    threat_kinds = tuple(kind for kind, pattern in _THREATS.items() if pattern.search(text))
    if threat_kinds:
        phrases = [p for kind in threat_kinds for p in _found(_THREATS[kind], text, 2)]
        reasons.append(Reason("external_threat", rules.external_threat, "、".join(dict.fromkeys(phrases))))
    if points := int(rules.perceived.get(data.perceived_severity, 0)):
        reasons.append(Reason("perceived", points, data.perceived_severity))
    if points := int(rules.emotion.get(data.emotion_level, 0)):
        reasons.append(Reason("emotion", points, data.emotion_level))

    score = sum(r.points for r in reasons)
    priority = 4
    for level in ("3", "2", "1"):
        if score >= int(rules.priority_from.get(level, 10**9)):
            priority = int(level)
    reputation_risk = bool(threat_kinds)
    if reputation_risk:
        priority = min(priority, rules.reputation_risk_priority)
    if (floor := rules.perceived_priority.get(data.perceived_severity)) is not None:
        priority = min(priority, int(floor))
    return SeverityResult(
        score=score,
        severity="major" if score >= rules.major_from else "general",
        priority=priority,
        reputation_risk=reputation_risk,
        reasons=tuple(reasons),
        threat_kinds=threat_kinds,
    )


# --- the explanation an agent reads (Chinese; English through gettext) ---


def _level_label(kind: str, value: str) -> str:
    labels = {
        "perceived": {"low": _("轻微"), "medium": _("一般"), "high": _("严重"), "critical": _("非常严重")},
        "emotion": {"calm": _("平静"), "unhappy": _("不满"), "angry": _("愤怒")},
    }
    return labels[kind].get(value, value)


def reason_text(reason: Reason) -> str:
    values = {"points": reason.points, "detail": reason.detail.replace("、", _("、"))}
    if reason.rule == "money":
        return _("涉及金额 %(detail)s（+%(points)d）") % values
    if reason.rule == "service_blocked":
        return _("服务无法使用：%(detail)s（+%(points)d）") % values
    if reason.rule == "vulnerable_customer":
        return _("涉及弱势客户：%(detail)s（+%(points)d）") % values
    if reason.rule == "repeat":
        return _("重复投诉，此前已投诉 %(detail)s 次（+%(points)d）") % values
    if reason.rule == "external_threat":
        return _("扬言向外部投诉或曝光：%(detail)s（+%(points)d，声誉风险）") % values
    if reason.rule == "perceived":
        return _("客户感受严重程度：%(level)s（+%(points)d）") % {
            "level": _level_label("perceived", reason.detail),
            "points": reason.points,
        }
    if reason.rule == "emotion":
        return _("客户情绪：%(level)s（+%(points)d）") % {
            "level": _level_label("emotion", reason.detail),
            "points": reason.points,
        }
    return f"{reason.rule} (+{reason.points})"


def explain(result: SeverityResult) -> str:
    severity = _("重大投诉") if result.severity == "major" else _("一般投诉")
    priority = {1: _("紧急"), 2: _("高"), 3: _("中"), 4: _("低")}[result.priority]
    head = _("评分 %(score)d：%(severity)s，优先级 %(priority)d（%(label)s）") % {
        "score": result.score,
        "severity": severity,
        "priority": result.priority,
        "label": priority,
    }
    body = _("；").join(reason_text(r) for r in result.reasons) if result.reasons else _("未发现加重因素")
    # English sentences start with a capital; Chinese has none to change.
    return _("%(head)s。%(body)s。") % {"head": head, "body": body[:1].upper() + body[1:]}
