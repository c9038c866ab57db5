"""Reads: the scripts for a stage, the checker's rules as plain values, override records."""

import hashlib

from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from complaintdesk.complaints.models import Category

from . import checking
from .models import ReplyCheckOverride, ReplyRule, Script, ScriptVersion
from .rendering import language_normalise


def _category_chain(category) -> list[int]:
    """Ids of the category and its ancestors, nearest first (a parent's scripts serve its children)."""
    if category is None:
        return []
    if isinstance(category, str):
        category = Category.objects.filter(code=category).only("id", "parent_id").first()
        if category is None:
            return []
    chain: list[int] = []
    parent_ids = dict(Category.objects.values_list("id", "parent_id")) if category.parent_id else {}
    current = category.pk
    while current is not None and current not in chain:
        chain.append(current)
        current = parent_ids.get(current)
    return chain


def scripts_for(
    *, stage: str, category=None, channel: str | None = None, language: str, complaint: bool = True
) -> list[Script]:
    """The active scripts of `stage` in `language` that fit the case, keeping only the most specific:
    a script for the case's category beats one for its parent category, which beats a general one; at
    equal category, a script for the case's channel beats one for all channels. Each comes with its
    current version loaded (`script.current_version`, `script.body`). `complaint=False` (an inquiry, a
    suggestion, praise) leaves out the scripts marked complaint-only."""
    language = language_normalise(language)
    chain = _category_chain(category)
    channels = [""] + ([channel] if channel else [])
    scripts = list(
        Script.objects.filter(
            stage=stage,
            language=language,
            is_active=True,
            current_version__isnull=False,
            channel__in=channels,
        )
        .filter(Q(category__isnull=True) | Q(category_id__in=chain))
        .filter(Q() if complaint else Q(complaint_only=False))
        .select_related("current_version", "category")
        .order_by("sort_order", "code")
    )

    def specificity(script: Script) -> tuple[int, int]:
        category_rank = len(chain) - chain.index(script.category_id) if script.category_id else 0
        return category_rank, 1 if script.channel else 0

    if not scripts:
        return []
    best = max(specificity(s) for s in scripts)
    return [s for s in scripts if specificity(s) == best]


def script_versions(*, script: Script) -> list[ScriptVersion]:
    """Every version of a script, newest first."""
    return list(script.versions.select_related("created_by").order_by("-number"))


def _translated(text: str, english_text: str = "") -> str:
    if english_text and language_normalise(get_language()) == "en":
        return english_text
    return _(text) if text else text


def reply_rules(*, language: str | None = None) -> list[checking.Rule]:
    """The active rules as plain values for the pure checker, reasons in the interface language."""
    rows = ReplyRule.objects.filter(is_active=True).order_by("sort_order", "code")
    if language:
        rows = rows.filter(language__in=["", language_normalise(language)])
    return [
        checking.Rule(
            code=row.code,
            kind=row.kind,
            severity=row.severity,
            patterns=row.patterns,
            reason=_translated(row.reason, row.reason_en),
            # A rule for all languages advises the agent (interface language); a language's own rule
            # suggests words for the draft, in the draft's language.
            suggestion=_translated(row.suggestion) if not row.language else row.suggestion,
            exceptions=row.exceptions,
            unless=row.unless_patterns,
            language=row.language,
        )
        for row in rows
    ]


def draft_hash(text: str) -> str:
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


def reply_override_for(*, complaint, text: str) -> ReplyCheckOverride | None:
    """The latest override recorded for exactly this draft on this case, if any."""
    return (
        ReplyCheckOverride.objects.filter(complaint=complaint, draft_hash=draft_hash(text))
        .order_by("-at", "-id")
        .first()
    )


def rule_names_for(codes) -> dict[str, str]:
    """Reply-check rule codes ("refusal-zh") with the rules' names, in one query; a code with no rule left
    is "其他规则"."""
    wanted = sorted({code.strip() for code in codes if code and code.strip()})
    names = dict(ReplyRule.objects.filter(code__in=wanted).values_list("code", "name")) if wanted else {}
    return {code: names.get(code) or _("其他规则") for code in wanted}


def rule_names_text(codes: str) -> str:
    """Reply-check rule codes as the timeline stores them ("refusal-zh, pii-phone") in words: the rules'
    names ("推诿用语、手机号码"); a code with no rule left is shown as "其他规则"."""
    wanted = [code.strip() for code in (codes or "").split(",") if code.strip()]
    names = dict(ReplyRule.objects.filter(code__in=wanted).values_list("code", "name")[:50])
    return "、".join(names.get(code) or _("其他规则") for code in wanted)
