"""Telling the customer the result (SPEC §2 step 5): the parts the agent writes, the message as the customer
will read it, the reply checker, and the sending, which moves the case on to "awaiting the customer".

Decisions:
- The result goes through the reply checker as the customer will read it: the result notification rendered
  for the channel it will go on. What the fixed template itself lacks whatever the agent writes (an agent's
  name, a time commitment — the rules that ask for something to be present) is the template's, not the
  agent's, and is not held against the result; everything found in the message is.
- Sending a result moves the case to "awaiting the customer" (handling/escalated → awaiting_customer), which
  pauses the SLA clocks; the customer's confirmation (resolution.py) moves it on to resolved. The survey
  invitation follows the result (SURVEY_SEND_WITH_RESULT), and a corrected result voids the earlier links.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict

from complaintdesk.common.errors import DomainError, InvalidInput
from complaintdesk.common.time import now
from complaintdesk.common.validation import text, validated
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.complaints.states import TRANSITIONS, Status, customer_status_label, runs_complaint_process
from complaintdesk.complaints.timeline import event_record
from complaintdesk.notifications.base import NotificationChannel
from complaintdesk.notifications.content import message_language, notification_values, template_render
from complaintdesk.notifications.services import (
    notification_channel_choose,
    notification_send,
    notification_template_for,
)
from complaintdesk.scripts import rendering
from complaintdesk.scripts.services import ReplyBlocked, ReplyCheckResult, reply_check, reply_override_record

from .invitations import invitations_void, survey_invite
from .letters import (
    LETTER_PARTS,
    LETTER_PLACEHOLDERS,
    LetterTerms,
    clause,
    letter_findings,
    letter_findings_refuse,
    letter_parts_required,
    letter_terms_for,
    letter_values,
)
from .models import ResultFeedback

FIELD_MAX = 2_000
RESULT_TEMPLATE = "result"
# Statuses from which a result can be sent: those the transition table lets move on to "awaiting the
# customer" (the case then waits for them), and that one itself, where a corrected result is sent again.
RESULT_FROM = frozenset(
    {status for status, rules in TRANSITIONS.items() if Status.AWAITING_CUSTOMER in rules}
    | {Status.AWAITING_CUSTOMER}
)


def result_sendable(*, complaint: Complaint) -> bool:
    """Whether the case's status lets a result be sent (the guard of `result_send`; pages ask it too). Only a
    complaint has a result, its acceptance and a survey: an inquiry, a suggestion or praise closes with its
    answer (complaints.states)."""
    return runs_complaint_process(complaint.kind) and complaint.status in RESULT_FROM


class ResultNeedsOverride(DomainError):
    """The result message has warnings: the agent rewrites it or gives a reason for sending it as it is."""

    code = "reply_needs_override"
    status = 422

    def __init__(self, check: ReplyCheckResult):
        super().__init__(_("反馈内容有需要注意的地方：请修改，或填写原因后仍然发送。"))
        self.check = check


class ResultFields(BaseModel):
    """The four parts of the result (SPEC §2.5), as the agent wrote them: stripped, at most FIELD_MAX
    characters, all but the compensation required; and, for a case a regulation governs, the decision
    letter's three parts (letters.py: required then)."""

    model_config = ConfigDict(frozen=True)

    cause: text(FIELD_MAX, required=True)
    measures: text(FIELD_MAX, required=True)
    outcome: text(FIELD_MAX, required=True)
    compensation: text(FIELD_MAX) = ""
    verified: text(FIELD_MAX) = ""
    basis: text(FIELD_MAX) = ""
    routes: text(FIELD_MAX) = ""


def result_fields_clean(
    *,
    cause: str,
    measures: str,
    outcome: str,
    compensation_text: str = "",
    verified: str = "",
    basis: str = "",
    routes: str = "",
) -> ResultFields:
    return validated(
        ResultFields,
        {
            "cause": cause,
            "measures": measures,
            "outcome": outcome,
            "compensation": compensation_text,
            "verified": verified,
            "basis": basis,
            "routes": routes,
        },
    )


def result_summary(fields: ResultFields) -> str:
    """The result in one line per part, for the timeline (sent, or recorded when the customer cannot be
    reached)."""
    lines = [
        _("原因：%(text)s") % {"text": fields.cause},
        _("措施：%(text)s") % {"text": fields.measures},
        _("结果：%(text)s") % {"text": fields.outcome},
    ]
    if fields.compensation:
        lines.append(_("补偿：%(text)s") % {"text": fields.compensation})
    if fields.verified:
        lines.append(_("核实情况：%(text)s") % {"text": fields.verified})
    if fields.basis:
        lines.append(_("处理依据和理由：%(text)s") % {"text": fields.basis})
    if fields.routes:
        lines.append(_("不同意时的途径：%(text)s") % {"text": fields.routes})
    return "\n".join(lines)


