"""A clock's due time and warning point, and what a timer row should say. Pure: plain values only."""

import datetime as dt
from dataclasses import dataclass

from complaintdesk.calendars.workdays import WorkCalendar

from .durations import SlaDuration, due_after, parse_duration

DEFAULT_WARN_SHARE = 80


@dataclass(frozen=True)
class ClockPoints:
    started_at: dt.datetime
    due_at: dt.datetime
    warn_at: dt.datetime | None
    provisional: bool


def warn_point(
    *,
    start: dt.datetime,
    duration: SlaDuration,
    share: int,
    calendar: WorkCalendar,
    pauses: tuple[tuple[dt.datetime, dt.datetime], ...] = (),
) -> dt.datetime | None:
    """When `share` % of the window has run, on the window's own clock: 80 % of five working days is
    four working days, whatever holidays lie between. None when there is no warning (0 % or 100 %+)."""
    if share <= 0 or share >= 100:
        return None
    part = SlaDuration(amount=duration.amount * share / 100, unit=duration.unit)
    return due_after(start=start, duration=part, calendar=calendar, pauses=pauses).due_at


def clock_points(
    *,
    start: dt.datetime,
    duration: str,
    calendar: WorkCalendar,
    pauses: tuple[tuple[dt.datetime, dt.datetime], ...] = (),
    warn_share: int = DEFAULT_WARN_SHARE,
) -> ClockPoints:
    parsed = parse_duration(duration)
    deadline = due_after(start=start, duration=parsed, calendar=calendar, pauses=pauses)
    warn_at = warn_point(start=start, duration=parsed, share=warn_share, calendar=calendar, pauses=pauses)
    if warn_at is not None and warn_at >= deadline.due_at:
        warn_at = None
    return ClockPoints(
        started_at=start, due_at=deadline.due_at, warn_at=warn_at, provisional=deadline.provisional
    )


@dataclass(frozen=True)
class TimerSpec:
    """A timer the case should have now. `immediate` specs ("look at the case now") keep an existing
    live row whatever its due time; `counts_for_due_at` says whether it is one of the case's deadlines."""

    kind: str
    due_at: dt.datetime
    started_at: dt.datetime
    warn_at: dt.datetime | None = None
    subject: str = ""
    provisional: bool = False
    immediate: bool = False
    counts_for_due_at: bool = True

    @property
    def clock(self) -> tuple[str, str]:
        return (self.kind, self.subject)

    @property
    def first_check_at(self) -> dt.datetime:
        return self.warn_at if self.warn_at is not None and self.warn_at < self.due_at else self.due_at


def timer_spec(*, kind: str, points: ClockPoints, subject: str = "") -> TimerSpec:
    return TimerSpec(
        kind=kind,
        subject=subject,
        started_at=points.started_at,
        due_at=points.due_at,
        warn_at=points.warn_at,
        provisional=points.provisional,
    )


@dataclass(frozen=True)
class ClockContribution:
    """What another app adds to a case's clocks: more timers, and base clocks it takes over
    (e.g. the escalation ladder's per-level resolve clock replaces the base resolution clock)."""

    timers: tuple[TimerSpec, ...] = ()
    supersedes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RecordClocks:
    """One clock per row of another app's table (a work order, an approval request): timers of `kind`
    with subject "<prefix><id>", read from times stored on the row when it was opened. They are not the
    case's own deadlines (`counts_for_due_at=False`): the case's queue position does not move. The app
    reads its rows (one query) and hands them here as (id, started_at, due_at, warn_at, provisional)."""

    kind: str
    prefix: str

    def subject(self, record_id: int) -> str:
        return f"{self.prefix}{record_id}"

    def record_of(self, subject: str) -> int | None:
        rest = subject[len(self.prefix) :] if subject.startswith(self.prefix) else ""
        return int(rest) if rest.isdigit() else None

    def contribution(self, rows) -> ClockContribution:
        return ClockContribution(
            timers=tuple(
                TimerSpec(
                    kind=self.kind,
                    subject=self.subject(record_id),
                    started_at=started_at,
                    due_at=due_at,
                    warn_at=warn_at,
                    provisional=provisional,
                    counts_for_due_at=False,
                )
                for record_id, started_at, due_at, warn_at, provisional in rows
            )
        )
