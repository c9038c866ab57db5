"""Which deadlines a case has, from its facts and a policy. Pure: plain values in, plain values out."""

import datetime as dt
from dataclasses import dataclass

from complaintdesk.calendars.workdays import WorkCalendar

from .durations import due_after, parse_duration


@dataclass(frozen=True)
class PolicyTerms:
    first_response_major: str = "2h"
    first_response_general: str = "24h"
    resolution_general: str = "48h"
    resolution_complex: str = "7d"
    acknowledge: str = "2wd"


@dataclass(frozen=True)
class CaseClockFacts:
    created_at: dt.datetime
    severity: str  # "major" | "general"
    complexity: str  # "general" | "complex"
    is_open: bool
    first_responded: bool
    acknowledged: bool
    resolution_started_at: dt.datetime  # intake, or the latest reopening
    pauses: tuple[tuple[dt.datetime, dt.datetime], ...] = ()  # closed pauses only
    # When a clock was met, if it was: a pause that begins after that no longer moves its deadline (the
    # customer's days to confirm the result do not shift the time we answered them by).
    first_responded_at: dt.datetime | None = None
    acknowledged_at: dt.datetime | None = None


def _pauses_before(
    pauses: tuple[tuple[dt.datetime, dt.datetime], ...], met_at: dt.datetime | None
) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    if met_at is None:
        return pauses
    return tuple(p for p in pauses if p[0] < met_at)


@dataclass(frozen=True)
class Deadlines:
    first_response_due_at: dt.datetime
    acknowledge_due_at: dt.datetime
    resolution_due_at: dt.datetime
    provisional: bool
    due_at: dt.datetime | None  # the nearest deadline still to be met


def compute_deadlines(*, facts: CaseClockFacts, terms: PolicyTerms, calendar: WorkCalendar) -> Deadlines:
    first_response_term = (
        terms.first_response_major if facts.severity == "major" else terms.first_response_general
    )
    resolution_term = terms.resolution_complex if facts.complexity == "complex" else terms.resolution_general
    first_response = due_after(
        start=facts.created_at,
        duration=parse_duration(first_response_term),
        calendar=calendar,
        pauses=_pauses_before(facts.pauses, facts.first_responded_at),
    )
    acknowledge = due_after(
        start=facts.created_at,
        duration=parse_duration(terms.acknowledge),
        calendar=calendar,
        pauses=_pauses_before(facts.pauses, facts.acknowledged_at),
    )
    resolution = due_after(
        start=facts.resolution_started_at,
        duration=parse_duration(resolution_term),
        calendar=calendar,
        pauses=facts.pauses,
    )
    # The clocks agree with each other: the customer is never told the case is taken after the time they
    # were promised its result (a "2wd" acknowledgement over a weekend would pass a "48h" resolution).
    # Once acknowledged, the cap is the resolution deadline as it stood then (later pauses move only
    # the resolution clock).
    pauses_then = _pauses_before(facts.pauses, facts.acknowledged_at)
    cap = resolution
    if pauses_then != facts.pauses:  # only a pause begun after it moves the cap: compute it again then
        cap = due_after(
            start=facts.resolution_started_at,
            duration=parse_duration(resolution_term),
            calendar=calendar,
            pauses=pauses_then,
        )
    acknowledge_due_at = min(acknowledge.due_at, cap.due_at)
    outstanding = []
    if facts.is_open:
        outstanding.append(resolution.due_at)
        if not facts.first_responded:
            outstanding.append(first_response.due_at)
        if not facts.acknowledged:
            outstanding.append(acknowledge_due_at)
    return Deadlines(
        first_response_due_at=first_response.due_at,
        acknowledge_due_at=acknowledge_due_at,
        resolution_due_at=resolution.due_at,
        provisional=first_response.provisional or acknowledge.provisional or resolution.provisional,
        due_at=min(outstanding) if outstanding else None,
    )
