"""Test support from the ground floor: Shanghai wall-clock instants and a controlled clock (time-machine).
It knows no domain app; cases, the ladder's holders and the worker's sweep are in complaintdesk.testing,
the top layer.

Imported by tests only. An app's conftest imports the fixtures it offers (and re-exports the helpers its
tests import from it); its own fixtures stay there."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

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
