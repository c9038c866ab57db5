"""Working-day arithmetic on real dates (pure: no database)."""

import datetime as dt
import random
import time as clock
from zoneinfo import ZoneInfo

import pytest

from complaintdesk.calendars.workdays import Deadline, WorkCalendar, WorkingSpan

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
H = dt.timedelta(hours=1)

WHOLE_DAY = WorkCalendar()
LUNCH_BREAK = WorkCalendar(business_hours=((dt.time(9), dt.time(12)), (dt.time(13), dt.time(18))))


def sh(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def due(deadline: Deadline) -> dt.datetime:
    return deadline.due_at.astimezone(SHANGHAI)


def days_off(calendar: WorkCalendar, first: dt.date, last: dt.date) -> list[dt.date]:
    span = (last - first).days + 1
    return [d for d in (first + dt.timedelta(days=i) for i in range(span)) if not calendar.is_working_day(d)]


# Plain weeks -------------------------------------------------------------------------------


def test_across_a_weekend():
    # 2026-03-06 is a Friday.
    assert due(WHOLE_DAY.add_working_days(sh(2026, 3, 6, 10), 1)) == sh(2026, 3, 9, 10)
    assert due(WHOLE_DAY.add_working_days(sh(2026, 3, 6, 10), 2)) == sh(2026, 3, 10, 10)
    # Starting on Saturday, counting starts on Monday 00:00.
    assert due(WHOLE_DAY.add_working_days(sh(2026, 3, 7, 15), 1)) == sh(2026, 3, 10, 0)


def test_result_at_the_end_of_a_whole_day_stays_there():
    # Friday 10:00 + 14 h ends at Friday 24:00 (= Saturday 00:00), not Monday 00:00.
    assert due(WHOLE_DAY.add_working_time(sh(2026, 3, 6, 10), 14 * H)) == sh(2026, 3, 7, 0)
    assert due(WHOLE_DAY.add_working_time(sh(2026, 3, 6, 10), 15 * H)) == sh(2026, 3, 9, 1)


def test_results_are_aware_utc():
    deadline = WHOLE_DAY.add_working_days(sh(2026, 3, 3, 10), 2)
    assert deadline == Deadline(due_at=dt.datetime(2026, 3, 5, 2, tzinfo=UTC), provisional=False)
    assert deadline.due_at.utcoffset() == dt.timedelta(0)


# Official 2026 calendar --------------------------------------------------------------------


def test_national_day_2026_with_adjusted_weekend_workdays():
    assert WHOLE_DAY.is_working_day(dt.date(2026, 9, 20))  # Sunday, 调休
    assert WHOLE_DAY.is_working_day(dt.date(2026, 10, 10))  # Saturday, 调休
    assert days_off(WHOLE_DAY, dt.date(2026, 9, 19), dt.date(2026, 10, 11)) == [
        dt.date(2026, 9, 19),
        *(dt.date(2026, 9, d) for d in range(25, 28)),  # 中秋 25–27
        *(dt.date(2026, 10, d) for d in range(1, 8)),  # 国庆 1–7
        dt.date(2026, 10, 11),
    ]
    # Friday 18 Sep + 1 working day lands on the working Sunday.
    assert due(WHOLE_DAY.add_working_days(sh(2026, 9, 18, 10), 1)) == sh(2026, 9, 20, 10)
    # Wednesday 30 Sep + 2: Thu 8 Oct, Fri 9 Oct.
    assert due(WHOLE_DAY.add_working_days(sh(2026, 9, 30, 10), 2)) == sh(2026, 10, 9, 10)
    # Friday 9 Oct + 1 lands on the working Saturday 10 Oct.
    assert due(WHOLE_DAY.add_working_days(sh(2026, 10, 9, 10), 1)) == sh(2026, 10, 10, 10)


def test_spring_festival_2026_with_adjusted_saturdays():
    assert WHOLE_DAY.is_working_day(dt.date(2026, 2, 14))  # Saturday, 调休
    assert WHOLE_DAY.is_working_day(dt.date(2026, 2, 28))  # Saturday, 调休
    assert days_off(WHOLE_DAY, dt.date(2026, 2, 13), dt.date(2026, 3, 1)) == [
        *(dt.date(2026, 2, d) for d in range(15, 24)),  # 春节 15–23
        dt.date(2026, 3, 1),
    ]
    assert due(WHOLE_DAY.add_working_days(sh(2026, 2, 13, 10), 1)) == sh(2026, 2, 14, 10)
    assert due(WHOLE_DAY.add_working_days(sh(2026, 2, 13, 10), 2)) == sh(2026, 2, 24, 10)
    assert due(WHOLE_DAY.add_working_days(sh(2026, 2, 27, 10), 1)) == sh(2026, 2, 28, 10)
    # 5 working days from the working Saturday before the holiday: 14, 24, 25, 26, 27 Feb, 28 Feb 09:00.
    assert due(WHOLE_DAY.add_working_days(sh(2026, 2, 14, 9), 5)) == sh(2026, 2, 28, 9)


def test_new_year_2026_sunday_workday():
    assert not WHOLE_DAY.is_working_day(dt.date(2026, 1, 2))
    assert WHOLE_DAY.is_working_day(dt.date(2026, 1, 4))  # Sunday, 调休
    assert not WHOLE_DAY.is_provisional(dt.date(2026, 12, 31))


# Years without official data --------------------------------------------------------------


def test_across_new_year_2026_into_provisional_2027():
    # 31 Dec 2026 is a Thursday; 1 Jan 2027 (Friday, 元旦) is off, then the weekend.
    deadline = WHOLE_DAY.add_working_days(sh(2026, 12, 31, 10), 1)
    assert due(deadline) == sh(2027, 1, 4, 10)
    assert deadline.provisional is True
    assert WHOLE_DAY.is_provisional(dt.date(2027, 1, 1))
    assert not WHOLE_DAY.is_working_day(dt.date(2027, 1, 1))
    # Entirely inside 2026: not provisional.
    assert WHOLE_DAY.add_working_days(sh(2026, 12, 29, 10), 1).provisional is False
    span = WHOLE_DAY.working_time_between(sh(2026, 12, 31, 10), sh(2027, 1, 4, 10))
    assert span == WorkingSpan(duration=24 * H, provisional=True)


def test_provisional_2027_holidays_and_substitute_days():
    cal = WHOLE_DAY
    # 春节 2027: 除夕 Fri 5 Feb, 初一–初三 Sat 6 – Mon 8 Feb; Sat and Sun are made up on Tue 9, Wed 10.
    assert days_off(cal, dt.date(2027, 2, 1), dt.date(2027, 2, 12)) == [
        dt.date(2027, 2, 5),
        dt.date(2027, 2, 6),
        dt.date(2027, 2, 7),
        dt.date(2027, 2, 8),
        dt.date(2027, 2, 9),
        dt.date(2027, 2, 10),
    ]
    # 劳动节 2027: Sat 1 and Sun 2 May → Mon 3 and Tue 4 May off.
    assert days_off(cal, dt.date(2027, 5, 1), dt.date(2027, 5, 7)) == [
        dt.date(2027, 5, d) for d in (1, 2, 3, 4)
    ]
    # 清明 Mon 5 Apr, 端午 Wed 9 Jun, 中秋 Wed 15 Sep, 国庆 Fri 1 Oct (+ Mon 4, Tue 5 for the weekend).
    for day in (dt.date(2027, 4, 5), dt.date(2027, 6, 9), dt.date(2027, 9, 15)):
        assert not cal.is_working_day(day)
    assert days_off(cal, dt.date(2027, 10, 1), dt.date(2027, 10, 8)) == [
        dt.date(2027, 10, d) for d in (1, 2, 3, 4, 5)
    ]
    # No 调休 is guessed: weekends stay off, and every year has 13 weekdays off.
    assert all(not cal.is_working_day(dt.date(2027, 2, 20) + dt.timedelta(days=7 * w)) for w in range(40))
    weekdays_off = [d for d in days_off(cal, dt.date(2027, 1, 1), dt.date(2027, 12, 31)) if d.weekday() < 5]
    assert len(weekdays_off) == 13


def test_year_2030():
    assert WHOLE_DAY.is_provisional(dt.date(2030, 10, 1))
    # 国庆 2030: Tue 1 – Thu 3 Oct.
    deadline = WHOLE_DAY.add_working_days(sh(2030, 9, 30, 10), 1)
    assert due(deadline) == sh(2030, 10, 4, 10)
    assert deadline.provisional is True
    # 春节 2030: 初一 is Sunday 3 Feb; 除夕 (Sat) and 初一 are made up after 初三 (Tue 5 Feb).
    assert days_off(WHOLE_DAY, dt.date(2030, 2, 1), dt.date(2030, 2, 11)) == [
        dt.date(2030, 2, d) for d in (2, 3, 4, 5, 6, 7, 9, 10)
    ]


def test_year_1999():
    assert WHOLE_DAY.is_provisional(dt.date(1999, 6, 1))
    # Fri 31 Dec 1999 + 1: 1 Jan 2000 is a Saturday, so Mon 3 Jan is its substitute day off.
    deadline = WHOLE_DAY.add_working_days(sh(1999, 12, 31, 10), 1)
    assert due(deadline) == sh(2000, 1, 4, 10)
    assert deadline.provisional is True
    # 春节 1999: 初一 Tue 16 Feb.
    assert days_off(WHOLE_DAY, dt.date(1999, 2, 15), dt.date(1999, 2, 19)) == [
        dt.date(1999, 2, d) for d in (15, 16, 17, 18)
    ]


def test_official_years_are_not_provisional():
    assert not any(WHOLE_DAY.is_provisional(dt.date(year, 6, 1)) for year in range(2004, 2027))
    assert WHOLE_DAY.is_provisional(dt.date(2003, 12, 31))


def test_every_year_1990_to_2100_without_crash_and_fast():
    began = clock.perf_counter()
    for year in range(1990, 2101):
        for month in (1, 2, 10, 12):
            start = sh(year, month, 28, 17, 30)
            five = WHOLE_DAY.add_working_days(start, 5)
            thirty = LUNCH_BREAK.add_working_time(start, 30 * 8 * H)
            assert five.due_at > start
            assert thirty.due_at > five.due_at
            crosses_into_2027 = year == 2026 and month == 12
            assert five.provisional == (not 2004 <= year <= 2026 or crosses_into_2027)
    # 111 years × 8 additions: stepping by period, not by minute.
    assert clock.perf_counter() - began < 2.0


def test_extreme_years_do_not_crash():
    assert not WHOLE_DAY.is_working_day(dt.date(1, 1, 1))  # 元旦
    assert WHOLE_DAY.is_working_day(dt.date(1, 1, 2))  # a Tuesday
    assert WHOLE_DAY.is_working_day(dt.date(9999, 12, 31))  # a Friday
    assert WHOLE_DAY.add_working_days(dt.datetime(9000, 1, 1, tzinfo=UTC), 3).provisional is True
    with pytest.raises(ValueError, match="supported date range"):
        WHOLE_DAY.add_working_days(dt.datetime(9999, 12, 31, 12, tzinfo=UTC), 1)


def test_a_long_period_is_still_quick():
    began = clock.perf_counter()
    deadline = WHOLE_DAY.add_working_days(sh(2026, 1, 1), 250 * 20)  # ~20 years of working days
    assert deadline.provisional is True
    span = WHOLE_DAY.working_time_between(sh(2026, 1, 1), deadline.due_at)
    assert span.duration == 250 * 20 * 24 * H
    assert clock.perf_counter() - began < 1.0


# Business hours ----------------------------------------------------------------------------


def test_working_day_length():
    assert WHOLE_DAY.working_day_length() == 24 * H
    assert LUNCH_BREAK.working_day_length() == 8 * H
    evening = WorkCalendar(business_hours=((dt.time(18), dt.time(0)),))  # 18:00–24:00
    assert evening.working_day_length() == 6 * H


def test_business_hours_start_before_opening():
    # Tuesday 3 Mar 2026, 08:00: counting starts at 09:00.
    assert due(LUNCH_BREAK.add_working_time(sh(2026, 3, 3, 8), 2 * H)) == sh(2026, 3, 3, 11)
    assert due(LUNCH_BREAK.add_working_time(sh(2026, 3, 3, 8), 4 * H)) == sh(2026, 3, 3, 14)


def test_business_hours_start_during_lunch():
    assert due(LUNCH_BREAK.add_working_time(sh(2026, 3, 3, 12, 30), 1 * H)) == sh(2026, 3, 3, 14)
    # Crossing the lunch break from the morning.
    assert due(LUNCH_BREAK.add_working_time(sh(2026, 3, 3, 11), 2 * H)) == sh(2026, 3, 3, 14)


def test_business_hours_start_after_closing():
    assert due(LUNCH_BREAK.add_working_time(sh(2026, 3, 3, 19), 1 * H)) == sh(2026, 3, 4, 10)
    assert due(LUNCH_BREAK.add_working_days(sh(2026, 3, 3, 19), 1)) == sh(2026, 3, 4, 18)


def test_business_hours_friday_evening():
    assert due(LUNCH_BREAK.add_working_time(sh(2026, 3, 6, 19), 1 * H)) == sh(2026, 3, 9, 10)
    assert due(LUNCH_BREAK.add_working_days(sh(2026, 3, 6, 17), 1)) == sh(2026, 3, 9, 17)


def test_business_hours_result_at_the_end_of_a_period_stays_there():
    assert due(LUNCH_BREAK.add_working_time(sh(2026, 3, 3, 13), 5 * H)) == sh(2026, 3, 3, 18)
    assert due(LUNCH_BREAK.add_working_time(sh(2026, 3, 3, 9), 3 * H)) == sh(2026, 3, 3, 12)
    assert due(LUNCH_BREAK.add_working_days(sh(2026, 3, 3, 9), 1)) == sh(2026, 3, 3, 18)


def test_business_hours_on_an_adjusted_working_saturday():
    # Fri 13 Feb 2026 17:00 + 2 h: one hour on Friday, one on the working Saturday 14 Feb.
    assert due(LUNCH_BREAK.add_working_time(sh(2026, 2, 13, 17), 2 * H)) == sh(2026, 2, 14, 10)


def test_amount_zero_leaves_start_unchanged():
    for start in (sh(2026, 3, 3, 10), sh(2026, 3, 7, 3), sh(2026, 3, 3, 18), sh(2027, 1, 1, 12)):
        for cal in (WHOLE_DAY, LUNCH_BREAK):
            assert cal.add_working_time(start, dt.timedelta(0)) == Deadline(due_at=start, provisional=False)
            assert cal.add_working_days(start, 0).due_at == start


def test_negative_amount_is_rejected():
    with pytest.raises(ValueError):
        WHOLE_DAY.add_working_time(sh(2026, 3, 3, 10), -H)
    with pytest.raises(ValueError):
        WHOLE_DAY.add_working_days(sh(2026, 3, 3, 10), -1)


@pytest.mark.parametrize(
    "business_hours",
    [
        ((dt.time(12), dt.time(9)),),
        ((dt.time(9), dt.time(9)),),
        ((dt.time(9), dt.time(13)), (dt.time(12), dt.time(18))),
        ((dt.time(13), dt.time(18)), (dt.time(9), dt.time(12))),
        ((dt.time(22), dt.time(6)),),
        ((dt.time(9, tzinfo=UTC), dt.time(18)),),
    ],
)
def test_invalid_business_hours_are_rejected(business_hours):
    with pytest.raises(ValueError):
        WorkCalendar(business_hours=business_hours)


# The organisation's own entries ------------------------------------------------------------


def test_closure_and_extra_workday():
    cal = WorkCalendar(
        business_hours=LUNCH_BREAK.business_hours,
        closures=frozenset({dt.date(2026, 3, 4), dt.date(2026, 2, 14)}),
        extra_workdays=frozenset({dt.date(2026, 3, 7), dt.date(2026, 10, 1)}),
    )
    # Closed Wednesday 4 Mar.
    assert due(cal.add_working_days(sh(2026, 3, 3, 10), 1)) == sh(2026, 3, 5, 10)
    # Works Saturday 7 Mar.
    assert due(cal.add_working_days(sh(2026, 3, 6, 10), 1)) == sh(2026, 3, 7, 10)
    # Works on 国庆 day 1, closed on the officially working Saturday 14 Feb 2026.
    assert cal.is_working_day(dt.date(2026, 10, 1))
    assert not cal.is_working_day(dt.date(2026, 2, 14))
    assert due(cal.add_working_time(sh(2026, 2, 13, 17), 2 * H)) == sh(2026, 2, 24, 10)


def test_entries_override_provisional_years():
    cal = WorkCalendar(
        extra_workdays=frozenset({dt.date(2027, 1, 1)}), closures=frozenset({dt.date(2027, 1, 4)})
    )
    assert cal.is_working_day(dt.date(2027, 1, 1))
    assert not cal.is_working_day(dt.date(2027, 1, 4))
    assert due(cal.add_working_days(sh(2026, 12, 31, 10), 1)) == sh(2027, 1, 1, 10)


def test_a_day_cannot_be_both_closed_and_extra_working():
    with pytest.raises(ValueError):
        WorkCalendar(
            closures=frozenset({dt.date(2026, 3, 4)}), extra_workdays=frozenset({dt.date(2026, 3, 4)})
        )


# Time zones --------------------------------------------------------------------------------


def test_naive_datetimes_are_rejected():
    naive = dt.datetime(2026, 3, 3, 10)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="aware"):
        WHOLE_DAY.add_working_time(naive, H)
    with pytest.raises(ValueError, match="aware"):
        WHOLE_DAY.add_working_days(naive, 1)
    with pytest.raises(ValueError, match="aware"):
        WHOLE_DAY.working_time_between(naive, sh(2026, 3, 4))
    with pytest.raises(ValueError, match="aware"):
        WHOLE_DAY.working_time_between(sh(2026, 3, 4), naive)


