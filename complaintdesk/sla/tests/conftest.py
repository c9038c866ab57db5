import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from complaintdesk.complaints.services import IntakeCustomer, IntakeData, complaint_create

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def clock(time_machine):
    class Clock:
        def at(self, instant: dt.datetime) -> dt.datetime:
            time_machine.move_to(instant, tick=False)
            return instant

    return Clock()


def intake(actor, **overrides):
    data = IntakeData(
        channel="phone", title="话费多扣", description="本月话费比上月多扣了 58 元。",
        customer=IntakeCustomer(name="李先生", phone="13900139000"),
    )
    for name, value in overrides.items():
        setattr(data, name, value)
    return complaint_create(data=data, actor=actor)
