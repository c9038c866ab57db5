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
                fields=["org_unit", "category"], name="sla_policy_unit_category",
                condition=Q(org_unit__isnull=False, category__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["org_unit"], name="sla_policy_unit_only", condition=Q(org_unit__isnull=False, category__isnull=True)
            ),
            models.UniqueConstraint(
                fields=["category"], name="sla_policy_category_only",
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
