"""Test support from the ground floor: Shanghai wall-clock instants, a controlled clock (time-machine), and
work started in several threads at once.
It knows no domain app; cases, the ladder's holders and the worker's sweep are in complaintdesk.testing,
the top layer.

Imported by tests only. An app's conftest imports the fixtures it offers (and re-exports the helpers its
tests import from it); its own fixtures stay there."""

import datetime as dt
import threading
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> dt.datetime:
    """An instant given as Shanghai wall-clock time."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def clock(time_machine):
    """The controlled clock: `clock.at(local(...))` moves there and stops."""

    class Clock:
        def at(self, instant: dt.datetime) -> dt.datetime:
            time_machine.move_to(instant, tick=False)
            return instant

    return Clock()


__all__ = ["SHANGHAI", "clock", "local"]


def run_together(
    work: Callable[..., object],
    times: int,
    *,
    prepare: Callable[[], object] | None = None,
    timeout: float = 60,
) -> tuple[list, list]:
    """`work()` in `times` threads released together (a barrier), each on its own database connection, closed
    when it ends (a transactional test's rows must be committed to be seen). With `prepare`, each thread
    first calls it, before the barrier, and then `work(prepared)`. Returns the results and the exceptions
    raised, each in the order the threads finished; a thread still running after `timeout` seconds is
    left behind (its result missing)."""
    barrier = threading.Barrier(times)
    results, errors = [], []
    lock = threading.Lock()

    def run() -> None:
        try:
            args = () if prepare is None else (prepare(),)
            barrier.wait(timeout=timeout)
            result = work(*args)
            with lock:
                results.append(result)
        except BaseException as error:  # reported to the caller
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results, errors
