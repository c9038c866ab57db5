"""Taking in a message a WeChat user sent the official account, and what to answer them.

A text opens a complaint, or — when the customer (by OpenID) has a case still open that was opened
within WECHAT_CALLBACK["APPEND_WINDOW_DAYS"] — is added to that case as a customer message. Media,
locations and links are added to the open case, never open one on their own. Each message is taken in
at most once per MsgId (`intake_receive_once`: WeChat retries an unanswered message three times in
15 s), and the answer is built from the stored case, so every retry gets the same reply. Intake only
stores; enrichment and notifications are queued after commit, well within WeChat's 5 s. The reply to a
new case says it is registered and its number, and no time: the acknowledgement sent after the automatic
analysis (on the customer's channel, a WeChat message for them) is what promises the deadlines.
"""

import datetime as dt
import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from wechatpy.messages import BaseMessage, ImageMessage

from complaintdesk.channels.acknowledge import case_form_name, receipt_text
from complaintdesk.channels.intake import intake_receive_once
from complaintdesk.channels.services import channel_actor
from complaintdesk.common.errors import DomainError, InvalidInput
from complaintdesk.common.taskslot import TaskSlot
from complaintdesk.common.time import now
from complaintdesk.complaints.attachments import attachment_add
from complaintdesk.complaints.models import Channel, Complaint
from complaintdesk.notifications.wechat import wechat_client

from .adapter import Kind, WeChatChannelAdapter, message_kind, what_was_sent
from .selectors import complaint_open_number_for_openid

logger = logging.getLogger(__name__)

# tasks.wechat_image_attach_task, registered by ChannelsConfig.ready() (tasks.py imports this module).
IMAGE_TASK = TaskSlot("channels.wechat.tasks.wechat_image_attach_task")


@dataclass(frozen=True)
class WeChatAnswer:
    text: str  # the passive reply; "" when there is nothing to say (WeChat is answered "success")
    complaint: Complaint | None = None
    created: bool = False
    duplicate: bool = False


def welcome_text() -> str:
    return _(
        "感谢关注！遇到问题、想咨询、有建议或想表扬，请直接在这里用文字告诉我们，"
        "我们会立即登记并回复受理单号。之后发来的文字、图片会补充到同一单。"
    )


def text_first_text() -> str:
    return _(
        "请先用文字告诉我们您的问题或想法，我们会为您登记并回复受理单号；之后发来的图片、语音、位置会补充到这一单。"
    )


def too_frequent_text() -> str:
    return _("您发送得太频繁了，请稍后再发。")


def _appended_text(*, message: BaseMessage, kind: Kind, complaint: Complaint) -> str:
    """The case is known: it is named as what it is (咨询单, not 投诉单, for a question)."""
    case = case_form_name(complaint.kind)
    if kind == Kind.NOTE:
        return _("已收到您发送的%(what)s，已补充到%(case)s %(number)s。") % {
            "what": what_was_sent(message),
            "case": case,
            "number": complaint.number,
        }
    return _("已收到您的补充，已记入%(case)s %(number)s，我们会尽快处理。查询进度请提供单号。") % {
        "case": case,
        "number": complaint.number,
    }


def _refused_text(error: InvalidInput) -> str:
    reasons = [reason for messages in error.fields.values() for reason in messages] or [error.message]
    return _("抱歉，您的消息未能登记：%(reason)s") % {"reason": "；".join(reasons)}


def wechat_message_receive(*, message: BaseMessage, append_window_days: int = 30) -> WeChatAnswer:
    """Take in one message from a WeChat user (signature and XML already checked) and say what to
    answer. A message that cannot be taken in is answered with why; it writes nothing."""
    kind = message_kind(message)
    if kind == Kind.SUBSCRIBE:
        return WeChatAnswer(text=welcome_text())
    if kind == Kind.OTHER:
        return WeChatAnswer(text="")
    if kind == Kind.EMPTY:
        return WeChatAnswer(text=text_first_text())
    actor = channel_actor(channel=Channel.WECHAT)
    adapter = WeChatChannelAdapter()
    try:
        inbound = adapter.parse(message)
    except InvalidInput as error:
        return WeChatAnswer(text=_refused_text(error))
    since = now() - dt.timedelta(days=append_window_days) if append_window_days else None
    inbound.case_number = complaint_open_number_for_openid(openid=message.source, actor=actor, since=since)
    if kind == Kind.NOTE and not inbound.case_number:
        return WeChatAnswer(text=text_first_text())
    try:
        result = intake_receive_once(message=inbound, actor=actor)
    except InvalidInput as error:
        return WeChatAnswer(text=_refused_text(error))
    complaint = result.complaint
    if isinstance(message, ImageMessage) and message.media_id and not result.duplicate:
        _image_fetch_queue(number=complaint.number, media_id=message.media_id, msg_id=inbound.external_id)
    if result.created:
        text = receipt_text(complaint)  # the acknowledgement, with the deadlines, follows after the analysis
    else:
        text = _appended_text(message=message, kind=kind, complaint=complaint)
    return WeChatAnswer(text=text, complaint=complaint, created=result.created, duplicate=result.duplicate)


def _image_fetch_queue(*, number: str, media_id: str, msg_id: str) -> None:
    def enqueue() -> None:
        try:
            IMAGE_TASK.get().enqueue(number, media_id, msg_id)
        except Exception:  # the note on the case keeps the MediaId; the customer's message is stored
            logger.exception("could not queue the download of WeChat image %s for %s", media_id, number)

    transaction.on_commit(enqueue, robust=True)


def _media_download(*, media_id: str) -> tuple[bytes, str]:
    """The temporary material `media_id` from the account's API (with the notifier's client, which shares
    the access token through the cache: fetching a token of its own would invalidate the notifier's)."""
    response = wechat_client().media.download(media_id)
    if isinstance(response, dict):  # a JSON answer is not an image (video materials come as a URL)
        raise ValueError(f"WeChat answered JSON for media {media_id}")
    return response.content, response.headers.get("Content-Type", "")


def wechat_image_attach(*, number: str, media_id: str, msg_id: str) -> str:
    """Download an image a WeChat user sent and attach it to case `number` (at most once: the same bytes
    are not attached twice). Returns how it went; failures are logged, the note on the case stays."""
    config = getattr(settings, "NOTIFY_WECHAT", {}) or {}
    if not (config.get("APP_ID") and config.get("APP_SECRET")):
        logger.info(
            "WeChat image %s of %s not fetched: NOTIFY_WECHAT has no APP_ID/APP_SECRET", media_id, number
        )
        return "not_configured"
    try:
        content, content_type = _media_download(media_id=media_id)
    except ImportError:
        logger.warning("WeChat image %s of %s not fetched: no WeChat API client installed", media_id, number)
        return "not_configured"
    except Exception:  # network, HTTP or WeChat errcode: the agent still has the MediaId
        logger.warning("WeChat image %s of %s could not be fetched", media_id, number, exc_info=True)
        return "failed"
    actor = channel_actor(channel=Channel.WECHAT)
    try:
        _attachment, created = attachment_add(
            number=number,
            actor=actor,
            content=io.BytesIO(content),
            name=f"wechat-{msg_id or media_id}.jpg",
            declared_type=content_type,
            channel=Channel.WECHAT,
        )
    except DomainError as error:
        logger.warning("WeChat image %s of %s refused: %s %s", media_id, number, error.message, error.fields)
        return "refused"
    return "attached" if created else "already_attached"
