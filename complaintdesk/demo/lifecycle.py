"""Plausible histories for sample complaints: which states a case went through and when. Pure.

`load_demo` replays a history through complaint_transition; `bench/seed.py` writes its end state
directly. Every path follows the transition table in complaints.states (a test checks it).
"""

import datetime as dt
import math
import random
from zoneinfo import ZoneInfo

from complaintdesk.complaints.states import Status

S = Status

# Final states of the ~200 demo complaints (weights), and how many days ago such a case came in.
DEMO_STATUS_WEIGHTS: dict[Status, int] = {
    S.NEW: 12, S.ACCEPTED: 12, S.ANALYSING: 12, S.HANDLING: 18, S.AWAITING_CUSTOMER: 10, S.ESCALATED: 12,
    S.REOPENED: 8, S.RESOLVED: 16, S.FOLLOW_UP: 12, S.CLOSED: 78, S.WITHDRAWN: 10,
}  # fmt: skip
DEMO_AGE_DAYS: dict[Status, tuple[float, float]] = {
    S.NEW: (0.02, 1.5), S.ACCEPTED: (0.1, 3), S.ANALYSING: (0.3, 5), S.HANDLING: (0.5, 10),
    S.AWAITING_CUSTOMER: (1, 12), S.ESCALATED: (2, 20), S.REOPENED: (8, 45), S.RESOLVED: (1, 8),
    S.FOLLOW_UP: (3, 15), S.CLOSED: (5, 60), S.WITHDRAWN: (1, 50),
}  # fmt: skip

# Hours from the previous step to a step into this state: (low, high), drawn log-uniformly.
STEP_HOURS: dict[Status, tuple[float, float]] = {
    S.ACCEPTED: (0.05, 6), S.ANALYSING: (0.2, 8), S.HANDLING: (0.5, 24), S.AWAITING_CUSTOMER: (2, 48),
    S.ESCALATED: (4, 72), S.RESOLVED: (4, 96), S.FOLLOW_UP: (24, 120), S.CLOSED: (2, 72),
    S.REOPENED: (24, 240), S.WITHDRAWN: (1, 72),
}  # fmt: skip
COMPLEX_RESOLUTION_HOURS = (24, 160)

# Intake by local hour of day: quiet at night, busy late morning and evening.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 13, 10, 11, 12, 12, 11, 10, 9, 10, 10, 8, 5, 2)


def path_to(rng: random.Random, final: Status) -> list[Status]:
    """The states after NEW, in order, of a case that ends in `final`."""
    if final == S.NEW:
        return []
    if final == S.WITHDRAWN:
        return rng.choice(([], [S.ACCEPTED], [S.ACCEPTED, S.HANDLING])) + [S.WITHDRAWN]
    start = [S.ACCEPTED] + ([S.ANALYSING] if rng.random() < 0.5 else [])
    if final in {S.ACCEPTED, S.ANALYSING}:
        return [S.ACCEPTED] + ([S.ANALYSING] if final == S.ANALYSING else [])
    if final == S.HANDLING:
        return start + [S.HANDLING]
    if final == S.AWAITING_CUSTOMER:
        return start + [S.HANDLING, S.AWAITING_CUSTOMER]
    if final == S.ESCALATED:
        return start + ([S.HANDLING] if rng.random() < 0.6 else []) + [S.ESCALATED]
    handled = start + [S.HANDLING]
    if rng.random() < 0.2:
        handled += [S.AWAITING_CUSTOMER, S.HANDLING]
    if rng.random() < 0.1:
        handled += [S.ESCALATED, S.HANDLING]
    resolved = handled + [S.RESOLVED]
    if final == S.RESOLVED:
        return resolved
    if final == S.FOLLOW_UP:
        return resolved + [S.FOLLOW_UP]
    closed = resolved + ([S.FOLLOW_UP] if rng.random() < 0.6 else []) + [S.CLOSED]
    if final == S.CLOSED:
        return closed
    if final == S.REOPENED:
        return (closed if rng.random() < 0.7 else resolved) + [S.REOPENED]
    raise ValueError(f"no path to {final}")


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def plan_times(
    rng: random.Random,
    *,
    created_at: dt.datetime,
    path: list[Status],
    latest: dt.datetime,
    complex_case: bool = False,
) -> list[dt.datetime]:
    """When each step of `path` happened: increasing, after `created_at`, not after `latest`.

    Gaps are drawn per step; when a young case cannot fit them, they shrink in proportion.
    """
    gaps = []
    for target in path:
        low, high = COMPLEX_RESOLUTION_HOURS if target == S.RESOLVED and complex_case else STEP_HOURS[target]
        gaps.append(dt.timedelta(hours=_log_uniform(rng, low, high)))
    room = latest - created_at
    total = sum(gaps, dt.timedelta(0))
    if total > room:
        gaps = [gap * (room / total) * 0.98 for gap in gaps]
    times, at = [], created_at
    for gap in gaps:
        at = at + max(gap, dt.timedelta(seconds=1))
        times.append(at)
    return times


def random_created_at(
    rng: random.Random, *, now: dt.datetime, min_days: float, max_days: float, zone: ZoneInfo
) -> dt.datetime:
    """An intake time between `max_days` and `min_days` ago, at a plausible local hour, in UTC."""
    for _ in range(20):
        day = (now - dt.timedelta(days=rng.uniform(min_days, max_days))).astimezone(zone).date()
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        local = dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=zone)
        at = local.astimezone(dt.UTC)
        if now - dt.timedelta(days=max_days) <= at <= now - dt.timedelta(days=min_days):
            return at
    return now - dt.timedelta(days=rng.uniform(min_days, max_days))
