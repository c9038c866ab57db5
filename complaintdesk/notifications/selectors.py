"""Reads of the notifications app."""

from django.db.models import QuerySet

from complaintdesk.complaints.event_text import MessageTexts
from complaintdesk.complaints.models import ComplaintEvent

from .models import Notification, TemplateCode

CASE_LOG_LIMIT = 100


def notifications_for_complaint(*, complaint, limit: int = CASE_LOG_LIMIT) -> QuerySet[Notification]:
    """A case's notification log, newest first, bounded. Show `recipient_masked`, not `recipient`."""
    return (
        Notification.objects.filter(complaint=complaint)
        .select_related("template")
        .order_by("-created_at", "-id")[:limit]
    )


def sent_texts(notified: list[ComplaintEvent]) -> dict[int, str]:
    """The text of each message sent (or given up on) to the customer, by event id: the notification
    of that case, template and channel whose sending (or giving up) is the event (NOTIFIED /
    NOTIFY_FAILED events only)."""
    rows = list(
        Notification.objects.filter(complaint_id__in={e.complaint_id for e in notified})
        .filter(template_code__in={e.new_value for e in notified})
        .only("complaint_id", "template_code", "channel", "subject", "body", "sent_at", "updated_at")
        .order_by("id")[:500]
    )
    texts: dict[int, str] = {}
    for event in notified:
        candidates = [
            n for n in rows
            if n.complaint_id == event.complaint_id and n.template_code == event.new_value and n.channel == event.field
        ]  # fmt: skip
        exact = [n for n in candidates if event.at in (n.sent_at, n.updated_at)]
        earlier = [
            n for n in candidates if (n.sent_at or n.updated_at) and (n.sent_at or n.updated_at) <= event.at
        ]
        chosen = (exact or earlier[-1:] or candidates[-1:] or [None])[0]
        if chosen is not None:
            texts[event.pk] = "\n".join(p for p in (chosen.subject, chosen.body) if p)
    return texts


def template_label(code: str) -> str:
    """Which message a template code is, in words; "" for a code this app does not know."""
    return str(TemplateCode(code).label) if code in TemplateCode.values else ""


# What the case's timeline shows of a message (complaints.event_text, registered in NotificationsConfig.ready()).
TIMELINE_MESSAGES = MessageTexts(texts=sent_texts, label=template_label)
