"""Template helpers of the workbench: SLA countdown badges and masked contact details."""

import datetime as dt
import re

from django import template
from django.utils.html import format_html, json_script
from django.utils.translation import gettext as _

from complaintdesk.common.masking import mask_name, mask_phone
from complaintdesk.common.names import name_for_people
from complaintdesk.common.time import now, to_local
from complaintdesk.complaints.customers import phone_for_people
from complaintdesk.complaints.selectors import AT_RISK_SHARE
from complaintdesk.complaints.states import status_label
from complaintdesk.inbox.text import when
from complaintdesk.surveys.selectors import follow_up_phone as phone_for

register = template.Library()


def sla_state(*, due: dt.datetime | None, start: dt.datetime | None, at: dt.datetime, paused: bool) -> str:
    """none / paused / breached / at_risk / ok — at risk is less than AT_RISK_SHARE of the window left."""
    if due is None:
        return "none"
    if paused:
        return "paused"
    if due < at:
        return "breached"
    if start is not None and due > start and (due - at) < (due - start) * AT_RISK_SHARE:
        return "at_risk"
    return "ok"


def sla_words() -> dict[str, str]:
    """The wording of an SLA badge in the reader's language: the durations ("dh" days and hours, "hm" hours
    and minutes, "m" minutes) and the sentences around them ("left", "over"). The server's badge and the
    browser's countdown (workbench.js, given these by `sla_words_script`) both use them, so they agree."""
    return {
        "dh": _("%(d)d天%(h)d小时"),
        "hm": _("%(h)d小时%(m)d分"),
        "m": _("%(m)d分钟"),
        "left": _("剩余 %(t)s"),
        "over": _("超时 %(t)s"),
    }


def duration_text(seconds: float, words: dict[str, str] | None = None) -> str:
    words = words or sla_words()
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return words["dh"] % {"d": days, "h": hours}
    if hours:
        return words["hm"] % {"h": hours, "m": minutes}
    return words["m"] % {"m": minutes}


@register.simple_tag
def sla_words_script():
    """The badge's wording for workbench.js, as a JSON script element (#sla-words)."""
    return json_script(sla_words(), "sla-words")


@register.simple_tag
def sla_badge(due, start=None, paused=False, at=None):
    """A badge with the time left (or over) that workbench.js keeps counting down in the browser."""
    at = at or now()
    state = sla_state(due=due, start=start, at=at, paused=bool(paused))
    if state == "none":
        return format_html('<span class="sla sla-none">{}</span>', "—")
    remaining = (due - at).total_seconds()
    words = sla_words()
    if state == "paused":
        text = _("计时暂停")
    else:
        text = words["over" if remaining < 0 else "left"] % {"t": duration_text(remaining, words)}
    return format_html(
        '<span class="sla sla-{}" data-due="{}" data-start="{}" data-paused="{}" title="{}">{}</span>',
        state,
        due.isoformat(),
        start.isoformat() if start else "",
        "1" if paused else "",
        to_local(due).strftime("%Y-%m-%d %H:%M"),
        text,
    )


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (labels by code); empty when absent."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def masked_phone(value: str) -> str:
    """A phone number masked (138****5678) for someone who does not need it whole."""
    return mask_phone(value) if value else ""


@register.filter
def phone(value: str) -> str:
    """A phone number as people read it (complaints.customers.phone_for_people): 138 1234 5678, or a masked
    one as it is. The one way staff pages show a number; a tel: link keeps the stored form."""
    return phone_for_people(value or "")


@register.simple_tag(takes_context=True)
def follow_up_phone(context, follow_up):
    """{% follow_up_phone f as phone %}: the number to call (surveys.selectors.follow_up_phone)."""
    return phone_for(follow_up=follow_up, user=context["user"])


@register.filter
def deadline(value) -> str:
    """A due time as people say it, midnight as 24:00 of the day before: 12月8日 24:00 / 8 Dec 24:00."""
    return when(value) if value else ""


@register.filter
def masked_name(value: str) -> str:
    """A customer's name as lists show it: the surname, the rest hidden (王**)."""
    return mask_name(value or "")


# An ISO 8601 date-time as the timeline stores deadlines ("2026-11-23T10:00:00+00:00", with or without
# seconds, fractions or zone).
_ISO_DATETIME = re.compile(
    r"\b(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?\b"
)


def local_times_text(text: str) -> str:
    """`text` with every ISO date-time in it as the organisation's local time, "2026-11-23 18:00"; one
    without a zone is taken as already local."""

    def local(match: re.Match) -> str:
        if not match.group(3):
            return f"{match.group(1)} {match.group(2)}"
        try:
            value = dt.datetime.fromisoformat(match.group(0).replace("Z", "+00:00"))
        except ValueError:
            return match.group(0)
        return to_local(value).strftime("%Y-%m-%d %H:%M")

    return _ISO_DATETIME.sub(local, str(text)) if text else ""


@register.filter
def local_times(value) -> str:
    """Timeline values and reasons with their ISO date-times in local, human format (autoescaped after)."""
    return local_times_text(value)


@register.filter
def local_name(obj) -> str:
    """A unit's, category's or remedy's name in the page's language (common.names.name_for_people)."""
    return name_for_people(obj)


@register.simple_tag
def status_words(complaint) -> str:
    """The case's status as its contact type calls it ("已答复" for an inquiry, not "已归档")."""
    return status_label(complaint.status, complaint.kind)
