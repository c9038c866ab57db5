"""Training cases and the daily service log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExampleKind(models.TextChoices):
    GOOD = "good", _("正面案例")
    BAD = "bad", _("反面案例")


class Consent(models.TextChoices):
    ASKED = "asked", _("待经办人同意")
    GRANTED = "granted", _("经办人已同意")
    DECLINED = "declined", _("经办人不同意")
    # Not answered within LEARNING_CONSENT_EXPIRE_DAYS: not published; the handler may still agree later.
    EXPIRED = "expired", _("经办人未答复，已过期")


class TrainingCase(models.Model):
    """A closed case chosen as a good or a bad example. Its text is a copy with personal data removed, so
    the library may be read across units; it is published only once the case's handler has agreed."""

    complaint = models.OneToOneField(
        "complaints.Complaint",
        verbose_name=_("来源案例"),
        on_delete=models.PROTECT,
        related_name="training_case",
    )
    kind = models.CharField(_("案例类型"), max_length=8, choices=ExampleKind.choices)
    title = models.CharField(_("标题"), max_length=100)
    lesson = models.TextField(_("学习要点"))
    narrative = models.TextField(_("案例经过（已去除个人信息）"))
    category = models.ForeignKey(
        "complaints.Category", verbose_name=_("类别"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )
    consent = models.CharField(_("经办人意见"), max_length=10, choices=Consent.choices, default=Consent.ASKED)
    consent_at = models.DateTimeField(_("表态时间"), null=True, blank=True)
    consent_note = models.CharField(_("经办人说明"), max_length=200, blank=True)
    curated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("推荐人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("推荐时间"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    # The handler reminded once of an unanswered question (learning.services.consent_reminders_send).
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    expired_at = models.DateTimeField(_("过期时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("培训案例")
        verbose_name_plural = _("培训案例")
        indexes = [
            models.Index(
                fields=["-published_at", "-id"],
                name="learning_published",
                condition=Q(published_at__isnull=False),
            ),
            models.Index(fields=["handler", "consent"], name="learning_handler_consent"),
            # The reminder job: the questions still waiting, oldest first.
            models.Index(
                fields=["created_at", "id"], name="learning_asked_created", condition=Q(consent="asked")
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ServiceLogEntry(models.Model):
    """An agent's note on their day: what went well, what to improve. One per agent and day."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("客服人员"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("日期"))
    went_well = models.TextField(_("做得好的"), blank=True)
    to_improve = models.TextField(_("待改进的"), blank=True)
    created_at = models.DateTimeField(_("填写时间"))
    updated_at = models.DateTimeField(_("修改时间"))

    class Meta:
        verbose_name = _("服务日志")
        verbose_name_plural = _("服务日志")
        constraints = [models.UniqueConstraint(fields=["agent", "day"], name="learning_log_one_per_day")]
        indexes = [models.Index(fields=["-day", "agent"], name="learning_log_day")]

    def __str__(self) -> str:
        return f"{self.agent} {self.day}"
