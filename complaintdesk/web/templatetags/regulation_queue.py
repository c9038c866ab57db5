"""The statutory day beside the SLA badge in a queue row: {% statutory_days page.items as statutory %} once
per page (one query), then {% statutory_day statutory c %} in each row ("法定 10月13日")."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from complaintdesk.regulation.case_view import statutory_days_for_cases

register = template.Library()


@register.simple_tag
def statutory_days(items):
    return statutory_days_for_cases(complaint_ids=[c.pk for c in items])


@register.simple_tag
def statutory_day(days, complaint):
    day = days.get(complaint.pk) if days and complaint.is_open else None
    if day is None:
        return ""
    text = _("法定 %(month)d月%(day)d日") % {"month": day.last_day.month, "day": day.last_day.day}
    title = _("法定处理时限：%(day)s 24:00 前") % {"day": day.last_day.isoformat()}
    return format_html(
        '<span class="sla {}" title="{}" data-testid="statutory-day">{}</span>',
        "sla-breached" if day.overdue else "sla-paused",
        title,
        text,
    )
