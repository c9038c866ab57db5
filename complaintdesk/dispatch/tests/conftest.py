"""Fixtures for dispatch: the shared test organisation (with the billing department BILL and its staff
member `billing`) plus a network department, a controlled clock (time-machine), cases in handling, and
the worker's sweep."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from complaintdesk.accounts.models import Role
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.services import (
    IntakeCustomer,
    IntakeData,
    complaint_create,
    complaint_transition,
)
from complaintdesk.orgs.services import orgunit_create
from complaintdesk.sla.timers import timers_process_due

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> dt.datetime:
    """An instant given as Shanghai wall-clock time."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def depts(org):
    """conftest.Org plus a network department with one engineer, and a second billing clerk."""
    org.network = orgunit_create(code="NET", name="网络部", kind="department", parent=org.hq)
    org.engineer = org.user("engineer", Role.DEPARTMENT_STAFF, org.network)
    org.billing2 = org.user("billing2", Role.DEPARTMENT_STAFF, org.billing)
    return org


@pytest.fixture
def clock(time_machine):
    class Clock:
        def at(self, instant: dt.datetime) -> dt.datetime:
            time_machine.move_to(instant, tick=False)
            return instant

    return Clock()


def handling_case(actor, **overrides) -> Complaint:
    """A general complaint taken by `actor`, accepted and in handling."""
    data = IntakeData(
        channel="phone",
        title="宽带断网",
        description="宽带连续三天断网，重启光猫无效。",
        customer=IntakeCustomer(name="王女士", phone="13800138000"),
        demand="尽快修复并减免月租",
    )
    for name, value in overrides.items():
        setattr(data, name, value)
    complaint = complaint_create(data=data, actor=actor)
    complaint_transition(number=complaint.number, actor=actor, to="accepted")
    complaint_transition(number=complaint.number, actor=actor, to="handling")
    complaint.refresh_from_db()
    return complaint


def sweep():
    return timers_process_due()