@dataclass(frozen=True)
class ResultPreview:
    """The result message as the customer will get it, and what the checker says about it."""

    channel: str
    language: str
    subject: str
    body: str
    check: ReplyCheckResult
    values: dict  # the result's placeholders the message was filled with
    letter_terms: LetterTerms | None = None  # the regulation's, when a decision letter is required
    letter_findings: tuple = ()  # what the message fails to state of the letter (also in `check`)

    @property
    def channel_label(self) -> str:
        """The channel in words (短信, 电子邮件 …), for pages."""
        return str(NotificationChannel(self.channel).label)


# Characters of the short forms an SMS or WeChat result carries (the e-mail has the full text): with the
# fixed words, the case number, the signature and the tracking link the SMS stays within its segments.
CAUSE_SHORT_MAX = 24
MEASURES_SHORT_MAX = 24
OUTCOME_SHORT_MAX = 30
COMPENSATION_SHORT_MAX = 16
# English words are longer; as long as the English result SMS still fits its three segments at the most
# (surveys/tests/test_result_sms_length.py).
SHORT_MAX_EN = {"cause": 28, "measures": 28, "outcome": 32, "compensation": 16}
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
    cut = _before_an_unclosed_bracket(cut)
    return clause(cut) + ELLIPSIS


BRACKETS = {"（": "）", "(": ")", "【": "】", "《": "》", "“": "”", "[": "]"}


def _before_an_unclosed_bracket(cut: str) -> str:
    """`cut` without an aside it opens and does not close ("300元（含退还58" → "300元"): a bracket left open
    before the "…" reads as a mistake. Kept as it is when nothing would be left."""
    depth: list[tuple[str, int]] = []
    for index, char in enumerate(cut):
        if char in BRACKETS:
            depth.append((BRACKETS[char], index))
        elif depth and char == depth[-1][0]:
            depth.pop()
    if depth and depth[0][1] > 0:
        return cut[: depth[0][1]].rstrip()
    return cut


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
        "cause": clause(fields.cause),
        "measures": clause(fields.measures),
        "outcome": clause(fields.outcome),
        "result": joiner.join(part for part in (clause(fields.measures), clause(fields.outcome)) if part),
        "cause_short": text_shorten(clause(fields.cause), limits["cause"]),
        "measures_short": text_shorten(clause(fields.measures), limits["measures"]),
        "outcome_short": text_shorten(clause(fields.outcome), limits["outcome"]),
    }
    if fields.compensation:
        values["compensation"] = clause(fields.compensation)
        values["compensation_short"] = text_shorten(clause(fields.compensation), limits["compensation"])
    return values


def _template_fill(*, template, channel: str, complaint: Complaint, extra: dict, recipient: str = ""):
    """The template filled with the case's placeholders and `extra`, as it would go out on `channel`."""
    return template_render(
        channel=channel,
        subject=template.subject,
        body=template.body,
        provider_fields=template.provider_fields or {},
        values=notification_values(complaint=complaint, language=template.language, extra=extra),
        recipient=recipient,
    )


def _template_shortfalls(*, template, channel: str, complaint: Complaint, agent, language: str) -> set[str]:
    """Codes of the checker's "something is missing" findings on the template filled with neutral example
    results: what the fixed text lacks whatever the agent writes."""
    examples = rendering.sample_values(language)
    extra = (
        {name: examples[name] for name in ("cause", "measures", "result", "compensation")}
        | {f"{name}_short": examples[name] for name in ("cause", "measures", "compensation")}
        | {"outcome": examples["result"], "outcome_short": examples["result"]}
    )
    rendered = _template_fill(template=template, channel=channel, complaint=complaint, extra=extra)
    baseline = reply_check(text=rendered.body, complaint=complaint, agent=agent, language=language)
    return {f.code for f in baseline.findings if not f.text}


