"""Quality inspection (质检, issue 6 item 8): the sampling policy, each period's draw, the sampled cases
and the inspectors' scores. Inspections are internal: they live here, never on the case's timeline."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .rubric import CRITERION_CODES, DEFAULT_WEIGHTS, SCORE_MAX, SCORE_MIN


class PeriodLength(models.TextChoices):
    WEEK = "week", _("每周")
    MONTH = "month", _("每月")


def _weight_field(code: str, label):
    return models.PositiveSmallIntegerField(
        label, default=DEFAULT_WEIGHTS[code], validators=[MaxValueValidator(100)]
    )


class SamplingPolicy(models.Model):
    """How many closed cases of each agent are inspected per period, and how scores are weighted.

    One row is used (the most recently changed); without any row the defaults below apply."""

    share_percent = models.DecimalField(
        _("抽检比例（%）"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("5.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    minimum_per_agent = models.PositiveSmallIntegerField(
        _("每人至少抽检"), default=3, help_text=_("结案数少于此数的专员，全部抽检")
    )
    period = models.CharField(
        _("抽检周期"), max_length=8, choices=PeriodLength.choices, default=PeriodLength.MONTH
    )
    calibration_percent = models.DecimalField(
        _("校准比例（%）"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("抽中的案例中由两名质检员分别评分的比例"),
    )
    weight_listening = _weight_field("listening", _("权重：倾听"))
    weight_apology = _weight_field("apology", _("权重：致歉"))
    weight_accuracy = _weight_field("accuracy", _("权重：准确"))
    weight_solution = _weight_field("solution", _("权重：解决方案"))
    weight_scripts = _weight_field("scripts", _("权重：话术规范"))
    weight_follow_up = _weight_field("follow_up", _("权重：跟进回访"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("质检抽样规则")
        verbose_name_plural = _("质检抽样规则")

    def __str__(self) -> str:
        return f"{self.share_percent}% ≥{self.minimum_per_agent}"

    @property
    def weights(self) -> dict[str, int]:
        return {code: getattr(self, f"weight_{code}") for code in CRITERION_CODES}

    def clean(self):
        if sum(self.weights.values()) != 100:
            raise ValidationError(_("六项权重之和必须为 100"))


class QaPeriod(models.Model):
    """One draw: the local days [start, end] whose closed cases were sampled, with the seed and the policy
    figures used, so that the draw can be reproduced and explained."""

    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    seed = models.CharField(_("随机种子"), max_length=64)
    share_percent = models.DecimalField(_("抽检比例（%）"), max_digits=5, decimal_places=2)
    minimum_per_agent = models.PositiveSmallIntegerField(_("每人至少抽检"))
    calibration_percent = models.DecimalField(_("校准比例（%）"), max_digits=5, decimal_places=2)
    drawn_at = models.DateTimeField(_("抽样时间"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("抽样人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("质检周期")
        verbose_name_plural = _("质检周期")
        ordering = ["-start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["start", "end"], name="qa_period_start_end"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="qa_period_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"


class QaSample(models.Model):
    """A closed case drawn for inspection. A case is drawn at most once, ever."""

    period = models.ForeignKey(
        QaPeriod, verbose_name=_("质检周期"), on_delete=models.PROTECT, related_name="samples"
    )
    complaint = models.OneToOneField(
        "complaints.Complaint", verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="qa_sample"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("处理人"), on_delete=models.PROTECT, related_name="+"
    )
    # The agent's unit when the case was drawn: scorecards roll up by it.
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("机构"), on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("归档时间"))
    is_calibration = models.BooleanField(_("校准样本"), default=False)
    drawn_at = models.DateTimeField(_("抽样时间"))

    class Meta:
        verbose_name = _("质检样本")
        verbose_name_plural = _("质检样本")
        ordering = ["closed_at", "id"]
        indexes = [
            models.Index(fields=["agent", "closed_at"], name="qa_sample_agent_closed"),
            models.Index(fields=["closed_at", "agent"], name="qa_sample_closed_agent"),
            models.Index(fields=["period", "agent"], name="qa_sample_period_agent"),
        ]

    def __str__(self) -> str:
        return f"{self.period_id}:{self.complaint_id}"


class InspectionStatus(models.TextChoices):
    PENDING = "pending", _("待评分")
    DONE = "done", _("已评分")


def _score_field(label):
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )


class QaInspection(models.Model):
    """One inspector's scoring of a sample. Every sample has slot 1; a calibration sample also has slot 2,
    scored by a different inspector. Until scored, a slot without an inspector is in the shared pool."""

    sample = models.ForeignKey(
        QaSample, verbose_name=_("质检样本"), on_delete=models.PROTECT, related_name="inspections"
    )
    slot = models.PositiveSmallIntegerField(_("序号"), default=1)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("质检员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.PENDING
    )
    listening = _score_field(_("倾听"))
    apology = _score_field(_("致歉"))
    accuracy = _score_field(_("准确"))
    solution = _score_field(_("解决方案"))
    scripts = _score_field(_("话术规范"))
    follow_up = _score_field(_("跟进回访"))
    total = models.DecimalField(_("总分"), max_digits=5, decimal_places=2, null=True, blank=True)
    weights = models.JSONField(_("评分时的权重"), default=dict, blank=True)
    comment = models.TextField(_("评语"), blank=True)
    scored_at = models.DateTimeField(_("评分时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("质检评分")
        verbose_name_plural = _("质检评分")
        ordering = ["sample_id", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "slot"], name="qa_inspection_sample_slot"),
            # Two inspectors on a calibration sample, never the same one twice.
            models.UniqueConstraint(
                fields=["sample", "inspector"],
                condition=Q(inspector__isnull=False),
                name="qa_inspection_one_each",
            ),
            models.CheckConstraint(condition=Q(slot__gte=1, slot__lte=2), name="qa_inspection_slot_1_2"),
            models.CheckConstraint(
                condition=Q(status="pending")
                | Q(inspector__isnull=False, total__isnull=False, scored_at__isnull=False),
                name="qa_inspection_done_complete",
            ),
        ]
        indexes = [
            # The inspectors' queue: pending slots (the pool and each inspector's own), oldest first.
            models.Index(
                fields=["inspector", "id"], condition=Q(status="pending"), name="qa_inspection_pending"
            ),
            models.Index(
                fields=["inspector", "-scored_at"], condition=Q(status="done"), name="qa_inspection_done"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sample_id}#{self.slot}"

    @property
    def scores(self) -> dict[str, int | None]:
        return {code: getattr(self, code) for code in CRITERION_CODES}
