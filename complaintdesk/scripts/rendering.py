"""Filling a script's placeholders. Pure: plain values in, text out; no templates are executed.

The syntax is deliberately tiny, because admins type it:
- `{name}` is replaced by the value of `name` (an English name or its Chinese alias, e.g. `{称呼}`);
- `[[ … ]]` is an optional segment, kept only when every placeholder inside has a value
  (`[[，分机{extension}]]` disappears for an agent without an extension);
- `{{` and `}}` are literal braces.
A placeholder without a value (or one we don't know) stays in the text exactly as written, so it is
visible to the agent, and is reported; the reply checker refuses to send text that still has one.
"""

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from complaintdesk.common.phrasing import customer_deadline


@dataclass(frozen=True)
class Placeholder:
    name: str
    alias: str  # the Chinese name admins may write instead
    label: str
    example_zh: str
    example_en: str


PLACEHOLDERS: tuple[Placeholder, ...] = (
    Placeholder("customer_title", "称呼", _("客户称呼（姓 + 先生/女士）"), "王女士", "Ms Wang"),
    Placeholder("customer_name", "客户姓名", _("客户姓名"), "王丽", "Wang Li"),
    Placeholder(
        "problem", "问题", _("复述的问题"), "宽带连续三天断网", "your broadband has been down for three days"
    ),
    Placeholder(
        "demand",
        "诉求",
        _("客户诉求"),
        "尽快修复并减免本月月租",
        "a quick repair and this month's fee waived",
    ),
    Placeholder("option_a", "方案A", _("方案A"), "减免本月宽带月租", "waive this month's broadband fee"),
    Placeholder(
        "option_b", "方案B", _("方案B"), "赠送一个月宽带提速", "give you one month of faster broadband free"
    ),
    Placeholder(
        "deadline", "时限", _("答复/解决时限"), "11月25日（周三）18:00", "Wednesday 25 November, 18:00"
    ),
    Placeholder(
        "cause",
        "原因",
        _("问题原因"),
        "小区光缆被施工挖断",
        "a fibre cable near you was cut by building works",
    ),
    Placeholder(
        "measures",
        "措施",
        _("处理措施"),
        "已安排工程师更换了光缆",
        "an engineer replaced the cable",
    ),
    Placeholder(
        "result",
        "处理结果",
        _("处理结果"),
        "光缆已修复，网络恢复正常",
        "the cable is repaired and your service is back",
    ),
    Placeholder(
        "compensation",
        "补偿",
        _("补偿内容"),
        "本月月租已全额减免",
        "this month's fee has been waived in full",
    ),
    Placeholder("case_number", "单号", _("投诉单号"), "TS20261124000123", "TS20261124000123"),
    Placeholder("product", "产品", _("涉及产品/业务"), "家庭宽带", "home broadband"),
    Placeholder("agent_name", "客服姓名", _("客服姓名"), "李敏", "Li Min"),
    # The speaker's role in words (客服专员, 业务经理 …): whoever makes the call or writes the reply.
    Placeholder("agent_role", "岗位", _("说话人的岗位"), "客服专员", "customer service officer"),
    Placeholder("employee_no", "工号", _("工号"), "10086", "10086"),
    Placeholder("extension", "分机", _("分机号"), "8021", "8021"),
    Placeholder("brand", "品牌", _("品牌"), "ComplaintDesk", "ComplaintDesk"),
)
PLACEHOLDER_NAMES = frozenset(p.name for p in PLACEHOLDERS)
ALIASES = {p.alias: p.name for p in PLACEHOLDERS}

# `{name}` where name is a letter or CJK character followed by word characters.
_PLACEHOLDER = re.compile(r"\{([^\W\d]\w*)\}")
_OPTIONAL = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)
# Escaped braces are swapped for private-use characters while we work, then restored.
_OPEN, _CLOSE = "\ue000", "\ue001"
# A value typed as a sentence ("…减免本月宽带费。") keeps its closing mark only where the script does not put
# its own right after it: "费。，对吗？" and "费。。如果" are nobody's writing.
_SENTENCE_END = "。．.！!？?；;，,、"
_PUNCTUATION = "，。、；：！？,.;:!?"


@dataclass(frozen=True)
class RenderResult:
    text: str
    missing: list[str] = field(default_factory=list)  # placeholders left unfilled, in order, without repeats
    unknown: list[str] = field(default_factory=list)  # the subset that no case could ever fill (typos)

    @property
    def complete(self) -> bool:
        return not self.missing


