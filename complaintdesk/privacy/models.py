"""Personal information (个人信息保护法): how long a closed case keeps its customer's data, legal holds
that stop the clock, the record of anonymisation runs, and the log of every look at personal data."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

DEFAULT_RETENTION_YEARS = 3


class RetentionRule(models.Model):
    """How long after closure a case keeps the personal data of its customer. One rule without a category
    is the default; a rule for a category (e.g. credit-report complaints) replaces it for that category
    only (not its subcategories)."""

    category = models.OneToOneField(
        "complaints.Category", verbose_name=_("类别"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("留空为默认规则（适用于没有单独规则的类别）"),
    )  # fmt: skip
    years = models.PositiveSmallIntegerField(_("年"), default=DEFAULT_RETENTION_YEARS)
    months = models.PositiveSmallIntegerField(_("月"), default=0)
    note = models.TextField(_("依据与说明"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("保存期限规则")
        verbose_name_plural = _("保存期限规则")
        ordering = ["category_id"]

    def __str__(self) -> str:
        return str(self.category) if self.category_id else str(_("默认"))

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months

    def clean(self) -> None:
        # One default (the category is unique otherwise); the admin says so beside the field.
        if (
            self.category_id is None
            and RetentionRule.objects.filter(category__isnull=True).exclude(pk=self.pk).exists()
        ):
            raise ValidationError({"category": _("已有默认规则：请修改它，或选择一个类别")})
        if self.total_months == 0:
            raise ValidationError({"years": _("保存期限不能为零")})


class LegalHold(models.Model):
    """A case that must not be anonymised whatever its retention says (a lawsuit, a regulator's inquiry):
    placed and released by a person with a reason; released holds stay as the record."""

    complaint = models.ForeignKey(
        "complaints.Complaint", verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("保全原因"), max_length=500)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("设置人"), on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("设置时间"))
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("解除人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    released_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    release_reason = models.CharField(_("解除原因"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("法律保全")
        verbose_name_plural = _("法律保全")
        ordering = ["-placed_at", "-id"]
        permissions = [("hold_case", _("设置和解除法律保全"))]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"], condition=Q(released_at__isnull=True), name="privacy_one_active_hold"
            ),
        ]
        indexes = [models.Index(fields=["complaint", "-placed_at"], name="privacy_hold_case")]

    def __str__(self) -> str:
        return self.reason

    @property
    def active(self) -> bool:
        return self.released_at is None


class AnonymisationRun(models.Model):
    """One run of the anonymisation job: when, what it did, how many it left for the next run."""

    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    cases = models.PositiveIntegerField(_("匿名化投诉数"), default=0)
    customers = models.PositiveIntegerField(_("匿名化客户数"), default=0)
    attachments = models.PositiveIntegerField(_("删除附件数"), default=0)
    held = models.PositiveIntegerField(_("因法律保全跳过"), default=0)
    remaining = models.BooleanField(_("仍有待处理"), default=False)

    class Meta:
        verbose_name = _("匿名化记录")
        verbose_name_plural = _("匿名化记录")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class AnonymisedCase(models.Model):
    """A case whose personal data is gone: the job's mark that it is done (never twice)."""

    complaint = models.OneToOneField(
        "complaints.Complaint", verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="+"
    )
    run = models.ForeignKey(AnonymisationRun, verbose_name=_("匿名化记录"), on_delete=models.PROTECT)
    anonymised_at = models.DateTimeField(_("匿名化时间"))

    class Meta:
        verbose_name = _("已匿名化投诉")
        verbose_name_plural = _("已匿名化投诉")

    def __str__(self) -> str:
        return str(self.complaint_id)


class AccessKind(models.TextChoices):
    REVEAL = "reveal", _("点击查看完整信息")
    VIEW = "view", _("查看未脱敏页面")
    EXPORT = "export", _("导出")
    DOWNLOAD = "download", _("下载附件")


class AccessField(models.TextChoices):
    """What was seen, in words. Exports name their table instead."""

    NAME = "name", _("姓名")
    PHONE = "phone", _("电话")
    EMAIL = "email", _("邮箱")
    ACCOUNT_NO = "account_no", _("账号/订单号")
    ID_NUMBER = "id_number", _("身份证号")
    ADDRESS = "address", _("地址")
    WECHAT = "wechat_openid", _("微信 OpenID")
    ATTACHMENT = "attachment", _("附件")
    CASES_EXPORT = "cases_export", _("投诉明细")


class AccessLog(models.Model):
    """Who saw which personal data of which case, when and why. Append-only; read by the auditor."""

    at = models.DateTimeField(_("时间"))
    day = models.DateField(_("日期"))  # local day; one 'view' row per user, case, field and day
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("方式"), max_length=16, choices=AccessKind.choices)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("投诉"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case_number = models.CharField(_("投诉单号"), max_length=32, blank=True)
    field = models.CharField(
        pgettext_lazy("personal data item", "内容"), max_length=32, choices=AccessField.choices
    )
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    # An export: what it was filtered by, how many rows, whether personal data was whole or masked, and
    # the case numbers it held (so that "who exported my case" finds it).
    detail = models.CharField(_("说明"), max_length=500, blank=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    unmasked = models.BooleanField(_("含完整个人信息"), default=True)
    numbers = models.TextField(_("包含的投诉单号"), blank=True)

    class Meta:
        verbose_name = _("个人信息访问记录")
        verbose_name_plural = _("个人信息访问记录")
        ordering = ["-at", "-id"]
        indexes = [
            # The auditor's page: newest first (the primary key), narrowed by user, case, kind or day.
            models.Index(fields=["user", "-id"], name="privacy_log_user"),
            models.Index(fields=["case_number", "-id"], name="privacy_log_case"),
            models.Index(fields=["kind", "-id"], name="privacy_log_kind"),
            models.Index(fields=["day", "-id"], name="privacy_log_day"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "complaint", "field", "day"],
                condition=Q(kind="view"),
                name="privacy_log_view_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.get_field_display()}"
