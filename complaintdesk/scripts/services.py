"""Writes and case-bound operations of the script library and the reply checker."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, BeforeValidator, ValidationInfo, field_validator

from complaintdesk.calendars.selectors import calendar_for_unit
from complaintdesk.common.errors import DomainError, InvalidInput, NotFound, too_long_message
from complaintdesk.common.phrasing import customer_deadline
from complaintdesk.common.time import local_today, local_zone, now
from complaintdesk.common.validation import Text, refusal, refusals, text, validated
from complaintdesk.complaints.access import complaints_visible_to
from complaintdesk.complaints.models import Channel, EventKind
from complaintdesk.complaints.states import Status, allowed_targets
from complaintdesk.complaints.timeline import event_record
from complaintdesk.sla.selectors import resolution_due_if_reopened

from . import checking, rendering
from .models import ReplyCheckOverride, Script, ScriptLanguage, ScriptStage, ScriptVersion
from .selectors import draft_hash, reply_rules

BODY_MAX = 5_000
OVERRIDE_REASON_MAX = 1_000
DEFAULT_BRAND = "ComplaintDesk"


class ReplyBlocked(DomainError):
    """The draft has a finding that blocks sending; it has to be rewritten, not overridden."""

    code = "reply_blocked"
    status = 422

    def __init__(self, findings: list[checking.Finding]):
        codes = "、".join(dict.fromkeys(f.code for f in findings))
        super().__init__(
            _("回复里有阻止发送的问题（%(codes)s），不能忽略，请先修改草稿。") % {"codes": codes}
        )
        self.findings = findings


def brand_name() -> str:
    """The brand the scripts speak for: settings.BRAND_NAME, else ComplaintDesk."""
    return getattr(settings, "BRAND_NAME", "") or DEFAULT_BRAND


def case_deadline_text(*, complaint, at: dt.datetime, language: str) -> str:
    """A time promised to the customer of `complaint`, as people say it, on its unit's calendar (business
    hours): common.phrasing.customer_deadline, the one formatter of customer-facing deadlines. "" for a time
    already past (a case recorded after it arrived, late): nobody is promised a time gone by, and a
    template's optional segment around it falls away."""
    current = now()
    if at <= current:
        return ""
    return customer_deadline(
        at,
        language=language,
        zone=local_zone(),
        calendar=calendar_for_unit(unit=complaint.org_unit),
        today=local_today(),
        now=current,
    )


def case_promised_deadline(*, complaint) -> dt.datetime | None:
    """The time {deadline} promises the customer. While the case is worked on: its resolution deadline (else
    its nearest one). Once resolved (follow-up, archived), that deadline is spent — kept on the case, it may
    even lie ahead of a case resolved early — and what an agent can promise a customer still unhappy at the
    follow-up call is the case reopened now: the resolution term from now (sla). None when nothing applies."""
    if complaint.is_open:
        return complaint.resolution_due_at or complaint.due_at
    if Status.REOPENED in allowed_targets(complaint.status, complaint.kind):  # the lifecycle's own rule
        return resolution_due_if_reopened(complaint=complaint, at=now())
    return None


