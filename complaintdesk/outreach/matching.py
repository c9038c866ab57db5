"""Which incident explains a complaint, and times as customers say them. Pure: plain values in and out.

A complaint matches an incident in progress when all of these hold:
- time: it arrived (or, when the customer said, it happened) inside the incident's window (from `starts_at`
  minus an hour — customers call as soon as it starts — to `ends_at`, or open while it lasts);
- who or where: the customer is on the incident's list (account/order number or phone), or the case was taken
  by one of its units (their subtrees), or its place, title or description names its district. An incident
  with neither list, units nor district matches nobody (it would claim every complaint);
- what: the incident names no products and no categories, or the case's category is one of them, or one of
  its product words appears in the case's product or title.
Of several matching incidents the one declared last wins (the most specific usually comes after the broad one).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from complaintdesk.common.phrasing import customer_day_and_time

EARLY = dt.timedelta(hours=1)
_SPLIT = re.compile(r"[\s,，、;；/]+")


def words(text: str) -> list[str]:
    """The product words of an incident: separated by commas, 顿号, semicolons, slashes or spaces."""
    return [w for w in _SPLIT.split(text or "") if w]


@dataclass(frozen=True)
class IncidentFacts:
    id: int
    declared_at: dt.datetime
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    unit_paths: tuple[str, ...] = ()
    district: str = ""
    products: tuple[str, ...] = ()
    category_ids: frozenset[int] = frozenset()
    accounts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CaseFacts:
    received_at: dt.datetime
    occurred_at: dt.datetime | None
    unit_path: str
    place: str = ""
    title: str = ""
    description: str = ""
    product: str = ""
    category_id: int | None = None
    customer_keys: frozenset[str] = field(default_factory=frozenset)


def in_window(incident: IncidentFacts, case: CaseFacts) -> bool:
    for at in (case.received_at, case.occurred_at):
        if at is None:
            continue
        if at >= incident.starts_at - EARLY and (incident.ends_at is None or at <= incident.ends_at):
            return True
    return False


def in_area(incident: IncidentFacts, case: CaseFacts) -> bool:
    if incident.accounts and incident.accounts & case.customer_keys:
        return True
    if any(case.unit_path.startswith(path) for path in incident.unit_paths):
        return True
    if incident.district:
        return any(incident.district in text for text in (case.place, case.title, case.description))
    return False


def about_it(incident: IncidentFacts, case: CaseFacts) -> bool:
    if not incident.products and not incident.category_ids:
        return True
    if case.category_id is not None and case.category_id in incident.category_ids:
        return True
    return any(word in case.product or word in case.title for word in incident.products)


def matches(incident: IncidentFacts, case: CaseFacts) -> bool:
    return in_window(incident, case) and in_area(incident, case) and about_it(incident, case)


def best_match(incidents: list[IncidentFacts], case: CaseFacts) -> int | None:
    found = [i for i in incidents if matches(i, case)]
    if not found:
        return None
    return max(found, key=lambda i: (i.declared_at, i.id)).id


def spoken_time(at: dt.datetime, *, today: dt.date, zone, language: str) -> str:
    """A time as a person says it: 今天18:00, 明天9:30, 昨天17:40, 12月9日（周三）18:00 (with the year in another
    year), 今天凌晨4:30 before six in the morning; today 18:00, tomorrow 9:30, Wednesday 9 December, 18:00,
    today 4:30 am."""
    local = at.astimezone(zone)
    day = local.date()
    english = (language or "").lower().startswith("en")
    clock = f"{local.hour}:{local.minute:02d}"
    if local.hour < 6:  # a small hour read as the afternoon's would be twelve hours wrong
        clock = f"{clock} am" if english else f"凌晨{clock}"
    relative = {0: ("今天", "today"), 1: ("明天", "tomorrow"), -1: ("昨天", "yesterday")}.get(
        (day - today).days
    )
    if relative:
        return f"{relative[1]} {clock}" if english else f"{relative[0]}{clock}"
    # Further off: the day with its weekday, as every other message to a customer says it.
    return customer_day_and_time(day, clock, language=language, today=today)
