"""Survey invitations: a single-use link to the satisfaction survey, sent to the customer with the result.

Decisions:
- Survey links carry a random 128-bit token; the database keeps only its SHA-256 (links.py), so a copy of the
  table cannot be turned into links, and a tampered or made-up token simply matches nothing. Expiry is the
  row's `expires_at` (SURVEY_LINK_TTL_DAYS, default 7); single use is settled when the answer comes in
  (services.py). A short random token keeps the SMS short, which a signed token (several times longer) would
  not.
- A case has one usable link at a time: a new result or a rating taken on the phone voids the unused ones
  (`invitations_void`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint
from complaintdesk.notifications.content import message_language, public_url
from complaintdesk.notifications.services import notification_send

from .links import token_hash, token_new
from .models import ResultFeedback, SurveyInvitation

SURVEY_TEMPLATE = "survey"


def link_lifetime() -> dt.timedelta:
    return dt.timedelta(days=max(1, int(getattr(settings, "SURVEY_LINK_TTL_DAYS", 7) or 7)))


def survey_url(token: str) -> str:
    """The survey link, always absolute (notifications.content.public_url): NOTIFY_SURVEY_URL with {token}
    filled in; a bare site address gets /s/<token>; empty: PUBLIC_BASE_URL + /s/<token>."""
    pattern = (getattr(settings, "NOTIFY_SURVEY_URL", "") or "").strip()
    if "{token}" in pattern:
        return public_url(pattern.replace("{token}", token))
    return public_url(pattern.rstrip("/") + reverse("surveys:answer", kwargs={"token": token}))


def invitations_void(*, complaint: Complaint, at: dt.datetime) -> None:
    """The case's unused survey links stop working (a newer result, link or rating replaces them)."""
    SurveyInvitation.objects.filter(complaint=complaint, used_at__isnull=True, voided_at__isnull=True).update(
        voided_at=at
    )


@dataclass(frozen=True)
class Invited:
    invitation: SurveyInvitation
    token: str  # only here and in the message; the database keeps its hash
    url: str


def survey_invite(
    *,
    complaint: Complaint,
    result: ResultFeedback | None = None,
    channel: str | None = None,
    at: dt.datetime | None = None,
) -> Invited:
    """A single-use survey link for the case, sent with the `survey` template on the customer's channel.
    The rating is about the case's handler and unit as they are now (the handler who sent the result when
    the case has no assignee). Runs in the caller's transaction."""
    at = at or now()
    token = token_new()
    url = survey_url(token)
    agent_id = complaint.assignee_id or (result.sent_by_id if result else None)
    invitation = SurveyInvitation.objects.create(
        complaint=complaint,
        result=result,
        token_hash=token_hash(token),
        agent_id=agent_id,
        org_unit_id=complaint.org_unit_id,
        language=message_language(complaint),
        created_at=at,
        expires_at=at + link_lifetime(),
    )
    notification = notification_send(
        complaint=complaint, template_code=SURVEY_TEMPLATE, channel=channel, extra={"survey_url": url}
    )
    SurveyInvitation.objects.filter(pk=invitation.pk).update(notification=notification)
    invitation.notification = notification
    return Invited(invitation=invitation, token=token, url=url)
