"""WeChat official account: a wechatpy message → InboundMessage, and the passive reply XML.

The customer is known by their OpenID (IntakeCustomer.wechat_openid); WeChat does not tell an
official account a name, so a new customer is "微信用户" until an agent learns more. A text (or a
voice message WeChat has recognised) is a complaint: its first line, shortened, is the title, the whole
text the description. Images, voice without recognition, video, locations and links are notes that
belong on the customer's open case. Their media is not in the message: an image is fetched afterwards
by a task (channels.wechat.tasks, through the account's API with NOTIFY_WECHAT's AppSecret) and attached;
the note on the case says so and keeps the MediaId and link, so an agent can find it if that fails.
"""

import enum

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from wechatpy.events import SubscribeEvent, SubscribeScanEvent
from wechatpy.messages import (
    BaseMessage,
    ImageMessage,
    LinkMessage,
    LocationMessage,
    ShortVideoMessage,
    TextMessage,
    VideoMessage,
    VoiceMessage,
)
from wechatpy.replies import TextReply

from complaintdesk.channels.acknowledge import receipt_text
from complaintdesk.channels.base import ChannelAdapter, InboundMessage, Reply
from complaintdesk.channels.kinds import kind_detect
from complaintdesk.common.errors import InvalidInput
from complaintdesk.complaints.models import Channel, ContactChannel
from complaintdesk.complaints.services import IntakeCustomer, IntakeData

TITLE_CHARS = 30
# WeChat cuts a passive text reply at 2048 bytes (UTF-8); Chinese is 3 bytes a character.
REPLY_MAX_BYTES = 2048


class Kind(enum.StrEnum):
    TEXT = "text"  # a complaint, or more said about the open one
    NOTE = "note"  # media, a location or a link: only as an addition to an open case
    EMPTY = "empty"  # a text with nothing in it
    SUBSCRIBE = "subscribe"  # followed the account: welcome, and how to complain
    OTHER = "other"  # unsubscribe, menu clicks, unknown types: nothing to say


def message_kind(message: BaseMessage) -> Kind:
    if isinstance(message, TextMessage):
        return Kind.TEXT if (message.content or "").strip() else Kind.EMPTY
    if isinstance(message, VoiceMessage) and (message.recognition or "").strip():
        return Kind.TEXT
    if isinstance(
        message,
        ImageMessage | VoiceMessage | VideoMessage | ShortVideoMessage | LocationMessage | LinkMessage,
    ):
        return Kind.NOTE
    if isinstance(message, SubscribeEvent | SubscribeScanEvent):
        return Kind.SUBSCRIBE
    return Kind.OTHER


def what_was_sent(message: BaseMessage) -> str:
    """The kind of thing the customer sent, for the reply ("已收到您发送的图片")."""
    if isinstance(message, ImageMessage):
        return _("图片")
    if isinstance(message, VoiceMessage):
        return _("语音")
    if isinstance(message, VideoMessage | ShortVideoMessage):
        return _("视频")
    if isinstance(message, LocationMessage):
        return _("位置")
    if isinstance(message, LinkMessage):
        return pgettext("kind of message received", "链接")
    return _("消息")


def _title(text: str) -> str:
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first_line if len(first_line) <= TITLE_CHARS else first_line[: TITLE_CHARS - 1] + "…"


def _text_of(message: BaseMessage) -> str:
    if isinstance(message, TextMessage):
        return (message.content or "").strip()
    return _("%(text)s\n（语音消息，微信语音识别的文字）") % {"text": (message.recognition or "").strip()}


