"""What kind of contact an e-mail or a WeChat message is (issue 19): 咨询, 建议 or 表扬 from a few keywords in
its subject and first message, else a complaint. Pure: text in, a guess out.

The rule, deliberately simple and said on the timeline (never a silent guess):
- any **complaint cue** (投诉, 退款, 赔偿 …) in the subject or the first message → a complaint;
- else the kinds whose keywords appear: exactly one → that kind, with the keyword and where it was found;
- none, or more than one (a "请问" and a "建议") → a complaint: when unsure it stays a complaint, the kind
  that gets the most care and the strictest clocks. An agent changes the kind on the case page.

The keywords are settings (`CONTACT_KIND_KEYWORDS`: kind → words, `CONTACT_KIND_COMPLAINT_CUES`: words),
`CONTACT_KIND_DETECTION = False` turns detection off (every message is a complaint, as before).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from complaintdesk.complaints.states import ContactKind

# Only the start of a long message is read: the first message says what it is about.
FIRST_MESSAGE_CHARS = 500

DEFAULT_KEYWORDS: dict[str, tuple[str, ...]] = {
    ContactKind.INQUIRY: (
        "请问", "咨询", "想了解", "想问一下", "如何办理", "怎么办理", "怎么开通", "如何开通", "是否支持",
        "能否办理", "怎么查询", "如何查询",
    ),
    ContactKind.SUGGESTION: ("建议", "提个意见", "希望增加", "希望能增加", "能否增加", "改进意见", "希望可以增加"),
    ContactKind.PRAISE: (
        "表扬", "点赞", "赞扬", "非常满意", "服务很好", "服务周到", "态度很好", "特别感谢", "感谢信",
    ),
}  # fmt: skip
DEFAULT_COMPLAINT_CUES: tuple[str, ...] = (
    "投诉", "不满", "退款", "赔偿", "索赔", "欺骗", "乱扣费", "多扣", "扣费", "故障", "断网", "维权",
    "12315", "曝光", "差评", "太差", "没人管", "没人处理", "骗", "上诉", "举报",
)  # fmt: skip


@dataclass(frozen=True)
class KindGuess:
    kind: str
    keyword: str = ""  # the word that decided it ("" for a complaint)
    where: str = ""  # "subject" or "message"

    @property
    def detected(self) -> bool:
        return self.kind != ContactKind.COMPLAINT

    def note(self) -> str:
        """The reason said on the created event, in the active language ("" for a complaint)."""
        if not self.detected:
            return ""
        where = _("主题") if self.where == "subject" else _("首条消息")
        return _("系统按关键词识别为%(kind)s：%(where)s含“%(word)s”（如不对，请在案件页变更类型）") % {
            "kind": ContactKind(self.kind).label,
            "where": where,
            "word": self.keyword,
        }


def _keywords() -> dict[str, tuple[str, ...]]:
    configured = getattr(settings, "CONTACT_KIND_KEYWORDS", None)
    if not configured:
        return DEFAULT_KEYWORDS
    return {kind: tuple(words) for kind, words in configured.items() if kind in ContactKind.values}


def _complaint_cues() -> tuple[str, ...]:
    configured = getattr(settings, "CONTACT_KIND_COMPLAINT_CUES", None)
    return tuple(configured) if configured is not None else DEFAULT_COMPLAINT_CUES


def kind_detect(*, subject: str, text: str) -> KindGuess:
    """The kind of a new contact from its `subject` (may be "") and its first message `text`."""
    complaint = KindGuess(kind=ContactKind.COMPLAINT)
    if not getattr(settings, "CONTACT_KIND_DETECTION", True):
        return complaint
    places = (("subject", subject or ""), ("message", (text or "")[:FIRST_MESSAGE_CHARS]))
    if any(cue in value for cue in _complaint_cues() for _where, value in places if cue):
        return complaint
    found: dict[str, KindGuess] = {}
    for kind, words in _keywords().items():
        if kind == ContactKind.COMPLAINT:
            continue
        for where, value in places:
            word = next((w for w in words if w and w in value), "")
            if word:
                found[kind] = KindGuess(kind=kind, keyword=word, where=where)
                break
    if len(found) != 1:
        return complaint  # nothing, or two kinds at once: unsure, so a complaint
    return next(iter(found.values()))