def _text(value, *, language: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return rendering.format_deadline(value, language=language, zone=local_zone(), today=local_today())
    return str(value).strip()


# Values a case holds in higher apps, e.g. surveys: the result told to the customer ({cause}, {measures},
# {result}, {compensation}). source(*, complaint, language) -> dict of canonical name → value; filled in an
# AppConfig.ready(). Later sources override earlier ones; `extra` overrides them all.
# `names`: the placeholders a source can fill, when it says (a text that uses none of them does not ask it).
CaseValueSource = Callable[..., dict]
_CASE_VALUE_SOURCES: list[tuple[CaseValueSource, frozenset[str] | None]] = []


def script_value_source_register(source: CaseValueSource, *, names: Iterable[str] | None = None) -> None:
    if all(registered is not source for registered, _names in _CASE_VALUE_SOURCES):
        _CASE_VALUE_SOURCES.append((source, frozenset(names) if names is not None else None))


def script_values(
    *, complaint, agent, language: str, extra: dict | None = None, needed: Iterable[str] | None = None
) -> dict[str, str]:
    """The placeholder values a case and an agent provide, overridden by `extra` (options, cause …).
    `needed`: the placeholders the text to fill uses, when the caller knows them — a registered source
    that can fill none of them is not asked (each asks the database).

    The case's analysis gives {cause} (its root cause); the registered sources add what other apps hold
    (the result told to the customer). Keys of `extra` may be canonical names or their Chinese aliases;
    datetimes are formatted as deadlines. Empty values are left out, so the renderer reports them as
    missing.
    """
    language = rendering.language_normalise(language)
    values: dict[str, object] = {"brand": brand_name()}
    if complaint is not None:
        customer = complaint.customer
        values.update(
            customer_title=rendering.customer_title(
                name=customer.name, title=customer.title, language=language
            ),
            customer_name=customer.name,
            problem=complaint.title,
            demand=complaint.demand,
            case_number=complaint.number,
            product=complaint.product,
            cause=complaint.root_cause,
        )
        if deadline := case_promised_deadline(complaint=complaint):
            values["deadline"] = case_deadline_text(complaint=complaint, at=deadline, language=language)
        needed = None if needed is None else frozenset(needed)
        for source, names in _CASE_VALUE_SOURCES:
            if needed is not None and names is not None and not (names & needed):
                continue
            values.update(
                {
                    name: value
                    for name, value in source(complaint=complaint, language=language).items()
                    if value
                }
            )
    if agent is not None:
        values.update(
            agent_name=agent.display_name or agent.get_full_name(),
            employee_no=agent.employee_no,
            extension=agent.extension,
        )
        with translation.override(language):  # the role as the script's language names it
            values["agent_role"] = str(agent.get_role_display())
    for name, value in (extra or {}).items():
        values[rendering.canonical(name)] = value
    texts = {name: _text(value, language=language) for name, value in values.items()}
    return {name: text for name, text in texts.items() if text}


def script_render(*, script: Script | ScriptVersion, complaint, agent, extra: dict | None = None):
    """The script's current text (or the given version's) filled from the case.

    Returns a `rendering.RenderResult`: `.text`, and `.missing` — the placeholders that had no value,
    left in the text as written (`.unknown` are those no case could fill).
    """
    if isinstance(script, ScriptVersion):
        version, language = script, script.script.language
    else:
        version, language = script.current_version, script.language
    body = version.body if version is not None else ""
    return rendering.render(
        body, script_values(complaint=complaint, agent=agent, language=language, extra=extra)
    )


# --- editing the library -------------------------------------------------------------------------


def script_body_findings(*, body: str, language: str) -> list[checking.Finding]:
    """The checker's findings on a script body filled with example values (placeholders it does not
    know stay in and are blocked by the placeholder rule)."""
    values = rendering.sample_values(language)
    filled = rendering.render(body, values).text
    context = checking.Context(
        language=language,
        own_phones=("13800138000",),
        agent_name=values["agent_name"],
        employee_no=values["employee_no"],
        extension=values["extension"],
        values=values,
    )
    return checking.check_reply(filled, rules=reply_rules(language=language), context=context)


def script_body_errors(*, body: str, language: str) -> list[str]:
    """Why a body cannot be saved: empty, too long, a placeholder nobody fills, or a blocking finding."""
    body = (body or "").strip()
    if not body:
        return [_("此项为必填项")]
    if len(body) > BODY_MAX:
        return [too_long_message(limit=BODY_MAX, length=len(body))]
    errors = []
    unknown = [name for name in rendering.placeholders_in(body) if name not in rendering.PLACEHOLDER_NAMES]
    if unknown:
        known = "、".join(f"{{{p.name}}}" for p in rendering.PLACEHOLDERS)
        errors.append(
            _("未知的占位符：%(names)s。可用：%(known)s")
            % {"names": "、".join(f"{{{n}}}" for n in unknown), "known": known}
        )
    for finding in script_body_findings(body=body, language=language):
        if finding.blocking and not (unknown and finding.code == "placeholder"):
            errors.append(_("“%(text)s”：%(reason)s") % {"text": finding.text, "reason": finding.reason})
    return errors


class ScriptBodyInput(BaseModel):
    language: str
    body: Text

    @field_validator("body")
    @classmethod
    def _body(cls, body: str, info: ValidationInfo) -> str:
        if errors := script_body_errors(body=body, language=info.data.get("language", "")):
            raise refusals(errors)
        return body


class ScriptInput(ScriptBodyInput):
    code: Text
    title: Text
    stage: str
    channel: Text = ""

    @field_validator("code")
    @classmethod
    def _new_code(cls, code: str) -> str:
        if not code:
            raise refusal(_("此项为必填项"))
        if Script.objects.filter(code=code).exists():
            raise refusal(_("编码已存在"))
        return code

    @field_validator("title")
    @classmethod
    def _title(cls, title: str) -> str:
        if not title:
            raise refusal(_("此项为必填项"))
        return title

    @field_validator("stage")
    @classmethod
    def _stage(cls, stage: str) -> str:
        if stage not in ScriptStage.values:
            raise refusal(_("可选：%(choices)s") % {"choices": ", ".join(ScriptStage.values)})
        return stage

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, language: Any) -> str:
        if language not in ScriptLanguage.values:
            raise refusal(_("可选：%(choices)s") % {"choices": ", ".join(ScriptLanguage.values)})
        return language

    @field_validator("channel")
    @classmethod
    def _channel(cls, channel: str) -> str:
        if channel and channel not in Channel.values:
            raise refusal(_("未知的渠道，可选：%(choices)s") % {"choices": ", ".join(Channel.values)})
        return channel


