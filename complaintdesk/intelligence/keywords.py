"""The cold-start classifier: the organisation's keyword taxonomy. Pure.

Each category scores the sum of the weights of its keywords found in the text (each keyword once).
Confidence = best score ÷ (all scores + 1): one hint alone stays a low-confidence suggestion, two
strong keywords for the same category and none for others come close to certain.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from . import text as textlib
from .classifier import NO_SUGGESTION, Suggestion


@dataclass(frozen=True)
class KeywordRule:
    category_code: str
    keyword: str
    weight: float = 1.0


@lru_cache(maxsize=4096)
def _matcher(keyword: str):
    """Latin keywords match whole words ("fee" not in "coffee"); Chinese ones match anywhere."""
    if keyword.isascii():
        return re.compile(r"(?<![a-z0-9])" + re.escape(keyword) + r"(?![a-z0-9])").search
    return lambda text: keyword in text


def classify(raw: str, rules: list[KeywordRule], *, top: int = 5) -> Suggestion:
    text = textlib.normalise(raw)
    if not textlib.has_content(text):
        return NO_SUGGESTION
    scores: dict[str, float] = {}
    hits: dict[str, list[tuple[float, str]]] = {}
    seen: set[tuple[str, str]] = set()
    for rule in rules:
        keyword = textlib.normalise(rule.keyword)
        if not keyword or rule.weight <= 0 or (rule.category_code, keyword) in seen:
            continue
        seen.add((rule.category_code, keyword))
        if _matcher(keyword)(text):
            scores[rule.category_code] = scores.get(rule.category_code, 0.0) + rule.weight
            hits.setdefault(rule.category_code, []).append((rule.weight, keyword))
    if not scores:
        return NO_SUGGESTION
    best = max(sorted(scores), key=lambda code: scores[code])
    confidence = scores[best] / (sum(scores.values()) + 1.0)
    words = tuple(k for _w, k in sorted(hits[best], key=lambda h: (-h[0], h[1])))[:top]
    return Suggestion(
        category_code=best, confidence=round(confidence, 4), explanation=words, source="keywords"
    )