def result_preview(
    *, complaint: Complaint, agent, fields: ResultFields, channel: str | None = None
) -> ResultPreview:
    """Render the result notification for the customer's channel and language, and check it. A case a
    regulation governs needs the decision letter's parts (refused in words when empty), and the message must
    state them (blocking findings)."""
    terms = letter_terms_for(complaint=complaint)
    letter_parts_required(terms=terms, verified=fields.verified, basis=fields.basis, routes=fields.routes)
    language = message_language(complaint)
    channel, recipient = notification_channel_choose(complaint=complaint, channel=channel)
    template = notification_template_for(code=RESULT_TEMPLATE, channel=channel, language=language)
    values = result_values(fields, language=template.language)
    with translation.override(template.language):  # where the case stands once the customer reads this
        values["status"] = customer_status_label(Status.AWAITING_CUSTOMER, complaint.kind)
    if terms is not None:
        values |= letter_values(
            verified=fields.verified,
            basis=fields.basis,
            routes=fields.routes,
            language=template.language,
            outcome=values["outcome"],
            outcome_short=values["outcome_short"],
            folded=not any(name in (template.body or "") for name in LETTER_PLACEHOLDERS),
        )
    rendered = _template_fill(
        template=template, channel=channel, complaint=complaint, extra=values, recipient=recipient
    )
    check = reply_check(text=rendered.body, complaint=complaint, agent=agent, language=template.language)
    inherent = _template_shortfalls(
        template=template, channel=channel, complaint=complaint, agent=agent, language=template.language
    )
    findings = [f for f in check.findings if f.text or f.code not in inherent]
    missing = (
        letter_findings(
            terms=terms,
            body=rendered.body,
            verified=fields.verified,
            basis=fields.basis,
            language=template.language,
        )
        if terms is not None
        else []
    )
    check = ReplyCheckResult(
        language=check.language, draft_hash=check.draft_hash, findings=[*missing, *findings]
    )
    return ResultPreview(
        channel=channel,
        language=template.language,
        subject=rendered.subject,
        body=rendered.body,
        check=check,
        values=values,
        letter_terms=terms,
        letter_findings=tuple(missing),
    )


def result_check(
    *,
    number: str,
    actor,
    cause: str,
    measures: str,
    outcome: str,
    compensation_text: str = "",
    verified: str = "",
    basis: str = "",
    routes: str = "",
    channel: str | None = None,
) -> ResultPreview:
    """What `result_send` would send and the checker's findings, without sending anything."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint")
    fields = result_fields_clean(
        cause=cause,
        measures=measures,
        outcome=outcome,
        compensation_text=compensation_text,
        verified=verified,
        basis=basis,
        routes=routes,
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
    verified: str = "",
    basis: str = "",
    routes: str = "",
    override_reason: str = "",
    channel: str | None = None,
) -> ResultFeedback:
    """Tell the customer the result (SPEC §2 step 5) on their preferred channel, after the reply checker: a
    blocking finding refuses it (ReplyBlocked), warnings need `override_reason` (recorded by the scripts app,
    REPLY_OVERRIDDEN on the timeline); a decision letter that does not state all its parts is refused
    (InvalidInput naming each, letters.py). Then the result is stored, RESULT_SENT written, the case moves to
    awaiting the customer's confirmation, and the survey invitation follows (SURVEY_SEND_WITH_RESULT)."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    fields = result_fields_clean(
        cause=cause,
        measures=measures,
        outcome=outcome,
        compensation_text=compensation_text,
        verified=verified,
        basis=basis,
        routes=routes,
    )
    if not runs_complaint_process(complaint.kind):
        raise InvalidInput(
            {"kind": [_("只有投诉需要反馈处理结果；咨询、建议和表扬在结束时写明答复或去向")]},
            message=_("不是投诉"),
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
    letter_findings_refuse(list(preview.letter_findings))
    if preview.letter_terms is None:  # no letter goes out: none is kept
        fields = fields.model_copy(update=dict.fromkeys(LETTER_PARTS, ""))
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
        extra=preview.values,
    )
    result = ResultFeedback.objects.create(
        complaint=complaint,
        cause=fields.cause,
        measures=fields.measures,
        outcome=fields.outcome,
        compensation=fields.compensation,
        verified=fields.verified,
        basis=fields.basis,
        routes=fields.routes,
        letter_pack=preview.letter_terms.pack_name if preview.letter_terms else "",
        channel=notification.channel,
        language=notification.language,
        message=notification.body,
        notification=notification,
        override=override,
        sent_by=actor,
        sent_at=at,
    )
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.RESULT_SENT,
        at=at,
        field=notification.channel,
        new=notification.body,
        reason=result_summary(fields),
    )
    if complaint.status != Status.AWAITING_CUSTOMER:
        complaint = complaint_transition(
            number=complaint.number,
            actor=actor,
            to=Status.AWAITING_CUSTOMER,
            reason=_("已向客户反馈处理结果，等待客户确认"),
        )
    # A corrected result replaces the earlier one: its unused survey links go.
    invitations_void(complaint=complaint, at=at)
    if getattr(settings, "SURVEY_SEND_WITH_RESULT", True):
        survey_invite(complaint=complaint, result=result, channel=notification.channel, at=at)
    return result
