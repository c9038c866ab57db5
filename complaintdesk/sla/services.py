"""Setting a case's deadlines and pausing its clocks. Called inside the complaint services' transactions.

Every due time set here is also a timer row (`sla.timers`): `complaint_deadlines_refresh` makes the
rows follow, so a changed deadline (pause, resume, transition, analysis, escalation) replaces the old
timer in the same transaction. Other apps add clocks through `clock_provider_register` (the
escalation ladder's per-level acknowledge and resolve clocks).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from complaintdesk.calendars.workdays import WorkCalendar
from complaintdesk.common import fastsql
from complaintdesk.complaints.clocks import CaseClocks
from complaintdesk.complaints.models import EventKind
from complaintdesk.complaints.saves import complaint_save
from complaintdesk.complaints.timeline import events_record_changes

from .clocks import ClockContribution, TimerSpec, clock_points, timer_spec
from .deadlines import (
    ACKNOWLEDGE,
    FIRST_RESPONSE,
    RESOLUTION,
    CaseClockFacts,
    Deadlines,
    clocks_of_kind,
    compute_deadlines,
)
from .models import SlaPause, SlaPolicy, SlaTimer, TimerKind, TimerState
from .selectors import policy_terms, sla_policy_for, unit_calendar
from .timers import pass_case_values, sweep_ensure_running, timers_sync, worker_wake


@dataclass(frozen=True)
class ClockContext:
    """What a clock provider gets: the case (unsaved changes included), the policy, calendar, and the
    closed pauses of its clocks."""

    complaint: object
    at: dt.datetime
    policy: SlaPolicy
    calendar: WorkCalendar
    pauses: tuple[tuple[dt.datetime, dt.datetime], ...]


_CLOCK_NAMES = {
    TimerKind.RESOLUTION: RESOLUTION,
    TimerKind.FIRST_RESPONSE: FIRST_RESPONSE,
    TimerKind.ACKNOWLEDGE: ACKNOWLEDGE,
}

ClockProvider = Callable[[ClockContext], ClockContribution]
_PROVIDERS: list[ClockProvider] = []


def clock_provider_register(provider: ClockProvider) -> None:
    """Called from an AppConfig.ready(); providers run on every refresh of every case, keep them cheap."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


@dataclass(frozen=True)
class ClockPlan:
    deadlines: Deadlines
    timers: tuple[TimerSpec, ...]
    due_at: dt.datetime | None
    running: bool  # False while the clocks stand still (awaiting the customer): no live timers then


PAUSES_KEY = "sla.pauses"


def _closed_pauses(complaint) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    if not complaint.pk:
        return ()
    scratch = pass_case_values(complaint.pk)
    if scratch is not None and PAUSES_KEY in scratch:
        return scratch[PAUSES_KEY]
    pauses = tuple(
        SlaPause.objects.filter(complaint=complaint, ended_at__isnull=False)
        .order_by("started_at")
        .values_list("started_at", "ended_at")[:500]
    )
    if scratch is not None:
        scratch[PAUSES_KEY] = pauses
    return pauses


def case_pauses_load(timers: list) -> None:
    """The start of an SLA batch (timers.batch_start_register): the closed pauses of all its cases in one
    query (a pause or resume during the batch forgets its case's)."""
    found: dict[int, list] = {t.complaint_id: [] for t in timers}
    rows = (
        SlaPause.objects.filter(complaint_id__in=list(found), ended_at__isnull=False)
        .order_by("complaint_id", "started_at")
        .values_list("complaint_id", "started_at", "ended_at")
    )
    for complaint_id, started_at, ended_at in rows:
        found[complaint_id].append((started_at, ended_at))
    for pk, pauses in found.items():
        if len(pauses) <= 500:
            pass_case_values(pk)[PAUSES_KEY] = tuple(pauses)


def _pauses_changed(complaint) -> None:
    scratch = pass_case_values(complaint.pk) if complaint.pk else None
    if scratch is not None:
        scratch.pop(PAUSES_KEY, None)


