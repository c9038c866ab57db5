"""The organisation's own calendar entries and business hours.

Both attach to an org unit (null = the whole organisation) and are inherited down the tree: the
nearest setting wins (see `selectors.calendar_for_unit`).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    CLOSURE = "closure", _("闭店/停业")
    WORKDAY = "workday", _("额外工作日")


class CalendarEntry(models.Model):
    """One day on which a unit (and its descendants) is closed, or works although officially off."""

    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("组织机构"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_entries",
        help_text=_("留空表示适用于整个组织；设在某机构上则适用于该机构及其全部下级。"),
    )
    day = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=16, choices=EntryKind.choices)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("日历条目")
        verbose_name_plural = _("日历条目")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "day"], name="calendars_entry_unique_unit_day"),
            # NULLs are distinct in a unique index, so the organisation-wide rows need their own.
            models.UniqueConstraint(
                fields=["day"], condition=Q(org_unit__isnull=True), name="calendars_entry_unique_org_day"
            ),
            models.CheckConstraint(condition=Q(kind__in=EntryKind.values), name="calendars_entry_kind_valid"),
        ]

    def __str__(self) -> str:
        scope = self.org_unit.code if self.org_unit_id else _("全组织")
        return f"{self.day} {self.get_kind_display()} ({scope})"


class BusinessHours(models.Model):
    """The working periods of a working day: the whole day, or one or two periods (e.g. a lunch break)."""

    org_unit = models.OneToOneField(
        "orgs.OrgUnit",
        verbose_name=_("组织机构"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="business_hours",
        help_text=_("留空表示整个组织的默认营业时间；下级机构未设置时沿用最近上级的设置。"),
    )
    whole_day = models.BooleanField(_("全天"), default=False, help_text=_("工作日 00:00–24:00 全部计时。"))
    first_start = models.TimeField(_("第一时段开始"), null=True, blank=True)
    first_end = models.TimeField(
        _("第一时段结束"), null=True, blank=True, help_text=_("00:00 表示当天 24:00。")
    )
    second_start = models.TimeField(_("第二时段开始"), null=True, blank=True)
    second_end = models.TimeField(
        _("第二时段结束"), null=True, blank=True, help_text=_("00:00 表示当天 24:00。")
    )

    class Meta:
        verbose_name = _("营业时间")
        verbose_name_plural = _("营业时间")
        constraints = [
            models.CheckConstraint(
                condition=Q(whole_day=True, first_start__isnull=True, first_end__isnull=True)
                | Q(whole_day=False, first_start__isnull=False, first_end__isnull=False),
                name="calendars_hours_whole_day_or_first_period",
            ),
            models.CheckConstraint(
                condition=Q(second_start__isnull=True, second_end__isnull=True)
                | Q(whole_day=False, second_start__isnull=False, second_end__isnull=False),
                name="calendars_hours_second_period_complete",
            ),
        ]

    def __str__(self) -> str:
        scope = self.org_unit.code if self.org_unit_id else _("全组织")
        return f"{scope}: {self.describe()}"

    def clean(self) -> None:
        # A unique index treats NULLs as distinct, so the single organisation default is checked here.
        if self.org_unit_id is None:
            others = BusinessHours.objects.filter(org_unit__isnull=True).exclude(pk=self.pk)
            if others.exists():
                raise ValidationError(_("整个组织的默认营业时间已存在，请直接修改它。"))
        if self.whole_day:
            if any(t is not None for t in self._times()):
                raise ValidationError(_("选择“全天”时不要填写时段。"))
            return
        if self.first_start is None or self.first_end is None:
            raise ValidationError(_("请填写第一时段，或选择“全天”。"))
        if (self.second_start is None) != (self.second_end is None):
            raise ValidationError(_("第二时段的开始和结束需同时填写。"))
        previous_end = dt.timedelta(0)
        for start, end in self.periods():
            start_at, end_at = _offset(start), _offset(end, is_end=True)
            if start_at >= end_at:
                raise ValidationError(_("时段的结束时间必须晚于开始时间（不支持跨夜）。"))
            if start_at < previous_end:
                raise ValidationError(_("第二时段必须在第一时段结束之后开始。"))
            previous_end = end_at

    def periods(self) -> tuple[tuple[dt.time, dt.time], ...]:
        """In the shape `WorkCalendar.business_hours` takes: () for the whole day."""
        if self.whole_day or self.first_start is None or self.first_end is None:
            return ()
        periods = [(self.first_start, self.first_end)]
        if self.second_start is not None and self.second_end is not None:
            periods.append((self.second_start, self.second_end))
        return tuple(periods)

    def describe(self) -> str:
        periods = self.periods()
        if not periods:
            return str(_("全天"))
        return ", ".join(f"{s:%H:%M}–{'24:00' if e == dt.time(0) else f'{e:%H:%M}'}" for s, e in periods)

    def _times(self) -> tuple[dt.time | None, ...]:
        return (self.first_start, self.first_end, self.second_start, self.second_end)


def _offset(value: dt.time, *, is_end: bool = False) -> dt.timedelta:
    if is_end and value == dt.time(0):
        return dt.timedelta(hours=24)
    return dt.timedelta(hours=value.hour, minutes=value.minute, seconds=value.second)
