"""Issue 19: the escalation ladder is for complaints. An inquiry whose answer is late has its breach on the
timeline and stays with its handler; praise never runs a clock; a risk flag on a suggestion raises no
escalation."""

import datetime as dt

from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.complaints.services import complaint_analyse, complaint_transition
from complaintdesk.complaints.states import ContactKind, Status
from complaintdesk.escalation.models import CaseEscalation, EscalationHandOff
from complaintdesk.sla.models import SlaTimer

from .conftest import handling_case, intake, local, sweep


def test_an_inquiry_answered_late_is_a_breach_on_its_timeline_not_an_escalation(ladder_org, clock):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))  # Tuesday
    inquiry = intake(org.agent_a, kind=ContactKind.INQUIRY)
    complaint_transition(number=inquiry.number, actor=org.agent_a, to=Status.HANDLING)
    inquiry.refresh_from_db()
    assert inquiry.resolution_due_at is not None

    clock.at(inquiry.resolution_due_at + dt.timedelta(minutes=1))
    result = sweep()
    assert result.failed == 0
    inquiry.refresh_from_db()
    assert inquiry.status == Status.HANDLING and inquiry.assignee == org.agent_a
    assert ComplaintEvent.objects.filter(complaint=inquiry, kind=EventKind.SLA_BREACH).exists()
    assert not EscalationHandOff.objects.filter(complaint=inquiry).exists()

    # The same lateness on a complaint climbs the ladder (the contrast that makes the above mean something).
    clock.at(local(2026, 11, 24, 10))
    complaint = handling_case(org)
    clock.at(complaint.resolution_due_at + dt.timedelta(minutes=1))
    sweep()
    complaint.refresh_from_db()
    assert complaint.status == Status.ESCALATED


def test_a_risk_flag_on_a_suggestion_starts_no_escalation_and_praise_has_no_timer(ladder_org, clock):
    org = ladder_org
    clock.at(local(2026, 11, 24, 10))
    suggestion = intake(org.agent_a, kind=ContactKind.SUGGESTION)
    complaint_transition(number=suggestion.number, actor=org.agent_a, to=Status.ACCEPTED)
    complaint_analyse(number=suggestion.number, actor=org.agent_a, changes={"reputation_risk": True})
    sweep()
    assert not CaseEscalation.objects.filter(
        complaint=suggestion, reputation_risk_handled_at__isnull=False
    ).exists()
    assert not EscalationHandOff.objects.filter(complaint=suggestion).exists()

    praise = intake(org.agent_a, kind=ContactKind.PRAISE)
    assert not SlaTimer.objects.filter(complaint=praise).exists()
