"""What a decision letter (处理决定书) must offer the complainant under the pack that governs their case
(issue 15 item 5): the routes open if they disagree, and the window for asking a review (核查).

`decision_letter_terms` is the source surveys asks through its registry
(`complaintdesk.surveys.letters.result_requirement_register`): surveys and regulation are siblings and do not
import each other, so an app above both registers it in its AppConfig.ready(). A case without a pack gets
None: its result is the plain one.

Routes per pack, as shipped (the organisation confirms them; REGULATION_LETTER_ROUTES = {pack code: [routes]}
replaces a pack's list):
- banking-insurance: review (核查, within the pack's review window), mediation, arbitration, litigation —
  《银行保险机构消费投诉处理管理办法》: the decision tells the complainant of the review and of mediation;
  arbitration and litigation are the general routes of civil disputes.
- telecom: appeal to the ministry's appeal centre (《电信用户申诉处理办法》).
- postal-courier: appeal to the postal appeal centre (12305, 《邮政业用户申诉处理办法》).
- odr-12315 and any other pack: mediation, arbitration, litigation (《消费者权益保护法》第三十九条).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from complaintdesk.common.names import english_wanted

from . import deadlines
from .models import PeriodUnit
from .selectors import complaint_pack

ROUTES_BY_PACK: dict[str, tuple[str, ...]] = {
    "banking-insurance": ("review", "mediation", "arbitration", "litigation"),
    "telecom": ("appeal",),
    "postal-courier": ("appeal",),
}
DEFAULT_ROUTES = ("mediation", "arbitration", "litigation")
KNOWN_ROUTES = frozenset({"review", "mediation", "arbitration", "litigation", "appeal"})


@dataclass(frozen=True)
class DecisionLetterTerms:
    pack_name: str  # in the reader's language
    routes: tuple[str, ...]
    review_days: int | None


def _routes(code: str) -> tuple[str, ...]:
    configured = (getattr(settings, "REGULATION_LETTER_ROUTES", None) or {}).get(code)
    if configured:
        return tuple(route for route in configured if route in KNOWN_ROUTES)
    return ROUTES_BY_PACK.get(code, DEFAULT_ROUTES)


def decision_letter_terms(complaint) -> DecisionLetterTerms | None:
    """The decision-letter terms of the pack that governs the case, or None when no pack does."""
    pack = complaint_pack(complaint=complaint)
    if pack is None:
        return None
    routes = _routes(pack.code)
    review_days = None
    if "review" in routes:
        rule = (
            pack.rules.filter(clock=deadlines.Clock.REVIEW_WINDOW.value, unit=PeriodUnit.CALENDAR_DAYS)
            .order_by("sort_order", "id")
            .first()
        )
        review_days = rule.amount if rule is not None else None
    name = pack.name_en if english_wanted() and pack.name_en else pack.name
    return DecisionLetterTerms(pack_name=name, routes=routes, review_days=review_days)
