"""Fixtures for the surveys app: the shared organisation, a controlled clock and cases in handling."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.services import (
    IntakeCustomer,
    IntakeData,
    complaint_create,
    complaint_transition,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")

# A result that the default reply rules accept as it is.
CLEAN_RESULT = {
    "cause": "小区光缆被施工挖断",
    "measures": "我们已安排工程师更换了光缆",
    "outcome": "网络已恢复正常",
    "compensation_text": "本月宽带月租已全额减免",
}


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def clock(time_machine):
    class Clock:
        def at(self, instant: dt.datetime) -> dt.datetime:
            time_machine.move_to(instant, tick=False)
            return instant

    return Clock()


@pytest.fixture
def handling_case():
    def make(actor, **overrides) -> Complaint:
        data = IntakeData(
            channel="phone",
            title="宽带断网",
            description="宽带连续三天断网，重启光猫无效。",
            customer=IntakeCustomer(name="王女士", phone="13800138000", email="wang@example.com"),
            demand="尽快修复并减免月租",
        )
        for name, value in overrides.items():
            setattr(data, name, value)
        complaint = complaint_create(data=data, actor=actor)
        complaint_transition(number=complaint.number, actor=actor, to="accepted")
        complaint_transition(number=complaint.number, actor=actor, to="handling")
        complaint.refresh_from_db()
        return complaint

    return make
