"""The reply checker: an agent's draft in, findings out. Pure: the rules arrive as plain values.

A rule is one of five kinds:
- `phrase`: literal phrases to avoid, one per line, each optionally `phrase => replacement`;
- `regex`: the same with regular expressions; the replacement may use the match's groups (`\\g<rest>`);
- `require`: the draft must contain one of the patterns (regular expressions), else a sentence to append;
- `agent_identity`: the draft must name the agent and give their 工号 or extension;
- `personal_data`: mobile numbers, ID numbers, e-mail addresses and bank cards that are not the case's
  own customer's. A line is a detector name (`phone`, `landline`, `id_card`, `email`, `bank_card`) or
  a regex.
`exceptions` are literal phrases inside which a match does not count (不但是 holds 但是, 可能性 holds
可能); for personal data they are values that may appear (the company hotline). When any of the
`unless` patterns occurs anywhere in the draft, the rule does not fire (a first-person apology
elsewhere excuses a "we" apology).

Replacements and sentences may hold placeholders (`{deadline}`), filled from the context's values with
the script renderer. A replacement or sentence that cannot be filled completely is never offered as a
rewrite: it becomes advice, with each unfilled placeholder named in brackets (〔方案A〕), so the suggested
rewrite (`apply_suggestions`) never holds a placeholder; and the `placeholder` rule blocks sending a draft
that still has one.
Nothing here raises on odd input or a broken pattern: a pattern that does not compile is skipped
(`pattern_errors` reports it to whoever edits the rule).
"""

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from complaintdesk.common.masking import mask_email, mask_phone, mask_text

from .rendering import PLACEHOLDERS, language_normalise, render

BLOCK = "block"
WARN = "warn"
SEVERITIES = (BLOCK, WARN)

PHRASE = "phrase"
REGEX = "regex"
REQUIRE = "require"
AGENT_IDENTITY = "agent_identity"
PERSONAL_DATA = "personal_data"
KINDS = (PHRASE, REGEX, REQUIRE, AGENT_IDENTITY, PERSONAL_DATA)

REPLACE = "replace"  # put `suggestion` in place of text[start:end]
APPEND = "append"  # add `suggestion` after the draft (start == end == len(draft))
ADVICE = "advice"  # no mechanical rewrite: `suggestion` tells the agent what to write instead


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str
    severity: str
    patterns: Sequence[str] | str
    reason: str
    suggestion: str = ""
    exceptions: Sequence[str] | str = ()
    unless: Sequence[str] | str = ()
    language: str = ""  # "" applies to drafts in any language


@dataclass(frozen=True)
class Context:
    """What the checker may know about the case and the agent; everything is optional."""

    language: str = "zh-hans"
    own_phones: Sequence[str] = ()  # the case's customer's numbers (any format)
    own_emails: Sequence[str] = ()
    own_values: Sequence[str] = ()  # other identifiers of the customer that may appear (account number)
    agent_name: str = ""
    employee_no: str = ""
    extension: str = ""
    values: Mapping[str, str] = field(default_factory=dict)  # fills placeholders in suggestions


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    start: int
    end: int
    text: str  # the offending text; empty when something is missing
    reason: str
    suggestion: str
    fix: str  # REPLACE, APPEND or ADVICE

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCK


def pattern_lines(value: Sequence[str] | str) -> tuple[str, ...]:
    """One entry per non-empty line; lines starting with # are comments."""
    items = value.splitlines() if isinstance(value, str) else list(value)
    return tuple(line.strip() for line in items if line.strip() and not line.strip().startswith("#"))


def split_line(line: str) -> tuple[str, str | None]:
    """'phrase => replacement' → (phrase, replacement); without '=>' the replacement is None."""
    pattern, arrow, replacement = line.partition("=>")
    if not arrow:
        return line.strip(), None
    return pattern.strip(), replacement.strip()


def _normalise(text: str) -> str:
    # Same length as the input, so that spans found in it are spans of the draft.
    return text.replace("\u2019", "'").replace("\u2018", "'")


