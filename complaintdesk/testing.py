"""Test support shared by the apps' conftest.py files: cases taken in and brought to handling, the
worker's sweep, and the test organisation with a holder for every level of the default ladder.

It sits above every app (it takes cases through intake, the clocks and the customer's acceptance), so
no app module imports it; tests do. The ground-floor helpers (Shanghai wall-clock instants, the
controlled clock) stay in complaintdesk.common.testing."""

import pytest

from complaintdesk.accounts.models import Role
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.services import (
    IntakeCustomer,
    IntakeData,
    complaint_create,
    complaint_transition,
)
from complaintdesk.sla.timers import timers_process_due
from complaintdesk.surveys.resolution import result_confirm
from complaintdesk.surveys.results import result_send


@pytest.fixture
def ladder_org(org):
    """conftest.Org (agent_a at store A, business manager at branch SH, executive at HQ) plus a branch
    head at SH and a general-management officer at HQ: every level of the default ladder is held."""
    org.head = org.user("head", Role.BRANCH_HEAD, org.branch)
    org.gm = org.user("gm", Role.GENERAL_MANAGEMENT, org.hq)
    return org


def intake_data(**overrides) -> IntakeData:
    """A general phone complaint (broadband down, from 王女士); `overrides` replace its fields."""
    data = IntakeData(
        channel="phone",
        title="宽带断网",
        description="宽带连续三天断网，重启光猫无效。",
        customer=IntakeCustomer(name="王女士", phone="13800138000"),
        demand="尽快修复并减免月租",
    )
    for name, value in overrides.items():
        setattr(data, name, value)
    return data


def intake(actor, **overrides) -> Complaint:
    """The complaint of `intake_data(**overrides)` taken in by `actor`."""
    return complaint_create(data=intake_data(**overrides), actor=actor)


def handling_case(actor, **overrides) -> Complaint:
    """The complaint of `intake`, taken by `actor`, accepted and in handling (not resolved)."""
    complaint = intake(actor, **overrides)
    complaint_transition(number=complaint.number, actor=actor, to="accepted")
    complaint_transition(number=complaint.number, actor=actor, to="handling")
    complaint.refresh_from_db()
    return complaint


# A result that the default reply rules accept as it is.
CLEAN_RESULT = {
    "cause": "小区光缆被施工挖断",
    "measures": "我们已安排工程师更换了光缆",
    "outcome": "网络已恢复正常",
    "compensation_text": "本月宽带月租已全额减免",
}


def resolve(actor, number: str, **result) -> Complaint:
    """Resolve a case in handling the only way there is: the result fed back to the customer
    (`CLEAN_RESULT`, `result` replacing its fields) and the customer's acceptance recorded by `actor`."""
    result_send(number=number, actor=actor, **{**CLEAN_RESULT, **result})
    return result_confirm(number=number, actor=actor, note="客户电话确认")


def sweep():
    """What the worker does every SLA_SWEEP_INTERVAL_SECONDS."""
    return timers_process_due()