def _note_of(message: BaseMessage) -> str:
    """What an agent sees on the case for a message that is not text."""
    kept = _("微信临时素材只保留 3 天，请在此之前按 MediaId 在微信公众平台查看。")
    if isinstance(message, ImageMessage):
        note = _(
            "[图片] 客户发来一张图片，系统会从微信下载并作为附件加入本投诉单；"
            "如附件没有出现（未配置公众号 AppSecret 或微信接口不可达），%(kept)s MediaId：%(media_id)s"
        ) % {"kept": kept, "media_id": message.media_id or "—"}
        return note + (_("；图片链接：%(url)s") % {"url": message.image} if message.image else "")
    if isinstance(message, VoiceMessage | VideoMessage | ShortVideoMessage):
        what = _("语音") if isinstance(message, VoiceMessage) else _("视频")
        return _(
            "[%(what)s] 客户发来一段%(what)s，系统不自动保存（附件只收照片和 PDF）。%(kept)s MediaId：%(media_id)s"
        ) % {
            "what": what,
            "kept": kept,
            "media_id": message.media_id or "—",
        }
    if isinstance(message, LocationMessage):
        return _("[位置] %(label)s（纬度 %(x)s，经度 %(y)s）") % {
            "label": message.label or "",
            "x": message.location_x or "—",
            "y": message.location_y or "—",
        }
    return _("[链接] %(title)s %(url)s\n%(description)s") % {
        "title": message.title or "",
        "url": message.url or "",
        "description": message.description or "",
    }


def reply_text_fit(text: str) -> str:
    """At most REPLY_MAX_BYTES of UTF-8, cut at a character, with "…" when cut."""
    if len(text.encode("utf-8")) <= REPLY_MAX_BYTES:
        return text
    cut = text.encode("utf-8")[: REPLY_MAX_BYTES - len("…".encode())].decode("utf-8", errors="ignore")
    return cut + "…"


def _cdata_safe(text: str) -> str:
    # wechatpy wraps text in <![CDATA[…]]> as is: a "]]>" in it (a customer's name from another
    # channel, say) would end the section and inject markup. Split it across two sections instead.
    return text.replace("]]>", "]]]]><![CDATA[>")


class WeChatChannelAdapter(ChannelAdapter):
    channel = Channel.WECHAT

    def parse(self, raw: BaseMessage) -> InboundMessage:
        """A text / recognised voice → a complaint message; media, location, link → a note for the open
        case (the caller sets `case_number`). Anything else cannot be taken in."""
        kind = message_kind(raw)
        if kind == Kind.TEXT:
            text = _text_of(raw)
            title, description = _title(text), text
        elif kind == Kind.NOTE:
            title, description = "", _note_of(raw)
        else:
            raise InvalidInput({"MsgType": [_("这类微信消息不能登记为投诉")]})
        customer = IntakeCustomer(
            name=_("微信用户"), wechat_openid=raw.source or "", preferred_channel=ContactChannel.WECHAT
        )
        # 咨询 / 建议 / 表扬 from the first message's words, else a complaint (channels.kinds), said on the
        # timeline; a note (a picture, a place) is never guessed.
        guess = kind_detect(subject="", text=description if kind == Kind.TEXT else "")
        with translation.override(settings.LANGUAGE_CODE):
            kind_note = guess.note()
        data = IntakeData(
            channel=self.channel, title=title, description=description, customer=customer, language="zh-hans",
            kind=guess.kind, kind_note=kind_note,
        )  # fmt: skip
        return InboundMessage(data=data, external_id=str(raw.id or ""))

    def send_reply(self, *, complaint=None, text: str = "", message: BaseMessage | None = None) -> Reply:
        """The passive reply to `message`: `text`, or the receipt of `complaint` (no deadlines: those come with
        the acknowledgement, after the automatic analysis). Its CreateTime is
        the message's, so that every retry of one message is answered with the same bytes."""
        if message is None:
            raise ValueError("a passive reply answers a message")
        text = reply_text_fit(text or receipt_text(complaint))
        reply = TextReply(
            source=message.target, target=message.source, time=message.time, content=_cdata_safe(text)
        )
        detail = {"xml": reply.render()}
        if complaint is not None:
            detail["number"] = complaint.number
        return Reply(channel=self.channel, text=text, delivered=True, detail=detail)
