"""Suggesting a case's regulatory codes from its text. Pure, and deliberately simple: each code has a list
of keywords (editable in the admin); per dimension the code whose keywords occur most often in the text is
suggested, a deeper (more specific) code winning a tie. No keyword found: no suggestion for that dimension,
never a guess. The agent confirms or changes every suggestion."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEPARATORS = re.compile(r"[,，、;；\n]+")


@dataclass(frozen=True)
class CodeKeywords:
    dimension: str
    code: str
    level: int
    keywords: str


@dataclass(frozen=True)
class Suggestion:
    dimension: str
    code: str
    matched: tuple[str, ...]


def keyword_list(text: str) -> list[str]:
    return [k.strip() for k in _SEPARATORS.split(text or "") if k.strip()]


def suggest_codes(*, text: str, codes: list[CodeKeywords]) -> dict[str, Suggestion]:
    """The best code per dimension for `text` (matched case-insensitively), with the keywords it matched."""
    haystack = (text or "").casefold()
    best: dict[str, tuple[tuple[int, int, str], Suggestion]] = {}
    for entry in codes:
        matched = tuple(k for k in keyword_list(entry.keywords) if k.casefold() in haystack)
        if not matched:
            continue
        # More distinct keywords first, then the deeper code, then the lower code (stable).
        rank = (len(matched), entry.level, _inverse(entry.code))
        current = best.get(entry.dimension)
        if current is None or rank > current[0]:
            best[entry.dimension] = (rank, Suggestion(entry.dimension, entry.code, matched))
    return {dimension: suggestion for dimension, (_rank, suggestion) in best.items()}


def _inverse(code: str) -> str:
    # max() on the rank prefers the lowest code among equals.
    return "".join(chr(0x10FFFF - ord(ch)) for ch in code)
