"""Working-day arithmetic: pure values in, pure values out (no ORM, no settings).

Which days are working days, in this order of precedence:
1. the organisation's own entries: `extra_workdays` (working) and `closures` (not working);
2. years with official data (chinese_calendar; 2004–2026 in v1.11.0): statutory holidays and the
   adjusted working weekends (调休) as published by the State Council;
3. any other year (provisional): Monday–Friday, less the statutory holidays of the current rules
   (元旦 1 Jan; 春节 除夕 + 初一–初三; 清明; 劳动节 1–2 May; 端午; 中秋; 国庆 1–3 Oct), plus a
   substitute weekday off (补假) for each of them that falls on a Saturday or Sunday, as the
   national holiday regulation (全国年节及纪念日放假办法 第六条) requires. The yearly 调休 swaps
   cannot be predicted and are not guessed. The lunar dates come from `_lunar_table` (1900–2100);
   outside that range only the fixed-date holidays apply. Earlier rule sets (the six-day week
   before 1995, the 3-day 劳动节 of 1999–2007, …) are not modelled for years before 2004.

Working time is measured on the local wall clock of `tz`: on a day the zone shifts its clock a
period keeps its nominal length. Inputs and outputs are aware datetimes; results are in UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

from ._lunar_table import LUNAR_HOLIDAYS

ONE_DAY = dt.timedelta(days=1)
WHOLE_DAY = dt.timedelta(hours=24)
ZERO = dt.timedelta(0)
MIDNIGHT = dt.time(0)

__all__ = ["Deadline", "WorkCalendar", "WorkingSpan"]


@dataclass(frozen=True)
class Deadline:
    """The result of adding working time.

    `due_at` is an aware datetime in UTC. `provisional` is True when any day that was inspected to
    reach it lies in a year without official calendar data, so the date may move once the State
    Council publishes that year's arrangement.
    """

    due_at: dt.datetime
    provisional: bool


@dataclass(frozen=True)
class WorkingSpan:
    """Working time between two instants.

    `duration` is signed: negative when `end` is before `start` (e.g. how far past due a case is).
    `provisional` as in `Deadline`.
    """

    duration: dt.timedelta
    provisional: bool


@dataclass(frozen=True)
class _YearRules:
    official: bool
    weekdays_off: frozenset[dt.date]
    weekend_workdays: frozenset[dt.date]


@lru_cache(maxsize=512)
def _year_rules(year: int) -> _YearRules:
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return _YearRules(
            official=False, weekdays_off=_provisional_weekdays_off(year), weekend_workdays=frozenset()
        )
    # chinese_calendar treats every date it has no entry for as Monday–Friday working, so only
    # the dates it lists can differ from the plain week; ask it about each of them.
    listed = [
        day
        for day in (*chinese_calendar.holidays.keys(), *chinese_calendar.workdays.keys())
        if day.year == year
    ]
    return _YearRules(
        official=True,
        weekdays_off=frozenset(
            day for day in listed if day.weekday() < 5 and chinese_calendar.is_holiday(day)
        ),
        weekend_workdays=frozenset(
            day for day in listed if day.weekday() >= 5 and chinese_calendar.is_workday(day)
        ),
    )


def _provisional_statutory_holidays(year: int) -> set[dt.date]:
    days = {dt.date(year, 1, 1), dt.date(year, 5, 1), dt.date(year, 5, 2)}
    days |= {dt.date(year, 10, 1), dt.date(year, 10, 2), dt.date(year, 10, 3)}
    lunar = LUNAR_HOLIDAYS.get(year)
    if lunar is not None:
        spring_festival, dragon_boat, mid_autumn, qingming = (
            dt.date(year, value // 100, value % 100) for value in lunar
        )
        days |= {spring_festival + offset * ONE_DAY for offset in range(-1, 3)}  # 除夕 … 初三
        days |= {qingming, dragon_boat, mid_autumn}
    return days


def _provisional_weekdays_off(year: int) -> frozenset[dt.date]:
    holidays = _provisional_statutory_holidays(year)
    off = {day for day in holidays if day.weekday() < 5}
    for day in sorted(holidays):
        if day.weekday() < 5:
            continue
        substitute = day + ONE_DAY
        while substitute.weekday() >= 5 or substitute in holidays or substitute in off:
            substitute += ONE_DAY
        off.add(substitute)
    return frozenset(off)


def _require_aware(value: dt.datetime, name: str) -> None:
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got naive {value!r}")


def _require_date(value: dt.date) -> None:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"expected a local date, got {type(value).__name__}")


def _period_offsets(
    business_hours: tuple[tuple[dt.time, dt.time], ...],
) -> tuple[tuple[dt.timedelta, dt.timedelta], ...]:
    """Validate periods and turn them into offsets from local midnight. An end of 00:00 is 24:00."""
    if not business_hours:
        return ((ZERO, WHOLE_DAY),)
    offsets: list[tuple[dt.timedelta, dt.timedelta]] = []
    for period in business_hours:
        if len(period) != 2 or not all(isinstance(t, dt.time) for t in period):
            raise ValueError(f"a business-hours period is a (start, end) pair of times, got {period!r}")
        start, end = period
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError("business-hours times are local wall-clock times without tzinfo")
        start_offset = _time_offset(start)
        end_offset = WHOLE_DAY if end == MIDNIGHT else _time_offset(end)
        if start_offset >= end_offset:
            raise ValueError(f"business-hours period must end after it starts, got {start}–{end}")
        if offsets and start_offset < offsets[-1][1]:
            raise ValueError("business-hours periods must be in order and must not overlap")
        offsets.append((start_offset, end_offset))
    return tuple(offsets)


def _time_offset(value: dt.time) -> dt.timedelta:
    return dt.timedelta(
        hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond
    )


@dataclass(frozen=True)
class WorkCalendar:
    """The working calendar of one organisation unit.

    `business_hours` are the working periods of a working day in local time, in order, e.g.
    ((time(9), time(12)), (time(13), time(18))) for a lunch break; an end of time(0) means 24:00;
    () means the whole day (00:00–24:00). Overnight periods are not supported.
    `closures` are the organisation's closed days, `extra_workdays` its additional working days;
    both override the official and provisional calendar and must not share a day.
    """

    tz: ZoneInfo = ZoneInfo("Asia/Shanghai")
    business_hours: tuple[tuple[dt.time, dt.time], ...] = ()
    closures: frozenset[dt.date] = frozenset()
    extra_workdays: frozenset[dt.date] = frozenset()
    _offsets: tuple[tuple[dt.timedelta, dt.timedelta], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.tz, dt.tzinfo):
            raise TypeError(f"tz must be a tzinfo, got {type(self.tz).__name__}")
        object.__setattr__(self, "business_hours", tuple(tuple(p) for p in self.business_hours))
        object.__setattr__(self, "closures", frozenset(self.closures))
        object.__setattr__(self, "extra_workdays", frozenset(self.extra_workdays))
        both = self.closures & self.extra_workdays
        if both:
            raise ValueError(f"days both closed and extra working: {sorted(both)}")
        object.__setattr__(self, "_offsets", _period_offsets(self.business_hours))

    # Days ---------------------------------------------------------------------------------

    def is_working_day(self, day: dt.date) -> bool:
        _require_date(day)
        if day in self.extra_workdays:
            return True
        if day in self.closures:
            return False
        rules = _year_rules(day.year)
        if day.weekday() >= 5:
            return day in rules.weekend_workdays
        return day not in rules.weekdays_off

    def is_provisional(self, day: dt.date) -> bool:
        """True when `day`'s year has no official data (only the provisional rules apply)."""
        _require_date(day)
        return not _year_rules(day.year).official

    def working_day_length(self) -> dt.timedelta:
        return sum((end - start for start, end in self._offsets), ZERO)

    # Time ---------------------------------------------------------------------------------

    def add_working_time(self, start: dt.datetime, amount: dt.timedelta) -> Deadline:
        """The instant when `amount` of working time has elapsed after `start`.

        Counting begins at `start` if it lies in a working period, else at the next one. A result
        that falls exactly on the end of a period stays there (Tue 18:00, not Wed 09:00).
        """
        _require_aware(start, "start")
        if amount < ZERO:
            raise ValueError(f"amount must not be negative, got {amount}")
        if amount == ZERO:
            return Deadline(due_at=start.astimezone(dt.UTC), provisional=False)
        try:
            cursor = start.astimezone(self.tz)
            day = cursor.date()
            remaining = amount
            provisional = False
            while True:
                provisional = provisional or self.is_provisional(day)
                if self.is_working_day(day):
                    for period_start, period_end in self._periods_on(day):
                        if cursor >= period_end:
                            continue
                        segment_start = max(cursor, period_start)
                        available = period_end - segment_start
                        if remaining <= available:
                            return Deadline(
                                due_at=(segment_start + remaining).astimezone(dt.UTC), provisional=provisional
                            )
                        remaining -= available
                day += ONE_DAY
        except OverflowError as exc:
            raise ValueError("deadline falls outside the supported date range") from exc

    def add_working_days(self, start: dt.datetime, days: int) -> Deadline:
        """`days` whole working days of working time: add_working_time(start, days × day length)."""
        if isinstance(days, bool) or not isinstance(days, int):
            raise TypeError(f"days must be an int, got {type(days).__name__}")
        return self.add_working_time(start, days * self.working_day_length())

    def working_time_between(self, start: dt.datetime, end: dt.datetime) -> WorkingSpan:
        """Working time in [start, end); negative (same magnitude) when end is before start.

        For any start and amount ≥ 0: working_time_between(start, add_working_time(start,
        amount).due_at).duration == amount, with the same `provisional`.
        """
        _require_aware(start, "start")
        _require_aware(end, "end")
        if end < start:
            span = self.working_time_between(end, start)
            return WorkingSpan(duration=-span.duration, provisional=span.provisional)
        if end == start:
            return WorkingSpan(duration=ZERO, provisional=False)
        try:
            start_local = start.astimezone(self.tz)
            end_local = end.astimezone(self.tz)
            day = start_local.date()
            total = ZERO
            provisional = False
            while self._midnight(day) < end_local:
                provisional = provisional or self.is_provisional(day)
                if self.is_working_day(day):
                    for period_start, period_end in self._periods_on(day):
                        overlap = min(period_end, end_local) - max(period_start, start_local)
                        if overlap > ZERO:
                            total += overlap
                day += ONE_DAY
        except OverflowError as exc:
            raise ValueError("interval falls outside the supported date range") from exc
        return WorkingSpan(duration=total, provisional=provisional)

    # Helpers ------------------------------------------------------------------------------

    def _midnight(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, MIDNIGHT, tzinfo=self.tz)

    def _periods_on(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The day's periods as local aware datetimes; arithmetic between them is wall-clock."""
        midnight = self._midnight(day)
        return [(midnight + start, midnight + end) for start, end in self._offsets]
