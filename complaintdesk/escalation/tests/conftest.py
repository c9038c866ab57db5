"""Fixtures for escalation: the shared test organisation plus a holder for every level, a controlled
clock (time-machine), and helpers that take a case to a state and run the worker's sweep. The shared
pieces come from complaintdesk.testing."""

from complaintdesk import testing
from complaintdesk.common.testing import clock as clock
from complaintdesk.common.testing import local as local
from complaintdesk.complaints.models import Complaint
from complaintdesk.escalation import notify
from complaintdesk.testing import ladder_org as ladder_org
from complaintdesk.testing import sweep as sweep

# The escalation tests' cases ask only for a quick repair (no rent reduction).
DEMAND = "尽快修复"


def intake(actor, **overrides) -> Complaint:
    return testing.intake(actor, **{"demand": DEMAND, **overrides})


def handling_case(org, **overrides) -> Complaint:
    """A general complaint taken by agent_a at store A, accepted and in handling (not resolved)."""
    return testing.handling_case(org.agent_a, **{"demand": DEMAND, **overrides})


def staff_notices_capture(monkeypatch, sink) -> None:
    """Replace both staff seams of `notify` (one case, and a batch's cases at once) with `sink(values)`,
    each case's values as `staff_notified` takes them."""
    monkeypatch.setattr(notify, "staff_notified", lambda **values: sink(values))

    def many(*, alerts):
        for alert in alerts:
            sink(
                {
                    "complaint_id": alert.complaint_id, "user_ids": list(alert.user_ids), "unit_id": alert.unit_id,
                    "what": alert.what, "clock": alert.clock, "due_at": alert.due_at,
                }
            )  # fmt: skip

    monkeypatch.setattr(notify, "staff_notified_many", many)