def test_dates_not_datetimes_for_day_questions():
    with pytest.raises(TypeError):
        WHOLE_DAY.is_working_day(sh(2026, 3, 3))


def test_input_zone_does_not_matter_days_are_local():
    # Monday 2 Mar 2026 23:30 UTC is Tuesday 07:30 in Shanghai: before opening on Tuesday.
    start_utc = dt.datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    start_ny = start_utc.astimezone(ZoneInfo("America/New_York"))
    assert LUNCH_BREAK.add_working_time(start_utc, H) == LUNCH_BREAK.add_working_time(start_ny, H)
    assert due(LUNCH_BREAK.add_working_time(start_ny, H)) == sh(2026, 3, 3, 10)
    # Friday 6 Mar 17:00 UTC is Saturday 01:00 in Shanghai: a non-working day.
    assert due(WHOLE_DAY.add_working_time(dt.datetime(2026, 3, 6, 17, tzinfo=UTC), H)) == sh(2026, 3, 9, 1)


def test_other_zone_with_daylight_saving_counts_wall_clock_time():
    new_york = ZoneInfo("America/New_York")
    cal = WorkCalendar(tz=new_york, business_hours=((dt.time(9), dt.time(17)),))
    # Clocks go forward on Sunday 8 Mar 2026; Friday 16:00 EST + 2 h → Monday 10:00 EDT.
    deadline = cal.add_working_time(dt.datetime(2026, 3, 6, 16, tzinfo=new_york), 2 * H)
    assert deadline.due_at == dt.datetime(2026, 3, 9, 14, tzinfo=UTC)
    # A whole working day is 24 wall-clock hours even on the 23-hour day of the change.
    whole = WorkCalendar(tz=new_york, extra_workdays=frozenset({dt.date(2026, 3, 8)}))
    start = dt.datetime(2026, 3, 8, tzinfo=new_york)
    deadline = whole.add_working_days(start, 1)
    assert deadline.due_at == dt.datetime(2026, 3, 9, 4, tzinfo=UTC)  # Monday 00:00 EDT
    assert whole.working_time_between(start, deadline.due_at).duration == 24 * H