def _clock_plan(*, complaint, at: dt.datetime) -> ClockPlan:
    policy = sla_policy_for(unit=complaint.org_unit, category_id=complaint.category_id)
    calendar = unit_calendar(unit=complaint.org_unit)
    pauses = _closed_pauses(complaint)
    terms = policy_terms(policy)
    facts = CaseClockFacts(
        created_at=complaint.received_at,  # every clock counts from receipt, not from typing it in
        severity=complaint.severity,
        complexity=complaint.complexity,
        is_open=complaint.is_open,
        first_responded=complaint.first_responded_at is not None,
        acknowledged=complaint.acknowledged_at is not None,
        first_responded_at=complaint.first_responded_at,
        acknowledged_at=complaint.acknowledged_at,
        resolution_started_at=complaint.reopened_at or complaint.received_at,
        pauses=pauses,
        kind=complaint.kind,
    )
    deadlines = compute_deadlines(facts=facts, terms=terms, calendar=calendar)

    share = policy.warn_at_share
    specs: list[TimerSpec] = []
    if facts.is_open:
        clocks = [(TimerKind.RESOLUTION, facts.resolution_started_at, terms.resolution(facts.complexity))]
        if not facts.first_responded:
            clocks.append((TimerKind.FIRST_RESPONSE, facts.created_at, terms.first_response(facts.severity)))
        if not facts.acknowledged:
            clocks.append((TimerKind.ACKNOWLEDGE, facts.created_at, terms.acknowledge))
        has = clocks_of_kind(complaint.kind)
        has_resolution = RESOLUTION in has
        clocks = [c for c in clocks if _CLOCK_NAMES[c[0]] in has]
        for kind, start, duration in clocks:
            points = clock_points(
                start=start, duration=duration, calendar=calendar, pauses=pauses, warn_share=share
            )
            if (
                kind == TimerKind.ACKNOWLEDGE
                and points.due_at > deadlines.acknowledge_due_at
                and has_resolution
            ):
                # Capped by the resolution deadline (deadlines.compute_deadlines): that clock's points.
                points = clock_points(
                    start=facts.resolution_started_at,
                    duration=clocks[0][2],
                    calendar=calendar,
                    pauses=pauses,
                    warn_share=share,
                )
            specs.append(timer_spec(kind=kind, points=points))

    context = ClockContext(complaint=complaint, at=at, policy=policy, calendar=calendar, pauses=pauses)
    superseded: set[str] = set()
    for provider in _PROVIDERS:
        contribution = provider(context)
        superseded |= contribution.supersedes
        specs = [s for s in specs if s.kind not in contribution.supersedes] + list(contribution.timers)
    specs = [s for s in specs if s.kind not in superseded or s.immediate]
    dues = [s.due_at for s in specs if s.counts_for_due_at]
    return ClockPlan(
        deadlines=deadlines,
        timers=tuple(specs),
        due_at=min(dues) if dues else None,
        running=complaint.sla_paused_at is None,
    )


def _live_specs(plan: ClockPlan) -> list[TimerSpec]:
    # While the clocks stand still nothing may fire; wake-ups ("look at this case") still may.
    return [s for s in plan.timers if plan.running or s.immediate]


def complaint_deadlines_refresh(*, complaint, at: dt.datetime) -> ClockPlan:
    """Recompute the stored due times from the case's facts (no save; the caller saves) and make the
    case's timer rows follow. A case not saved yet gets its rows when it is: hand the plan returned here
    to `complaint_timers_sync` after the insert."""
    plan = _clock_plan(complaint=complaint, at=at)
    complaint.first_response_due_at = plan.deadlines.first_response_due_at
    complaint.acknowledge_due_at = plan.deadlines.acknowledge_due_at
    complaint.resolution_due_at = plan.deadlines.resolution_due_at
    complaint.deadline_provisional = plan.deadlines.provisional or any(
        s.provisional for s in plan.timers if s.counts_for_due_at
    )
    complaint.due_at = plan.due_at
    if complaint.pk:
        timers_sync(complaint=complaint, specs=_live_specs(plan), at=at)
    return plan


