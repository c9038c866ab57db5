"""The statutory clock counts from when the complaint was received (Complaint.received_at), not from when it
was typed in: a letter received before 国庆 and recorded after the holiday keeps its pre-holiday due date."""

import datetime as dt

import pytest

from complaintdesk.regulation.selectors import complaint_statutory_dues

from .conftest import intake, local

pytestmark = pytest.mark.django_db


def decision_day(case) -> dt.date:
    (decision,) = [d for d in complaint_statutory_dues(complaint=case) if d.clock.value == "decision"]
    return decision.last_day


def test_the_banking_decision_is_due_15_days_after_receipt_not_after_typing(org, banking, clock):
    received = local(2026, 9, 28, 9)
    clock.at(received)
    typed_at_once = intake(org.agent_a, channel="letter", title="信用卡年费争议")
    clock.at(local(2026, 10, 9, 10))  # opened after the holiday
    typed_late = intake(org.agent_a, channel="letter", title="信用卡年费争议", received_at=received)
    typed_today = intake(org.agent_a, channel="letter", title="信用卡年费争议")

    assert typed_late.received_at == received
    assert decision_day(typed_late) == decision_day(typed_at_once) == dt.date(2026, 10, 13)
    assert decision_day(typed_today) > decision_day(typed_late)
