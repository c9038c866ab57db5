"""Customer-facing deadlines as people say them (common.phrasing.customer_deadline). Pure: no database."""

import datetime as dt
from zoneinfo import ZoneInfo

from complaintdesk.calendars.workdays import WorkCalendar
from complaintdesk.common.phrasing import customer_deadline

SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 12, 5)
OFFICE = WorkCalendar(business_hours=((dt.time(9), dt.time(12)), (dt.time(13), dt.time(18))))


def _local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def _zh(at, **kwargs) -> str:
    return customer_deadline(at, language="zh-hans", zone=SH, today=TODAY, **kwargs)


def test_a_day_granular_deadline_ends_the_day_before_at_24_00():
    # A clock counted in whole days ends at midnight: 9 December 00:00 is the end of 8 December.
    assert _zh(_local(2026, 12, 9, 0, 0)) == "12月8日（周二）24:00"
    assert (
        customer_deadline(_local(2026, 12, 9), language="en", zone=SH, today=TODAY)
        == "end of Tuesday 8 December"
    )


def test_an_ordinary_time_reads_as_before_with_the_weekday():
    assert _zh(_local(2026, 12, 8, 17, 0)) == "12月8日（周二）17:00"
    assert _zh(_local(2027, 1, 4, 10, 0)) == "2027年1月4日（周一）10:00"  # another year: said


def test_odd_minutes_are_rounded_down_to_the_half_hour_unless_that_is_past():
    assert _zh(_local(2026, 12, 8, 16, 54)) == "12月8日（周二）16:30"
    now = _local(2026, 12, 8, 16, 40)
    assert _zh(_local(2026, 12, 8, 16, 54), now=now) == "12月8日（周二）16:54"


def test_a_business_hours_unit_is_never_promised_the_middle_of_the_night():
    # 04:54 on Wednesday: the unit closed at 18:00 on Tuesday, still ahead at Tuesday noon.
    noon = _local(2026, 12, 8, 12, 0)
    assert _zh(_local(2026, 12, 9, 4, 54), calendar=OFFICE, now=noon) == "12月8日（周二）18:00"
    # At 20:00 on Tuesday that closing is past: the next opening, Wednesday 09:00.
    evening = _local(2026, 12, 8, 20, 0)
    assert _zh(_local(2026, 12, 9, 4, 54), calendar=OFFICE, now=evening) == "12月9日（周三）09:00"
    # A day-granular deadline is the unit's closing time that day, not 24:00.
    assert _zh(_local(2026, 12, 9, 0, 0), calendar=OFFICE, now=noon) == "12月8日（周二）18:00"
    # Over a weekend: Sunday night falls back to Friday's close when that is ahead …
    friday = _local(2026, 12, 11, 10, 0)
    assert _zh(_local(2026, 12, 13, 23, 0), calendar=OFFICE, now=friday) == "12月11日（周五）18:00"
    # … and inside business hours nothing moves; the lunch break is outside them.
    assert _zh(_local(2026, 12, 8, 11, 30), calendar=OFFICE, now=noon) == "12月8日（周二）11:30"
    assert (
        _zh(_local(2026, 12, 8, 12, 30), calendar=OFFICE, now=_local(2026, 12, 8, 8))
        == "12月8日（周二）12:00"
    )


def test_a_round_the_clock_unit_keeps_night_times():
    assert _zh(_local(2026, 12, 9, 4, 30), calendar=WorkCalendar()) == "12月9日（周三）04:30"
