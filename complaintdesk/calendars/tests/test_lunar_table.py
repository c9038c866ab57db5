"""The shipped lunar-holiday table agrees with the official data where both exist."""

import datetime as dt

import chinese_calendar

from complaintdesk.calendars._lunar_table import LUNAR_HOLIDAYS, LUNAR_TABLE_FIRST_YEAR, LUNAR_TABLE_LAST_YEAR


def _dates(year: int) -> tuple[dt.date, ...]:
    return tuple(dt.date(year, value // 100, value % 100) for value in LUNAR_HOLIDAYS[year])


def test_table_covers_every_year_and_is_plausible():
    assert sorted(LUNAR_HOLIDAYS) == list(range(LUNAR_TABLE_FIRST_YEAR, LUNAR_TABLE_LAST_YEAR + 1))
    for year in LUNAR_HOLIDAYS:
        spring_festival, dragon_boat, mid_autumn, qingming = _dates(year)
        assert dt.date(year, 1, 21) <= spring_festival <= dt.date(year, 2, 20)
        # 初一 → 五月初五 is four lunar months and four days (one month more in a leap year);
        # 五月初五 → 八月十五 is three months and ten days. Lunar months have 29 or 30 days.
        assert (dragon_boat - spring_festival).days in {121, 122, 123, 151, 152, 153}
        assert (mid_autumn - dragon_boat).days in {97, 98, 99, 127, 128, 129}
        assert dt.date(year, 4, 4) <= qingming <= dt.date(year, 4, 6)


def test_known_dates():
    assert _dates(2026) == (
        dt.date(2026, 2, 17),
        dt.date(2026, 6, 19),
        dt.date(2026, 9, 25),
        dt.date(2026, 4, 5),
    )
    assert _dates(2027) == (
        dt.date(2027, 2, 6),
        dt.date(2027, 6, 9),
        dt.date(2027, 9, 15),
        dt.date(2027, 4, 5),
    )
    assert _dates(1978)[2] == dt.date(1978, 9, 17)


def test_matches_official_holidays_2008_to_2026():
    # 2008 is the first year with 清明, 端午 and 中秋 as statutory holidays.
    expected_names = {
        0: {"Spring Festival"},
        1: {"Dragon Boat Festival"},
        2: {"Mid-autumn Festival", "National Day"},  # 2020: 中秋 fell on 1 Oct
        3: {"Tomb-sweeping Day"},
    }
    for year in range(2008, 2027):
        for index, day in enumerate(_dates(year)):
            assert chinese_calendar.is_holiday(day), (year, day)
            _, name = chinese_calendar.get_holiday_detail(day)
            # The data names weekend days inside a holiday block only sometimes (e.g. 端午 2012).
            assert name is None or name in expected_names[index], (year, day, name)
        # 初二 is always off too; 除夕 was off 2008–2013 and again from 2025.
        assert chinese_calendar.is_holiday(_dates(year)[0] + dt.timedelta(days=1))
    for year in (2008, 2009, 2010, 2011, 2012, 2013, 2025, 2026):
        assert chinese_calendar.is_holiday(_dates(year)[0] - dt.timedelta(days=1)), year
