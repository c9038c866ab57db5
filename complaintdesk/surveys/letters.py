"""Decision letters (处理决定书, issue 15 item 5): what the result told to the customer must state when a
regulation governs the case — what was verified (核实情况), the decision with its basis and reasons (处理依据和
理由), and the routes open to the customer if they disagree (核查, 调解, 仲裁, 诉讼, or an appeal to the
regulator's appeal centre).

Decisions:
- Whether a case needs a letter, and which routes it must offer, is the regulation's to say, not ours:
  surveys offers a registry (`result_requirement_register`) that an app above both surveys and regulation
  fills with the regulation's source (`complaintdesk.regulation.letters.decision_letter_terms`); surveys and
  regulation are siblings and do not import each other. No source registered, or none that answers: the
  result is the plain one of SPEC §2.5, unchanged.
- The three parts are fields of their own on the agent's form (the routes prefilled from the regulation),
  refused in words when empty; the message is then checked as the customer will read it, and a part or a
  route it does not state blocks sending (one finding per missing part, in the agent's language).
- The letter travels in the result templates: a template that names {verified}, {basis} or {routes} places
  them itself; one that does not (the shipped templates) gets the letter after the outcome ({outcome} and
  {outcome_short}), whole, so that even an SMS states every part (it is then longer than the usual three
  segments: a decision is not cut).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from django.utils.translation import gettext as _
from django.utils.translation import override

from complaintdesk.common.errors import InvalidInput
from complaintdesk.complaints.models import Complaint
from complaintdesk.scripts import rendering
from complaintdesk.scripts.checking import ADVICE, BLOCK, Finding

LETTER_PARTS = ("verified", "basis", "routes")
# Placeholders by which a template places the letter itself (else it follows the outcome).
LETTER_PLACEHOLDERS = ("{verified}", "{basis}", "{routes}", "{letter}")

# The routes a regulation may require, and the words by which a message is seen to offer each (any one of
# them, in the message's language).
ROUTE_WORDS = {
    "review": {"zh-hans": ("核查", "复核"), "en": ("review",)},
    "mediation": {"zh-hans": ("调解",), "en": ("mediat",)},
    "arbitration": {"zh-hans": ("仲裁",), "en": ("arbitrat",)},
    "litigation": {"zh-hans": ("诉讼", "起诉"), "en": ("court", "lawsuit", "litigation")},
    "appeal": {"zh-hans": ("申诉",), "en": ("appeal",)},
}


class LetterTerms(Protocol):
    """What a regulation asks of a case's decision letter (regulation.letters.DecisionLetterTerms)."""

    pack_name: str  # the regulation, in the reader's language
    routes: tuple[str, ...]  # keys of ROUTE_WORDS
    review_days: int | None  # the window for asking a review (核查), when the regulation gives one


LetterSource = Callable[[Complaint], "LetterTerms | None"]
_SOURCES: list[LetterSource] = []


def result_requirement_register(source: LetterSource) -> None:
    """Register a source of decision-letter terms: called with a case, it answers the terms its regulation
    sets, or None when it does not govern the case. Filled by an app above surveys (AppConfig.ready())."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def letter_terms_for(*, complaint: Complaint) -> LetterTerms | None:
    """The decision-letter terms that govern the case (the first source that answers), or None."""
    for source in _SOURCES:
        terms = source(complaint)
        if terms is not None:
            return terms
    return None


def route_phrase(route: str) -> str:
    """A route in words, as the customer is told it (申请核查, 申请调解 …)."""
    return {
        "review": _("申请核查"),
        "mediation": _("申请调解"),
        "arbitration": _("申请仲裁"),
        "litigation": _("向人民法院提起诉讼"),
        "appeal": _("向监管部门的申诉受理机构申诉"),
    }.get(route, route)


def _phrases_joined(phrases: list[str]) -> str:
    if len(phrases) <= 1:
        return "".join(phrases)
    return _("%(first)s或%(last)s") % {"first": _("、").join(phrases[:-1]), "last": phrases[-1]}


def routes_default(*, terms: LetterTerms, language: str) -> str:
    """The routes as a sentence the agent starts from, in the customer's language: the review first, with its
    window, then the others."""
    with override(rendering.language_normalise(language)):
        others = [route_phrase(route) for route in terms.routes if route != "review"]
        parts = []
        if "review" in terms.routes:
            if terms.review_days:
                parts.append(
                    _("可自收到本处理决定之日起 %(days)d 日内向我们申请核查") % {"days": terms.review_days}
                )
            else:
                parts.append(_("可向我们申请核查"))
        if others:
            parts.append(
                (_("也可以%(routes)s") if parts else _("可以%(routes)s"))
                % {"routes": _phrases_joined(others)}
            )
        return _("如您不同意本处理决定，%(routes)s。") % {"routes": _("；").join(parts)}


def letter_parts_required(*, terms: LetterTerms | None, verified: str, basis: str, routes: str) -> None:
    """A regulated case's result names every part of the letter: each empty one refused in words."""
    if terms is None:
        return
    missing = {
        "verified": _("请写明核实情况：核实了哪些事实，结论是什么"),
        "basis": _("请写明处理决定的依据和理由"),
        "routes": _("请告知客户不同意处理决定时可以采取的途径"),
    }
    given = {"verified": verified, "basis": basis, "routes": routes}
    errors = {name: [reason] for name, reason in missing.items() if not given[name]}
    if errors:
        raise InvalidInput(
            errors, message=_("%(pack)s要求处理决定书写明三项内容") % {"pack": terms.pack_name}
        )