# working_time_between ----------------------------------------------------------------------


def test_working_time_between_simple_cases():
    assert LUNCH_BREAK.working_time_between(sh(2026, 3, 6, 17), sh(2026, 3, 9, 10)) == WorkingSpan(
        duration=2 * H, provisional=False
    )
    assert LUNCH_BREAK.working_time_between(sh(2026, 3, 9, 10), sh(2026, 3, 6, 17)).duration == -2 * H
    assert LUNCH_BREAK.working_time_between(sh(2026, 3, 3, 12), sh(2026, 3, 3, 13)).duration == dt.timedelta(
        0
    )
    assert WHOLE_DAY.working_time_between(sh(2026, 9, 30), sh(2026, 10, 9)).duration == 2 * 24 * H
    same = sh(2027, 1, 1, 10)
    assert WHOLE_DAY.working_time_between(same, same) == WorkingSpan(
        duration=dt.timedelta(0), provisional=False
    )


@pytest.mark.parametrize("calendar", [WHOLE_DAY, LUNCH_BREAK], ids=["whole-day", "lunch-break"])
def test_round_trip_with_add_working_time(calendar):
    rng = random.Random(20260214)
    first = sh(2025, 11, 1)
    closures = frozenset(dt.date(2026, 3, 1) + dt.timedelta(days=rng.randrange(700)) for _ in range(20))
    calendar = WorkCalendar(business_hours=calendar.business_hours, closures=closures)
    for _ in range(400):
        start = first + dt.timedelta(minutes=rng.randrange(60 * 24 * 500), seconds=rng.randrange(60))
        amount = dt.timedelta(minutes=rng.randrange(60 * 24 * 40))
        deadline = calendar.add_working_time(start, amount)
        assert deadline.due_at >= start
        span = calendar.working_time_between(start, deadline.due_at)
        assert span.duration == amount, (start, amount)
        assert span.provisional == deadline.provisional
        # Any end: the deadline for the working time up to it is no later than it.
        end = start + dt.timedelta(minutes=rng.randrange(60 * 24 * 60))
        worked = calendar.working_time_between(start, end).duration
        reached = calendar.add_working_time(start, worked).due_at
        assert reached <= end
        assert calendar.working_time_between(reached, end).duration == dt.timedelta(0)
