"""What the channels app stores itself: the messages it has already taken in, by the channel's own id."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from complaintdesk.complaints.models import Channel, Complaint


class ReceivedMessage(models.Model):
    """One row per message a channel delivered with an id of its own (WeChat MsgId, email Message-ID).

    The row is claimed before the message is taken in, in the same transaction, so a retry or a second
    delivery of the same message (WeChat sends it up to three times in 15 s; a mailbox can be polled twice)
    finds the row and is answered from the case it led to instead of opening another one.
    """

    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    external_id = models.CharField(_("渠道消息编号"), max_length=255)
    complaint = models.ForeignKey(
        Complaint, verbose_name=_("投诉"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_case = models.BooleanField(_("新建投诉"), default=False)
    received_at = models.DateTimeField(_("接收时间"))

    class Meta:
        verbose_name = _("已接收渠道消息")
        verbose_name_plural = _("已接收渠道消息")
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="received_message_once"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.external_id}"


class InboundEmailOutcome(models.TextChoices):
    OPENED = "opened", _("新建投诉")
    APPENDED = "appended", _("已追加到投诉")
    IGNORED = "ignored", _("自动回复或退信，已忽略")
    REFUSED = "refused", _("无法受理")
    FAILED = "failed", _("处理失败，等待重试")
    GAVE_UP = "gave_up", _("多次处理失败，已放弃")


def inbound_email_upload_to(instance, filename: str) -> str:
    return f"mail/{instance.polled_at:%Y/%m}/{instance.sha256}.eml"


class InboundEmail(models.Model):
    """Every mail the poller took from the mailbox and what became of it, with the original kept.

    The original (.eml) stays here, in Django's storage, rather than among the case's attachments: the
    evidence list takes photos and PDFs sniffed by content and offers them for download, while a mail
    carries HTML, scripts and whatever files it came with (refused ones included). One row per mail
    (Message-ID, or the SHA-256 of a mail without one): a mail polled twice finds its row.
    """

    external_id = models.CharField(_("邮件编号（Message-ID）"), max_length=255, unique=True)
    sender = models.CharField(_("发件人"), max_length=254, blank=True)
    subject = models.CharField(_("主题"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    polled_at = models.DateTimeField(_("收取时间"))
    outcome = models.CharField(_("处理结果"), max_length=16, choices=InboundEmailOutcome.choices)
    reason = models.TextField(_("说明"), blank=True)
    complaint = models.ForeignKey(
        Complaint, verbose_name=_("投诉"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(_("处理次数"), default=1)
    raw = models.FileField(_("原始邮件"), upload_to=inbound_email_upload_to, max_length=200, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("收到的邮件")
        verbose_name_plural = _("收到的邮件")
        ordering = ["-polled_at", "-id"]

    def __str__(self) -> str:
        return f"{self.sender} {self.subject}"[:100]
