"""What members of staff are told: one row per person and notice, read in the workbench (the header's
count, the notifications page) and, when they have an address, sent to them by e-mail.

Foundation layer: no import of the core or process apps. A notice about a case keeps the case's number
and id as plain values (no foreign key), so this app migrates and works below the complaints app."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    NONE = "none", _("不发邮件")
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败，等待重试")
    GAVE_UP = "gave_up", _("已放弃")


class StaffNotification(models.Model):
    """One notice to one member of staff. `kind` says which notice it is (for filtering and tests; never
    shown); `title` and `body` are in the recipient's language as written; `link` is the workbench path
    the notice opens (made absolute with STAFF_BASE_URL in the e-mail)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("通知类别"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=500, blank=True)
    language = models.CharField(_("语言"), max_length=10)
    case_number = models.CharField(_("投诉单号"), max_length=32, blank=True)
    complaint_id = models.BigIntegerField(_("投诉编号"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("通知时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    email_status = models.CharField(
        _("邮件"), max_length=16, choices=EmailStatus.choices, default=EmailStatus.NONE
    )
    email_to = models.CharField(_("邮箱"), max_length=254, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("邮件尝试次数"), default=0)
    email_error = models.TextField(_("邮件错误"), blank=True)
    email_sent_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    email_next_attempt_at = models.DateTimeField(_("邮件下次尝试"), null=True, blank=True)

    class Meta:
        verbose_name = _("员工通知")
        verbose_name_plural = _("员工通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="inbox_user_created"),
            # The header's count: a person's unread notices.
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="inbox_user_unread"),
            # The retry sweep: e-mails waiting for their next attempt.
            models.Index(
                fields=["email_next_attempt_at"],
                condition=Q(email_status__in=["queued", "failed"]),
                name="inbox_email_due",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
