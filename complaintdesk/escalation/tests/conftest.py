"""Fixtures for escalation: the shared test organisation plus a holder for every level, a controlled
clock (time-machine), and helpers that take a case to a state and run the worker's sweep. The shared
pieces come from complaintdesk.testing."""

from complaintdesk import testing
from complaintdesk.common.testing import clock as clock
from complaintdesk.common.testing import local as local
from complaintdesk.complaints.models import Complaint
from complaintdesk.testing import ladder_org as ladder_org
from complaintdesk.testing import sweep as sweep

# The escalation tests' cases ask only for a quick repair (no rent reduction).
DEMAND = "尽快修复"


def intake(actor, **overrides) -> Complaint:
    return testing.intake(actor, **{"demand": DEMAND, **overrides})


def handling_case(org, **overrides) -> Complaint:
    """A general complaint taken by agent_a at store A, accepted and in handling (not resolved)."""
    return testing.handling_case(org.agent_a, **{"demand": DEMAND, **overrides})