def clause(text: str) -> str:
    """A part as a clause of a longer sentence: without the full stop or comma it was typed with."""
    return text.strip().rstrip("。.；;，, ")


def letter_text(*, verified: str, basis: str, routes: str, language: str, separator: str) -> str:
    """The letter's three parts as sentences the customer reads, in their language."""
    with override(rendering.language_normalise(language)):
        return separator.join(
            [
                _("核实情况：%(text)s") % {"text": clause(verified)},
                _("处理依据和理由：%(text)s") % {"text": clause(basis)},
                clause(routes),
            ]
        )


def letter_values(
    *, verified: str, basis: str, routes: str, language: str, outcome: str, outcome_short: str, folded: bool
) -> dict[str, str]:
    """The letter's placeholders; `folded` (the template does not place the letter): {outcome} and
    {outcome_short} carry it after the outcome."""
    english = rendering.language_normalise(language) == "en"
    stop = ". " if english else "。"
    values = {
        "verified": clause(verified),
        "basis": clause(basis),
        "routes": clause(routes),
        "letter": letter_text(
            verified=verified, basis=basis, routes=routes, language=language, separator="\n"
        ),
    }
    if folded:
        inline = letter_text(verified=verified, basis=basis, routes=routes, language=language, separator=stop)
        values["outcome"] = f"{outcome}\n{values['letter']}"
        values["outcome_short"] = f"{outcome_short}{stop}{inline}"
    return values


def _said(body: str, text: str) -> bool:
    return " ".join(clause(text).split()) in " ".join(body.split())


def letter_findings(
    *, terms: LetterTerms, body: str, verified: str, basis: str, language: str
) -> list[Finding]:
    """What the message as the customer reads it fails to state of the letter: one blocking finding per
    missing part or route, in the agent's language."""

    def finding(code: str, reason: str, suggestion: str) -> Finding:
        return Finding(
            code=code,
            severity=BLOCK,
            start=0,
            end=0,
            text="",
            reason=reason,
            suggestion=suggestion,
            fix=ADVICE,
        )

    findings = []
    if not _said(body, verified):
        findings.append(
            finding(
                "letter-verified",
                _("%(pack)s要求写明核实情况，发给客户的内容里没有") % {"pack": terms.pack_name},
                _("在结果通知模板中保留 {verified} 或 {outcome}"),
            )
        )
    if not _said(body, basis):
        findings.append(
            finding(
                "letter-basis",
                _("%(pack)s要求写明处理决定的依据和理由，发给客户的内容里没有") % {"pack": terms.pack_name},
                _("在结果通知模板中保留 {basis} 或 {outcome}"),
            )
        )
    lowered = body.lower()
    words_language = "en" if rendering.language_normalise(language) == "en" else "zh-hans"
    for route in terms.routes:
        words = ROUTE_WORDS.get(route, {}).get(words_language, ())
        if words and not any(word in lowered for word in words):
            findings.append(
                finding(
                    f"letter-route-{route}",
                    _("%(pack)s要求告知客户不同意时可以%(route)s，发给客户的内容里没有")
                    % {"pack": terms.pack_name, "route": route_phrase(route)},
                    _("在“不同意时的途径”中写上：%(route)s") % {"route": route_phrase(route)},
                )
            )
    return findings


def letter_findings_refuse(findings: list[Finding]) -> None:
    """The letter's findings as the fields they concern, in words: what the agent must add before sending."""
    if not findings:
        return
    errors: dict[str, list[str]] = {}
    for f in findings:
        field = {"letter-verified": "verified", "letter-basis": "basis"}.get(f.code, "routes")
        errors.setdefault(field, []).append(f.reason)
    raise InvalidInput(errors, message=_("处理决定书不完整，不能发送"))
