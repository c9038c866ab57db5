"""Writes of the loop's closing steps: the result told to the customer, the customer's confirmation, the
satisfaction survey and its answer. Follow-up (回访) writes are in follow_ups.py (re-exported here).

Decisions:
- The result goes through the reply checker as the customer will read it: the result notification rendered
  for the channel it will go on. What the fixed template itself lacks whatever the agent writes (an agent's
  name, a time commitment — the rules that ask for something to be present) is the template's, not the
  agent's, and is not held against the result; everything found in the message is.
- Sending a result moves the case to "awaiting the customer" (handling/escalated → awaiting_customer), which
  pauses the SLA clocks; the customer's confirmation (the survey's "solved" answer, the portal, or an agent
  recording it) moves it on to resolved, which starts the follow-up.
- Survey links carry a random 128-bit token; the database keeps only its SHA-256, so a copy of the table
  cannot be turned into links, and a tampered or made-up token simply matches nothing. Single use is the
  row's `used_at` (set with a conditional UPDATE) and the answer's one-to-one link to it; expiry is the
  row's `expires_at` (SURVEY_LINK_TTL_DAYS, default 7). A short random token keeps the SMS short, which a
  signed token (several times longer) would not.
- The customer acts without an account: the survey's transitions are made by a system account
  ("system.surveys", like the escalation ladder's), and an objection goes through the escalation ladder's
  own `complaint_object` as the portal's does. The automatic step runs in a savepoint after the answer is
  stored, so a refusal (e.g. a work order still open) never loses what the customer said.
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import SystemUser, User
from complaintdesk.accounts.system import system_user
from complaintdesk.common.errors import DomainError, InvalidInput, too_long_message
from complaintdesk.common.time import now
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.complaints.states import TRANSITIONS, Status
from complaintdesk.complaints.timeline import event_record
from complaintdesk.escalation.services import complaint_object
from complaintdesk.notifications.content import (
    notification_language,
    notification_values,
    public_url,
    template_render,
)
from complaintdesk.notifications.services import (
    notification_channel_choose,
    notification_send,
    notification_template_for,
)
from complaintdesk.scripts import rendering
from complaintdesk.scripts.services import ReplyBlocked, ReplyCheckResult, reply_check, reply_override_record

from .follow_ups import FollowUpRecorded, follow_up_outcome_record  # noqa: F401  (the app's write API)
from .links import invitation_usable, token_hash, token_new
from .models import ConfirmedVia, ResultFeedback, SurveyAction, SurveyAnswer, SurveyInvitation

logger = logging.getLogger(__name__)

FIELD_MAX = 2_000
COMMENT_MAX = 2_000
RESULT_TEMPLATE = "result"
SURVEY_TEMPLATE = "survey"
# Statuses from which a result can be sent: those the transition table lets move on to "awaiting the
# customer" (the case then waits for them), and that one itself, where a corrected result is sent again.
RESULT_FROM = frozenset(
    {status for status, rules in TRANSITIONS.items() if Status.AWAITING_CUSTOMER in rules}
    | {Status.AWAITING_CUSTOMER}
)
# The customer's confirmation moves the case on from the one status that waits for it.
CONFIRM_FROM = frozenset({Status.AWAITING_CUSTOMER})


def answer_summary_parts(answer) -> list[str]:
    """What a rating says, for the timeline: stars, then willingness to recommend and solved, if given.
    One wording for answers from the survey link and from the phone (surveys.resolution)."""
    parts = [_("%(stars)d 星") % {"stars": answer.stars}]
    if answer.nps is not None:
        parts.append(_("推荐意愿 %(nps)d 分") % {"nps": answer.nps})
    if answer.solved is not None:
        parts.append(_("问题已解决") if answer.solved else _("问题未解决"))
    return parts


def result_sendable(*, complaint: Complaint) -> bool:
    """Whether the case's status lets a result be sent (the guard of `result_send`; pages ask it too)."""
    return complaint.status in RESULT_FROM


def result_confirmable(*, complaint: Complaint) -> bool:
    """Whether the case waits for the customer's confirmation (the guard of `result_confirm`)."""
    return complaint.status in CONFIRM_FROM


