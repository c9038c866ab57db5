"""The one shape every outbound channel has: `Notifier.send(message) -> SendResult`.

A channel package (`sms/`, `email/`, `wechat/`) holds one Notifier. `send` never raises for what a
provider or the network does: it answers with a SendResult that says whether it went out, the
provider's id for it, and — when it did not — whether trying again later can help. The delivery task
(`tasks.deliver_notification`) owns retries, the log and the timeline; notifiers only talk to providers.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


class NotificationChannel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")
    WECHAT = "wechat", _("微信模板消息")


@dataclass(frozen=True)
class OutboundMessage:
    """What goes to one recipient. `body` is the whole text as the customer reads it (an SMS with its
    brand signature); `params` are the provider's template fields (Aliyun TemplateParam, WeChat
    template data), already filled; `reference` is our id of it (the notification row), sent to
    providers that keep one (Aliyun OutId) so a delivery can be traced back."""

    channel: str
    recipient: str
    language: str
    subject: str
    body: str
    template_code: str
    complaint_id: int | None = None
    provider_template_id: str = ""
    params: dict[str, str] = field(default_factory=dict)
    reference: str = ""


@dataclass(frozen=True)
class SendResult:
    ok: bool
    provider_message_id: str = ""
    error: str = ""
    # False when the provider said this message can never go out as it is (an invalid number, a
    # recipient who unfollowed the account): the delivery gives up at once instead of retrying.
    retryable: bool = True

    @classmethod
    def sent(cls, provider_message_id: str = "") -> "SendResult":
        return cls(ok=True, provider_message_id=provider_message_id)

    @classmethod
    def failed(cls, error: str, *, retryable: bool = True) -> "SendResult":
        return cls(ok=False, error=error[:2000], retryable=retryable)


class Notifier(ABC):
    channel: ClassVar[str]

    @abstractmethod
    def send(self, message: OutboundMessage) -> SendResult:
        """Hand `message` to the provider once. No retries here; never raises for provider errors."""


# Dotted paths of the notifier of each channel; settings.NOTIFY_NOTIFIERS overrides any of them.
DEFAULT_NOTIFIERS = {
    NotificationChannel.SMS: "complaintdesk.notifications.sms.SmsNotifier",
    NotificationChannel.EMAIL: "complaintdesk.notifications.email.EmailNotifier",
    NotificationChannel.WECHAT: "complaintdesk.notifications.wechat.WechatNotifier",
}


def notifier_for(channel: str) -> Notifier:
    """A notifier for `channel`, built from the settings as they are now (tests change them)."""
    paths = {**DEFAULT_NOTIFIERS, **getattr(settings, "NOTIFY_NOTIFIERS", {})}
    if channel not in paths:
        raise ValueError(f"no notifier for channel {channel!r}")
    return import_string(paths[channel])()
