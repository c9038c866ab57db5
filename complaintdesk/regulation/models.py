"""Regulatory data: statutory deadline packs (versioned, selectable per organisation, unit subtree or
category) and classification schemes (hierarchical codes per dimension, versioned) with each case's codes.

Packs and schemes are data, loaded by data migrations and editable in the admin: a figure a regulation
leaves unclear is a field with the most defensible reading shipped and a note of what the organisation
must confirm (`to_confirm`), never a constant in the code.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from complaintdesk.accounts.models import Role
from complaintdesk.common.errors import InvalidInput

from . import deadlines, stats_layout


class Clock(models.TextChoices):
    DECISION = deadlines.Clock.DECISION.value, _("作出处理决定")
    ANSWER = deadlines.Clock.ANSWER.value, _("答复用户")
    REPORT_BACK = deadlines.Clock.REPORT_BACK.value, _("向转办机构回复")
    REVIEW_WINDOW = deadlines.Clock.REVIEW_WINDOW.value, _("申请核查期限")
    APPEAL_WINDOW = deadlines.Clock.APPEAL_WINDOW.value, _("申诉期限")


class PeriodUnit(models.TextChoices):
    CALENDAR_DAYS = deadlines.Unit.CALENDAR_DAYS.value, _("日（自然日）")
    WORKING_DAYS = deadlines.Unit.WORKING_DAYS.value, _("工作日")
    MONTHS = deadlines.Unit.MONTHS.value, pgettext_lazy("period unit", "月")
    YEARS = deadlines.Unit.YEARS.value, pgettext_lazy("period unit", "年")


class Anchor(models.TextChoices):
    RECEIVED = deadlines.Anchor.RECEIVED.value, _("收到投诉之日")
    DECIDED = deadlines.Anchor.DECIDED.value, _("作出处理决定之日")
    OCCURRED = deadlines.Anchor.OCCURRED.value, _("争议事项发生之日")


class Condition(models.TextChoices):
    ALL = deadlines.Condition.ALL.value, _("所有案件")
    GENERAL = deadlines.Condition.GENERAL.value, _("一般案件")
    COMPLEX = deadlines.Condition.COMPLEX.value, _("情况复杂的案件")
    FEE_DISPUTE = deadlines.Condition.FEE_DISPUTE.value, _("收费争议")
    OTHER_DISPUTE = deadlines.Condition.OTHER_DISPUTE.value, _("其他争议")
    FORWARDED = deadlines.Condition.FORWARDED.value, _("监管或热线转办的案件")


class DeadlinePack(models.Model):
    """One version of a regulation's time limits. Cases use the version of their pack's code in force on
    the day they were received (the latest `effective_from` on or before it)."""

    code = models.SlugField(_("编码"), max_length=40)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    effective_from = models.DateField(
        _("生效日期"),
        null=True,
        blank=True,
        help_text=_("留空表示生效日期未知，适用于任何受理日期（请机构确认）。"),
    )
    source = models.TextField(
        pgettext_lazy("legal basis", "依据"), help_text=_("法规名称、发文机关、文号和条款。")
    )
    to_confirm = models.TextField(
        _("需机构确认"), blank=True, help_text=_("法规未写明、由机构自行确认的事项。")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("法定时限包")
        verbose_name_plural = _("法定时限包")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="regulation_pack_code_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class DeadlineRule(models.Model):
    """One clock of a pack: `amount` `unit`s from `anchor`, for the cases `condition` names."""

    pack = models.ForeignKey(
        DeadlinePack, verbose_name=_("时限包"), on_delete=models.CASCADE, related_name="rules"
    )
    clock = models.CharField(_("时限"), max_length=20, choices=Clock.choices)
    condition = models.CharField(
        _("适用案件"), max_length=20, choices=Condition.choices, default=Condition.ALL
    )
    amount = models.PositiveSmallIntegerField(_("期限"))
    unit = models.CharField(_("单位"), max_length=10, choices=PeriodUnit.choices)
    anchor = models.CharField(_("起算事件"), max_length=10, choices=Anchor.choices, default=Anchor.RECEIVED)
    counts_from_next_day = models.BooleanField(
        _("次日起算"),
        default=True,
        help_text=_("起算当日不计入，自下一日开始计算（《民法典》第二百零一条）。"),
    )
    extend_if_ends_on_holiday = models.BooleanField(
        _("末日遇节假日顺延"),
        default=True,
        help_text=_("期间最后一日不是工作日的，顺延至其后第一个工作日（《民法典》第二百零三条）。"),
    )
    extension_amount = models.PositiveSmallIntegerField(
        _("每次可延长"), default=0, help_text=_("0 表示不可延长。")
    )
    extension_max_total = models.PositiveSmallIntegerField(_("延长后最长"), default=0)
    extension_approver_role = models.CharField(
        _("延长审批角色"), max_length=32, choices=Role.choices, blank=True
    )
    extension_notice = models.BooleanField(_("延长须告知投诉人"), default=False)
    content_required = models.TextField(_("回复须包含"), blank=True)
    to_confirm = models.TextField(_("需机构确认"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("时限规则")
        verbose_name_plural = _("时限规则")
        ordering = ["pack", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pack", "clock", "condition"], name="regulation_rule_pack_clock_condition"
            ),
            models.CheckConstraint(condition=Q(clock__in=Clock.values), name="regulation_rule_clock_valid"),
            models.CheckConstraint(
                condition=Q(unit__in=PeriodUnit.values), name="regulation_rule_unit_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_clock_display()}：{self.amount}{self.get_unit_display()}"

    def clean(self) -> None:
        if self.extension_amount:
            problems = {}
            if self.extension_max_total < self.amount + self.extension_amount:
                problems["extension_max_total"] = _("延长后最长期限不能小于基本期限加一次延长。")
            if not self.extension_approver_role:
                problems["extension_approver_role"] = _("可延长的时限必须指定审批角色。")
            if problems:
                raise ValidationError(problems)

    def terms(self) -> deadlines.RuleTerms:
        return deadlines.RuleTerms(
            clock=deadlines.Clock(self.clock),
            amount=self.amount,
            unit=deadlines.Unit(self.unit),
            condition=deadlines.Condition(self.condition),
            anchor=deadlines.Anchor(self.anchor),
            counts_from_next_day=self.counts_from_next_day,
            extend_if_ends_on_holiday=self.extend_if_ends_on_holiday,
            extension_amount=self.extension_amount,
            extension_max_total=self.extension_max_total,
            extension_approver_role=self.extension_approver_role,
            extension_notice=self.extension_notice,
        )


class PackSelection(models.Model):
    """Which pack an organisation uses: the organisation default (no unit, no category), a unit and its
    subtree, a category, or both. The most specific row wins: the nearest unit, then a category-specific
    row before a general one at the same unit (as for SLA policies)."""

    pack = models.ForeignKey(
        DeadlinePack, verbose_name=_("时限包"), on_delete=models.PROTECT, related_name="+"
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("适用机构(含下级)"), null=True, blank=True, on_delete=models.CASCADE
    )
    category = models.ForeignKey(
        "complaints.Category", verbose_name=_("适用类别"), null=True, blank=True, on_delete=models.CASCADE
    )

    class Meta:
        verbose_name = _("时限包适用范围")
        verbose_name_plural = _("时限包适用范围")
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "category"], name="regulation_selection_unit_category",
                condition=Q(org_unit__isnull=False, category__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["org_unit"], name="regulation_selection_unit_only",
                condition=Q(org_unit__isnull=False, category__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["category"], name="regulation_selection_category_only",
                condition=Q(org_unit__isnull=True, category__isnull=False),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        scope = [str(s) for s in (self.org_unit, self.category) if s is not None] or [str(_("全组织"))]
        return f"{self.pack.name}（{' / '.join(scope)}）"

    def clean(self) -> None:
        # NULLs are distinct in a unique index: the single organisation default is checked here.
        if self.org_unit_id is None and self.category_id is None:
            others = PackSelection.objects.filter(org_unit__isnull=True, category__isnull=True).exclude(
                pk=self.pk
            )
            if others.exists():
                raise ValidationError(_("全组织的默认时限包已存在，请直接修改它。"))


class StatutoryExtension(models.Model):
    """An approved extension of a case's statutory decision deadline (e.g. 情况特别复杂, +30 日)."""

    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("投诉"),
        on_delete=models.PROTECT,
        related_name="statutory_extensions",
    )
    amount = models.PositiveSmallIntegerField(_("延长期限"))
    reason = models.TextField(_("理由"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), on_delete=models.PROTECT, related_name="+"
    )
    approver_role = models.CharField(_("审批人角色"), max_length=32, choices=Role.choices)
    approved_at = models.DateTimeField(_("审批时间"))
    customer_notified_at = models.DateTimeField(_("告知投诉人时间"), null=True, blank=True)
    # The message that told the complainant (sent on their preferred channel when the extension was approved);
    # empty when they could not be reached in writing and were told otherwise (customer_notified_at).
    customer_notice = models.ForeignKey(
        "notifications.Notification",
        verbose_name=_("告知投诉人的消息"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("法定时限延长")
        verbose_name_plural = _("法定时限延长")
        ordering = ["approved_at", "id"]

    def grant(self) -> deadlines.ExtensionGrant:
        return deadlines.ExtensionGrant(
            amount=self.amount,
            approver_role=self.approver_role,
            customer_notified=self.customer_notified_at is not None,
        )


# Classification ------------------------------------------------------------------------------------------


class ClassificationScheme(models.Model):
    """One version of a classification standard, e.g. JR/T 0169-2018 for banking. At most one version of a
    code is active: the one new cases are classified with."""

    code = models.SlugField(_("编码"), max_length=40)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=150)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    source = models.TextField(pgettext_lazy("legal basis", "依据"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("监管分类标准")
        verbose_name_plural = _("监管分类标准")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="regulation_scheme_code_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_active=True), name="regulation_scheme_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ClassificationDimension(models.Model):
    scheme = models.ForeignKey(
        ClassificationScheme, verbose_name=_("分类标准"), on_delete=models.CASCADE, related_name="dimensions"
    )
    code = models.CharField(_("维度代码"), max_length=8)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("分类维度")
        verbose_name_plural = _("分类维度")
        ordering = ["scheme", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="regulation_dimension_scheme_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ClassificationCode(models.Model):
    """A node of a dimension's tree: code `A0103` (电子渠道) under `A01` (前台业务)."""

    dimension = models.ForeignKey(
        ClassificationDimension, verbose_name=_("分类维度"), on_delete=models.CASCADE, related_name="codes"
    )
    code = models.CharField(_("代码"), max_length=20)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(_("层级"), default=1)
    keywords = models.TextField(
        _("关键词"), blank=True, help_text=_("用于根据投诉内容建议分类，多个关键词以逗号或顿号分隔。")
    )

    class Meta:
        verbose_name = _("分类代码")
        verbose_name_plural = _("分类代码")
        ordering = ["dimension", "code"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="regulation_code_dimension_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CaseCodeStatus(models.TextChoices):
    SUGGESTED = "suggested", _("系统建议")
    CONFIRMED = "confirmed", _("已确认")


class CaseCode(models.Model):
    """A case's code in one dimension of a scheme: suggested from its text, then confirmed by a person."""

    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("投诉"),
        on_delete=models.CASCADE,
        related_name="regulatory_codes",
    )
    dimension = models.ForeignKey(
        ClassificationDimension, verbose_name=_("分类维度"), on_delete=models.PROTECT
    )
    code = models.ForeignKey(ClassificationCode, verbose_name=_("分类代码"), on_delete=models.PROTECT)
    status = models.CharField(_("状态"), max_length=12, choices=CaseCodeStatus.choices)
    suggestion_basis = models.CharField(_("建议依据"), max_length=200, blank=True)
    # Set when the suggestion came from the dimension's trained classifier (its calibrated confidence,
    # 0–1); empty when it came from the codes' keywords (then `suggestion_basis` holds the words matched).
    suggestion_confidence = models.FloatField(_("分类模型置信度"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("投诉监管分类")
        verbose_name_plural = _("投诉监管分类")
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "dimension"], name="regulation_casecode_one_per_dimension"
            ),
            models.CheckConstraint(
                condition=Q(status=CaseCodeStatus.SUGGESTED)
                | Q(confirmed_by__isnull=False, confirmed_at__isnull=False),
                name="regulation_casecode_confirmed_has_who",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_status_display()})"

    def suggestion_words(self) -> str:
        """Where a suggestion came from, in the reader's language ("" for a confirmed code)."""
        if self.status != CaseCodeStatus.SUGGESTED:
            return ""
        if self.suggestion_confidence is not None:
            return _("分类模型建议，置信度 %(percent)d%%") % {
                "percent": round(self.suggestion_confidence * 100)
            }
        return _("系统建议，依据关键词：%(words)s") % {"words": self.suggestion_basis}


class CodeClassifierModel(models.Model):
    """A classifier trained on the codes agents confirmed in one dimension of a scheme (A, B, C …): one row
    per training run, at most one active per dimension. The text model is intelligence's (`classifier.train`);
    `blob` is its pickled pipeline, written and read only by this application."""

    dimension = models.ForeignKey(
        ClassificationDimension,
        verbose_name=_("分类维度"),
        on_delete=models.CASCADE,
        related_name="classifiers",
    )
    version = models.PositiveIntegerField(_("版本"))
    created_at = models.DateTimeField(_("训练时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("训练人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    examples = models.PositiveIntegerField(_("已确认的案件数"), default=0)
    trained_on = models.PositiveIntegerField(_("训练样本数"))
    labels = models.JSONField(_("代码"), default=list)
    evaluation = models.JSONField(_("评估结果"), default=dict)
    train_seconds = models.FloatField(_("训练耗时(秒)"), default=0.0)
    is_active = models.BooleanField(_("使用中"), default=False)
    blob = models.BinaryField(_("模型"), editable=False)

    class Meta:
        verbose_name = _("监管分类模型")
        verbose_name_plural = _("监管分类模型")
        ordering = ["dimension_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "version"], name="regulation_codemodel_version"),
            models.UniqueConstraint(
                fields=["dimension"], condition=Q(is_active=True), name="regulation_codemodel_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension.code} v{self.version}"


# Cases forwarded by a regulator or hotline ---------------------------------------------------------------


class ReferralSource(models.TextChoices):
    """Who forwarded the case. The value is stored; people read the label."""

    FINANCIAL_12378 = "nfra_12378", _("金融监管 12378")
    MARKET_12315 = "samr_12315", _("市场监管 12315")
    TELECOM_APPEAL = "miit_appeal", _("工信部电信用户申诉受理中心")
    POSTAL_12305 = "spb_12305", _("邮政业用户申诉 12305")
    OTHER = "other", _("其他机构")


class ReferralDueBasis(models.TextChoices):
    GIVEN = "given", _("转办机构要求")
    PACK = "pack", _("法定时限包")


class ReportChannel(models.TextChoices):
    PLATFORM = "platform", _("转办机构的系统")
    LETTER = "letter", _("书面回复")
    EMAIL = "email", _("电子邮件")
    PHONE = "phone", _("电话")
    OTHER = "other", _("其他方式")


class RegulatorReferral(models.Model):
    """A case forwarded to us by a regulator or hotline (12378, 12315, the MIIT appeal centre, 12305 …):
    their reference number, the day they forwarded it, the day they want our report back (given by them,
    else the pack's report-back rule for forwarded cases) as a clock of its own, what the report must
    contain, and the report-back once it is made."""

    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("投诉"),
        on_delete=models.PROTECT,
        related_name="regulator_referrals",
    )
    source = models.CharField(_("转办机构"), max_length=20, choices=ReferralSource.choices)
    source_name = models.CharField(_("机构名称"), max_length=100, blank=True)
    reference = models.CharField(_("转办编号"), max_length=64)
    forwarded_on = models.DateField(_("转办日期"))
    due_on = models.DateField(_("回复截止日"))
    due_at = models.DateTimeField(_("回复时限"), help_text=_("截止日当天 24:00（本地时间）。"))
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    due_basis = models.CharField(_("时限依据"), max_length=10, choices=ReferralDueBasis.choices)
    due_provisional = models.BooleanField(_("时限为暂定"), default=False)
    content_required = models.TextField(_("回复须包含"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"))
    reported_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回复人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    report_content = models.TextField(_("回复内容"), blank=True)
    report_channel = models.CharField(_("回复方式"), max_length=10, choices=ReportChannel.choices, blank=True)
    report_reference = models.CharField(_("回复凭证/附件编号"), max_length=200, blank=True)
    # The parts a 12305 report-back must state (required for that source, optional for the others).
    report_investigation = models.TextField(_("调查情况"), blank=True)
    report_liability = models.TextField(_("责任认定"), blank=True)
    report_compensation = models.DecimalField(
        _("赔偿金额"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    report_satisfied = models.BooleanField(_("投诉人是否满意"), null=True, blank=True)
    report_handler = models.CharField(
        pgettext_lazy("report-back handler", "处理人"), max_length=50, blank=True
    )
    report_phone = models.CharField(_("联系电话"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("监管转办案件")
        verbose_name_plural = _("监管转办案件")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_name", "reference"], name="regulation_referral_source_reference"
            ),
            models.CheckConstraint(
                condition=Q(source__in=ReferralSource.values), name="regulation_referral_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(reported_at__isnull=True) | Q(reported_by__isnull=False),
                name="regulation_referral_report_has_who",
            ),
        ]
        indexes = [
            # The regulator-case queue: cases not yet reported back, by remaining time.
            models.Index(
                fields=["due_at", "id"],
                condition=Q(reported_at__isnull=True),
                name="regulation_referral_open_due",
            ),
            models.Index(fields=["complaint", "id"], name="regulation_referral_complaint"),
        ]

    def __str__(self) -> str:
        return f"{self.source_label} {self.reference}"

    @property
    def source_label(self) -> str:
        if self.source == ReferralSource.OTHER and self.source_name:
            return self.source_name
        return str(self.get_source_display())


# The statistics workbook's saved layouts ----------------------------------------------------------------


class StatsMeasure(models.TextChoices):
    """The outcome columns of the statistics workbook (stats_layout.MEASURES, in that order)."""

    TOTAL = stats_layout.TOTAL, _("合计")
    WITHIN = stats_layout.WITHIN, _("法定时限内办结")
    OVERDUE = stats_layout.OVERDUE, _("超时")
    EXTENDED = stats_layout.EXTENDED, _("延期")
    IN_PROGRESS = stats_layout.IN_PROGRESS, _("办理中")
    NO_PACK = stats_layout.NO_PACK, _("未适用法定时限")


class StatisticsLayout(models.Model):
    """A named layout of the regulatory statistics workbook, kept so that the same report is produced each
    month: the dimensions on rows, the one spread over columns, the level of each, and the measures shown.
    Chosen by name in the export (API `saved_layout`, the statistics page, `manage.py regulation_statistics
    --layout`)."""

    name = models.CharField(_("名称"), max_length=80, unique=True)
    rows = models.CharField(
        _("行维度"), max_length=40, default="A,B", help_text=_("分类标准的维度代码，逗号分隔，如 A,B。")
    )
    column = models.CharField(
        _("列维度"),
        max_length=10,
        blank=True,
        default="C",
        help_text=_("展开为列的维度代码，如 C；留空则不展开。"),
    )
    levels = models.CharField(
        _("统计级别"),
        max_length=80,
        blank=True,
        help_text=_("各维度统计到第几级，如 A=1,B=1；留空则按确认的最末级代码。"),
    )
    measures = models.JSONField(
        _("统计指标"), default=list, blank=True, help_text=_("显示哪些结果列；不选则全部显示。")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("统计报表样式")
        verbose_name_plural = _("统计报表样式")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def layout(self) -> stats_layout.StatsLayout:
        return stats_layout.stats_layout_parse(
            rows=self.rows, column=self.column, levels=self.levels, measures=tuple(self.measures or ())
        )

    def clean(self) -> None:
        """Refuses, beside the field, a layout the export would refuse: a malformed field, a dimension the
        active classification scheme does not have, a dimension both on rows and columns."""
        try:
            layout = self.layout()
        except InvalidInput as error:
            raise ValidationError({k: v for k, v in error.fields.items()}) from None
        dimensions = set(
            ClassificationDimension.objects.filter(scheme__is_active=True).values_list("code", flat=True)[
                :100
            ]
        )
        problems: dict[str, list[str]] = {}
        for name, named in (("rows", layout.rows), ("column", [layout.column] if layout.column else [])):
            unknown = [d for d in named if dimensions and d not in dimensions]
            if unknown:
                problems[name] = [
                    _("启用的分类标准没有维度 %(dimensions)s。") % {"dimensions": "、".join(unknown)}
                ]
        if layout.column and layout.column in layout.rows:
            problems.setdefault("column", []).append(_("同一维度不能既作为行又作为列。"))
        if len(set(layout.rows)) != len(layout.rows):
            problems.setdefault("rows", []).append(_("行维度不能重复。"))
        if problems:
            raise ValidationError(problems)