# --- settings -------------------------------------------------------------------------------------------


def link_lifetime() -> dt.timedelta:
    return dt.timedelta(days=max(1, int(getattr(settings, "SURVEY_LINK_TTL_DAYS", 7) or 7)))


def low_stars() -> int:
    return int(getattr(settings, "SURVEY_LOW_STARS", 2))


def unhappy_action() -> str:
    action = getattr(settings, "SURVEY_UNHAPPY_ACTION", "reopen") or "reopen"
    return action if action in {"reopen", "escalate"} else "reopen"


def survey_actor() -> User:
    """The account on the timeline when a survey answer moves a case (accounts.system)."""
    return system_user(SystemUser.SURVEYS)


# --- result feedback --------------------------------------------------------------------------------------


class ResultNeedsOverride(DomainError):
    """The result message has warnings: the agent rewrites it or gives a reason for sending it as it is."""

    code = "reply_needs_override"
    status = 422

    def __init__(self, check: ReplyCheckResult):
        super().__init__(_("反馈内容有需要注意的地方：请修改，或填写原因后仍然发送。"))
        self.check = check


@dataclass(frozen=True)
class ResultFields:
    cause: str
    measures: str
    outcome: str
    compensation: str


@dataclass(frozen=True)
class ResultPreview:
    """The result message as the customer will get it, and what the checker says about it."""

    channel: str
    language: str
    subject: str
    body: str
    check: ReplyCheckResult


def result_fields_clean(
    *, cause: str, measures: str, outcome: str, compensation_text: str = ""
) -> ResultFields:
    errors: dict[str, list[str]] = {}
    values = {}
    for name, value, required in (
        ("cause", cause, True),
        ("measures", measures, True),
        ("outcome", outcome, True),
        ("compensation", compensation_text, False),
    ):
        value = (value or "").strip()
        if required and not value:
            errors[name] = [_("此项为必填项")]
        elif len(value) > FIELD_MAX:
            errors[name] = [too_long_message(limit=FIELD_MAX, length=len(value))]
        values[name] = value
    if errors:
        raise InvalidInput(errors)
    return ResultFields(**values)


def _clause(text: str) -> str:
    return text.strip().rstrip("。.；;，, ")


# Characters of the short forms an SMS or WeChat result carries (the e-mail has the full text): with the
# fixed words, the case number, the signature and the tracking link the SMS stays within its segments.
CAUSE_SHORT_MAX = 24
MEASURES_SHORT_MAX = 24
OUTCOME_SHORT_MAX = 30
COMPENSATION_SHORT_MAX = 16
SHORT_MAX_EN = {"cause": 36, "measures": 36, "outcome": 40, "compensation": 24}  # English words are longer
ELLIPSIS = "…"


def text_shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, cut with "…" at a character boundary (never inside a
    surrogate pair, after a joiner or before a combining mark), trailing punctuation dropped."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    while cut and (
        unicodedata.combining(text[len(cut)]) or text[len(cut)] in "\u200d\ufe0f" or cut[-1] == "\u200d"
    ):
        cut = cut[:-1]
    if text[len(cut)] != " " and " " in cut[-12:]:  # words separated by spaces: not inside a word
        cut = cut[: cut.rindex(" ")]
    return _clause(cut) + ELLIPSIS


def result_values(fields: ResultFields, *, language: str) -> dict[str, str]:
    """The result template's placeholders, the four parts of SPEC §2.5: {cause}, {measures}, {outcome},
    {compensation} ({result}: measures and outcome together, for templates written before), and their short
    forms for SMS and WeChat, {cause_short}, {measures_short}, {outcome_short}, {compensation_short}."""
    english = rendering.language_normalise(language) == "en"
    joiner = "; " if english else "；"
    limits = (
        SHORT_MAX_EN
        if english
        else {
            "cause": CAUSE_SHORT_MAX,
            "measures": MEASURES_SHORT_MAX,
            "outcome": OUTCOME_SHORT_MAX,
            "compensation": COMPENSATION_SHORT_MAX,
        }
    )
    values = {
        "cause": _clause(fields.cause),
        "measures": _clause(fields.measures),
        "outcome": _clause(fields.outcome),
        "result": joiner.join(part for part in (_clause(fields.measures), _clause(fields.outcome)) if part),
        "cause_short": text_shorten(_clause(fields.cause), limits["cause"]),
        "measures_short": text_shorten(_clause(fields.measures), limits["measures"]),
        "outcome_short": text_shorten(_clause(fields.outcome), limits["outcome"]),
    }
    if fields.compensation:
        values["compensation"] = _clause(fields.compensation)
        values["compensation_short"] = text_shorten(_clause(fields.compensation), limits["compensation"])
    return values