class OverrideInput(BaseModel):
    reason: text(OVERRIDE_REASON_MAX, required=gettext_lazy("请填写忽略警告的原因"))
    text: Text  # the draft itself is kept as written; only an empty one is refused
    finding_codes: Annotated[list[Any], BeforeValidator(lambda codes: codes or [])]

    @field_validator("finding_codes")
    @classmethod
    def _codes(cls, codes: list[Any]) -> list[str]:
        codes = list(dict.fromkeys(str(c).strip() for c in codes if str(c).strip()))
        if not codes:
            raise refusal(_("请选择要忽略的警告"))
        return codes

    @field_validator("text")
    @classmethod
    def _draft(cls, draft: str) -> str:
        if not draft:
            raise refusal(_("草稿为空"))
        return draft


@transaction.atomic
def script_create(
    *,
    code: str,
    title: str,
    stage: str,
    language: str,
    body: str,
    actor,
    category=None,
    channel: str = "",
    sort_order: int = 0,
    is_active: bool = True,
    note: str = "",
) -> Script:
    """A new script with its first version."""
    fields = validated(
        ScriptInput,
        {
            "code": code,
            "title": title,
            "stage": stage,
            "language": language,
            "channel": channel,
            "body": body,
        },
    )
    at = now()
    script = Script.objects.create(
        code=fields.code,
        title=fields.title,
        stage=fields.stage,
        language=fields.language,
        category=category,
        channel=fields.channel,
        sort_order=sort_order,
        is_active=is_active,
        created_at=at,
        updated_at=at,
    )
    script_update(script=script, body=body, actor=actor, note=note)
    return script


@transaction.atomic
def script_update(*, script: Script, body: str, actor, note: str = "") -> ScriptVersion | None:
    """Every edit of the text is a new version, which becomes current; the old ones are kept.
    Returns None when the text is unchanged (no empty versions)."""
    body = validated(ScriptBodyInput, {"language": script.language, "body": body}).body
    locked = (
        Script.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=script.pk)
    )
    if locked.current_version is not None and locked.current_version.body == body:
        return None
    last = locked.versions.order_by("-number").values_list("number", flat=True).first() or 0
    at = now()
    version = ScriptVersion.objects.create(
        script=locked,
        number=last + 1,
        body=body,
        note=(note or "").strip()[:200],
        created_by=actor,
        created_at=at,
    )
    Script.objects.filter(pk=script.pk).update(current_version=version, updated_at=at)
    script.current_version, script.updated_at = version, at
    return version


