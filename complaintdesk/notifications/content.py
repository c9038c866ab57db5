"""What a notification says: the placeholder values a case provides, and a template filled with them.

Templates use the reply scripts' syntax and renderer (`scripts.rendering.render`); the values start
from the scripts' own (`scripts.services.script_values`: brand, customer's title, case number, the
resolution deadline in the organisation's zone …) and add what notifications need.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from complaintdesk.common.phrasing import customer_day, customer_day_and_time
from complaintdesk.complaints.states import customer_status_label
from complaintdesk.scripts import rendering
from complaintdesk.scripts.services import brand_name, case_deadline_text, script_values
from complaintdesk.sla.timers import pass_cached

from .base import NotificationChannel
from .sms.text import is_domestic, sms_segments, sms_sign

# Placeholders notifications add to the scripts' ones. No Chinese aliases: the renderer knows only the
# scripts' aliases, so these are written by their English names.
NOTIFICATION_PLACEHOLDERS: tuple[rendering.Placeholder, ...] = (
    rendering.Placeholder(
        "reply_by",
        "",
        gettext_lazy("首次联系客户的时限"),
        "11月24日（周二）17:00",
        "Tuesday 24 November, 17:00",
    ),
    # Instead of {reply_by} when that time has already gone (a case recorded after it arrived).
    rendering.Placeholder("reply_soon", "", gettext_lazy("尽快联系（首次联系时限已过时）"), "尽快", "soon"),
    rendering.Placeholder("hear_back", "", gettext_lazy("告知结果的方式"), "短信", "SMS"),
    rendering.Placeholder("status", "", gettext_lazy("投诉当前状态"), "处理中", "Being handled"),
    rendering.Placeholder(
        "progress",
        "",
        gettext_lazy("进展说明"),
        "已安排工程师上门检修",
        "an engineer will visit to repair the line",
    ),
    rendering.Placeholder(
        "track_url", "", gettext_lazy("查询进度网址"), "https://cs.example.com/t", "https://cs.example.com/t"
    ),
    rendering.Placeholder(
        "survey_url",
        "",
        gettext_lazy("满意度评价网址"),
        "https://cs.example.com/s/8K2",
        "https://cs.example.com/s/8K2",
    ),
    rendering.Placeholder("level", "", gettext_lazy("承接层级"), "业务经理", "the business manager"),
    # The result in short form for SMS and WeChat (surveys.services.result_values cuts them with "…").
    rendering.Placeholder(
        "cause_short", "", gettext_lazy("原因（简短）"), "计费系统重复扣费", "a billing system error"
    ),
    rendering.Placeholder(
        "outcome", "", gettext_lazy("处理结果（不含措施）"), "网络已恢复正常", "your service is back"
    ),
    rendering.Placeholder(
        "measures_short",
        "",
        gettext_lazy("处理措施（简短）"),
        "已冲正重复扣费",
        "the double charge was reversed",
    ),
    rendering.Placeholder(
        "outcome_short",
        "",
        gettext_lazy("处理结果（简短）"),
        "已退还多扣的 30 元",
        "the 30 yuan was refunded",
    ),
    rendering.Placeholder(
        "compensation_short", "", gettext_lazy("补偿（简短）"), "赠送 10 元话费", "10 yuan credit"
    ),
    # An extended statutory decision deadline (regulation): the day as people say it, and why.
    rendering.Placeholder(
        "decision_day", "", gettext_lazy("作出处理决定的最晚日期"), "11月19日（周四）", "Thursday 19 November"
    ),
    rendering.Placeholder(
        "extension_reason",
        "",
        gettext_lazy("延长理由"),
        "需调取跨行交易记录",
        "we need the other bank's records",
    ),
    rendering.Placeholder(
        "extension_reason_short",
        "",
        gettext_lazy("延长理由（简短）"),
        "需调取跨行交易记录",
        "we need the other bank's records",
    ),
    rendering.Placeholder(
        "provisional_note", "", gettext_lazy("时限暂定说明"), "（时限为暂定）", " (provisional)"
    ),
)
# How the customer will hear the result, as a sentence says it ("… by email"), by preferred channel.
HEAR_BACK = {
    "phone": pgettext_lazy("hear back by", "电话"),
    "sms": pgettext_lazy("hear back by", "短信"),
    "email": pgettext_lazy("hear back by", "电子邮件"),
    "wechat": pgettext_lazy("hear back by", "微信"),
    "letter": pgettext_lazy("hear back by", "信函"),
}
KNOWN_PLACEHOLDERS = rendering.PLACEHOLDER_NAMES | {p.name for p in NOTIFICATION_PLACEHOLDERS}
LANGUAGES = ("zh-hans", "en")
DEFAULT_MAX_SEGMENTS = 3


def notification_language(language: str | None) -> str:
    language = rendering.language_normalise(language)
    return language if language in LANGUAGES else LANGUAGES[0]


def message_language(complaint) -> str:
    """The language of every message about `complaint`: the case's own, the language the customer wrote that
    complaint in, else their record's. A customer who once filed in Chinese and now files in English hears
    about the new case in English and about the old one still in Chinese."""
    return notification_language(complaint.language or complaint.customer.language)


def sms_signature() -> str:
    return getattr(settings, "NOTIFY_SMS_SIGNATURE", "") or brand_name()


def sms_max_segments() -> int:
    return int(getattr(settings, "NOTIFY_SMS_MAX_SEGMENTS", DEFAULT_MAX_SEGMENTS) or DEFAULT_MAX_SEGMENTS)


_ABSOLUTE = re.compile(r"^https?://", re.IGNORECASE)
# A web address (its characters are ASCII) with a character right after it that is not: "进度：https://…。".
# Phones' SMS and mail apps take such a character (。，）or a 汉字) into the link they make, and the
# customer's tap opens a page that does not exist.
_GLUED_ADDRESS = re.compile(r"(https?://[!-~]+)(?=[^\x00-\x7f])", re.IGNORECASE)


# A short form cut with "…" ({cause_short} and the like) before the template's full stop: "…。", "…." read
# as a slip; the ellipsis ends the sentence by itself.
_STOP_AFTER_ELLIPSIS = re.compile(r"…[。.](?![.])")


def stops_after_ellipsis_dropped(text: str) -> str:
    return _STOP_AFTER_ELLIPSIS.sub("…", text)


def links_apart(text: str) -> str:
    """`text` with a space after every web address that a non-ASCII character follows directly, so that
    the link a phone makes of it ends where the address ends, whatever punctuation the template put after
    it."""
    return _GLUED_ADDRESS.sub(r"\1 ", text)


def public_url(address: str) -> str:
    """An address a customer can open from a message on their phone: absolute, with PUBLIC_BASE_URL (else
    STAFF_BASE_URL) in front of a path. Every link in a customer message goes through here."""
    address = (address or "").strip()
    if not address or _ABSOLUTE.match(address):
        return address
    base = (getattr(settings, "PUBLIC_BASE_URL", "") or getattr(settings, "STAFF_BASE_URL", "") or "").strip()
    return base.rstrip("/") + "/" + address.lstrip("/")


def track_url(case_number: str, language: str = LANGUAGES[0]) -> str:
    """Where the customer tracks the case, the one builder of that link for every message: NOTIFY_TRACK_URL
    ({case_number} filled in), else the portal's short link /t/<number>, which opens the tracking page with
    the number filled in; /t/<number>/en from a message in English, so that the page speaks the message's
    language on a phone set to Chinese. Short, for an SMS to stay within its segments; always absolute."""
    pattern = getattr(settings, "NOTIFY_TRACK_URL", "") or ""
    if pattern:
        return public_url(rendering.render(pattern, {"case_number": case_number}).text)
    prefix = pass_cached(("notifications.track_prefix",), _track_prefix)  # once per SLA batch
    if not prefix:  # the portal is not installed: the message says to quote the number
        return ""
    path = prefix + quote(case_number, safe="")
    if notification_language(language) != LANGUAGES[0]:
        path += "/" + notification_language(language)
    return public_url(path)


def _track_prefix() -> str:
    """The short link's path before the case number ("/t/")."""
    try:
        return reverse("track:case", kwargs={"number": "_"}).removesuffix("_")
    except NoReverseMatch:
        return ""