def _template_shortfalls(*, template, channel: str, complaint: Complaint, agent, language: str) -> set[str]:
    """Codes of the checker's "something is missing" findings on the template filled with neutral example
    results: what the fixed text lacks whatever the agent writes."""
    examples = rendering.sample_values(language)
    values = notification_values(
        complaint=complaint,
        language=language,
        extra={name: examples[name] for name in ("cause", "measures", "result", "compensation")}
        | {f"{name}_short": examples[name] for name in ("cause", "measures", "compensation")}
        | {"outcome": examples["result"], "outcome_short": examples["result"]},
    )
    rendered = template_render(
        channel=channel,
        subject=template.subject,
        body=template.body,
        provider_fields=template.provider_fields or {},
        values=values,
    )
    baseline = reply_check(text=rendered.body, complaint=complaint, agent=agent, language=language)
    return {f.code for f in baseline.findings if not f.text}


def result_preview(
    *, complaint: Complaint, agent, fields: ResultFields, channel: str | None = None
) -> ResultPreview:
    """Render the result notification for the customer's channel and language, and check it."""
    customer = complaint.customer
    language = notification_language(customer.language or complaint.language)
    channel, recipient = notification_channel_choose(complaint=complaint, channel=channel)
    template = notification_template_for(code=RESULT_TEMPLATE, channel=channel, language=language)
    values = notification_values(
        complaint=complaint,
        language=template.language,
        extra=result_values(fields, language=template.language),
    )
    rendered = template_render(
        channel=channel,
        subject=template.subject,
        body=template.body,
        provider_fields=template.provider_fields or {},
        values=values,
        recipient=recipient,
    )
    check = reply_check(text=rendered.body, complaint=complaint, agent=agent, language=template.language)
    inherent = _template_shortfalls(
        template=template, channel=channel, complaint=complaint, agent=agent, language=template.language
    )
    findings = [f for f in check.findings if f.text or f.code not in inherent]
    check = ReplyCheckResult(language=check.language, draft_hash=check.draft_hash, findings=findings)
    return ResultPreview(
        channel=channel, language=template.language, subject=rendered.subject, body=rendered.body, check=check
    )


