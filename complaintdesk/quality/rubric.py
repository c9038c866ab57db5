"""The inspection rubric (pure): six criteria scored 0–5 each, weighted into a total out of 100.

Why 0–5 rather than 0–100 per criterion: inspectors agree far more often on a short anchored scale
(each level has a description below), and calibration differences stay readable. The weighted total
is on 0–100 so that it can be used directly as the QA part of the scorecard's attitude component.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

SCORE_MIN = 0
SCORE_MAX = 5


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    guide: str  # what a 5 looks like, for the form
    default_weight: int  # percent of the total


CRITERIA: tuple[Criterion, ...] = (
    Criterion("listening", _("倾听"), _("让客户说完，复述问题，确认诉求"), 15),
    Criterion("apology", _("致歉"), _("以第一人称真诚致歉，不推诿"), 15),
    Criterion("accuracy", _("准确"), _("信息、政策、金额、时限准确无误"), 20),
    Criterion("solution", _("解决方案"), _("给出具体可行的方案，必要时提供两种选择"), 25),
    Criterion("scripts", _("话术规范"), _("使用规范话术，避免禁用语，留下姓名、工号和时间承诺"), 10),
    Criterion("follow_up", _("跟进回访"), _("按承诺跟进，结案前后回访确认"), 15),
)
CRITERION_CODES: tuple[str, ...] = tuple(c.code for c in CRITERIA)
DEFAULT_WEIGHTS: dict[str, int] = {c.code: c.default_weight for c in CRITERIA}

# What each level of the 0–5 scale means (shown on the form).
LEVELS: tuple[tuple[int, str], ...] = (
    (0, _("未做到")),
    (1, _("很差")),
    (2, _("较差")),
    (3, _("合格")),
    (4, _("良好")),
    (5, _("优秀")),
)


def weighted_total(scores: dict[str, int], weights: dict[str, int]) -> Decimal:
    """Σ score/5 × weight, on 0–100 with two decimals. `weights` are percents summing to 100."""
    total_weight = sum(weights[code] for code in CRITERION_CODES)
    if total_weight <= 0:
        raise ValueError("weights must sum to a positive number")
    raw = sum(Decimal(scores[code]) * Decimal(weights[code]) for code in CRITERION_CODES)
    value = raw * Decimal(100) / (Decimal(SCORE_MAX) * Decimal(total_weight))
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
