"""What the customer portal stores: one-time codes sent to the contact a case was filed with, and the
access a verified code grants (to that one case, for a short while).

Neither holds a secret in clear: a code is kept as a keyed hash (SECRET_KEY, per-row salt), a grant as
the SHA-256 of the random token the visitor's session carries.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from complaintdesk.complaints.models import Complaint


class CodeChannel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class AccessCode(models.Model):
    """A one-time code for tracking one case. Live while unused, not voided, not expired and under its
    attempt limit; a newer code for the same case voids the older ones."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("发送渠道"), max_length=8, choices=CodeChannel.choices)
    recipient_masked = models.CharField(_("接收人（已遮盖）"), max_length=254)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("创建时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("验证次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    delivered = models.BooleanField(_("已送出"), default=False)
    delivery_error = models.CharField(_("发送错误"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("查询验证码")
        verbose_name_plural = _("查询验证码")
        indexes = [models.Index(fields=["complaint", "-created_at"], name="portal_code_complaint")]

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.recipient_masked}"


class AccessGrant(models.Model):
    """What a verified code earns: access to that one case from the session that verified it, until
    `expires_at`."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.OneToOneField(
        AccessCode, verbose_name=_("验证码"), on_delete=models.PROTECT, related_name="grant"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("查询授权")
        verbose_name_plural = _("查询授权")

    def __str__(self) -> str:
        return f"{self.complaint_id} until {self.expires_at:%Y-%m-%d %H:%M}"
