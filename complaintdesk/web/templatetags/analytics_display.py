"""Template helpers of the dashboard: a KPI's value and parts as people read them (durations as
"2小时15分", not hours with decimals or seconds)."""

from django import template
from django.utils.translation import gettext as _

from complaintdesk.common.humanize import duration_for_people

register = template.Library()

HOURS = "h"


@register.filter
def kpi_value(kpi) -> str:
    """The KPI's value: a duration in words for the time KPIs, else the number."""
    if kpi.value is None:
        return "—"
    if kpi.unit == HOURS:
        return duration_for_people(kpi.value * 3600)
    return str(kpi.value)


@register.filter
def kpi_unit(kpi) -> str:
    """The unit after the value ("%", "元"); none for durations, which carry their own words."""
    return "" if kpi.unit == HOURS else kpi.unit


@register.filter
def kpi_numerator(kpi) -> str:
    """The numerator as people read it: the total time for the time KPIs (summed in seconds)."""
    if kpi.unit == HOURS:
        return _("合计 %(t)s") % {"t": duration_for_people(kpi.numerator)}
    return str(kpi.numerator)


@register.filter
def kpi_denominator(kpi) -> str:
    if kpi.unit == HOURS:
        return _("%(n)s 件") % {"n": kpi.denominator}
    return str(kpi.denominator)


@register.filter
def kpi_target(kpi) -> str:
    if kpi.target is None:
        return ""
    return f"{'≥' if kpi.higher_is_better else '<'} {kpi.target:g}{kpi_unit(kpi)}"
