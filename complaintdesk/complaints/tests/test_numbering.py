"""Case numbers: TS + local date + 6-digit daily sequence, unique under concurrency."""

import datetime as dt
import re
import threading

import pytest
from django.db import connection, transaction

from complaintdesk.common.time import now
from complaintdesk.complaints.numbering import (
    case_number_allocate,
    case_numbers_advance,
    case_numbers_used,
    format_case_number,
)

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
    assert case_numbers_used()[dt.date(2026, 11, 23)] >= 3


@pytest.mark.django_db
def test_next_local_day_restarts_at_one():
    assert case_number_allocate(at=utc(2026, 11, 23, 2, 0)) == "TS20261123000001"
    assert case_number_allocate(at=utc(2026, 11, 23, 15, 59)) == "TS20261123000002"  # 23:59 local
    # 16:30 UTC is already 00:30 on 24 November in Shanghai.
    assert case_number_allocate(at=utc(2026, 11, 23, 16, 30)) == "TS20261124000001"
    assert case_number_allocate(at=utc(2026, 11, 24, 1, 0)) == "TS20261124000002"
    # The earlier day keeps its own sequence: higher than before; on PostgreSQL the values the other day
    # took from the shared sequence show as a gap.
    late = case_number_allocate(at=utc(2026, 11, 23, 10, 0))
    assert late.startswith("TS20261123") and late > "TS20261123000002"
    if connection.vendor == "sqlite":
        assert late == "TS20261123000003"


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
    # Unique and from the day's start; the intakes that raced the day's first one may each have set one
    # value aside (a gap), no more.
    assert all(n.startswith("TS20261123") for n in numbers)
    assert format_case_number(dt.date(2026, 11, 23), 1) <= min(numbers)
    assert max(numbers) <= format_case_number(dt.date(2026, 11, 23), 400 + threads)
    for chunk in results:  # each thread sees its own numbers increase
        assert chunk == sorted(chunk)
    assert case_numbers_used()[dt.date(2026, 11, 23)] >= 400


@pytest.mark.django_db
def test_a_bulk_loader_s_numbers_are_never_given_again():
    day = dt.date(2026, 11, 23)
    assert case_number_allocate(at=utc(2026, 11, 23, 2, 0)) == "TS20261123000001"
    case_numbers_advance({day: 500, dt.date(2026, 11, 22): 7})  # e.g. bench/seed.py loaded 500 cases that day
    assert case_number_allocate(at=utc(2026, 11, 23, 3, 0)) > "TS20261123000500"
    assert case_number_allocate(at=utc(2026, 11, 22, 3, 0)) > "TS20261122000007"
    assert case_numbers_used()[day] >= 501


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_number_taken_in_an_open_transaction_does_not_hold_up_the_next_intake():
    """Each API intake numbers its case inside its own long transaction (Idempotency-Key); another
    intake must not wait for that transaction to end (a counter row would be locked until the commit)."""
    at = now()
    case_number_allocate(at=at)  # the day's start row exists (its first intake waits once, by design)
    taken = threading.Event()
    release = threading.Event()
    first: list[str] = []

    def long_intake() -> None:
        try:
            with transaction.atomic():
                first.append(case_number_allocate(at=at))
                taken.set()
                release.wait(timeout=30)  # the rest of a slow intake, still inside the transaction
        finally:
            connection.close()

    worker = threading.Thread(target=long_intake)
    worker.start()
    try:
        assert taken.wait(timeout=10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")  # fails if it has to wait for the other one
            second = case_number_allocate(at=at)
    finally:
        release.set()
        worker.join(timeout=30)
    assert second > first[0] and second[:10] == first[0][:10]
