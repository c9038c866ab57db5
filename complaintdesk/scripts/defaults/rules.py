"""The reply checker's shipped rules (SPEC §4), loaded by a data migration; admins tune them afterwards.

Reasons are Chinese msgids (translated for an English interface); replacements and sentences are in
the language of the draft the rule applies to.
"""

from django.utils.translation import gettext_noop

# Chinese time expressions that make a commitment: 今天, 3个工作日内, 11月25日前, 下午5点前, 18:00 …
_TIME_ZH = r"""
今天|今日|今晚|明天|明日|后天|本周[一二三四五六日天]?|下周[一二三四五六日天]?|这周[一二三四五六日天]
周[一二三四五六日天](?:前|之前|以前)|(?:本月|月底|年底)(?:前|之前|内)
[0-9０-９零一二两三四五六七八九十百]+\s*个?\s*(?:小时|分钟|工作日|自然日|天|日|周|星期|月)(?:内|之内|以内)
(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*[日号]
\d{4}[-/.]\d{1,2}[-/.]\d{1,2}
\d{1,2}[:：]\d{2}
[上下]午\s*[0-9一二两三四五六七八九十]+\s*[点时]
[0-9一二两三四五六七八九十]+\s*[点时](?:前|之前|以前)
"""

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_WEEKDAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_TIME_EN = rf"""
\b(?:today|tonight|tomorrow|this (?:morning|afternoon|evening|week))\b
\bwithin (?:the next )?(?:\d+|one|two|three|four|five|six|seven|ten|twenty-four) (?:working |business |calendar )?(?:minutes?|hours?|days?|weeks?)\b
\b(?:by|before|on|until) (?:next )?{_WEEKDAYS}\b
\bnext (?:{_WEEKDAYS}|week)\b
\b(?:by|before) (?:the )?end of (?:the )?(?:day|week|month)\b
\b\d{{1,2}}(?:st|nd|rd|th)? {_MONTHS}\b
\b(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]* \d{{1,2}}(?:st|nd|rd|th)?\b
\b\d{{1,2}}:\d{{2}}\b
\b\d{{1,2}}\s*(?:am|pm)\b
\b\d{{4}}-\d{{2}}-\d{{2}}\b
"""

# Apology words after an optional string of adverbs: 我们深表歉意, 我非常抱歉 …
_APOLOGY_ZH = r"(?:真的|实在|非常|十分|很|深表|深感|感到|表示|再次|诚挚地|真诚地|郑重|向您|对此)*(?:抱歉|歉意|道歉|对不起)"
_ADVERBS_EN = r"(?: (?:truly|so|very|really|deeply|terribly|extremely|sincerely|humbly|do))*"

_REFUSAL_REST_ZH = r"(?P<rest>[^，。！？；,.!?;\n]+)"
_REFUSAL_REST_EN = r"(?P<rest>[^,.;!?\n]+)"