def notification_values(
    *, complaint, language: str, extra: dict | None = None, needed: frozenset[str] | None = None
) -> dict[str, str]:
    """Placeholder values for a message about `complaint` in `language`; `extra` (progress, result,
    cause, compensation, survey_url …) overrides. Times are in the organisation's zone. `needed`: the
    placeholders the template uses, when known (other apps' values it does not use are not read)."""
    language = notification_language(language)
    values = script_values(complaint=complaint, agent=None, language=language, needed=needed)
    with translation.override(language):
        if complaint.first_response_due_at:
            # "" when already past (recorded late): the message then says "as soon as possible".
            values["reply_by"] = case_deadline_text(
                complaint=complaint, at=complaint.first_response_due_at, language=language
            )
            if not values["reply_by"]:
                values["reply_soon"] = _("尽快")
        preferred = complaint.customer.preferred_channel
        values["hear_back"] = str(
            HEAR_BACK.get(preferred) or complaint.customer.get_preferred_channel_display()
        )
        # The status in the customer's words for the contact's kind (an answered inquiry is 已答复, not 已归档;
        # a new case 已登记，等待处理, not the 待受理 that would contradict "您的投诉已受理").
        values["status"] = customer_status_label(complaint.status, complaint.kind)
        if complaint.deadline_provisional:
            values["provisional_note"] = _("（时限为暂定）")
    if url := track_url(complaint.number, language):
        values["track_url"] = url
    for name, value in (extra or {}).items():
        text = "" if value is None else str(value).strip()
        if text:
            values[rendering.canonical(name)] = text
    for name in ("track_url", "survey_url"):  # links given by callers too
        if values.get(name):
            values[name] = public_url(values[name])
    return values


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    params: dict[str, str]
    segments: int
    missing: list[str] = field(default_factory=list)