def canonical(name: str) -> str:
    return ALIASES.get(name, name)


def placeholders_in(template: str) -> list[str]:
    """Canonical names of the placeholders a template uses, in order, without repeats."""
    names: list[str] = []
    for match in _PLACEHOLDER.finditer(_escape(template)):
        name = canonical(match.group(1))
        if name not in names:
            names.append(name)
    return names


def _escape(template: str) -> str:
    return template.replace("{{", _OPEN).replace("}}", _CLOSE)


def _unescape(text: str) -> str:
    return text.replace(_OPEN, "{").replace(_CLOSE, "}")


def render(template: str, values: Mapping[str, object]) -> RenderResult:
    """Fill `template` from `values` (keyed by canonical name). Never raises on odd input."""
    filled = {
        name: str(value).strip() for name, value in values.items() if value is not None and str(value).strip()
    }
    missing: list[str] = []

    def value_of(match: re.Match) -> str:
        name = canonical(match.group(1))
        if name in filled:
            value = filled[name]
            if match.string[match.end() : match.end() + 1] in tuple(_PUNCTUATION):
                value = value.rstrip(_SENTENCE_END) or value
            # A value must not be read as markup on a second pass.
            return value.replace("{", _OPEN).replace("}", _CLOSE)
        if name not in missing:
            missing.append(name)
        return match.group(0)

    def optional(match: re.Match) -> str:
        inner = match.group(1)
        names = [canonical(m.group(1)) for m in _PLACEHOLDER.finditer(inner)]
        if all(name in filled for name in names):
            return _PLACEHOLDER.sub(value_of, inner)
        return ""

    text = _escape(template or "")
    text = _OPTIONAL.sub(optional, text)
    text = _PLACEHOLDER.sub(value_of, text)
    unknown = [name for name in missing if name not in PLACEHOLDER_NAMES]
    return RenderResult(text=_unescape(text), missing=missing, unknown=unknown)


def sample_values(language: str) -> dict[str, str]:
    """Example values for every placeholder: previews in the admin and checks of the library."""
    english = language_normalise(language) == "en"
    return {p.name: (p.example_en if english else p.example_zh) for p in PLACEHOLDERS}


def language_normalise(language: str | None) -> str:
    """'zh', 'zh-CN', 'zh-hans' → 'zh-hans'; 'en', 'en-GB' → 'en'; anything else is kept lower-cased."""
    value = (language or "").strip().lower().replace("_", "-")
    if value.startswith("zh"):
        return "zh-hans"
    if value.startswith("en"):
        return "en"
    return value


# Two-character surnames that the first character alone would cut in half.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 令狐 慕容 司徒 夏侯 尉迟 长孙 宇文 公孙 轩辕 端木 独孤 南宫 西门 澹台 呼延 万俟".split()
)
_HONORIFICS_ZH = ("女士", "先生", "小姐")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def customer_title(*, name: str, title: str, language: str) -> str:
    """How we address the customer: 王女士 / Ms Wang. `title` is Customer.Title ('mr', 'ms' or '').

    Without a known title we use the name as given rather than guess a gender.
    """
    name = (name or "").strip()
    for honorific in _HONORIFICS_ZH:
        if name.endswith(honorific) and len(name) > len(honorific):
            name = name[: -len(honorific)].strip()
            break
    if not name:
        return ""
    english = language_normalise(language) == "en"
    if _CJK.match(name):
        surname = name[:2] if name[:2] in COMPOUND_SURNAMES else name[0]
        surname_en = surname
    else:
        # Latin script: "John Smith" → Smith; a single word is the surname.
        surname = surname_en = name.split()[-1]
    if title not in {"mr", "ms"}:
        return name
    if english:
        return f"{'Mr' if title == 'mr' else 'Ms'} {surname_en}"
    return f"{surname}{'先生' if title == 'mr' else '女士'}"


def format_deadline(at: dt.datetime, *, language: str, zone: ZoneInfo, today: dt.date | None = None) -> str:
    """A deadline as a customer reads it, in the organisation's time zone (no unit calendar at hand):
    common.phrasing.customer_deadline. zh: 11月25日（周三）18:00 — with 2027年 in front when it is not this
    year; en: Wednesday 25 November, 18:00; midnight ends the day before (24:00)."""
    return customer_deadline(at, language=language_normalise(language), zone=zone, today=today)
