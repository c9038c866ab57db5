"""Template helpers that show a case to people: the clocks that run on it now (its ladder level's,
once escalated) and its timeline in words (complaints.event_text), never field names or codes."""

from django import template

from complaintdesk.complaints.event_text import events_for_people
from complaintdesk.escalation.selectors import case_ladder_for

register = template.Library()


@register.simple_tag
def case_ladder(complaint):
    """Where `complaint` stands on its ladder and the clocks that run now (escalation.selectors)."""
    return case_ladder_for(complaint=complaint)


@register.simple_tag
def timeline_lines(events):
    """`events` in words (complaints.event_text.events_for_people): kind, what, old → new, text, reason."""
    return events_for_people(events)


@register.filter
def name_with_title(customer: dict) -> str:
    """The customer's name with their title as the case page shows it, "王丽（女士）" — once: a name typed
    with it already ("陈先生") is not followed by "（先生）" again."""
    name, title = customer.get("name") or "", customer.get("title") or ""
    if not title or name.endswith(title):
        return name
    return f"{name}（{title}）"