def template_render(
    *, channel: str, subject: str, body: str, provider_fields: dict, values: dict, recipient: str = ""
) -> Rendered:
    """Fill a template. Every web address in it stands apart from the text after it (`links_apart`). SMS:
    the body gets the 【signature】 and is counted in segments; when no provider fields are set, the
    provider's template parameters are the placeholders the body uses."""
    missing: list[str] = []

    def fill(text: str) -> str:
        result = rendering.render(text or "", values)
        missing.extend(name for name in result.missing if name not in missing)
        return stops_after_ellipsis_dropped(links_apart(result.text)).strip()

    subject_text, body_text = fill(subject), fill(body)
    if provider_fields:
        params = {str(name): fill(str(text)) for name, text in provider_fields.items()}
    elif channel == NotificationChannel.SMS:
        params = {name: values[name] for name in rendering.placeholders_in(body) if name in values}
    else:
        params = {}
    segments = 0
    if channel == NotificationChannel.SMS:
        body_text = sms_sign(body_text, brand=sms_signature())
        segments = sms_segments(body_text, domestic=is_domestic(recipient))
    return Rendered(subject=subject_text, body=body_text, params=params, segments=segments, missing=missing)


def deadline_said_twice(rendered: Rendered, values: dict) -> bool:
    """Whether the message states the promised deadline more than once: a caller's text (an agent's reply
    sent as {progress}) already says it, as the reply checker asks, and the template adds it again."""
    deadline = values.get("deadline") or ""
    return bool(deadline) and rendered.body.count(deadline) > 1