def result_check(
    *,
    number: str,
    actor,
    cause: str,
    measures: str,
    outcome: str,
    compensation_text: str = "",
    channel: str | None = None,
) -> ResultPreview:
    """What `result_send` would send and the checker's findings, without sending anything."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint")
    fields = result_fields_clean(
        cause=cause, measures=measures, outcome=outcome, compensation_text=compensation_text
    )
    return result_preview(complaint=complaint, agent=actor, fields=fields, channel=channel)


@transaction.atomic
def result_send(
    *,
    number: str,
    actor,
    cause: str,
    measures: str,
    outcome: str,
    compensation_text: str = "",
    override_reason: str = "",
    channel: str | None = None,
) -> ResultFeedback:
    """Tell the customer the result (SPEC §2 step 5) on their preferred channel, after the reply checker: a
    blocking finding refuses it (ReplyBlocked), warnings need `override_reason` (recorded by the scripts app,
    REPLY_OVERRIDDEN on the timeline). Then the result is stored, RESULT_SENT written, the case moves to
    awaiting the customer's confirmation, and the survey invitation follows (SURVEY_SEND_WITH_RESULT)."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    fields = result_fields_clean(
        cause=cause, measures=measures, outcome=outcome, compensation_text=compensation_text
    )
    if not result_sendable(complaint=complaint):
        raise InvalidInput(
            {
                "status": [
                    _("投诉处于“%(status)s”，处理中或已升级的投诉才能反馈结果")
                    % {"status": complaint.get_status_display()}
                ]
            }
        )
    preview = result_preview(complaint=complaint, agent=actor, fields=fields, channel=channel)
    if preview.check.blocked:
        raise ReplyBlocked(preview.check.blocking)
    override = None
    if preview.check.warnings:
        if not (override_reason or "").strip():
            raise ResultNeedsOverride(preview.check)
        override = reply_override_record(
            complaint=complaint,
            agent=actor,
            text=preview.body,
            finding_codes=preview.check.warning_codes,
            reason=override_reason,
            language=preview.language,
        )
    at = now()
    notification = notification_send(
        complaint=complaint,
        template_code=RESULT_TEMPLATE,
        channel=preview.channel,
        extra=result_values(fields, language=preview.language),
    )
    result = ResultFeedback.objects.create(
        complaint=complaint,
        cause=fields.cause,
        measures=fields.measures,
        outcome=fields.outcome,
        compensation=fields.compensation,
        channel=notification.channel,
        language=notification.language,
        message=notification.body,
        notification=notification,
        override=override,
        sent_by=actor,
        sent_at=at,
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
        field=notification.channel,
        new=notification.body,
        reason="\n".join(summary),
    )
    if complaint.status != Status.AWAITING_CUSTOMER:
        complaint = complaint_transition(
            number=complaint.number,
            actor=actor,
            to=Status.AWAITING_CUSTOMER,
            reason=_("已向客户反馈处理结果，等待客户确认"),
        )
    # A corrected result replaces the earlier one: its unused survey links go.
    SurveyInvitation.objects.filter(complaint=complaint, used_at__isnull=True, voided_at__isnull=True).update(
        voided_at=at
    )
    if getattr(settings, "SURVEY_SEND_WITH_RESULT", True):
        survey_invite(complaint=complaint, result=result, channel=notification.channel, at=at)
    return result


def _confirm(*, complaint: Complaint, actor, via: str, at: dt.datetime, reason: str) -> Complaint:
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


@transaction.atomic
def result_confirm(*, number: str, actor, via: str = ConfirmedVia.AGENT, note: str = "") -> Complaint:
    """The customer accepts the result (by phone to an agent, or on the portal as the portal's account):
    awaiting_customer → resolved, which starts the follow-up."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    if via not in ConfirmedVia.values:
        raise InvalidInput({"via": [_("可选：%(choices)s") % {"choices": ", ".join(ConfirmedVia.values)}]})
    note = (note or "").strip()
    if len(note) > FIELD_MAX:
        raise InvalidInput({"note": [too_long_message(limit=FIELD_MAX, length=len(note))]})
    if not result_confirmable(complaint=complaint):
        raise InvalidInput({"status": [_("投诉不在“待客户确认”状态")]})
    reason = _("客户确认处理结果（%(via)s）") % {"via": ConfirmedVia(via).label}
    return _confirm(
        complaint=complaint, actor=actor, via=via, at=now(), reason=f"{reason}：{note}" if note else reason
    )


# --- survey invitation ------------------------------------------------------------------------------------


def survey_url(token: str) -> str:
    """The survey link, always absolute (notifications.content.public_url): NOTIFY_SURVEY_URL with {token}
    filled in; a bare site address gets /s/<token>; empty: PUBLIC_BASE_URL + /s/<token>."""
    pattern = (getattr(settings, "NOTIFY_SURVEY_URL", "") or "").strip()
    if "{token}" in pattern:
        return public_url(pattern.replace("{token}", token))
    return public_url(pattern.rstrip("/") + reverse("surveys:answer", kwargs={"token": token}))


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
        language=rendering.language_normalise(complaint.customer.language or complaint.language),
        created_at=at,
        expires_at=at + link_lifetime(),
    )
    notification = notification_send(
        complaint=complaint, template_code=SURVEY_TEMPLATE, channel=channel, extra={"survey_url": url}
    )
    SurveyInvitation.objects.filter(pk=invitation.pk).update(notification=notification)
    invitation.notification = notification
    return Invited(invitation=invitation, token=token, url=url)


@transaction.atomic
def survey_send(*, number: str, actor, channel: str | None = None) -> Invited:
    """Send (again) a survey link by hand; earlier unused links of the case stop working."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    at = now()
    SurveyInvitation.objects.filter(complaint=complaint, used_at__isnull=True, voided_at__isnull=True).update(
        voided_at=at
    )
    result = ResultFeedback.objects.filter(complaint=complaint).order_by("-sent_at").first()
    return survey_invite(complaint=complaint, result=result, channel=channel, at=at)


