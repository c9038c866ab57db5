"""The escalation ladder's clocks, as the SLA module's timers.

Registered with `sla.services.clock_provider_register`, so every refresh of a case's deadlines (each
complaint service, and escalation's own) also sets the level clocks: once a case has been handed to
a level, that level's acknowledge clock (until the customer is told) and resolve clock run, and they
replace the policy's base resolution clock. A raised reputation-risk or batch flag that the ladder has
not acted on yet becomes a due-now timer, so the worker acts on it after the commit, durably.
"""

from __future__ import annotations

import datetime as dt

from complaintdesk.complaints.states import runs_complaint_process
from complaintdesk.sla.clocks import ClockContribution, ClockPoints, TimerSpec, clock_points, timer_spec
from complaintdesk.sla.models import TimerKind
from complaintdesk.sla.timers import pass_cached

from .engine import LevelRule
from .models import CaseEscalation
from .selectors import case_escalation_for, ladder_rules_for

FLAGS_SUBJECT = "flags"


def level_subject(position: int) -> str:
    return f"L{position}"


def level_of_subject(subject: str) -> int:
    return int(subject[1:]) if subject.startswith("L") and subject[1:].isdigit() else 0


def level_limits(*, level: LevelRule, policy, complexity: str) -> tuple[str, str]:
    acknowledge = level.acknowledge_limit or policy.level_acknowledge
    resolve = (
        level.resolve_limit_general if complexity != "complex" and level.resolve_limit_general else ""
    ) or (level.resolve_limit or policy.level_resolve)
    return acknowledge, resolve


def level_clock_points(
    *,
    level: LevelRule,
    policy,
    complexity: str,
    calendar,
    started_at: dt.datetime,
    resolve_from: dt.datetime,
    pauses=(),
    acknowledge: bool = True,
) -> tuple[ClockPoints | None, ClockPoints]:
    def points() -> tuple[ClockPoints | None, ClockPoints]:
        return _level_clock_points(
            level=level, policy=policy, complexity=complexity, calendar=calendar, started_at=started_at,
            resolve_from=resolve_from, pauses=pauses, acknowledge=acknowledge,
        )  # fmt: skip

    if pauses:
        return points()
    # A burst moves many cases to the same level at the same instant on the same policy and calendar: in
    # an SLA batch the points are worked out once for them all. The level, policy and calendar are the
    # batch's own cached instances, kept with the points, so that another object never matches.
    key = (
        "escalation.level_points",
        id(level),
        id(policy),
        id(calendar),
        complexity,
        started_at,
        resolve_from,
    )
    kept = pass_cached((*key, acknowledge), lambda: ((level, policy, calendar), points()))
    same = all(a is b for a, b in zip(kept[0], (level, policy, calendar), strict=True))
    return kept[1] if same else points()


def _level_clock_points(
    *, level: LevelRule, policy, complexity: str, calendar, started_at: dt.datetime,
    resolve_from: dt.datetime, pauses=(), acknowledge: bool = True,
) -> tuple[ClockPoints | None, ClockPoints]:  # fmt: skip
    acknowledge_limit, resolve_limit = level_limits(level=level, policy=policy, complexity=complexity)
    share = policy.warn_at_share
    acknowledge_points = (
        clock_points(
            start=started_at, duration=acknowledge_limit, calendar=calendar, pauses=pauses, warn_share=share
        )
        if acknowledge
        else None
    )
    resolve_points = clock_points(
        start=resolve_from, duration=resolve_limit, calendar=calendar, pauses=pauses, warn_share=share
    )
    return acknowledge_points, resolve_points


def escalation_clocks(context) -> ClockContribution:
    complaint = context.complaint
    if not runs_complaint_process(complaint.kind):
        return ClockContribution()  # an inquiry, a suggestion or praise never climbs the ladder
    state = case_escalation_for(complaint_id=complaint.pk) if complaint.pk else None
    timers: list[TimerSpec] = []
    flags_pending = (complaint.reputation_risk and not (state and state.reputation_risk_handled_at)) or (
        complaint.is_batch and not (state and state.batch_handled_at)
    )
    if flags_pending and complaint.is_open:
        timers.append(
            TimerSpec(
                kind=TimerKind.ESCALATION_FLAG,
                subject=FLAGS_SUBJECT,
                started_at=context.at,
                due_at=context.at,
                immediate=True,
                counts_for_due_at=False,
            )
        )
    if state is None or state.level_started_at is None:
        return ClockContribution(timers=tuple(timers))
    superseded = frozenset({TimerKind.RESOLUTION})
    level = ladder_rules_for(unit=complaint.org_unit).level(state.level_position)
    if not complaint.is_open or level is None or level.is_external:
        return ClockContribution(timers=tuple(timers), supersedes=superseded)

    started_at = state.level_started_at
    resolve_from = max(started_at, complaint.reopened_at) if complaint.reopened_at else started_at
    acknowledge_points, resolve_points = level_clock_points(
        level=level,
        policy=context.policy,
        complexity=complaint.complexity,
        calendar=context.calendar,
        started_at=started_at,
        resolve_from=resolve_from,
        pauses=context.pauses,
        acknowledge=state.acknowledge_required and state.customer_acknowledged_at is None,
    )
    subject = level_subject(level.position)
    if acknowledge_points is not None:
        timers.append(
            timer_spec(kind=TimerKind.LEVEL_ACKNOWLEDGE, points=acknowledge_points, subject=subject)
        )
    timers.append(timer_spec(kind=TimerKind.LEVEL_RESOLVE, points=resolve_points, subject=subject))

    # Keep the case's escalation row showing the clocks as they now run (a pause moves them).
    acknowledge_due = acknowledge_points.due_at if acknowledge_points else state.acknowledge_due_at
    provisional = resolve_points.provisional or bool(acknowledge_points and acknowledge_points.provisional)
    if (state.acknowledge_due_at, state.resolve_due_at, state.deadline_provisional) != (
        acknowledge_due,
        resolve_points.due_at,
        provisional,
    ):
        if state.pk is not None:  # else kept for the SLA batch's end, written with the values set below
            CaseEscalation.objects.filter(pk=state.pk).update(
                acknowledge_due_at=acknowledge_due,
                resolve_due_at=resolve_points.due_at,
                deadline_provisional=provisional,
            )
        state.acknowledge_due_at, state.resolve_due_at = acknowledge_due, resolve_points.due_at
        state.deadline_provisional = provisional
    return ClockContribution(timers=tuple(timers), supersedes=superseded)