# The longest a day and a time read ("Wednesday", "September") and a survey link's token (22 characters,
# surveys.links): an SMS template is measured as long as a real message can be.
# Said by common.phrasing as every message says them, so the check follows the wording if it changes.
_LONGEST_DAY = dt.date(2026, 9, 30)  # a Wednesday in September
SAMPLE_TIME = {
    language: customer_day_and_time(_LONGEST_DAY, "17:00", language=language, today=_LONGEST_DAY)
    for language in ("zh-hans", "en")
}
SAMPLE_DAY = {
    language: customer_day(_LONGEST_DAY, language=language, today=_LONGEST_DAY)
    for language in ("zh-hans", "en")
}
SAMPLE_SURVEY_PATH = "/s/8K2xQ7mPz4LwN9cVb3RtYe"


def sample_values(language: str) -> dict[str, str]:
    """Example values as long as a real case's: the longest date words, a 16-character case number, and the
    tracking and survey links as they go out (with PUBLIC_BASE_URL), not a short stand-in, so that the check
    of an SMS template's length counts what the customer's phone receives."""
    language = notification_language(language)
    english = language == "en"
    values = rendering.sample_values(language)
    values.update({p.name: (p.example_en if english else p.example_zh) for p in NOTIFICATION_PLACEHOLDERS})
    values["brand"] = brand_name()
    values["reply_by"] = values["deadline"] = SAMPLE_TIME[language]
    values["decision_day"] = SAMPLE_DAY[language]
    values["track_url"] = track_url(values["case_number"], language) or values["track_url"]
    values["survey_url"] = public_url(SAMPLE_SURVEY_PATH)
    return values


def template_errors(
    *, channel: str, language: str, subject: str, body: str, provider_fields: dict | None = None
) -> dict[str, list[str]]:
    """Why a template cannot be saved: an empty body, a placeholder nothing fills, an email without a
    subject, an SMS longer than NOTIFY_SMS_MAX_SEGMENTS segments with the example values."""
    errors: dict[str, list[str]] = {}
    if not (body or "").strip():
        errors["body"] = [_("此项为必填项")]
    if channel == NotificationChannel.EMAIL and not (subject or "").strip():
        errors["subject"] = [_("邮件需要标题")]
    if not isinstance(provider_fields or {}, dict):
        errors["provider_fields"] = [_('应为 JSON 对象，例如 {"keyword1": "{case_number}"}')]
        provider_fields = {}
    texts = {"subject": subject or "", "body": body or ""}
    texts.update({"provider_fields": " ".join(str(v) for v in (provider_fields or {}).values())})
    for name, text in texts.items():
        unknown = [p for p in rendering.placeholders_in(text) if p not in KNOWN_PLACEHOLDERS]
        if unknown:
            errors.setdefault(name, []).append(
                _("未知的占位符：%(names)s") % {"names": "、".join(f"{{{n}}}" for n in unknown)}
            )
    if channel == NotificationChannel.SMS and "body" not in errors:
        rendered = template_render(
            channel=channel, subject="", body=body, provider_fields={}, values=sample_values(language)
        )
        if rendered.segments > sms_max_segments():
            errors["body"] = [
                _("短信过长：按示例取值共 %(length)d 字（含签名），计 %(segments)d 条，最多 %(limit)d 条")
                % {"length": len(rendered.body), "segments": rendered.segments, "limit": sms_max_segments()}
            ]
    return errors


def placeholder_help() -> str:
    scripts = "  ".join(f"{{{p.name}}} {p.label}" for p in rendering.PLACEHOLDERS)
    ours = "  ".join(f"{{{p.name}}} {p.label}" for p in NOTIFICATION_PLACEHOLDERS)
    return _("占位符：%(names)s。[[ … ]] 内的内容在缺少取值时整段省略。") % {"names": f"{scripts}  {ours}"}