_ASCII_WORD = re.compile(r"[A-Za-z0-9_]")


@functools.lru_cache(maxsize=1024)
def _phrase_regex(phrase: str) -> re.Pattern:
    body = r"\s+".join(re.escape(word) for word in _normalise(phrase).split())
    if _ASCII_WORD.match(phrase[0]):
        body = r"(?<![A-Za-z0-9_])" + body
    if _ASCII_WORD.match(phrase[-1]):
        body += r"(?![A-Za-z0-9_])"
    return re.compile(body, re.IGNORECASE)


@functools.lru_cache(maxsize=1024)
def _regex(pattern: str) -> re.Pattern | None:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except (re.error, OverflowError, RecursionError):
        return None


def pattern_errors(kind: str, patterns: Sequence[str] | str, unless: Sequence[str] | str = ()) -> list[str]:
    """Lines that would be skipped: regexes that do not compile. For validating a rule as it is edited."""
    errors = []
    regex_lines: list[str] = list(pattern_lines(unless))
    if kind in {REGEX, REQUIRE, AGENT_IDENTITY}:
        regex_lines += [split_line(line)[0] for line in pattern_lines(patterns)]
    elif kind == PERSONAL_DATA:
        regex_lines += [line for line in pattern_lines(patterns) if line not in DETECTORS]
    for line in regex_lines:
        try:
            re.compile(line)
        except re.error as error:
            errors.append(f"{line}: {error}")
    return errors


def _spans(text: str, phrases: Iterable[str]) -> list[tuple[int, int]]:
    spans = []
    for phrase in phrases:
        spans += [m.span() for m in _phrase_regex(phrase).finditer(text)]
    return spans


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _match_case(replacement: str, matched: str) -> str:
    if replacement and matched[:1].isupper() and replacement[:1].islower() and replacement[:1].isascii():
        return replacement[0].upper() + replacement[1:]
    return replacement


_ALIASES = {p.name: p.alias for p in PLACEHOLDERS}


def _named(template: str, context: Context) -> str:
    """`template` filled, each placeholder without a value named in brackets instead: advice for the
    agent, never text for the customer."""
    english = language_normalise(context.language) == "en"

    def label(name: str) -> str:
        return f"[{name.replace('_', ' ')}]" if english else f"〔{_ALIASES.get(name) or name}〕"

    filled = render(template, context.values)
    text = filled.text
    for name in filled.missing:
        for written in {name, _ALIASES.get(name, "")} - {""}:
            text = text.replace("{" + written + "}", label(name))
    return text


def _fill_fix(template: str, context: Context, fix: str) -> tuple[str, str]:
    """(text, fix): the filled replacement or sentence with its mechanical `fix` when every placeholder
    has a value, else the same named for the agent as ADVICE."""
    filled = render(template, context.values)
    if filled.missing:
        return _named(template, context), ADVICE
    return filled.text, fix


