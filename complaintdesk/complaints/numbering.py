"""Case numbers people can read out on the phone: TS + local date + 6-digit daily sequence.

The counter row is bumped with one upsert. Outside a transaction it commits on its own, so
concurrent intakes hold the row lock only for that statement; a failed intake then leaves a
gap, which is fine (numbers are unique, not contiguous).
"""

import datetime as dt
from contextlib import nullcontext

from django.conf import settings
from django.db import connection, transaction

from complaintdesk.common.time import local_zone

from .models import CaseNumberCounter

_UPSERT = (
    "INSERT INTO {table} (day, last_value) VALUES (%s, 1) "
    "ON CONFLICT (day) DO UPDATE SET last_value = {table}.last_value + 1 RETURNING last_value"
)


def format_case_number(day: dt.date, sequence: int) -> str:
    return f"{settings.CASE_NUMBER_PREFIX}{day:%Y%m%d}{sequence:06d}"


def case_number_allocate(*, at: dt.datetime) -> str:
    day = at.astimezone(local_zone()).date()
    sql = _UPSERT.format(table=connection.ops.quote_name(CaseNumberCounter._meta.db_table))
    # Inside the caller's transaction the statement is part of it; alone, it commits on its own.
    with (transaction.atomic() if not connection.in_atomic_block else nullcontext()), connection.cursor() as cursor:
        cursor.execute(sql, [day])
        (sequence,) = cursor.fetchone()
    return format_case_number(day, sequence)
