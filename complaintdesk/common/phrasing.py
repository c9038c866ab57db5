"""Customer-facing deadlines as people say them. Pure: plain values in, text out.

`customer_deadline` is the one function every message to a customer uses for a time it promises (the
acknowledgement's first contact and result, progress, escalation, result, the scripts' {deadline}, the
portal's pages):
- a day-granular deadline (a clock counted in whole days ends at midnight) is the end of the day before:
  "12月8日（周二）24:00", never "12月9日 00:00";
- for a unit with business hours, a time outside them (the middle of the night, a weekend) becomes the
  unit's last closing time before it ("12月8日（周二）18:00") when that is still ahead, else its next opening
  ("12月9日（周三）09:00"): nobody promises 04:54;
- odd minutes are rounded down to the half hour (an earlier promise, never a later one), when that is
  still ahead.
The templates add "前" / "by" themselves.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

WEEKDAYS_ZH = "一二三四五六日"
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip
SEARCH_DAYS = 31  # how far a closing or opening time is looked for (a long holiday is shorter)


class BusinessCalendar(Protocol):
    """What is read of a unit's working calendar (calendars.workdays.WorkCalendar)."""

    business_hours: tuple[tuple[dt.time, dt.time], ...]

    def is_working_day(self, day: dt.date) -> bool: ...


def _english(language: str) -> bool:
    return (language or "").strip().lower().startswith("en")


def _day_text(day: dt.date, *, language: str, today: dt.date | None) -> str:
    show_year = today is None or day.year != today.year
    if _english(language):
        year = f" {day.year}" if show_year else ""
        return f"{WEEKDAYS_EN[day.weekday()]} {day.day} {MONTHS_EN[day.month - 1]}{year}"
    year = f"{day.year}年" if show_year else ""
    return f"{year}{day.month}月{day.day}日（周{WEEKDAYS_ZH[day.weekday()]}）"


def customer_day(day: dt.date, *, language: str, today: dt.date | None = None) -> str:
    """A day as a customer reads it: "1月15日（周五）" / "Friday 15 January" (with the year when it is not
    `today`'s year) — for a deadline that ends with its day (a statutory one)."""
    return _day_text(day, language=language, today=today)


def _at(day: dt.date, clock: dt.time, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, clock.replace(tzinfo=None), tzinfo=zone)


def _periods(
    calendar: BusinessCalendar, day: dt.date, zone: ZoneInfo
) -> list[tuple[dt.datetime, dt.datetime]]:
    if not calendar.is_working_day(day):
        return []
    return [(_at(day, start, zone), _at(day, end, zone)) for start, end in calendar.business_hours]


def _business_time(local: dt.datetime, calendar: BusinessCalendar, zone: ZoneInfo, now: dt.datetime | None):
    """`local` itself when it falls in business hours (a period's end counts), else the last closing
    before it when still ahead of `now`, else the next opening after it."""
    if any(start < local <= end for start, end in _periods(calendar, local.date(), zone)):
        return local
    for back in range(SEARCH_DAYS):
        day = local.date() - dt.timedelta(days=back)
        closings = [end for _start, end in _periods(calendar, day, zone) if end <= local]
        if closings:
            if now is None or closings[-1] > now:
                return closings[-1]
            break
    for ahead in range(SEARCH_DAYS):
        day = local.date() + dt.timedelta(days=ahead)
        openings = [start for start, _end in _periods(calendar, day, zone) if start >= local]
        if openings:
            return openings[0]
    return local


def customer_deadline(
    at: dt.datetime,
    *,
    language: str,
    zone: ZoneInfo,
    calendar: BusinessCalendar | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> str:
    """`at` as a customer reads a promise: "12月8日（周二）18:00" / "Tuesday 8 December, 18:00" (with the
    year when it is not this year's, `today`); see the module's rules. `calendar` is the unit's (business
    hours and working days); `now` keeps a rounded or moved time from falling in the past."""
    local = at.astimezone(zone)
    now_local = now.astimezone(zone) if now is not None else None
    if calendar is not None and calendar.business_hours:
        local = _business_time(local, calendar, zone, now_local)
    if local.minute % 30 or local.second or local.microsecond:
        rounded = local.replace(minute=local.minute - local.minute % 30, second=0, microsecond=0)
        if now_local is None or rounded > now_local:
            local = rounded
    if (local.hour, local.minute) == (0, 0):  # midnight ends the day before
        day = local.date() - dt.timedelta(days=1)
        if _english(language):
            return f"end of {_day_text(day, language=language, today=today)}"
        return f"{_day_text(day, language=language, today=today)}24:00"
    return customer_day_and_time(
        local.date(), f"{local.hour:02d}:{local.minute:02d}", language=language, today=today
    )


def customer_day_and_time(day: dt.date, clock: str, *, language: str, today: dt.date | None = None) -> str:
    """A day and a time of it as every message to a customer joins them: "12月8日（周二）18:00" / "Tuesday 8
    December, 18:00" (`clock` as the caller says it: "18:00", "凌晨4:30")."""
    if _english(language):
        return f"{_day_text(day, language=language, today=today)}, {clock}"
    return f"{_day_text(day, language=language, today=today)}{clock}"
