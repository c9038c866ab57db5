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

    def first_response(self, severity: str) -> str:
        """The first-response term of a case of `severity`: a major complaint's, else the general one."""
        return self.first_response_major if severity == "major" else self.first_response_general

    def resolution(self, complexity: str) -> str:
        """The resolution term of a case of `complexity`: a complex case's, else the general one."""
        return self.resolution_complex if complexity == "complex" else self.resolution_general


# Which of the case's own clocks each contact type has (issue 19): an inquiry is answered (first response)
# and closed (resolution); a suggestion is responded to and acknowledged, then it is the owner's; praise is
# acknowledged without a clock. A kind not listed has all three.
FIRST_RESPONSE, ACKNOWLEDGE, RESOLUTION = "first_response", "acknowledge", "resolution"
ALL_CLOCKS = frozenset({FIRST_RESPONSE, ACKNOWLEDGE, RESOLUTION})
KIND_CLOCKS: dict[str, frozenset[str]] = {
    "complaint": ALL_CLOCKS,
    "inquiry": frozenset({FIRST_RESPONSE, RESOLUTION}),
    "suggestion": frozenset({FIRST_RESPONSE, ACKNOWLEDGE}),
    "praise": frozenset(),
}


def clocks_of_kind(kind: str) -> frozenset[str]:
    return KIND_CLOCKS.get(kind or "complaint", ALL_CLOCKS)


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
    kind: str = "complaint"  # the contact type: which clocks the case has (KIND_CLOCKS)


def _pauses_before(
    pauses: tuple[tuple[dt.datetime, dt.datetime], ...], met_at: dt.datetime | None
) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    if met_at is None:
        return pauses
    return tuple(p for p in pauses if p[0] < met_at)


@dataclass(frozen=True)
class Deadlines:
    # None: the contact type has no such clock (KIND_CLOCKS).
    first_response_due_at: dt.datetime | None
    acknowledge_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    provisional: bool
    due_at: dt.datetime | None  # the nearest deadline still to be met


def compute_deadlines(*, facts: CaseClockFacts, terms: PolicyTerms, calendar: WorkCalendar) -> Deadlines:
    first_response_term = terms.first_response(facts.severity)
    resolution_term = terms.resolution(facts.complexity)
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
    has = clocks_of_kind(facts.kind)
    # Without a resolution clock (a suggestion) the acknowledgement keeps its own term.
    acknowledge_due_at = min(acknowledge.due_at, cap.due_at) if RESOLUTION in has else acknowledge.due_at
    outstanding = []
    if facts.is_open:
        if RESOLUTION in has:
            outstanding.append(resolution.due_at)
        if not facts.first_responded and FIRST_RESPONSE in has:
            outstanding.append(first_response.due_at)
        if not facts.acknowledged and ACKNOWLEDGE in has:
            outstanding.append(acknowledge_due_at)
    kept = [
        c
        for c, name in (
            (first_response, FIRST_RESPONSE),
            (acknowledge, ACKNOWLEDGE),
            (resolution, RESOLUTION),
        )
        if name in has
    ]
    return Deadlines(
        first_response_due_at=first_response.due_at if FIRST_RESPONSE in has else None,
        acknowledge_due_at=acknowledge_due_at if ACKNOWLEDGE in has else None,
        resolution_due_at=resolution.due_at if RESOLUTION in has else None,
        provisional=any(c.provisional for c in kept),
        due_at=min(outstanding) if outstanding else None,
    )
