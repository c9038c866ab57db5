"""The working calendar is cached per process and follows every edit of what it is built from."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.calendars.models import BusinessHours, CalendarEntry, EntryKind
from complaintdesk.calendars.selectors import CACHE_AREA, calendar_for_unit
from complaintdesk.common.configcache import config_cache_clear, config_changed
from complaintdesk.orgs.services import orgunit_create, orgunit_move

TUESDAY, SATURDAY = dt.date(2026, 12, 1), dt.date(2026, 12, 5)


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    config_cache_clear()
    config_changed(CACHE_AREA)  # the area's row exists (a flushed table would switch caching off)


def _sql(queries) -> list[str]:
    return [query["sql"] for query in queries.captured_queries]


def test_a_cached_calendar_costs_only_the_token_query(org):
    first = calendar_for_unit(unit=org.store_a)
    with CaptureQueriesContext(connection) as queries:
        again = calendar_for_unit(unit=org.store_a)
    assert again is first
    assert _sql(queries) == ["SELECT name, token FROM common_configversion"]


def test_within_one_request_the_token_is_read_once(org):
    """A request is one snapshot of the configuration: the calendar's and the policy's caches share
    one token query however often they are asked. (The receivers of request_started/finished are
    called directly: sending the signals would also close the test's database connection.)"""
    from complaintdesk.common import configcache

    calendar_for_unit(unit=org.store_a)
    configcache._request_started()
    try:
        with CaptureQueriesContext(connection) as queries:
            for _ in range(3):
                calendar_for_unit(unit=org.store_a)
                calendar_for_unit(unit=org.store_b)
        assert len(queries.captured_queries) == 1 + 2  # the token, and store B's calendar loaded once
    finally:
        configcache._request_finished()


def test_entries_added_changed_and_deleted_are_seen_by_the_next_call(org):
    assert calendar_for_unit(unit=org.store_a).is_working_day(TUESDAY)
    entry = CalendarEntry.objects.create(org_unit=org.branch, day=TUESDAY, kind=EntryKind.CLOSURE)
    assert not calendar_for_unit(unit=org.store_a).is_working_day(TUESDAY)

    entry.day, entry.kind = SATURDAY, EntryKind.WORKDAY
    entry.save()
    calendar = calendar_for_unit(unit=org.store_a)
    assert calendar.is_working_day(TUESDAY) and calendar.is_working_day(SATURDAY)

    entry.delete()
    assert not calendar_for_unit(unit=org.store_a).is_working_day(SATURDAY)


def test_business_hours_edits_are_seen_by_the_next_call(org):
    assert calendar_for_unit(unit=org.store_a).business_hours == ()
    hours = BusinessHours.objects.create(
        org_unit=None, whole_day=False, first_start=dt.time(9), first_end=dt.time(18)
    )
    assert calendar_for_unit(unit=org.store_a).business_hours == ((dt.time(9), dt.time(18)),)
    hours.first_end = dt.time(17)
    hours.save()
    assert calendar_for_unit(unit=org.store_a).business_hours == ((dt.time(9), dt.time(17)),)
    hours.delete()
    assert calendar_for_unit(unit=org.store_a).business_hours == ()


def test_a_unit_moved_in_the_tree_takes_its_new_parents_calendar(org):
    west = orgunit_create(code="WEST", name="华西大区", kind="region", parent=org.hq)
    CalendarEntry.objects.create(org_unit=west, day=TUESDAY, kind=EntryKind.CLOSURE)
    assert calendar_for_unit(unit=org.store_a).is_working_day(TUESDAY)
    moved = orgunit_move(unit=org.store_a, new_parent=west)
    assert not calendar_for_unit(unit=moved).is_working_day(TUESDAY)


def test_a_rolled_back_edit_leaves_no_stale_calendar(org):
    """Tokens are random: the token of a change that rolled back never comes back, so what was cached
    while it was visible is never taken for the configuration after the rollback."""
    from django.db import transaction

    assert calendar_for_unit(unit=org.store_a).is_working_day(TUESDAY)
    with pytest.raises(RuntimeError), transaction.atomic():
        CalendarEntry.objects.create(org_unit=org.store_a, day=TUESDAY, kind=EntryKind.CLOSURE)
        assert not calendar_for_unit(unit=org.store_a).is_working_day(TUESDAY)
        raise RuntimeError("rolled back")
    assert calendar_for_unit(unit=org.store_a).is_working_day(TUESDAY)