def _check_avoid(rule: Rule, text: str, norm: str, context: Context) -> list[Finding]:
    if any((regex := _regex(p)) and regex.search(norm) for p in pattern_lines(rule.unless)):
        return []
    excepted = _spans(norm, pattern_lines(rule.exceptions))
    candidates = []
    for index, line in enumerate(pattern_lines(rule.patterns)):
        pattern, replacement = split_line(line)
        if not pattern:
            continue
        regex = _phrase_regex(pattern) if rule.kind == PHRASE else _regex(pattern)
        if regex is None:
            continue
        for match in regex.finditer(norm):
            start, end = match.span()
            if start < end and not _inside(start, end, excepted):
                candidates.append((start, start - end, index, match, replacement))
    findings = []
    last_end = -1
    for start, _negative_length, _index, match, replacement in sorted(candidates, key=lambda c: c[:3]):
        if start < last_end:
            continue  # overlaps a longer or earlier match of the same rule
        end = match.end()
        last_end = end
        matched = text[start:end]
        if replacement is None:
            suggestion, fix = _named(rule.suggestion, context), ADVICE
        else:
            if rule.kind == REGEX:
                try:
                    replacement = match.expand(replacement)
                except (re.error, IndexError):
                    findings.append(
                        Finding(
                            rule.code,
                            rule.severity,
                            start,
                            end,
                            matched,
                            rule.reason,
                            _named(rule.suggestion, context),
                            ADVICE,
                        )
                    )
                    continue
            suggestion, fix = _fill_fix(replacement, context, REPLACE)
            if fix == REPLACE:
                suggestion = _match_case(suggestion, matched)
            if suggestion == "" and matched.isascii():
                # Deleting an English word takes one neighbouring space with it.
                if end < len(text) and text[end] == " ":
                    end += 1
                elif start > 0 and text[start - 1] == " ":
                    start -= 1
        findings.append(
            Finding(rule.code, rule.severity, start, end, text[start:end], rule.reason, suggestion, fix)
        )
    return findings


def _missing(rule: Rule, text: str, context: Context) -> Finding:
    suggestion, fix = _fill_fix(rule.suggestion, context, APPEND)
    return Finding(rule.code, rule.severity, len(text), len(text), "", rule.reason, suggestion, fix)


def _check_require(rule: Rule, text: str, norm: str, context: Context) -> list[Finding]:
    deadline = (context.values.get("deadline") or "").strip()
    if deadline and deadline in text:
        return []
    for line in pattern_lines(rule.patterns):
        regex = _regex(split_line(line)[0])
        if regex is not None and regex.search(norm):
            return []
    return [_missing(rule, text, context)]


def _has_token(norm: str, token: str) -> bool:
    return (
        re.search(r"(?<![0-9A-Za-z])" + re.escape(token) + r"(?![0-9A-Za-z])", norm, re.IGNORECASE)
        is not None
    )


def _check_identity(rule: Rule, text: str, norm: str, context: Context) -> list[Finding]:
    name = context.agent_name.strip()
    numbers = [n.strip() for n in (context.employee_no, context.extension) if n and n.strip()]
    if name or numbers:
        name_given = not name or _has_token(norm, name)
        number_given = not numbers or any(_has_token(norm, n) for n in numbers)
        if name_given and number_given:
            return []
    else:
        # We don't know who is writing: any self-introduction with a number will do.
        for line in pattern_lines(rule.patterns):
            regex = _regex(split_line(line)[0])
            if regex is not None and regex.search(norm):
                return []
    return [_missing(rule, text, context)]


# Personal data detectors: a pattern, how to compare two values, how to mask one.
def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _phone_key(value: str) -> str:
    digits = _digits(value)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) >= 12:
        digits = digits[2:]
    return digits.lstrip("0")


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        number = int(char)
        if position % 2:
            number = number * 2 - 9 if number > 4 else number * 2
        total += number
    return total % 10 == 0


@dataclass(frozen=True)
class Detector:
    pattern: re.Pattern
    key: object  # value → comparable form
    mask: object  # value → masked form
    valid: object = None  # value → bool, to drop look-alikes


DETECTORS: dict[str, Detector] = {
    "id_card": Detector(
        re.compile(
            r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]"
            r"(?![0-9A-Za-z])"
        ),
        lambda v: v.upper(),
        lambda v: mask_text(v, keep=4),
    ),
    # Mobile numbers belong to people; landlines are mostly shops and offices, so they are opt-in.
    "phone": Detector(
        re.compile(r"(?<![0-9A-Za-z+])(?:(?:\+|00)?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)"),
        _phone_key,
        lambda v: mask_phone(_phone_key(v)),
    ),
    "landline": Detector(
        re.compile(r"(?<![0-9A-Za-z])(?:\(0\d{2,3}\)\s?|0\d{2,3}-)\d{7,8}(?!\d)"),
        _phone_key,
        lambda v: mask_phone(_phone_key(v)),
    ),
    "email": Detector(
        re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", re.ASCII),
        lambda v: v.lower(),
        mask_email,
    ),
    "bank_card": Detector(
        re.compile(r"(?<![0-9A-Za-z])\d{4}(?:[ -]?\d{4}){3}(?:[ -]?\d{1,3})?(?![0-9A-Za-z])"),
        _digits,
        lambda v: "**** " + _digits(v)[-4:],
        lambda v: 16 <= len(_digits(v)) <= 19 and _luhn(_digits(v)),
    ),
}
_CUSTOM = Detector(re.compile(""), lambda v: v.strip().lower(), lambda v: mask_text(v))


