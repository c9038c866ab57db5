"""How a case reaches "resolved": only through the result told to the customer (results.py, SPEC §2 step 5)
being accepted, or recorded as impossible to tell.

Decisions:
- A case is resolved when the result fed back in its current round (since it was last reopened) has been
  accepted: by the customer in the survey, on the portal, or to an agent on the phone (`result_confirm`,
  `result_accept`, a survey answer or phone rating saying "solved"), or — when the customer cannot be
  reached — with the reason recorded instead of the customer's answer (`result_unreachable_record`). The
  transition guard `resolution_needs_feedback` refuses every other way to "resolved" (a bare status change,
  the API's `/transitions`, a group resolution), naming what to do instead.
- The customer acts without an account: their acceptance on the portal or in the survey is made by a system
  account (accounts.system, "system.surveys").
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _
from pydantic import BaseModel

from complaintdesk.accounts.models import SystemUser
from complaintdesk.accounts.system import system_user
from complaintdesk.common.errors import InvalidInput
from complaintdesk.common.time import now
from complaintdesk.common.validation import text, validated
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.complaints.states import Status
from complaintdesk.complaints.timeline import event_record
from complaintdesk.notifications.content import message_language

from .invitations import invitations_void
from .models import ConfirmedVia, ResultFeedback
from .results import FIELD_MAX, RESULT_FROM, ResultFields, result_summary

# The customer's confirmation moves the case on from the one status that waits for it.
CONFIRM_FROM = frozenset({Status.AWAITING_CUSTOMER})


def result_confirmable(*, complaint: Complaint) -> bool:
    """Whether the case waits for the customer's confirmation (the guard of `result_confirm`)."""
    return complaint.status in CONFIRM_FROM


# --- the guard ----------------------------------------------------------------------------------------------


def feedback_of_round(*, complaint: Complaint):
    """The case's results of its current round: those fed back since it was last reopened."""
    rows = ResultFeedback.objects.filter(complaint_id=complaint.pk)
    if complaint.reopened_at is not None:
        rows = rows.filter(sent_at__gte=complaint.reopened_at)
    return rows


def resolution_needs_feedback(*, complaint: Complaint, target: str, actor) -> None:
    """complaints.services transition guard: "resolved" needs this round's result accepted by the customer,
    or recorded as impossible to tell them (the customer cannot be reached)."""
    if target != Status.RESOLVED:
        return
    if feedback_of_round(complaint=complaint).filter(confirmed_at__isnull=False).exists():
        return
    if feedback_of_round(complaint=complaint).exists():
        reason = _(
            "客户尚未确认处理结果：请登记客户的确认或评价（电话、满意度评价或网上自助服务），"
            "或记录无法联系客户的原因"
        )
    else:
        reason = _(
            "须先向客户反馈处理结果（原因、措施、结果、补偿），或记录无法联系客户的原因，才能转为已解决"
        )
    raise InvalidInput({"to": [reason]}, message=_("尚未向客户反馈处理结果"))


def resolution_routes(*, complaint: Complaint) -> dict[str, bool]:
    """What a page offers instead of a bare "resolved": record the customer's acceptance (a result waits for
    it) or record that the customer cannot be reached (a result could be sent)."""
    return {
        "confirm": result_confirmable(complaint=complaint)
        and feedback_of_round(complaint=complaint).filter(confirmed_at__isnull=True).exists(),
        "unreachable": complaint.status in RESULT_FROM,
    }


# --- the customer accepts the result -------------------------------------------------------------------------


class ConfirmationInput(BaseModel):
    note: text(FIELD_MAX) = ""


def result_confirmation_record(
    *, complaint: Complaint, actor, via: str, at: dt.datetime, reason: str
) -> Complaint:
    """The latest unconfirmed result of the case is accepted (`via`, by `actor`) and the case resolved. The
    caller holds the case's row lock and has checked the case waits for the customer."""
    result = (
        ResultFeedback.objects.filter(complaint=complaint, confirmed_at__isnull=True)
        .order_by("-sent_at")
        .first()
    )
    if result is not None:
        ResultFeedback.objects.filter(pk=result.pk).update(
            confirmed_at=at, confirmed_via=via, confirmed_by=actor
        )
    return complaint_transition(number=complaint.number, actor=actor, to=Status.RESOLVED, reason=reason)


