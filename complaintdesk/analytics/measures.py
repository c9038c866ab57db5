"""The measures of one complaint, from plain values. Pure: no ORM, no clock (the caller passes `at`).

Each rule below is the definition written in docs/metrics.md; change both together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from complaintdesk.calendars.workdays import WorkCalendar

RESOLVED_STATUSES = frozenset({"resolved", "follow_up", "closed"})
# First-contact resolution: resolved within the first-response window; when a case has no first-response
# deadline, the general complaint's 24 hours (SPEC §3).
FCR_DEFAULT_WINDOW = dt.timedelta(hours=24)
SATISFIED_STARS = 4  # 4–5 stars
PRAISE_STARS = 5
PROMOTER_NPS, DETRACTOR_NPS = 9, 6  # 9–10 promoters, 0–6 detractors
REPEAT_WINDOW = dt.timedelta(days=30)
# Contact types (complaints.states.ContactKind) and the measure that counts each.
KIND_MEASURES = {"inquiry": "inquiries", "suggestion": "suggestions", "praise": "praises"}
CONTACT_MEASURES = (
    "contacts", "inquiries", "suggestions", "praises", "contacts_resolved", "contacts_fcr", "transferred",
)  # fmt: skip


@dataclass(frozen=True)
class CaseInput:
    created_at: dt.datetime
    status: str
    first_responded_at: dt.datetime | None = None
    first_response_due_at: dt.datetime | None = None
    resolution_due_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    reopened_at: dt.datetime | None = None
    escalated_at: dt.datetime | None = None
    sla_paused_at: dt.datetime | None = None
    escalated_up: bool = False  # a hand-off up the escalation ladder
    reassigned: bool = False  # reassigned from one handler to another
    transferred: bool = False  # 转办: handed to another unit
    dispatched: bool = False  # a work order went to a department
    repeat: bool = False  # the customer complained within the 30 days before
    complainant_first: bool = False  # the customer's first complaint in this unit this month
    complainant_first_category: bool = False  # … of this category in this unit this month
    complainant_first_channel: bool = False  # … through this channel in this unit this month
    stars: int | None = None  # the latest survey answer
    nps: int | None = None
    compensation_cents: int = 0
    kind: str = "complaint"  # complaint, inquiry, suggestion, praise


def _seconds(delta: dt.timedelta) -> int:
    return max(int(delta.total_seconds()), 0)


def case_measures(
    case: CaseInput, *, at: dt.datetime, calendar: WorkCalendar
) -> tuple[dict, dt.datetime | None]:
    """The measures of one complaint at `at`, and the earliest due time after which they change by
    themselves (an undecided deadline), or None."""
    m = dict.fromkeys(
        (
            "withdrawn responded response_seconds fr_decided fr_met res_decided res_met resolved "
            "handling_seconds fcr ever_resolved reopened escalated repeat rated satisfied praised "
            "nps_answered promoters detractors compensated compensation_cents"
        ).split()
        + list(CONTACT_MEASURES),
        0,
    )
    m["contacts"] = 1
    # 转办: the case went to another unit, so whoever first took it did not resolve it (never FCR).
    m["transferred"] = int(case.transferred)
    resolved = case.status in RESOLVED_STATUSES
    resolved_time = case.resolved_at or (case.closed_at if resolved else None)
    if case.kind != "complaint":
        # An inquiry, a suggestion or praise: counted as a contact of its kind and in first-contact
        # resolution over all contacts; none of the complaint measures.
        m[KIND_MEASURES.get(case.kind, "inquiries")] = 1
        if resolved_time is not None:
            m["contacts_resolved"] = 1
            m["contacts_fcr"] = int(
                resolved_time <= (case.first_response_due_at or case.created_at + FCR_DEFAULT_WINDOW)
                and case.reopened_at is None
                and not case.reassigned
                and not case.transferred
                and not case.dispatched
            )
        return m, None
    m["complaints"] = 1
    m["complainants"] = int(case.complainant_first)
    m["complainants_category"] = int(case.complainant_first_category)
    m["complainants_channel"] = int(case.complainant_first_channel)
    m["repeat"] = int(case.repeat)
    m["escalated"] = int(case.escalated_at is not None or case.escalated_up)
    pending: list[dt.datetime] = []
    withdrawn = case.status == "withdrawn"
    m["withdrawn"] = int(withdrawn)

    if case.first_responded_at is not None:
        m["responded"] = 1
        m["response_seconds"] = _seconds(case.first_responded_at - case.created_at)

    # Deadlines: decided once the stamp is there or the due time has passed with the clock running.
    # A withdrawn case that never reached the stamp is left out.
    if case.first_response_due_at is not None:
        if case.first_responded_at is not None:
            m["fr_decided"] = 1
            m["fr_met"] = int(case.first_responded_at <= case.first_response_due_at)
        elif not withdrawn:
            if at > case.first_response_due_at and case.sla_paused_at is None:
                m["fr_decided"] = 1
            elif case.sla_paused_at is None:
                pending.append(case.first_response_due_at)

    if case.resolution_due_at is not None:
        if resolved and resolved_time is not None:
            m["res_decided"] = 1
            m["res_met"] = int(resolved_time <= case.resolution_due_at)
        elif not withdrawn and not resolved:
            if at > case.resolution_due_at and case.sla_paused_at is None:
                m["res_decided"] = 1
            elif case.sla_paused_at is None:
                pending.append(case.resolution_due_at)

    if resolved and resolved_time is not None:
        m["resolved"] = 1
        m["handling_seconds"] = _seconds(
            calendar.working_time_between(case.created_at, resolved_time).duration
        )
        window_end = case.first_response_due_at or case.created_at + FCR_DEFAULT_WINDOW
        m["fcr"] = int(
            resolved_time <= window_end
            and not m["escalated"]
            and case.reopened_at is None
            and not case.reassigned
            and not case.transferred
            and not case.dispatched
        )
        m["contacts_resolved"], m["contacts_fcr"] = 1, m["fcr"]
    ever_resolved = case.resolved_at is not None or case.closed_at is not None
    m["ever_resolved"] = int(ever_resolved)
    m["reopened"] = int(ever_resolved and case.reopened_at is not None)

    if case.stars is not None:
        m["rated"] = 1
        m["satisfied"] = int(case.stars >= SATISFIED_STARS)
        m["praised"] = int(case.stars >= PRAISE_STARS)
    if case.nps is not None:
        m["nps_answered"] = 1
        m["promoters"] = int(case.nps >= PROMOTER_NPS)
        m["detractors"] = int(case.nps <= DETRACTOR_NPS)
    if case.compensation_cents:
        m["compensated"] = 1
        m["compensation_cents"] = case.compensation_cents
    return m, (min(pending) if pending else None)


def is_repeat(created_at: dt.datetime, earlier: list[dt.datetime]) -> bool:
    """A repeat complaint: the same customer filed another one in the 30 days (30 × 24 h) before.
    `earlier`: the intake times of the customer's complaints that come before this one (by time, then id)."""
    return any(created_at - REPEAT_WINDOW <= other <= created_at for other in earlier)
