from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .durations import parse_duration


def validate_duration(value: str) -> None:
    try:
        parse_duration(value)
    except ValueError:
        raise ValidationError(
            _("时长格式应为 数字+单位：h 小时、d 自然日、wh 工作小时、wd 工作日，例如 2h、7d、2wd")
        ) from None


def _duration_field(label, default: str) -> models.CharField:
    return models.CharField(label, max_length=12, default=default, validators=[validate_duration])


class SlaPolicy(models.Model):
    """Time limits (SPEC §3). One organisation default (no unit, no category); more specific rows
    for a unit (and its descendants) or a category override it, the nearest unit winning."""

    name = models.CharField(_("名称"), max_length=100)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("适用机构(含下级)"), null=True, blank=True, on_delete=models.CASCADE
    )
    category = models.ForeignKey(
        "complaints.Category", verbose_name=_("适用类别"), null=True, blank=True, on_delete=models.CASCADE
    )
    first_response_major = _duration_field(_("重大投诉首次响应"), "2h")
    first_response_general = _duration_field(_("一般投诉首次响应"), "24h")
    resolution_general = _duration_field(_("简单投诉解决时限"), "48h")
    resolution_complex = _duration_field(_("复杂投诉解决时限"), "7d")
    acknowledge = _duration_field(_("告知客户时限"), "2wd")
    level_acknowledge = _duration_field(_("各升级层级确认时限"), "2wd")
    level_resolve = _duration_field(_("各升级层级解决时限"), "5wd")
    follow_up = _duration_field(_("解决后回访时限"), "7d")
    warn_at_share = models.PositiveSmallIntegerField(_("预警点(时限已用百分比)"), default=80)
    pause_while_awaiting_customer = models.BooleanField(_("待客户确认时暂停计时"), default=True)

    class Meta:
        verbose_name = _("时限策略")
        verbose_name_plural = _("时限策略")
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "category"],
                name="sla_policy_unit_category",
                condition=Q(org_unit__isnull=False, category__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["org_unit"],
                name="sla_policy_unit_only",
                condition=Q(org_unit__isnull=False, category__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["category"],
                name="sla_policy_category_only",
                condition=Q(org_unit__isnull=True, category__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SlaPause(models.Model):
    """An interval during which a case's clocks stood still (waiting for the customer)."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="sla_pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at"]


class TimerKind(models.TextChoices):
    """What a timer watches. Open: the column has no check constraint, and any app registers a handler
    for a new kind (`sla.timers.timer_handler_register`); add the member here for its label."""

    FIRST_RESPONSE = "first_response", _("首次响应")
    ACKNOWLEDGE = "acknowledge", _("告知客户受理")
    RESOLUTION = "resolution", _("解决")
    LEVEL_ACKNOWLEDGE = "level_acknowledge", _("升级层级告知客户")
    LEVEL_RESOLVE = "level_resolve", _("升级层级解决")
    FOLLOW_UP = "follow_up", _("回访")
    WORK_ORDER = "work_order", _("工单")
    APPROVAL = "approval", _("审批")
    # The clocks a statutory deadline pack runs beside the SLA (complaintdesk.regulation.clocks).
    STATUTORY = "statutory", _("法定处理")
    REGULATOR_REPORT = "regulator_report", _("向转办机构回复")
    # Not a deadline: "look at this case now" (e.g. a reputation-risk flag was set), kept as a row so
    # that it survives a crash between the commit and the worker.
    ESCALATION_FLAG = "escalation_flag", _("升级标记复核")


class TimerState(models.TextChoices):
    PENDING = "pending", _("待到期")
    WARNED = "warned", _("已预警")
    FIRED = "fired", _("已到期处理")
    CANCELLED = "cancelled", _("已取消")


class TimerCancelReason(models.TextChoices):
    REPLACED = "replaced", _("时限已变更")
    MET = "met", _("已达成或不再计时")


LIVE_TIMER_STATES = (TimerState.PENDING, TimerState.WARNED)


class SlaTimer(models.Model):
    """A durable timer: one row per due time the SLA module sets. The worker (and `sla_reconcile`)
    claims a row with a conditional UPDATE on its state, so a warning or a breach is handled once.

    A clock is (complaint, kind, subject); at most one row of a clock is live (pending/warned). When
    its due time changes the live row is cancelled and a new one with the next `generation` takes
    its place, so a timer that was already scheduled somewhere can only find a cancelled row.
    """

    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("投诉"),
        on_delete=models.CASCADE,
        related_name="sla_timers",
        db_index=False,  # sla_timer_clock (complaint, kind, subject) serves its lookups
    )
    kind = models.CharField(_("类型"), max_length=32, choices=TimerKind.choices)
    subject = models.CharField(
        _("对象"), max_length=64, blank=True, help_text=_("同一类型的多个时钟，如升级层级")
    )
    generation = models.PositiveIntegerField(_("版本"), default=1)
    started_at = models.DateTimeField(_("开始计时"))
    due_at = models.DateTimeField(_("到期时间"))
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    provisional = models.BooleanField(_("时限为暂定"), default=False)
    state = models.CharField(_("状态"), max_length=16, choices=TimerState.choices, default=TimerState.PENDING)
    # When the worker must look at the row next: warn_at while pending with a warning ahead, else due_at;
    # later after a failed attempt (back-off).
    next_check_at = models.DateTimeField(_("下次检查"))
    created_at = models.DateTimeField(_("创建时间"))
    warned_at = models.DateTimeField(_("预警于"), null=True, blank=True)
    fired_at = models.DateTimeField(_("到期处理于"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消于"), null=True, blank=True)
    cancel_reason = models.CharField(
        _("取消原因"), max_length=16, choices=TimerCancelReason.choices, blank=True
    )
    attempts = models.PositiveSmallIntegerField(_("失败次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("时限计时器")
        verbose_name_plural = _("时限计时器")
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "kind", "subject"],
                name="sla_timer_one_live_per_clock",
                condition=Q(state__in=["pending", "warned"]),
            ),
        ]
        indexes = [
            # The worker's scan: live rows by the time they need looking at.
            models.Index(
                fields=["next_check_at"],
                condition=Q(state__in=["pending", "warned"]),
                name="sla_timer_live_next_check",
            ),
            models.Index(fields=["complaint", "kind", "subject"], name="sla_timer_clock"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.complaint_id}:{self.kind}{':' + self.subject if self.subject else ''}#{self.generation}"
        )
