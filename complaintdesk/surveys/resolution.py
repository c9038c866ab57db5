"""How a case reaches "resolved": only through feeding back the result to the customer (SPEC §2 step 5).

Decisions:
- A case is resolved when the result fed back in its current round (since it was last reopened) has been
  accepted: by the customer in the survey, on the portal, or to an agent on the phone (`result_confirm`,
  `result_accept`, a phone rating saying "solved"), or — when the customer cannot be reached — with the
  reason recorded instead of the customer's answer (`result_unreachable_record`). The transition guard
  `resolution_needs_feedback` refuses every other way to "resolved" (a bare status change, the API's
  `/transitions`, a group resolution), naming what to do instead.
- A rating the customer gives on the phone is a survey answer like one given through the link (same
  table, `source` = phone, the agent who took it as `recorded_by`); the customer's unused links then
  stop working, so one result is rated once.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from complaintdesk.common.errors import DomainError, InvalidInput, too_long_message
from complaintdesk.common.time import now
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.complaints.states import Status
from complaintdesk.complaints.timeline import event_record
from complaintdesk.scripts import rendering

from .models import AnswerSource, ConfirmedVia, ResultFeedback, SurveyAction, SurveyAnswer, SurveyInvitation
from .services import (
    FIELD_MAX,
    RESULT_FROM,
    _act_on_answer,
    _confirm,
    answer_clean,
    answer_summary_parts,
    low_stars,
    result_confirmable,
    result_fields_clean,
    survey_actor,
)

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


# --- resolved without the customer: they cannot be reached -----------------------------------------------------


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
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("请写明无法联系客户的原因（试过哪些方式、何时）")]
    elif len(reason) > FIELD_MAX:
        errors["reason"] = [too_long_message(limit=FIELD_MAX, length=len(reason))]
    try:
        fields = result_fields_clean(
            cause=cause, measures=measures, outcome=outcome, compensation_text=compensation_text
        )
    except InvalidInput as error:
        errors.update(error.fields or {})
    if errors:
        raise InvalidInput(errors)
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
        language=rendering.language_normalise(complaint.customer.language or complaint.language),
        message="",
        unreachable_reason=reason,
        sent_by=actor,
        sent_at=at,
        confirmed_at=at,
        confirmed_via=ConfirmedVia.UNREACHABLE,
        confirmed_by=actor,
    )
    SurveyInvitation.objects.filter(complaint=complaint, used_at__isnull=True, voided_at__isnull=True).update(
        voided_at=at
    )
    summary = [
        _("原因：%(text)s") % {"text": fields.cause},
        _("措施：%(text)s") % {"text": fields.measures},
        _("结果：%(text)s") % {"text": fields.outcome},
    ]
    if fields.compensation:
        summary.append(_("补偿：%(text)s") % {"text": fields.compensation})
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.RESULT_SENT,
        at=at,
        field="",
        new=_("无法联系客户，处理结果未能告知：%(reason)s") % {"reason": reason},
        reason="\n".join(summary),
    )
    return complaint_transition(
        number=complaint.number,
        actor=actor,
        to=Status.RESOLVED,
        reason=_("无法联系客户：%(reason)s") % {"reason": reason},
    )


# --- the customer accepts the result (portal) ------------------------------------------------------------------


def result_accept(*, complaint: Complaint, via: str, note: str = "") -> Complaint:
    """The customer accepts the result themselves (the portal): awaiting_customer → resolved as the
    surveys' system account, like a survey's "solved". The caller holds the case's row lock and has
    checked who the customer is."""
    note = (note or "").strip()
    if len(note) > FIELD_MAX:
        raise InvalidInput({"note": [too_long_message(limit=FIELD_MAX, length=len(note))]})
    if not (result_confirmable(complaint=complaint) and feedback_of_round(complaint=complaint).exists()):
        raise InvalidInput({"accept": [_("收到处理结果后才能确认")]})
    reason = _("客户确认处理结果（%(via)s）") % {"via": ConfirmedVia(via).label}
    return _confirm(
        complaint=complaint,
        actor=survey_actor(),
        via=via,
        at=now(),
        reason=f"{reason}：{note}" if note else reason,
    )


# --- a rating given on the phone ---------------------------------------------------------------------------------


@transaction.atomic
def rating_record(
    *,
    number: str,
    actor,
    stars,
    comment: str = "",
    nps=None,
    solved: bool | None = None,
) -> SurveyAnswer:
    """The customer rates the handling on the phone and the agent records it: stored as a survey answer
    (source: phone, recorded by the agent), on the timeline, and acted on as a survey answer is — except
    that "solved" while the case waits for the customer is the customer's acceptance taken by this agent.
    The customer's unused survey links stop working (one result is rated once)."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    answer = answer_clean(stars=stars, comment=comment, nps=nps, solved=solved)
    rated_after = complaint.status in (Status.RESOLVED, Status.FOLLOW_UP, Status.CLOSED)
    if not (rated_after or feedback_of_round(complaint=complaint).exists()):
        raise InvalidInput({"stars": [_("向客户反馈处理结果后才能登记评价")]})
    at = now()
    SurveyInvitation.objects.filter(complaint=complaint, used_at__isnull=True, voided_at__isnull=True).update(
        voided_at=at
    )
    row = SurveyAnswer.objects.create(
        invitation=None,
        source=AnswerSource.PHONE,
        recorded_by=actor,
        complaint=complaint,
        agent_id=complaint.assignee_id or actor.pk,
        org_unit_id=complaint.org_unit_id,
        stars=answer.stars,
        comment=answer.comment,
        nps=answer.nps,
        solved=answer.solved,
        answered_at=at,
    )
    parts = answer_summary_parts(answer)
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.SURVEY,
        at=at,
        field="csat",
        new=_("客户电话评价：%(rating)s") % {"rating": "，".join(parts)},
        reason=answer.comment,
    )
    happy_and_solved = answer.solved is True and answer.stars > low_stars()
    if happy_and_solved and result_confirmable(complaint=complaint):
        _confirm(
            complaint=complaint,
            actor=actor,
            via=ConfirmedVia.AGENT,
            at=at,
            reason=_("客户在电话中确认问题已解决"),
        )
        action, note = SurveyAction.CONFIRMED, ""
    else:
        try:
            with transaction.atomic():
                action, note = _act_on_answer(complaint=complaint, answer=answer, at=at)
        except DomainError as error:
            details = [m for messages in (error.fields or {}).values() for m in messages]
            action, note = SurveyAction.FAILED, "；".join(details) or error.message
    row.action, row.action_note = action, note
    SurveyAnswer.objects.filter(pk=row.pk).update(action=action, action_note=note)
    return row