# --- survey answer ----------------------------------------------------------------------------------------


class SurveyLinkRefused(DomainError):
    """The link cannot be used: `reason` is "invalid" (unknown or altered), "used" or "expired"."""

    code = "survey_link_refused"
    status = 410

    def __init__(self, reason: str):
        super().__init__(_("评价链接不可用"))
        self.reason = reason
        if reason == "invalid":
            self.status = 404


@dataclass(frozen=True)
class AnswerInput:
    stars: int
    comment: str
    nps: int | None
    solved: bool | None


def answer_clean(*, stars, comment: str = "", nps=None, solved: bool | None = None) -> AnswerInput:
    errors: dict[str, list[str]] = {}
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        errors["stars"] = [_("请选择 1 到 5 颗星")]
    if nps is not None and (isinstance(nps, bool) or not isinstance(nps, int) or not 0 <= nps <= 10):
        errors["nps"] = [_("请选择 0 到 10 之间的分数")]
    if solved is not None and not isinstance(solved, bool):
        errors["solved"] = [_("请选择问题是否已解决")]
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = [too_long_message(limit=COMMENT_MAX, length=len(comment))]
    if errors:
        raise InvalidInput(errors)
    return AnswerInput(stars=stars, comment=comment, nps=nps, solved=solved)


def _unhappy_reason(answer: AnswerInput) -> str:
    said = _("客户评价 %(stars)d 星") % {"stars": answer.stars}
    if answer.solved is False:
        said += _("，表示问题未解决")
    return f"{said}：{answer.comment}" if answer.comment else said


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
        if status in (Status.RESOLVED, Status.FOLLOW_UP, Status.CLOSED):
            complaint_transition(
                number=complaint.number, actor=survey_actor(), to=Status.REOPENED, reason=reason
            )
            return SurveyAction.REOPENED, reason
        return SurveyAction.NONE, ""  # still being handled: the answer is on the timeline for the handler
    if answer.solved is True and status == Status.AWAITING_CUSTOMER:
        _confirm(
            complaint=complaint,
            actor=survey_actor(),
            via=ConfirmedVia.SURVEY,
            at=at,
            reason=_("客户在满意度评价中确认问题已解决"),
        )
        return SurveyAction.CONFIRMED, ""
    return SurveyAction.NONE, ""


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
        row = SurveyAnswer.objects.create(
            invitation=invitation,
            complaint=complaint,
            agent_id=invitation.agent_id,
            org_unit_id=invitation.org_unit_id,
            stars=answer.stars,
            comment=answer.comment,
            nps=answer.nps,
            solved=answer.solved,
            answered_at=at,
        )
        parts = answer_summary_parts(answer)
        event_record(
            complaint=complaint,
            actor=survey_actor(),
            kind=EventKind.SURVEY,
            at=at,
            field="csat",
            new="，".join(parts),
            reason=answer.comment,
        )
        try:
            with transaction.atomic():
                action, note = _act_on_answer(complaint=complaint, answer=answer, at=at)
        except DomainError as error:
            logger.warning("survey answer on %s: automatic step refused: %s", complaint.number, error.message)
            details = [m for messages in (error.fields or {}).values() for m in messages]
            action, note = SurveyAction.FAILED, "；".join(details) or error.message
        row.action, row.action_note = action, note
        SurveyAnswer.objects.filter(pk=row.pk).update(action=action, action_note=note)
    return row
