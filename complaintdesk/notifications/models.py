from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from complaintdesk.common.masking import mask_email, mask_phone, mask_text

from .base import NotificationChannel


class TemplateCode(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("受理告知")
    PROGRESS = "progress", _("处理进度")
    RESULT = "result", _("处理结果")
    SURVEY = "survey", _("满意度调查邀请")
    # The case went up a level: who holds it now and by when the customer will hear (SPEC §3).
    ESCALATED = "escalated", _("升级告知")
    # The acknowledgement of a contact that is not a complaint, in its own words (issue 19). Sent in place of
    # "acknowledgement" (the notification keeps that code: one acknowledgement per case).
    ACK_INQUIRY = "ack_inquiry", _("咨询受理告知")
    ACK_SUGGESTION = "ack_suggestion", _("建议收到告知")
    ACK_PRAISE = "ack_praise", _("表扬收到致谢")
    # The progress message (a reply on the case page, an incident's explanation) of a contact that is not a
    # complaint, in its own words; sent in place of "progress" (the notification keeps that code).
    PROGRESS_INQUIRY = "progress_inquiry", _("咨询答复")
    PROGRESS_SUGGESTION = "progress_suggestion", _("建议进展告知")
    PROGRESS_PRAISE = "progress_praise", _("表扬回复")
    # A regulated case's decision deadline was extended (issue 15): the new day and why.
    STATUTORY_EXTENSION = "statutory_extension", _("延期告知")


class NotificationLanguage(models.TextChoices):
    # Each language by its own name, in every interface language (not "英语" on Chinese pages).
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败，等待重试")
    GAVE_UP = "gave_up", _("已放弃")


class NotificationTemplate(models.Model):
    """The text of one kind of message on one channel in one language, editable in the admin.

    `subject` and `body` use the reply scripts' placeholder syntax ({case_number}, [[ optional ]]).
    `provider_template_id` is the provider's approved template (Aliyun TemplateCode SMS_…, WeChat
    template id); `provider_fields` maps the provider template's fields to texts in the same syntax,
    e.g. {"keyword1": "{case_number}"}.
    """

    code = models.CharField(_("消息类型"), max_length=32, choices=TemplateCode.choices)
    channel = models.CharField(_("渠道"), max_length=16, choices=NotificationChannel.choices)
    language = models.CharField(_("语言"), max_length=10, choices=NotificationLanguage.choices)
    subject = models.CharField(pgettext_lazy("message subject", "标题"), max_length=200, blank=True)
    body = models.TextField(_("内容"))
    provider_template_id = models.CharField(_("服务商模板编号"), max_length=100, blank=True)
    provider_fields = models.JSONField(_("服务商模板字段"), default=dict, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知模板")
        verbose_name_plural = _("通知模板")
        ordering = ["code", "channel", "language"]
        constraints = [
            models.UniqueConstraint(fields=["code", "channel", "language"], name="ntf_template_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} · {self.get_channel_display()} · {self.get_language_display()}"


def mask_recipient(channel: str, recipient: str) -> str:
    if not recipient:
        return ""
    if channel == NotificationChannel.SMS:
        return mask_phone(recipient)
    if channel == NotificationChannel.EMAIL:
        return mask_email(recipient)
    return mask_text(recipient, keep=3)


class Notification(models.Model):
    """One message to a customer about a case, and what became of it: the notification log.

    Written queued in the transaction that decides to notify; the delivery task claims it (status
    queued/failed → sending, in one conditional UPDATE), sends it once, and records sent, failed (with
    the time of the next attempt) or gave_up. The recipient is kept in full for the sending and shown
    masked everywhere else.
    """

    complaint = models.ForeignKey(
        "complaints.Complaint", verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="notifications"
    )
    template = models.ForeignKey(
        NotificationTemplate,
        verbose_name=_("模板"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    template_code = models.CharField(_("消息类型"), max_length=32, choices=TemplateCode.choices)
    channel = models.CharField(_("渠道"), max_length=16, choices=NotificationChannel.choices)
    recipient = models.CharField(_("接收人"), max_length=254)
    language = models.CharField(_("语言"), max_length=10)
    subject = models.CharField(pgettext_lazy("message subject", "标题"), max_length=200, blank=True)
    body = models.TextField(_("内容"))
    params = models.JSONField(_("服务商模板字段"), default=dict, blank=True)
    segments = models.PositiveSmallIntegerField(_("短信条数"), default=0)
    status = models.CharField(
        _("状态"), max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    provider_message_id = models.CharField(_("服务商消息编号"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    last_attempt_at = models.DateTimeField(_("最近尝试时间"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知记录")
        verbose_name_plural = _("通知记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["complaint", "created_at"], name="ntf_complaint_created"),
            # The retry sweep: rows waiting for their next attempt, oldest due first.
            models.Index(
                fields=["next_attempt_at"], condition=Q(status__in=["queued", "failed"]), name="ntf_due"
            ),
        ]
        constraints = [
            # A case is acknowledged once, whoever asks how often (intake retries, redone tasks).
            models.UniqueConstraint(
                fields=["complaint"],
                condition=Q(template_code="acknowledgement"),
                name="ntf_one_acknowledgement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_template_code_display()} → {self.recipient_masked} ({self.get_status_display()})"

    @property
    def recipient_masked(self) -> str:
        return mask_recipient(self.channel, self.recipient)
