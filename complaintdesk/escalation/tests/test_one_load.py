"""One escalation loads and checks its case once, where the service begins: the steps it composes
(reopen, the status, the new holder) take the locked case, not its number again (issue 16 item 5). A
clock that fires moves the case the worker already holds, without loading it at all."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.complaints import access
from complaintdesk.complaints import services as complaint_services
from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.complaints.states import Status
from complaintdesk.escalation import notify
from complaintdesk.escalation import services as escalation_services
from complaintdesk.escalation.models import EscalationHandOff
from complaintdesk.testing import resolve

from .conftest import handling_case, local, staff_notices_capture, sweep


@pytest.fixture
def loads(monkeypatch):
    """The numbers access_complaint was asked for, wherever it is imported."""
    seen = []
    real = access.access_complaint

    def counted(**kwargs):
        seen.append(kwargs["number"])
        return real(**kwargs)

    for module in (access, complaint_services, escalation_services):
        monkeypatch.setattr(module, "access_complaint", counted)
    monkeypatch.setattr(notify, "customer_told_new_holder", lambda **values: None)
    staff_notices_capture(monkeypatch, lambda values: None)
    return seen


def _measured(loads, move):
    loads.clear()
    with CaptureQueriesContext(connection) as queries:
        move()
    print(f"access_complaint: {len(loads)}, queries: {len(queries)}")
    return list(loads)


def test_an_objection_on_a_resolved_case_reopens_escalates_and_reassigns_it_loading_it_once(
    ladder_org, clock, loads
):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(org)
    resolve(org.agent_a, complaint.number)

    seen = _measured(
        loads,
        lambda: escalation_services.complaint_object(
            number=complaint.number, actor=org.agent_a, reason="金额不对"
        ),
    )

    assert seen == [complaint.number]
    complaint.refresh_from_db()
    assert (complaint.status, complaint.assignee) == (Status.ESCALATED, org.manager)
    moves = ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.TRANSITION).order_by("id")
    assert [(e.old_value, e.new_value) for e in moves][-2:] == [
        ("resolved", "reopened"),
        ("reopened", "escalated"),
    ]
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.ASSIGNED).latest("id").new_value


@pytest.mark.parametrize("through", ["complaint_escalate", "complaint_transition"])
def test_escalating_by_hand_or_through_the_lifecycle_loads_the_case_once(ladder_org, clock, loads, through):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(org)
    if through == "complaint_escalate":
        move = lambda: escalation_services.complaint_escalate(  # noqa: E731
            number=complaint.number, actor=org.agent_a, reason="客户要求经理出面"
        )
    else:
        move = lambda: complaint_services.complaint_transition(  # noqa: E731
            number=complaint.number, actor=org.agent_a, to="escalated", reason="客户要求经理出面"
        )

    assert _measured(loads, move) == [complaint.number]
    complaint.refresh_from_db()
    assert (complaint.status, complaint.assignee) == (Status.ESCALATED, org.manager)


def test_a_hand_back_loads_the_case_once(ladder_org, clock, loads):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(org)
    escalation_services.complaint_escalate(number=complaint.number, actor=org.agent_a, reason="a", to_level=2)

    seen = _measured(
        loads,
        lambda: escalation_services.complaint_hand_back(
            number=complaint.number, actor=org.head, instructions="请与客户确认账单明细"
        ),
    )

    assert seen == [complaint.number]
    complaint.refresh_from_db()
    assert (complaint.status, complaint.assignee) == (Status.HANDLING, org.manager)


def test_a_breached_clock_escalates_the_case_the_worker_holds_without_loading_it_again(
    ladder_org, clock, loads
):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(org)
    clock.at(complaint.resolution_due_at)

    assert _measured(loads, sweep) == []
    complaint.refresh_from_db()
    assert (complaint.status, complaint.assignee) == (Status.ESCALATED, org.manager)
    assert EscalationHandOff.objects.filter(complaint=complaint).count() == 1