def complaint_timers_sync(*, complaint, at: dt.datetime, plan: ClockPlan | None = None) -> None:
    """The timer rows of a case just inserted (intake computes deadlines before the row exists): `plan`
    is what `complaint_deadlines_refresh` returned before the insert; without it they are computed."""
    if plan is None:
        timers_sync(complaint=complaint, specs=_live_specs(_clock_plan(complaint=complaint, at=at)), at=at)
    else:
        _timers_first_insert(complaint=complaint, specs=_live_specs(plan), at=at)


def _timers_first_insert(*, complaint, specs: list[TimerSpec], at: dt.datetime) -> None:
    """`timers_sync` for a case whose row was inserted in this transaction: it cannot have timer rows
    yet, so there is nothing to read, keep or cancel — every spec is the first generation of its
    clock, all inserted in one statement (written out, common.fastsql: this runs on every intake)."""
    timers = [
        SlaTimer(
            complaint_id=complaint.pk,
            kind=spec.kind,
            subject=spec.subject,
            generation=1,
            started_at=spec.started_at,
            due_at=spec.due_at,
            warn_at=spec.warn_at,
            provisional=spec.provisional,
            state=TimerState.PENDING,
            next_check_at=spec.first_check_at,
            created_at=at,
        )
        for spec in specs
    ]
    fields = [field.attname for field in SlaTimer._meta.concrete_fields if not field.primary_key]
    fastsql.insert_rows(SlaTimer, fields, ([getattr(timer, name) for name in fields] for timer in timers))
    if any(spec.first_check_at <= at for spec in specs):
        transaction.on_commit(worker_wake)
    transaction.on_commit(sweep_ensure_running)


DEADLINE_FIELDS = (
    "first_response_due_at",
    "acknowledge_due_at",
    "resolution_due_at",
    "deadline_provisional",
    "due_at",
)


def complaint_deadlines_apply(*, complaint, at: dt.datetime, actor, reason: str) -> list[str]:
    """For services outside the complaints app that change what the clocks depend on (the escalation
    level): refresh, save only the deadline fields, and write one timeline event per moved deadline.
    The caller holds the complaint's row lock."""
    before = {name: getattr(complaint, name) for name in DEADLINE_FIELDS}
    complaint_deadlines_refresh(complaint=complaint, at=at)
    changed = events_record_changes(
        complaint=complaint, actor=actor, at=at, before=before, kind=EventKind.DEADLINES, reason=reason
    )
    complaint.updated_at = at
    complaint_save(complaint, [*DEADLINE_FIELDS, "updated_at"])
    return changed


def complaint_sla_pause(*, complaint, at: dt.datetime) -> None:
    """Stop the clocks while the case waits for the customer, when the policy says so."""
    policy = sla_policy_for(unit=complaint.org_unit, category_id=complaint.category_id)
    if not policy.pause_while_awaiting_customer or complaint.sla_paused_at is not None:
        return
    SlaPause.objects.create(complaint=complaint, started_at=at)
    _pauses_changed(complaint)
    complaint.sla_paused_at = at


def complaint_sla_resume(*, complaint, at: dt.datetime) -> None:
    SlaPause.objects.filter(complaint=complaint, ended_at__isnull=True).update(ended_at=at)
    _pauses_changed(complaint)
    complaint.sla_paused_at = None


# What the complaint services call at intake, on a change of status and on the analysis
# (complaints.clocks, registered in SlaConfig.ready()).
CASE_CLOCKS = CaseClocks(
    refresh=complaint_deadlines_refresh,
    created=complaint_timers_sync,
    pause=complaint_sla_pause,
    resume=complaint_sla_resume,
)
