"""Case numbers people can read out on the phone: TS + local date + 6-digit daily sequence.

Numbers are unique and increase within a day; they are not contiguous: a failed intake leaves a gap.

- **PostgreSQL:** one database sequence for all days, and one row per local day saying where that day
  starts on it (`CaseNumberDayStart.sequence_base`); the day's number is `nextval - base`. `nextval`
  never waits for another transaction, so concurrent intakes, each inside its own long transaction
  (the API's Idempotency-Key, a channel's message claim), do not queue behind one another the way
  they did on a counter row locked until each intake's commit. The day's row is written by the first
  intake of the day, with the base read from the sequence *before* that intake takes its number, so
  every number of the day is ≥ 1; an intake that finds no row yet waits for the first one's commit
  (once a day). Late intakes of the previous day and allocations for other days take values from the
  same sequence, which shows as gaps.
- **SQLite:** a counter row per day bumped with one upsert (SQLite has one writer at a time anyway).
  Outside a transaction it commits on its own.
"""

import datetime as dt
from contextlib import nullcontext

from django.conf import settings
from django.db import connection, transaction

from complaintdesk.common.time import local_zone

from .models import CaseNumberCounter, CaseNumberDayStart

SEQUENCE = "complaints_case_number_seq"  # created by migration 0008 on PostgreSQL

_UPSERT = (
    "INSERT INTO {table} (day, last_value) VALUES (%s, 1) "
    "ON CONFLICT (day) DO UPDATE SET last_value = {table}.last_value + 1 RETURNING last_value"
)


def format_case_number(day: dt.date, sequence: int) -> str:
    return f"{settings.CASE_NUMBER_PREFIX}{day:%Y%m%d}{sequence:06d}"


def _quoted(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _next_postgresql(cursor, day: dt.date) -> int:
    take = f"SELECT nextval('{SEQUENCE}'), (SELECT sequence_base FROM {_quoted(CaseNumberDayStart)} WHERE day = %s)"
    cursor.execute(take, [day])
    value, base = cursor.fetchone()
    if base is None:  # the day's first intake (or a concurrent one: the insert waits, then does nothing)
        cursor.execute(
            f"INSERT INTO {_quoted(CaseNumberDayStart)} (day, sequence_base) "
            f"SELECT %s, last_value FROM {SEQUENCE} ON CONFLICT (day) DO NOTHING",
            [day],
        )
        cursor.execute(take, [day])  # the value taken above is ≤ the base: not used
        value, base = cursor.fetchone()
    return value - base


def case_number_allocate(*, at: dt.datetime) -> str:
    day = at.astimezone(local_zone()).date()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            return format_case_number(day, _next_postgresql(cursor, day))
    sql = _UPSERT.format(table=_quoted(CaseNumberCounter))
    # Inside the caller's transaction the statement is part of it; alone, it commits on its own.
    with (
        transaction.atomic() if not connection.in_atomic_block else nullcontext(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [day])
        (sequence,) = cursor.fetchone()
    return format_case_number(day, sequence)


def case_numbers_used() -> dict[dt.date, int]:
    """For each day that has numbers: a sequence number at or above the highest one given out (bulk loaders)."""
    used = dict(CaseNumberCounter.objects.values_list("day", "last_value"))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT last_value FROM {SEQUENCE}")
            (last,) = cursor.fetchone()
        for day, base in CaseNumberDayStart.objects.values_list("day", "sequence_base"):
            used[day] = max(used.get(day, 0), last - base)
    return used


def case_numbers_advance(last: dict[dt.date, int]) -> None:
    """Numbers up to `last[day]` have been given out by a bulk loader: later intakes continue above them."""
    CaseNumberCounter.objects.bulk_create(
        [CaseNumberCounter(day=day, last_value=value) for day, value in last.items()],
        update_conflicts=True, unique_fields=["day"], update_fields=["last_value"], batch_size=1000,
    )  # fmt: skip
    if connection.vendor == "postgresql" and last:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT nextval('{SEQUENCE}')")  # every later value is above it
            (current,) = cursor.fetchone()
        CaseNumberDayStart.objects.bulk_create(
            [CaseNumberDayStart(day=day, sequence_base=current - value) for day, value in last.items()],
            update_conflicts=True, unique_fields=["day"], update_fields=["sequence_base"], batch_size=1000,
        )  # fmt: skip
