"""Case numbers: TS + local date + 6-digit daily sequence, unique under concurrency."""

import datetime as dt
import re
import threading

import pytest
from django.db import connection

from complaintdesk.complaints.models import CaseNumberCounter
from complaintdesk.complaints.numbering import case_number_allocate, format_case_number

NUMBER = re.compile(r"^TS\d{8}\d{6}$")


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_format():
    assert format_case_number(dt.date(2026, 11, 23), 1) == "TS20261123000001"
    assert format_case_number(dt.date(2026, 1, 5), 123456) == "TS20260105123456"
    assert NUMBER.match(format_case_number(dt.date(2026, 11, 23), 42))


@pytest.mark.django_db
def test_sequential_within_a_day():
    at = utc(2026, 11, 23, 2, 0)  # 10:00 in Shanghai
    numbers = [case_number_allocate(at=at + dt.timedelta(minutes=i)) for i in range(3)]
    assert numbers == ["TS20261123000001", "TS20261123000002", "TS20261123000003"]
    assert CaseNumberCounter.objects.get(day=dt.date(2026, 11, 23)).last_value == 3


@pytest.mark.django_db
def test_next_local_day_restarts_at_one():
    assert case_number_allocate(at=utc(2026, 11, 23, 2, 0)) == "TS20261123000001"
    assert case_number_allocate(at=utc(2026, 11, 23, 15, 59)) == "TS20261123000002"  # 23:59 local
    # 16:30 UTC is already 00:30 on 24 November in Shanghai.
    assert case_number_allocate(at=utc(2026, 11, 23, 16, 30)) == "TS20261124000001"
    assert case_number_allocate(at=utc(2026, 11, 24, 1, 0)) == "TS20261124000002"
    # The earlier day keeps its own sequence.
    assert case_number_allocate(at=utc(2026, 11, 23, 10, 0)) == "TS20261123000003"


@pytest.mark.django_db
def test_the_local_date_is_used_for_an_aware_time_in_any_zone():
    tokyo = dt.timezone(dt.timedelta(hours=9))
    # 00:30 on 24 Nov in Tokyo is 23:30 on 23 Nov in Shanghai.
    assert case_number_allocate(at=dt.datetime(2026, 11, 24, 0, 30, tzinfo=tokyo)).startswith("TS20261123")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_allocation_has_no_duplicates():
    at = utc(2026, 11, 23, 2, 0)
    threads, per_thread = 8, 50
    results: list[list[str]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def allocate(slot: int) -> None:
        try:
            barrier.wait()
            for _ in range(per_thread):
                results[slot].append(case_number_allocate(at=at))
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=allocate, args=(slot,)) for slot in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers)
    assert errors == []

    numbers = [number for chunk in results for number in chunk]
    assert len(numbers) == threads * per_thread
    assert len(set(numbers)) == threads * per_thread
    assert sorted(numbers) == [format_case_number(dt.date(2026, 11, 23), i) for i in range(1, 401)]
    for chunk in results:  # each thread sees its own numbers increase
        assert chunk == sorted(chunk)
    assert CaseNumberCounter.objects.get(day=dt.date(2026, 11, 23)).last_value == 400