DEFAULT_RULES: list[dict] = [
    {
        "code": "but-zh",
        "name": "避免转折词（但是/然而）",
        "language": "zh-hans",
        "kind": "phrase",
        "severity": "warn",
        "patterns": "但是 => 同时\n然而 => 同时\n可是 => 同时\n不过 => 同时",
        "exceptions": "不但是\n说不过去\n不过分\n不过期\n不过问\n信不过\n通不过\n比不过\n躲不过\n过不过\n"
        "再好不过\n再合适不过\n再清楚不过\n最好不过",
        "reason": gettext_noop("“但是/然而”会让客户觉得前面的理解和道歉都不算数。"),
        "suggestion": "去掉转折，直接说明接下来会怎么做。",
    },
    {
        "code": "refusal-zh",
        "name": "避免生硬拒绝",
        "language": "zh-hans",
        "kind": "regex",
        "severity": "block",
        "patterns": "\n".join(
            [
                rf"(?:我们|我)(?:也|真的|确实|实在)?(?:做不到|办不到|没有办法|没办法){_REFUSAL_REST_ZH}"
                r" => 我们暂时无法直接\g<rest>，我可以为您{option_a}",
                r"(?:我们|我)?(?:也|真的|确实|实在)?(?:做不到|办不到|无能为力) => 这一项暂时无法直接办理，我可以为您{option_a}",
                r"(?:这个|这样|这)(?:是)?(?:不行|不可能)(?:的)? => 这个方式暂时无法办理，我可以为您{option_a}",
                r"(?:我们|我)?(?:也|真的|确实|实在)?没(?:有)?办法 => 我来想办法",
                r"(?:是)?不可能(?:的)? => 暂时无法直接办理，我可以为您{option_a}",
                r"(?:这件事|这事|这个|这|那)?不归(?:我们|我)管 => 这件事我会帮您联系负责的同事跟进",
            ]
        ),
        "exceptions": "您没办法\n您没有办法\n您一直没办法\n您都没办法\n您还是没办法\n不可能再",
        "reason": gettext_noop("不要直接拒绝客户（“这个不行”“我们做不到”），要说明我们能做什么。"),
        "suggestion": "说明目前能为客户做什么，并给出可选方案。",
    },
    {
        "code": "deny-feeling-zh",
        "name": "不否定客户感受",
        "language": "zh-hans",
        "kind": "phrase",
        "severity": "block",
        "patterns": "\n".join(
            [
                "这不是问题 => 我理解您的担心",
                "这不是什么问题 => 我理解您的担心",
                "这不是什么大问题 => 我理解您的担心",
                "这不算什么问题 => 我理解您的担心",
                "这很简单 => 我来一步步帮您处理",
                "这个很简单 => 我来一步步帮您处理",
                "这太简单了 => 我来一步步帮您处理",
                "其实很简单 => 我来一步步帮您处理",
                "你想多了 => 您的顾虑我完全理解",
                "您想多了 => 您的顾虑我完全理解",
                "没什么大不了 => 我理解这件事给您添了麻烦",
                "多大点事 => 我理解这件事给您添了麻烦",
                "你别激动 => 我理解您现在很着急",
                "您别激动 => 我理解您现在很着急",
                "你冷静一点 => 我理解您现在很着急",
                "您冷静一点 => 我理解您现在很着急",
            ]
        ),
        "reason": gettext_noop("否定客户的感受（“这不是问题”“这很简单”）会让客户觉得不被重视。"),
        "suggestion": "先认同客户的感受，例如“我理解您的担心”。",
    },
    {
        "code": "manager-zh",
        "name": "不直接说“要请示领导”",
        "language": "zh-hans",
        "kind": "regex",
        "severity": "warn",
        "patterns": "\n".join(
            [
                r"(?:这个|这件事|这事)?我(?:要|得|需要|必须|还得)(?:先)?(?:去)?(?:请示|问一下|问问|问|请教|汇报给|找)(?:一下)?(?:我们)?(?:的)?"
                r"(?:领导|经理|主管|上级|上面|老板)(?:一下)? => 为了给您准确的答复，我会马上与负责的同事确认，并在{deadline}前回复您",
                r"(?:这个|这件事|这事)?我做不了主 => 为了给您准确的答复，我会马上与负责的同事确认，并在{deadline}前回复您",
            ]
        ),
        "reason": gettext_noop(
            "直接说“我要请示领导”会让客户不信任眼前的客服；需要确认时，礼貌说明并给出回复时间。"
        ),
        "suggestion": "说明会向负责同事确认，并承诺回复时间。",
    },
    {
        "code": "we-apology-zh",
        "name": "用“我”道歉",
        "language": "zh-hans",
        "kind": "regex",
        "severity": "warn",
        "patterns": rf"(?:我们公司|本公司|我司|我们|公司)(?P<rest>{_APOLOGY_ZH}) => 我\g<rest>",
        "unless_patterns": r"我(?!们)[^，。！？；,.!?;\n]{0,8}?(?:抱歉|歉意|道歉|对不起)",
        "reason": gettext_noop("道歉要用第一人称“我”，而不只是“我们”，客户才感到有人真正负责。"),
        "suggestion": "改成“我非常抱歉”。",
    },
    {
        "code": "vague-zh",
        "name": "用承诺代替含糊的词",
        "language": "zh-hans",
        "kind": "phrase",
        "severity": "warn",
        "patterns": "\n".join(
            [
                "可能会 => 会",
                "应该会 => 会",
                "也许会 => 会",
                "大概会 => 会",
                "或许会 => 会",
                "应该可以 => 可以",
                "可能是 => 初步判断是",
                "大概率 => ",
                "可能 => 会",
                "也许 => ",
                "或许 => ",
                "大概 => ",
                "估计 => 预计",
            ]
        ),
        "exceptions": "可能性\n尽可能\n不可能\n尽一切可能\n评估计",
        "reason": gettext_noop("“可能”“大概”这类词让客户没有把握；多用“我会”“我们将”这样的承诺。"),
        "suggestion": "改成明确的承诺，例如“我会……”。",
    },
    {
        "code": "time-zh",
        "name": "给出时间承诺",
        "language": "zh-hans",
        "kind": "require",
        "severity": "warn",
        "patterns": _TIME_ZH.strip(),
        "reason": gettext_noop("回复里没有时间承诺（如“今天下午5点前”“3个工作日内”“11月25日前”）。"),
        "suggestion": "我会在{deadline}前给您答复。",
    },
    {
        "code": "identity-zh",
        "name": "报出客服姓名和工号/分机",
        "language": "zh-hans",
        "kind": "agent_identity",
        "severity": "warn",
        "patterns": r"(?:工号|分机|分机号|员工号|座席号)\s*[:：]?\s*[A-Za-z0-9]+",
        "reason": gettext_noop("回复里没有客服的姓名和工号/分机；告诉客户找谁，客户才有掌控感。"),
        "suggestion": "我是{agent_role}{agent_name}[[，工号{employee_no}]][[，分机{extension}]]，有任何问题可以直接联系我。",
    },
    {
        "code": "but-en",
        "name": "Avoid 'but' / 'however'",
        "language": "en",
        "kind": "phrase",
        "severity": "warn",
        "patterns": "but => and\nhowever => at the same time",
        "exceptions": "but also\nanything but\nall but\nnothing but\nlast but not least\nhowever long\nhowever much\n"
        "however many\nhowever you",
        "reason": gettext_noop("“但是/然而”会让客户觉得前面的理解和道歉都不算数。"),
        "suggestion": "Drop the contrast and say what happens next.",
    },
    {
        "code": "refusal-en",
        "name": "Avoid flat refusals",
        "language": "en",
        "kind": "regex",
        "severity": "block",
        "patterns": "\n".join(
            [
                rf"\bwe (?:can't|cannot|can not|are unable to|'re unable to|won't be able to){_REFUSAL_REST_EN}"
                r" => we are not able to\g<rest> right now, and what I can do is {option_a}",
                rf"\bI (?:can't|cannot|can not|am unable to|'m unable to)(?! (?:imagine|wait|thank)){_REFUSAL_REST_EN}"
                r" => I am not able to\g<rest> right now, and what I can do is {option_a}",
                r"\b(?:that's|that is|it's|it is|this is) (?:impossible|not possible)(?! for you)"
                r" => let me show you what is possible: {option_a}",
                r"\bthere(?:'s| is) nothing (?:we|I) can do(?: about (?:this|that|it))?\b => here is what I can do: {option_a}",
                r"\b(?:that's|that is|it's|it is) not my (?:job|department|problem)\b"
                r" => I will make sure the right colleague takes this on",
            ]
        ),
        "reason": gettext_noop("不要直接拒绝客户（“这个不行”“我们做不到”），要说明我们能做什么。"),
        "suggestion": "Say what you can do for the customer and offer options.",
    },
    {
        "code": "deny-feeling-en",
        "name": "Don't deny the customer's feeling",
        "language": "en",
        "kind": "phrase",
        "severity": "block",
        "patterns": "\n".join(
            [
                "that's not a problem => I understand your concern",
                "that is not a problem => I understand your concern",
                "it's not a problem => I understand your concern",
                "this isn't a problem => I understand your concern",
                "it's not a big deal => I understand this has caused you trouble",
                "it's no big deal => I understand this has caused you trouble",
                "that's easy => let me walk you through it",
                "it's easy => let me walk you through it",
                "it's simple => let me walk you through it",
                "it's very simple => let me walk you through it",
                "it's really simple => let me walk you through it",
                "this is simple => let me walk you through it",
                "you're overreacting => I understand why you are upset",
                "you are overreacting => I understand why you are upset",
                "you're overthinking => I understand your concern",
                "please calm down => I understand how frustrating this is",
                "calm down => I understand how frustrating this is",
            ]
        ),
        "reason": gettext_noop("否定客户的感受（“这不是问题”“这很简单”）会让客户觉得不被重视。"),
        "suggestion": "Acknowledge the feeling first, e.g. 'I understand your concern'.",
    },
    {
        "code": "manager-en",
        "name": "Don't bluntly say 'I need to ask my manager'",
        "language": "en",
        "kind": "regex",
        "severity": "warn",
        "patterns": r"\bI(?:'ll| will)? (?:need|have|must|got)(?: to)? (?:ask|check with|consult|talk to|speak to|speak with|"
        r"get approval from|run (?:this|it) by) (?:my|the|our) (?:manager|supervisor|boss|team leader|superior)s?\b"
        r"(?: about (?:this|that|it))?(?: first)?"
        r" => to give you an accurate answer, I will confirm this with the colleague responsible and reply "
        r"to you by {deadline}",
        "reason": gettext_noop(
            "直接说“我要请示领导”会让客户不信任眼前的客服；需要确认时，礼貌说明并给出回复时间。"
        ),
        "suggestion": "Say you will confirm with the colleague responsible, and when you will reply.",
    },
    {
        "code": "we-apology-en",
        "name": "Apologise as 'I'",
        "language": "en",
        "kind": "regex",
        "severity": "warn",
        "patterns": "\n".join(
            [
                rf"\bwe(?P<adv>{_ADVERBS_EN}) (?P<verb>apologi[sz]e)\b => I\g<adv> \g<verb>",
                rf"\bwe are(?P<rest>{_ADVERBS_EN} sorry)\b => I am\g<rest>",
                rf"\bwe're(?P<rest>{_ADVERBS_EN} sorry)\b => I'm\g<rest>",
                r"\bour(?P<rest>(?: (?:sincere|sincerest|deepest|humble|heartfelt))* apologies)\b => my\g<rest>",
            ]
        ),
        "unless_patterns": "\n".join(
            [
                rf"\bI(?:'m| am)?{_ADVERBS_EN} (?:apologi[sz]e|sorry)\b",
                r"\bmy(?: (?:sincere|sincerest|deepest|humble|heartfelt))* apologies\b",
            ]
        ),
        "reason": gettext_noop("道歉要用第一人称“我”，而不只是“我们”，客户才感到有人真正负责。"),
        "suggestion": "Say 'I am sorry' or 'I apologise'.",
    },
    {
        "code": "vague-en",
        "name": "Commit instead of hedging",
        "language": "en",
        "kind": "phrase",
        "severity": "warn",
        "patterns": "\n".join(
            [
                "maybe => ",
                "probably => ",
                "perhaps => ",
                "possibly => ",
                "hopefully => ",
                "might => will",
                "should be => will be",
            ]
        ),
        "reason": gettext_noop("“可能”“大概”这类词让客户没有把握；多用“我会”“我们将”这样的承诺。"),
        "suggestion": "Make a clear commitment: 'I will …'.",
    },
    {
        "code": "time-en",
        "name": "Give a time commitment",
        "language": "en",
        "kind": "require",
        "severity": "warn",
        "patterns": _TIME_EN.strip(),
        "reason": gettext_noop("回复里没有时间承诺（如“今天下午5点前”“3个工作日内”“11月25日前”）。"),
        "suggestion": "I will get back to you by {deadline}.",
    },
    {
        "code": "identity-en",
        "name": "Give the agent's name and number",
        "language": "en",
        "kind": "agent_identity",
        "severity": "warn",
        "patterns": r"\b(?:extension|ext\.?|employee (?:no\.?|number|id)|staff (?:no\.?|number|id))\s*[:#]?\s*[A-Za-z0-9]+",
        "reason": gettext_noop("回复里没有客服的姓名和工号/分机；告诉客户找谁，客户才有掌控感。"),
        "suggestion": "My name is {agent_name}[[, employee number {employee_no}]][[, and you can reach me directly on "
        "extension {extension}]].",
    },
    {
        "code": "personal-data",
        "name": "他人个人信息",
        "language": "",
        "kind": "personal_data",
        "severity": "block",
        "patterns": "id_card\nphone\nemail\nbank_card",
        "reason": gettext_noop(
            "回复里有不属于本案客户的个人信息（电话、身份证号、邮箱或银行卡号），发送前请删除或核对。"
        ),
        "suggestion": "",
    },
    {
        "code": "placeholder",
        "name": "未填写的占位符",
        "language": "",
        "kind": "regex",
        "severity": "block",
        "patterns": r"\{[^\W\d]\w*\}",
        "reason": gettext_noop("回复里还有未填写的占位符。"),
        "suggestion": gettext_noop("把占位符换成实际内容，或删掉这一句。"),
    },
]

for _order, _rule in enumerate(DEFAULT_RULES):
    _rule.setdefault("sort_order", (_order + 1) * 10)
    _rule.setdefault("exceptions", "")
    _rule.setdefault("unless_patterns", "")