def _confirmed_reason(*, via: str, note: str) -> str:
    reason = _("客户确认处理结果（%(via)s）") % {"via": ConfirmedVia(via).label}
    return f"{reason}：{note}" if note else reason


@transaction.atomic
def result_confirm(*, number: str, actor, via: str = ConfirmedVia.AGENT, note: str = "") -> Complaint:
    """The customer accepts the result (by phone to an agent, or on the portal as the portal's account):
    awaiting_customer → resolved, which starts the follow-up."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    if via not in ConfirmedVia.values:
        raise InvalidInput({"via": [_("可选：%(choices)s") % {"choices": ", ".join(ConfirmedVia.values)}]})
    note = validated(ConfirmationInput, {"note": note}).note
    if not result_confirmable(complaint=complaint):
        raise InvalidInput({"status": [_("投诉不在“待客户确认”状态")]})
    return result_confirmation_record(
        complaint=complaint, actor=actor, via=via, at=now(), reason=_confirmed_reason(via=via, note=note)
    )


def result_accept(*, complaint: Complaint, via: str, note: str = "") -> Complaint:
    """The customer accepts the result themselves (the portal): awaiting_customer → resolved as the
    surveys' system account, like a survey's "solved". The caller holds the case's row lock and has
    checked who the customer is."""
    note = validated(ConfirmationInput, {"note": note}).note
    if not (result_confirmable(complaint=complaint) and feedback_of_round(complaint=complaint).exists()):
        raise InvalidInput({"accept": [_("收到处理结果后才能确认")]})
    return result_confirmation_record(
        complaint=complaint,
        actor=system_user(SystemUser.SURVEYS),
        via=via,
        at=now(),
        reason=_confirmed_reason(via=via, note=note),
    )


# --- resolved without the customer: they cannot be reached -----------------------------------------------------


class UnreachableInput(ResultFields):
    """The result, and why it cannot be told."""

    reason: text(FIELD_MAX, required=lambda: _("请写明无法联系客户的原因（试过哪些方式、何时）"))


@transaction.atomic
def result_unreachable_record(
    *,
    number: str,
    actor,
    reason: str,
    cause: str,
    measures: str,
    outcome: str,
    compensation_text: str = "",
) -> Complaint:
    """The result cannot be told because the customer cannot be reached (number out of service, no reply
    on any channel …): the result is recorded with the reason instead of a message, and the case is
    resolved (its follow-up is due as after any resolution)."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    fields = validated(
        UnreachableInput,
        {
            "reason": reason,
            "cause": cause,
            "measures": measures,
            "outcome": outcome,
            "compensation": compensation_text,
        },
    )
    if complaint.status not in RESULT_FROM:
        raise InvalidInput(
            {
                "status": [
                    _("投诉处于“%(status)s”，不能按无法联系客户结案")
                    % {"status": complaint.get_status_display()}
                ]
            }
        )
    at = now()
    ResultFeedback.objects.create(
        complaint=complaint,
        cause=fields.cause,
        measures=fields.measures,
        outcome=fields.outcome,
        compensation=fields.compensation,
        channel="",
        language=message_language(complaint),
        message="",
        unreachable_reason=fields.reason,
        sent_by=actor,
        sent_at=at,
        confirmed_at=at,
        confirmed_via=ConfirmedVia.UNREACHABLE,
        confirmed_by=actor,
    )
    invitations_void(complaint=complaint, at=at)
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.RESULT_SENT,
        at=at,
        field="",
        new=_("无法联系客户，处理结果未能告知：%(reason)s") % {"reason": fields.reason},
        reason=result_summary(fields),
    )
    return complaint_transition(
        number=complaint.number,
        actor=actor,
        to=Status.RESOLVED,
        reason=_("无法联系客户：%(reason)s") % {"reason": fields.reason},
    )
