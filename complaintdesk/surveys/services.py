"""Writes of the satisfaction survey: the customer's answer through the survey link, a rating the customer
gives on the phone, and what the policy does with an unhappy or a "solved" answer. The link itself is sent
with the result (invitations.py); the result and its acceptance are results.py and resolution.py; the
follow-up (回访) is follow_ups.py.

Decisions:
- Single use of a link is the row's `used_at` (set with a conditional UPDATE) and the answer's one-to-one
  link to it; an unknown, altered, used, voided or expired link is refused and nothing is recorded.
- The customer acts without an account: the survey's transitions are made by a system account
  ("system.surveys", like the escalation ladder's), and an objection goes through the escalation ladder's
  own `complaint_object` as the portal's does. The automatic step runs in a savepoint after the answer is
  stored, so a refusal (e.g. a work order still open) never loses what the customer said.
- A rating the customer gives on the phone is a survey answer like one given through the link (same table,
  `source` = phone, the agent who took it as `recorded_by`); the customer's unused links then stop working,
  so one result is rated once.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field

from complaintdesk.accounts.models import SystemUser, User
from complaintdesk.accounts.system import system_user
from complaintdesk.common.errors import DomainError, InvalidInput
from complaintdesk.common.time import now
from complaintdesk.common.validation import said, text, validated
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.complaints.states import Status
from complaintdesk.complaints.timeline import event_record
from complaintdesk.escalation.services import complaint_object

from .invitations import invitations_void
from .links import invitation_usable, token_hash
from .models import AnswerSource, ConfirmedVia, SurveyAction, SurveyAnswer, SurveyInvitation
from .resolution import feedback_of_round, result_confirmable, result_confirmation_record

logger = logging.getLogger(__name__)

COMMENT_MAX = 2_000
RATED_AFTER = (Status.RESOLVED, Status.FOLLOW_UP, Status.CLOSED)


# --- settings -------------------------------------------------------------------------------------------


def low_stars() -> int:
    return int(getattr(settings, "SURVEY_LOW_STARS", 2))


def unhappy_action() -> str:
    action = getattr(settings, "SURVEY_UNHAPPY_ACTION", "reopen") or "reopen"
    return action if action in {"reopen", "escalate"} else "reopen"


def survey_actor() -> User:
    """The account on the timeline when a survey answer moves a case (accounts.system)."""
    return system_user(SystemUser.SURVEYS)


# --- the answer -------------------------------------------------------------------------------------------


class SurveyLinkRefused(DomainError):
    """The link cannot be used: `reason` is "invalid" (unknown or altered), "used" or "expired"."""

    code = "survey_link_refused"
    status = 410

    def __init__(self, reason: str):
        super().__init__(_("评价链接不可用"))
        self.reason = reason
        if reason == "invalid":
            self.status = 404


class AnswerInput(BaseModel):
    """A rating: 1–5 stars, optionally 0–10 willingness to recommend and whether the problem is solved, and a
    comment. Numbers and yes/no as such (strict: no "3", no true for 1)."""

    model_config = ConfigDict(frozen=True)

    stars: Annotated[int, Field(strict=True, ge=1, le=5), said(lambda: _("请选择 1 到 5 颗星"))]
    comment: text(COMMENT_MAX) = ""
    nps: Annotated[
        Annotated[int, Field(strict=True, ge=0, le=10)] | None, said(lambda: _("请选择 0 到 10 之间的分数"))
    ] = None
    solved: Annotated[bool | None, Field(strict=True), said(lambda: _("请选择问题是否已解决"))] = None


def answer_clean(*, stars, comment: str = "", nps=None, solved: bool | None = None) -> AnswerInput:
    return validated(AnswerInput, {"stars": stars, "comment": comment, "nps": nps, "solved": solved})


def answer_summary_parts(answer) -> list[str]:
    """What a rating says, for the timeline: stars, then willingness to recommend and solved, if given.
    One wording for answers from the survey link and from the phone."""
    parts = [_("%(stars)d 星") % {"stars": answer.stars}]
    if answer.nps is not None:
        parts.append(_("推荐意愿 %(nps)d 分") % {"nps": answer.nps})
    if answer.solved is not None:
        parts.append(_("问题已解决") if answer.solved else _("问题未解决"))
    return parts


def _unhappy_reason(answer: AnswerInput) -> str:
    reason = _("客户评价 %(stars)d 星") % {"stars": answer.stars}
    if answer.solved is False:
        reason += _("，表示问题未解决")
    return f"{reason}：{answer.comment}" if answer.comment else reason


def _act_on_answer(*, complaint: Complaint, answer: AnswerInput, at: dt.datetime) -> tuple[str, str]:
    """What the policy does with an answer: (SurveyAction, note). Unhappy (≤ SURVEY_LOW_STARS stars or not
    solved): reopen with the comment as the reason, or — SURVEY_UNHAPPY_ACTION=escalate — an objection
    (有异议) up the ladder. Solved while waiting for the customer: the result is confirmed (resolved)."""
    unhappy = answer.stars <= low_stars() or answer.solved is False
    status = complaint.status
    if unhappy:
        reason = _unhappy_reason(answer)
        if unhappy_action() == "escalate":
            if status == Status.WITHDRAWN:
                return SurveyAction.NONE, ""
            complaint_object(number=complaint.number, actor=system_user(SystemUser.ESCALATION), reason=reason)
            return SurveyAction.ESCALATED, reason
        if status == Status.AWAITING_CUSTOMER:
            complaint_transition(
                number=complaint.number, actor=survey_actor(), to=Status.HANDLING, reason=reason
            )
            return SurveyAction.REOPENED, reason
        if status in RATED_AFTER:
            complaint_transition(
                number=complaint.number, actor=survey_actor(), to=Status.REOPENED, reason=reason
            )
            return SurveyAction.REOPENED, reason
        return SurveyAction.NONE, ""  # still being handled: the answer is on the timeline for the handler
    if answer.solved is True and status == Status.AWAITING_CUSTOMER:
        result_confirmation_record(
            complaint=complaint,
            actor=survey_actor(),
            via=ConfirmedVia.SURVEY,
            at=at,
            reason=_("客户在满意度评价中确认问题已解决"),
        )
        return SurveyAction.CONFIRMED, ""
    return SurveyAction.NONE, ""


def _act_in_savepoint(*, complaint: Complaint, answer: AnswerInput, at: dt.datetime) -> tuple[str, str]:
    """`_act_on_answer` in a savepoint: a refusal is the answer's FAILED action with its reasons as the note,
    and the answer stays."""
    try:
        with transaction.atomic():
            return _act_on_answer(complaint=complaint, answer=answer, at=at)
    except DomainError as error:
        logger.warning("survey answer on %s: automatic step refused: %s", complaint.number, error.message)
        details = [m for messages in (error.fields or {}).values() for m in messages]
        return SurveyAction.FAILED, "；".join(details) or error.message


def _answer_store(*, complaint: Complaint, answer: AnswerInput, at: dt.datetime, **row) -> SurveyAnswer:
    return SurveyAnswer.objects.create(
        complaint=complaint,
        stars=answer.stars,
        comment=answer.comment,
        nps=answer.nps,
        solved=answer.solved,
        answered_at=at,
        **row,
    )


def _action_store(row: SurveyAnswer, action: str, note: str) -> SurveyAnswer:
    row.action, row.action_note = action, note
    SurveyAnswer.objects.filter(pk=row.pk).update(action=action, action_note=note)
    return row


def survey_answer_submit(
    *, token: str, stars, comment: str = "", nps=None, solved: bool | None = None
) -> SurveyAnswer:
    """The customer's answer through the link. A link that is unknown or altered, used, voided or expired
    is refused (SurveyLinkRefused) and nothing is recorded; bad input records nothing either. The answer
    and its SURVEY event commit together; the policy's step follows in a savepoint."""
    answer = answer_clean(stars=stars, comment=comment, nps=nps, solved=solved)
    with transaction.atomic():
        at = now()
        invitation = SurveyInvitation.objects.select_for_update().filter(token_hash=token_hash(token)).first()
        if why := invitation_usable(invitation, at=at):
            raise SurveyLinkRefused(why)
        complaint = (
            Complaint.objects.select_for_update(of=("self",))
            .select_related("customer", "org_unit")
            .get(pk=invitation.complaint_id)
        )
        if not SurveyInvitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(used_at=at):
            raise SurveyLinkRefused("used")
        row = _answer_store(
            complaint=complaint,
            answer=answer,
            at=at,
            invitation=invitation,
            agent_id=invitation.agent_id,
            org_unit_id=invitation.org_unit_id,
        )
        event_record(
            complaint=complaint,
            actor=survey_actor(),
            kind=EventKind.SURVEY,
            at=at,
            field="csat",
            new="，".join(answer_summary_parts(answer)),
            reason=answer.comment,
        )
        action, note = _act_in_savepoint(complaint=complaint, answer=answer, at=at)
        return _action_store(row, action, note)


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
    if not (complaint.status in RATED_AFTER or feedback_of_round(complaint=complaint).exists()):
        raise InvalidInput({"stars": [_("向客户反馈处理结果后才能登记评价")]})
    at = now()
    invitations_void(complaint=complaint, at=at)
    row = _answer_store(
        complaint=complaint,
        answer=answer,
        at=at,
        invitation=None,
        source=AnswerSource.PHONE,
        recorded_by=actor,
        agent_id=complaint.assignee_id or actor.pk,
        org_unit_id=complaint.org_unit_id,
    )
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.SURVEY,
        at=at,
        field="csat",
        new=_("客户电话评价：%(rating)s") % {"rating": "，".join(answer_summary_parts(answer))},
        reason=answer.comment,
    )
    if answer.solved is True and answer.stars > low_stars() and result_confirmable(complaint=complaint):
        result_confirmation_record(
            complaint=complaint,
            actor=actor,
            via=ConfirmedVia.AGENT,
            at=at,
            reason=_("客户在电话中确认问题已解决"),
        )
        return _action_store(row, SurveyAction.CONFIRMED, "")
    action, note = _act_in_savepoint(complaint=complaint, answer=answer, at=at)
    return _action_store(row, action, note)
