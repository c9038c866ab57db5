"""The calendar of an org unit built from the organisation's own entries and business hours."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from complaintdesk.calendars.models import BusinessHours, CalendarEntry, EntryKind
from complaintdesk.calendars.selectors import calendar_for_unit
from complaintdesk.common.configcache import config_cache_clear
from complaintdesk.orgs.services import orgunit_create

SHANGHAI = ZoneInfo("Asia/Shanghai")
LUNCH_BREAK = ((dt.time(9), dt.time(12)), (dt.time(13), dt.time(18)))


class Tree:
    """HQ → EAST → SH01, and HQ → WEST."""

    def __init__(self):
        self.hq = orgunit_create(code="CAL-HQ", name="总部", kind="hq")
        self.east = orgunit_create(code="CAL-EAST", name="华东大区", kind="region", parent=self.hq)
        self.sh01 = orgunit_create(code="CAL-SH01", name="上海一店", kind="store", parent=self.east)
        self.west = orgunit_create(code="CAL-WEST", name="华西大区", kind="region", parent=self.hq)


@pytest.fixture
def tree(db):
    return Tree()


@pytest.fixture(autouse=True)
def _nothing_cached():
    """These tests are about loading: the configuration token (1 query), then entries and hours (2)."""
    config_cache_clear()


def entry(unit, day, kind, note=""):
    return CalendarEntry.objects.create(org_unit=unit, day=day, kind=kind, note=note)


@pytest.mark.django_db
def test_no_rows_gives_the_whole_day_official_calendar(django_assert_num_queries):
    with django_assert_num_queries(3):
        calendar = calendar_for_unit(unit=None)
    assert calendar.business_hours == ()
    assert calendar.closures == frozenset()
    assert calendar.extra_workdays == frozenset()
    assert calendar.tz == SHANGHAI


def test_entries_are_inherited_and_the_nearest_wins(tree, django_assert_num_queries):
    wed, thu, sat = dt.date(2026, 3, 4), dt.date(2026, 3, 5), dt.date(2026, 3, 7)
    entry(None, wed, EntryKind.CLOSURE, "全公司盘点")
    entry(tree.east, wed, EntryKind.WORKDAY, "华东照常营业")
    entry(tree.east, sat, EntryKind.WORKDAY)
    entry(tree.sh01, thu, EntryKind.CLOSURE, "装修")
    entry(tree.west, thu, EntryKind.WORKDAY)

    with django_assert_num_queries(3):
        sh01 = calendar_for_unit(unit=tree.sh01)
    assert sh01.closures == {thu}
    assert sh01.extra_workdays == {wed, sat}

    east = calendar_for_unit(unit=tree.east)
    assert east.closures == frozenset()
    assert east.extra_workdays == {wed, sat}

    west = calendar_for_unit(unit=tree.west)
    assert west.closures == {wed}
    assert west.extra_workdays == {thu}

    assert calendar_for_unit(unit=None).closures == {wed}
    assert calendar_for_unit(unit=tree.hq).closures == {wed}

    # Tue 3 Mar 10:00 + 1 working day: SH01 works Wed; Thu is closed, so +2 lands on Fri.
    start = dt.datetime(2026, 3, 3, 10, tzinfo=SHANGHAI)
    assert sh01.add_working_days(start, 1).due_at == dt.datetime(2026, 3, 4, 10, tzinfo=SHANGHAI)
    assert sh01.add_working_days(start, 2).due_at == dt.datetime(2026, 3, 6, 10, tzinfo=SHANGHAI)
    assert west.add_working_days(start, 1).due_at == dt.datetime(2026, 3, 5, 10, tzinfo=SHANGHAI)


def test_business_hours_nearest_ancestor_wins(tree, django_assert_num_queries):
    BusinessHours.objects.create(org_unit=None, whole_day=True)
    BusinessHours.objects.create(
        org_unit=tree.east,
        first_start=dt.time(9),
        first_end=dt.time(12),
        second_start=dt.time(13),
        second_end=dt.time(18),
    )
    with django_assert_num_queries(3):
        sh01 = calendar_for_unit(unit=tree.sh01)
    assert sh01.business_hours == LUNCH_BREAK
    assert sh01.working_day_length() == dt.timedelta(hours=8)
    assert calendar_for_unit(unit=tree.west).business_hours == ()
    assert calendar_for_unit(unit=None).business_hours == ()

    BusinessHours.objects.create(org_unit=tree.sh01, first_start=dt.time(8), first_end=dt.time(0))
    sh01 = calendar_for_unit(unit=tree.sh01)
    assert sh01.business_hours == ((dt.time(8), dt.time(0)),)
    assert sh01.working_day_length() == dt.timedelta(hours=16)
    assert calendar_for_unit(unit=tree.east).business_hours == LUNCH_BREAK

    # Friday 6 Mar 2026 19:00 + 1 h at SH01 (08:00–24:00): Friday 20:00; at EAST: Monday 10:00.
    friday_evening = dt.datetime(2026, 3, 6, 19, tzinfo=SHANGHAI)
    hour = dt.timedelta(hours=1)
    assert sh01.add_working_time(friday_evening, hour).due_at == dt.datetime(2026, 3, 6, 20, tzinfo=SHANGHAI)
    east = calendar_for_unit(unit=tree.east)
    assert east.add_working_time(friday_evening, hour).due_at == dt.datetime(2026, 3, 9, 10, tzinfo=SHANGHAI)


def test_time_zone_comes_from_settings(tree, settings):
    settings.TIME_ZONE = "Asia/Urumqi"
    assert calendar_for_unit(unit=tree.sh01).tz == ZoneInfo("Asia/Urumqi")


def test_one_entry_per_unit_and_day(tree):
    day = dt.date(2026, 3, 4)
    entry(tree.east, day, EntryKind.CLOSURE)
    entry(None, day, EntryKind.CLOSURE)
    with pytest.raises(IntegrityError), transaction.atomic():
        entry(tree.east, day, EntryKind.WORKDAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        entry(None, day, EntryKind.WORKDAY)
    with pytest.raises(ValidationError):
        CalendarEntry(org_unit=None, day=day, kind=EntryKind.WORKDAY).full_clean()


@pytest.mark.parametrize(
    ("fields", "valid"),
    [
        ({"whole_day": True}, True),
        ({"first_start": dt.time(9), "first_end": dt.time(18)}, True),
        (
            {
                "first_start": dt.time(9),
                "first_end": dt.time(12),
                "second_start": dt.time(13),
                "second_end": dt.time(18),
            },
            True,
        ),
        ({"first_start": dt.time(20), "first_end": dt.time(0)}, True),
        ({}, False),
        ({"whole_day": True, "first_start": dt.time(9), "first_end": dt.time(18)}, False),
        ({"first_start": dt.time(18), "first_end": dt.time(9)}, False),
        ({"first_start": dt.time(9), "first_end": dt.time(12), "second_start": dt.time(13)}, False),
        (
            {
                "first_start": dt.time(9),
                "first_end": dt.time(13),
                "second_start": dt.time(12),
                "second_end": dt.time(18),
            },
            False,
        ),
    ],
)
def test_business_hours_validation(tree, fields, valid):
    hours = BusinessHours(org_unit=tree.sh01, **fields)
    if valid:
        hours.full_clean()
    else:
        with pytest.raises(ValidationError):
            hours.full_clean()


def test_only_one_organisation_default(db):
    BusinessHours.objects.create(org_unit=None, whole_day=True)
    with pytest.raises(ValidationError):
        BusinessHours(org_unit=None, first_start=dt.time(9), first_end=dt.time(18)).full_clean()


def test_invalid_combinations_are_refused_by_the_database(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        BusinessHours.objects.create(org_unit=tree.sh01, whole_day=False)


def test_str_and_admin(tree):
    hours = BusinessHours.objects.create(org_unit=tree.east, first_start=dt.time(9), first_end=dt.time(0))
    assert hours.describe() == "09:00–24:00"
    assert "CAL-EAST" in str(hours)
    assert "CAL-SH01" in str(entry(tree.sh01, dt.date(2026, 3, 4), EntryKind.CLOSURE))
    assert admin.site.is_registered(CalendarEntry)
    assert admin.site.is_registered(BusinessHours)


@pytest.mark.filterwarnings("ignore:No directory at")  # whitenoise: no collected static files in tests
def test_admin_pages_render(tree, admin_client):
    entry(tree.sh01, dt.date(2026, 3, 4), EntryKind.CLOSURE, "装修")
    BusinessHours.objects.create(org_unit=tree.east, first_start=dt.time(9), first_end=dt.time(18))
    for url in (
        "/admin/calendars/calendarentry/",
        "/admin/calendars/calendarentry/add/",
        "/admin/calendars/businesshours/",
        "/admin/calendars/businesshours/add/",
    ):
        assert admin_client.get(url).status_code == 200, url
    response = admin_client.post(
        "/admin/calendars/businesshours/add/",
        {"org_unit": tree.west.pk, "first_start": "18:00", "first_end": "09:00"},
    )
    assert response.status_code == 200  # re-rendered with the error
    assert "结束时间必须晚于开始时间" in response.content.decode()
    assert not BusinessHours.objects.filter(org_unit=tree.west).exists()
