"""Deadlines on the customer's pages phrased as every other message phrases them (common.phrasing)."""

from django import template
from django.utils.translation import get_language

from complaintdesk.common.phrasing import customer_day_and_time, customer_deadline
from complaintdesk.common.time import local_today, local_zone, now

register = template.Library()


@register.filter
def promised_by(value) -> str:
    """A promised time as people say it: "12月8日（周二）24:00", never "12-09 00:00"; "—" when there is none."""
    if not value:
        return "—"
    return customer_deadline(
        value, language=get_language() or "zh-hans", zone=local_zone(), today=local_today(), now=now()
    )


@register.filter
def happened_at(value) -> str:
    """When something happened, as the customer's pages say a day: "12月8日（周二）08:19" / "Tuesday 8 December,
    08:19" (the year only when it is not this year), in the organisation's time zone."""
    if not value:
        return "—"
    local = value.astimezone(local_zone())
    return customer_day_and_time(
        local.date(), local.strftime("%H:%M"), language=get_language() or "zh-hans", today=local_today()
    )
