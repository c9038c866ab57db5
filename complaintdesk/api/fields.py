"""Value types the API's schemas share: times and dates inside the range the system works with.

A time before 2000 (or a unix timestamp such as "-1") is a typo or a probe, never a complaint: the
organisation's zone has no fixed offset that far back (Asia/Shanghai was +08:05:43 before 1901), and
near year 9999 a local time overflows. Refused as a 422 on the field, not stored.
"""

import datetime as dt
import re
from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from complaintdesk.common.time import DAY_EARLIEST, DAY_LATEST

EARLIEST = DAY_EARLIEST
LATEST = DAY_LATEST
RANGE_TEXT = f"{EARLIEST.isoformat()} ~ {LATEST.isoformat()}"

# Calendar form only: pydantic would otherwise read "-1" or "1700000000" as seconds since 1970.
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _out_of_range(kind: str) -> PydanticCustomError:
    # The message is already in the request's language; problems.py shows it as it is.
    return PydanticCustomError(
        f"{kind}_out_of_range", _("超出可接受的范围（%(range)s）") % {"range": RANGE_TEXT}
    )


def _datetime_text_only(value):
    if value is None or isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        return value
    raise PydanticCustomError("datetime_type", "Input should be an ISO 8601 datetime string")


def _datetime_in_range(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return value
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    earliest = dt.datetime.combine(EARLIEST, dt.time(), tzinfo=dt.UTC) - dt.timedelta(hours=14)
    latest = dt.datetime.combine(LATEST, dt.time.max, tzinfo=dt.UTC) + dt.timedelta(hours=14)
    if not earliest <= aware <= latest:
        raise _out_of_range("datetime")
    return value


def _date_text_only(value):
    if value is None or isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    raise PydanticCustomError("date_type", _("应为日期，例如 2026-11-22"))


def _date_in_range(value: dt.date | None) -> dt.date | None:
    if value is not None and not EARLIEST <= value <= LATEST:
        raise _out_of_range("date")
    return value


IsoDateTime = Annotated[
    dt.datetime,
    BeforeValidator(_datetime_text_only),
    AfterValidator(_datetime_in_range),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "description": f"ISO 8601，带时区；{RANGE_TEXT}"}
    ),
]
IsoDate = Annotated[
    dt.date,
    BeforeValidator(_date_text_only),
    AfterValidator(_date_in_range),
    WithJsonSchema({"type": "string", "format": "date", "description": f"YYYY-MM-DD；{RANGE_TEXT}"}),
]


def date_in_range(value: dt.date) -> bool:
    """For values an endpoint parses itself (a month "2026-03")."""
    return EARLIEST <= value <= LATEST