def script_version_restore(*, version: ScriptVersion, actor) -> ScriptVersion | None:
    """Bring back an earlier text: as a new version, so the history keeps every step."""
    return script_update(
        script=version.script,
        body=version.body,
        actor=actor,
        note=_("恢复自版本 %(number)d") % {"number": version.number},
    )


# --- the reply checker on a case -----------------------------------------------------------------


@dataclass(frozen=True)
class ReplyCheckResult:
    language: str
    draft_hash: str
    findings: list[checking.Finding] = field(default_factory=list)

    @property
    def blocking(self) -> list[checking.Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def warnings(self) -> list[checking.Finding]:
        return [f for f in self.findings if not f.blocking]

    @property
    def blocked(self) -> bool:
        """Sending is refused until the draft is rewritten."""
        return bool(self.blocking)

    @property
    def warning_codes(self) -> list[str]:
        return list(dict.fromkeys(f.code for f in self.warnings))


def reply_check(
    *, text: str, complaint, agent, language: str | None = None, extra: dict | None = None
) -> ReplyCheckResult:
    """Check a draft to the case's customer before it is sent on any channel."""
    language = rendering.language_normalise(language or complaint.language)
    customer = complaint.customer
    values = script_values(complaint=complaint, agent=agent, language=language, extra=extra)
    context = checking.Context(
        language=language,
        own_phones=tuple(p for p in dict.fromkeys((complaint.contact_phone, customer.phone)) if p),
        own_emails=tuple(e for e in dict.fromkeys((complaint.contact_email, customer.email)) if e),
        own_values=tuple(v for v in (customer.account_no, complaint.number) if v),
        agent_name=values.get("agent_name", ""),
        employee_no=values.get("employee_no", ""),
        extension=values.get("extension", ""),
        values=values,
    )
    findings = checking.check_reply(text or "", rules=reply_rules(language=language), context=context)
    return ReplyCheckResult(language=language, draft_hash=draft_hash(text), findings=findings)


@transaction.atomic
def reply_override_record(
    *,
    complaint,
    agent,
    text: str,
    finding_codes: list[str],
    reason: str,
    language: str | None = None,
    extra: dict | None = None,
) -> ReplyCheckOverride:
    """Record that `agent` sends `text` despite the warnings `finding_codes`, and why.

    The draft is checked again here: a blocking finding cannot be overridden (ReplyBlocked), and only
    warnings the draft really has can be.
    """
    if not complaints_visible_to(agent).filter(pk=complaint.pk).exists():
        raise NotFound(_("投诉单 %(number)s 不存在") % {"number": complaint.number})
    fields = validated(OverrideInput, {"reason": reason, "text": text, "finding_codes": finding_codes})
    reason, codes = fields.reason, fields.finding_codes
    result = reply_check(text=text, complaint=complaint, agent=agent, language=language, extra=extra)
    if result.blocked:
        raise ReplyBlocked(result.blocking)
    absent = [code for code in codes if code not in result.warning_codes]
    if absent:
        raise InvalidInput(
            {"finding_codes": [_("草稿中没有这些警告：%(codes)s") % {"codes": "、".join(absent)}]}
        )
    at = now()
    with transaction.atomic():
        override = ReplyCheckOverride.objects.create(
            complaint=complaint,
            actor=agent,
            at=at,
            language=result.language,
            draft_hash=result.draft_hash,
            draft_text=text,
            finding_codes=codes,
            reason=reason,
        )
        # Inspectors sampling the case see what the customer was told despite the checker.
        event_record(
            complaint=complaint,
            actor=agent,
            kind=EventKind.REPLY_OVERRIDDEN,
            at=at,
            new=", ".join(codes),
            reason=reason,
        )
    return override
