"""What customers are told about an incident, in words a person would use and times as people say them
("预计今天18:00恢复"). Each text is built in the customer's language."""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from django.utils.translation import gettext as _

from complaintdesk.common.time import local_today, local_zone, now
from complaintdesk.notifications.content import notification_language

from . import matching
from .models import Incident, IncidentKind


def spoken(at: dt.datetime, language: str) -> str:
    return matching.spoken_time(at, today=local_today(), zone=local_zone(), language=language)


def _explanation(incident: Incident, language: str, limit: int | None = None) -> str:
    """The public explanation in `language`, cut to `limit` characters and "…" when given (an SMS that would
    not fit otherwise: outreach.sms)."""
    text = incident.explanation_en if language == "en" and incident.explanation_en else incident.explanation
    text = text.rstrip("。.！!；;，, ")
    if limit is not None and len(text) > limit:
        text = text[:limit].rstrip() + "…"
    return text


def explanation_length(incident: Incident, language: str) -> int:
    return len(_explanation(incident, notification_language(language)))


_EXPECTED = {
    IncidentKind.OUTAGE: lambda: _("预计%(when)s恢复"),
    IncidentKind.SHIPMENT_DELAY: lambda: _("预计%(when)s发货"),
    IncidentKind.STORE_CLOSURE: lambda: _("预计%(when)s恢复营业"),
    IncidentKind.OTHER: lambda: _("预计%(when)s解决"),
}
OVER = {
    IncidentKind.OUTAGE: lambda: _("%(title)s已于%(when)s恢复"),
    IncidentKind.SHIPMENT_DELAY: lambda: _("%(title)s：已于%(when)s发货"),
    IncidentKind.STORE_CLOSURE: lambda: _("%(title)s：已于%(when)s恢复营业"),
    IncidentKind.OTHER: lambda: _("%(title)s已于%(when)s解决"),
}


def answer_text(incident: Incident, *, language: str) -> str:
    """What a customer whose complaint the incident explains is told (inside the progress message)."""
    language = notification_language(language)
    with translation.override(language):
        parts = [
            _("您反映的问题我们已经知道：%(explanation)s") % {"explanation": _explanation(incident, language)}
        ]
        if incident.expected_end_at and incident.expected_end_at > now():
            parts.append(_EXPECTED[incident.kind]() % {"when": spoken(incident.expected_end_at, language)})
        parts.append(_("结束后我们会马上告诉您"))
        return _("，").join(parts)


def over_text(incident: Incident, *, language: str) -> str:
    language = notification_language(language)
    with translation.override(language):
        head = OVER[incident.kind]() % {
            "title": incident.title,
            "when": spoken(incident.resolved_at or now(), language),
        }
        text = head + (
            _("：%(text)s") % {"text": incident.resolution.rstrip("。. ")} if incident.resolution else ""
        )
        return text


def notice_text(incident: Incident, *, language: str, explanation_max: int | None = None) -> str:
    """The proactive notice to a customer who has not complained (notices.py); `explanation_max`: the
    explanation cut to fit an SMS (the expected end and the apology stay)."""
    language = notification_language(language)
    with translation.override(language):
        explanation = _explanation(incident, language, explanation_max)
        parts = [_("提前告诉您：%(explanation)s") % {"explanation": explanation}]
        if incident.expected_end_at and incident.expected_end_at > now():
            parts.append(_EXPECTED[incident.kind]() % {"when": spoken(incident.expected_end_at, language)})
        parts.append(_("给您带来不便，非常抱歉"))
        return _("，").join(parts) + _("。")


def outcome_text(incident: Incident, *, language: str) -> str:
    """The result's outcome when the recovery is fed back as the case's result."""
    language = notification_language(language)
    with translation.override(language):
        return OVER[incident.kind]() % {
            "title": incident.title,
            "when": spoken(incident.resolved_at or now(), language),
        }