def _check_personal_data(rule: Rule, text: str, norm: str, context: Context) -> list[Finding]:
    allowed_raw = [
        *context.own_phones,
        *context.own_emails,
        *context.own_values,
        *pattern_lines(rule.exceptions),
    ]
    candidates = []
    for index, line in enumerate(pattern_lines(rule.patterns)):
        detector = DETECTORS.get(line)
        regex = detector.pattern if detector else _regex(line)
        if regex is None:
            continue
        detector = detector or _CUSTOM
        allowed = {detector.key(value) for value in allowed_raw if value}
        for match in regex.finditer(norm):
            value = match.group(0)
            if not value or (detector.valid and not detector.valid(value)) or detector.key(value) in allowed:
                continue
            candidates.append((match.start(), -len(value), index, match.end(), detector))
    findings = []
    last_end = -1
    for start, _negative_length, _index, end, detector in sorted(candidates, key=lambda c: c[:3]):
        if start < last_end:
            continue
        last_end = end
        value = text[start:end]
        findings.append(
            Finding(rule.code, rule.severity, start, end, value, rule.reason, detector.mask(value), REPLACE)
        )
    return findings


_CHECKS = {
    PHRASE: _check_avoid,
    REGEX: _check_avoid,
    REQUIRE: _check_require,
    AGENT_IDENTITY: _check_identity,
    PERSONAL_DATA: _check_personal_data,
}


def rule_applies(rule: Rule, language: str) -> bool:
    return not rule.language or language_normalise(rule.language) == language_normalise(language)


def check_reply(text: str, *, rules: Iterable[Rule], context: Context | None = None) -> list[Finding]:
    """Every finding of every rule that applies to the draft's language, in the order of the text."""
    context = context or Context()
    text = text or ""
    norm = _normalise(text)
    findings: list[Finding] = []
    for rule in rules:
        check = _CHECKS.get(rule.kind)
        if check is None or rule.severity not in SEVERITIES or not rule_applies(rule, context.language):
            continue
        findings += check(rule, text, norm, context)
    return sorted(findings, key=lambda f: (f.start, f.end, f.severity != BLOCK, f.code))


_TERMINAL = "。！？!?.…；;"
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def apply_suggestions(text: str, findings: Iterable[Finding]) -> str:
    """The draft with every mechanical rewrite applied: replacements in place (the first of
    overlapping ones wins), missing sentences appended. Advice is left to the agent."""
    findings = list(findings)
    replacements = sorted((f for f in findings if f.fix == REPLACE), key=lambda f: (f.start, -f.end))
    kept: list[Finding] = []
    for finding in replacements:
        if not kept or finding.start >= kept[-1].end:
            kept.append(finding)
    for finding in reversed(kept):
        text = text[: finding.start] + finding.suggestion + text[finding.end :]
    for finding in findings:
        if finding.fix != APPEND or not finding.suggestion:
            continue
        sentence = finding.suggestion
        chinese = bool(_CJK.match(sentence))
        stripped = text.rstrip().rstrip("，,、：:").rstrip()
        if not stripped:
            text = sentence
        elif stripped[-1] in _TERMINAL:
            text = stripped + ("" if chinese else " ") + sentence
        else:
            text = stripped + ("。" if chinese else ". ") + sentence
    return text
