"""Retention arithmetic. Pure: plain values in, plain values out."""

import calendar
import datetime as dt


def months_added(value: dt.datetime, months: int) -> dt.datetime:
    """`value` moved by whole calendar months (negative: back); the 31st becomes the month's last day."""
    index = value.year * 12 + (value.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = min(value.day, calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)


def retention_ends_at(*, closed_at: dt.datetime, months: int) -> dt.datetime:
    """When the personal data of a case closed at `closed_at` may go: its retention counted from closure."""
    return months_added(closed_at, months)


def retention_expired(*, closed_at: dt.datetime | None, months: int, at: dt.datetime) -> bool:
    return closed_at is not None and retention_ends_at(closed_at=closed_at, months=months) <= at


def closed_before(*, at: dt.datetime, months: int) -> dt.datetime:
    """A bound for the query: every closure whose retention has ended at `at` is before it. Month ends
    make the two directions differ by up to three days (31 Jan + 1 month = 28 Feb, and 28 Feb − 1 month =
    28 Jan), so the bound is four days later (the query compares strictly) and `retention_expired`
    confirms each candidate."""
    return months_added(at, -months) + dt.timedelta(days=4)
