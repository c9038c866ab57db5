"""SLA durations written the way people say them: "2h", "24h", "7d", "2wd", "16wh". Pure.

h   calendar hours        d   calendar days
wh  working hours         wd  working days (the calendar's working-day length each)
"""

import datetime as dt
import re
from dataclasses import dataclass
from enum import Enum

from complaintdesk.calendars.workdays import Deadline, WorkCalendar


class Clock(Enum):
    CALENDAR = "calendar"
    WORKING = "working"


_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(wd|wh|d|h)\s*$")


@dataclass(frozen=True)
class SlaDuration:
    amount: float
    unit: str  # h, d, wh, wd

    @property
    def clock(self) -> Clock:
        return Clock.WORKING if self.unit.startswith("w") else Clock.CALENDAR

    def __str__(self) -> str:
        amount = int(self.amount) if self.amount == int(self.amount) else self.amount
        return f"{amount}{self.unit}"


def parse_duration(text: str) -> SlaDuration:
    match = _PATTERN.match(text or "")
    if not match:
        raise ValueError(f"not an SLA duration: {text!r} (use e.g. 2h, 7d, 2wd, 16wh)")
    return SlaDuration(amount=float(match.group(1)), unit=match.group(2))


def _span(duration: SlaDuration, calendar: WorkCalendar) -> dt.timedelta:
    if duration.unit == "h" or duration.unit == "wh":
        return dt.timedelta(hours=duration.amount)
    if duration.unit == "d":
        return dt.timedelta(days=duration.amount)
    return calendar.working_day_length() * duration.amount


def add_on_clock(start: dt.datetime, amount: dt.timedelta, clock: Clock, calendar: WorkCalendar) -> Deadline:
    if clock is Clock.CALENDAR:
        return Deadline(due_at=start + amount, provisional=False)
    return calendar.add_working_time(start, amount)


def measure_on_clock(
    start: dt.datetime, end: dt.datetime, clock: Clock, calendar: WorkCalendar
) -> dt.timedelta:
    if end <= start:
        return dt.timedelta(0)
    if clock is Clock.CALENDAR:
        return end - start
    return calendar.working_time_between(start, end).duration


def due_after(
    *,
    start: dt.datetime,
    duration: SlaDuration,
    calendar: WorkCalendar,
    pauses: list[tuple[dt.datetime, dt.datetime]] = (),
) -> Deadline:
    """When a clock of `duration` started at `start` runs out, not counting the closed `pauses`.

    A pause that begins before the (moving) due time pushes it later by the pause's length,
    measured on the same clock; pauses are taken in order, so a pushed due time can meet the next.
    """
    deadline = add_on_clock(start, _span(duration, calendar), duration.clock, calendar)
    provisional = deadline.provisional
    for pause_start, pause_end in sorted(pauses):
        if pause_start >= deadline.due_at or pause_end <= start:
            continue
        held = measure_on_clock(max(pause_start, start), pause_end, duration.clock, calendar)
        deadline = add_on_clock(deadline.due_at, held, duration.clock, calendar)
        provisional = provisional or deadline.provisional
    return Deadline(due_at=deadline.due_at, provisional=provisional)
