"""Reads: the follow-up queue, a case's results, survey answers and follow-ups, and a survey link."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from complaintdesk.accounts.access import user_unit_ids
from complaintdesk.common.masking import mask_phone
from complaintdesk.common.time import now
from complaintdesk.complaints.states import Status
from complaintdesk.scripts.services import script_values

from .links import invitation_usable, token_hash
from .models import FollowUp, FollowUpState, ResultFeedback, SurveyAnswer, SurveyInvitation

QUEUE_LIMIT = 200
CASE_LIMIT = 50
QUEUE_SCOPES = ("mine", "all")


@dataclass(frozen=True)
class FollowUpQueue:
    items: list[FollowUp]
    overdue: int  # among the items
    truncated: bool


def _visible(qs: QuerySet, user) -> QuerySet:
    if not (user.is_active and user.has_perm("complaints.view_complaint")):
        return qs.none()
    unit_ids = user_unit_ids(user)
    return qs if unit_ids is None else qs.filter(org_unit_id__in=unit_ids)


def follow_up_queue(
    *, user, scope: str = "all", overdue_only: bool = False, limit: int = 100, at: dt.datetime | None = None
) -> FollowUpQueue:
    """Open follow-ups the user may see (their units' subtree, or every unit for HQ-wide roles), the most
    urgent first: "mine" = assigned to the user. Bounded; served by the partial indexes on open tasks."""
    at = at or now()
    limit = max(1, min(limit, QUEUE_LIMIT))
    qs = _visible(FollowUp.objects.filter(state=FollowUpState.OPEN), user).filter(
        complaint__status__in=(Status.RESOLVED, Status.FOLLOW_UP, Status.CLOSED)
    )
    if scope == "mine":
        qs = qs.filter(assignee=user)
    if overdue_only:
        qs = qs.filter(due_at__lte=at)
    rows = list(
        qs.select_related(
            "complaint", "complaint__customer", "complaint__category", "assignee", "org_unit"
        ).order_by("due_at", "id")[: limit + 1]
    )
    items = rows[:limit]
    return FollowUpQueue(
        items=items, overdue=sum(1 for f in items if f.due_at <= at), truncated=len(rows) > limit
    )


def follow_up_due_annotate(complaints: QuerySet) -> QuerySet:
    """`complaints` with `follow_up_due_at`: the due time of each case's open follow-up call (the task's own,
    set by its policy when the case was resolved); None where no call waits."""
    due = (
        FollowUp.objects.filter(complaint_id=OuterRef("pk"), state=FollowUpState.OPEN)
        .order_by("due_at", "id")
        .values("due_at")[:1]
    )
    return complaints.annotate(follow_up_due_at=Subquery(due))


def follow_up_for_user(*, user, follow_up_id: int) -> FollowUp | None:
    return _visible(FollowUp.objects.filter(pk=follow_up_id), user).select_related("complaint").first()


@dataclass(frozen=True)
class PhoneToCall:
    number: str  # E.164 when whole, else masked; "" when the case has no phone
    whole: bool


def follow_up_phone(*, follow_up: FollowUp, user) -> PhoneToCall:
    """The number to call for a follow-up: whole for the person doing the follow-up (and roles that see
    personal data), masked for everyone else. The case's own contact phone first, else the customer's."""
    complaint = follow_up.complaint
    phone = complaint.contact_phone or complaint.customer.phone or ""
    whole = follow_up.assignee_id == user.pk or user.has_perm("complaints.view_personal_data")
    return PhoneToCall(number=phone if whole or not phone else mask_phone(phone), whole=whole and bool(phone))


def follow_ups_for_case(*, complaint) -> list[FollowUp]:
    return list(
        FollowUp.objects.filter(complaint=complaint)
        .select_related("linked_complaint", "assignee")
        .prefetch_related("attempts", "attempts__actor")
        .order_by("-created_at", "-id")[:CASE_LIMIT]
    )


def open_follow_up_for_case(*, complaint) -> FollowUp | None:
    return FollowUp.objects.filter(complaint=complaint, state=FollowUpState.OPEN).first()


def results_for_case(*, complaint) -> list[ResultFeedback]:
    return list(
        ResultFeedback.objects.filter(complaint=complaint)
        .select_related("sent_by", "confirmed_by")
        .order_by("-sent_at", "-id")[:CASE_LIMIT]
    )


def survey_answers_for_case(*, complaint) -> list[SurveyAnswer]:
    return list(
        SurveyAnswer.objects.filter(complaint=complaint)
        .select_related("agent", "org_unit")
        .order_by("-answered_at", "-id")[:CASE_LIMIT]
    )


def invitations_for_case(*, complaint) -> list[SurveyInvitation]:
    return list(
        SurveyInvitation.objects.filter(complaint=complaint).order_by("-created_at", "-id")[:CASE_LIMIT]
    )


@dataclass(frozen=True)
class SurveyLink:
    invitation: SurveyInvitation | None
    refused: str  # "" when it can be answered; else invalid / used / expired


def survey_link(*, token: str, at: dt.datetime | None = None) -> SurveyLink:
    """The invitation behind a link (a page view: nothing is written)."""
    invitation = None
    if token and len(token) <= 64:
        invitation = (
            SurveyInvitation.objects.select_related("complaint", "org_unit")
            .filter(token_hash=token_hash(token))
            .first()
        )
    return SurveyLink(invitation=invitation, refused=invitation_usable(invitation, at=at or now()))


def result_script_values(*, complaint, language: str) -> dict[str, str]:
    """scripts.services value source: the result last told to the customer fills {cause}, {measures},
    {result} and {compensation} of the feedback and follow-up scripts."""
    if not complaint.pk:
        return {}
    result = (
        ResultFeedback.objects.filter(complaint_id=complaint.pk)
        .only("cause", "measures", "outcome", "compensation")
        .order_by("-sent_at", "-id")
        .first()
    )
    if result is None:
        return {}
    return {
        "cause": result.cause,
        "measures": result.measures,
        "result": result.outcome,
        "compensation": result.compensation,
    }


def result_draft(*, complaint, language: str) -> dict[str, str]:
    """What the result form starts from, so the agent does not type again what the case holds: the result
    last told (when feeding back again), else the analysis' root cause as the cause and the option the
    customer chose as the compensation (the scripts' case values). The agent checks and completes it."""
    values = script_values(complaint=complaint, agent=None, language=language)
    return {
        "cause": values.get("cause", ""),
        "measures": values.get("measures", ""),
        "outcome": values.get("result", ""),
        "compensation_text": values.get("compensation", ""),
    }
