"""Resolving a case writes no deadline "change" a person cannot see (X → X on the timeline)."""

import pytest

from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.testing import handling_case, resolve

pytestmark = pytest.mark.django_db


def test_resolving_a_case_moves_no_deadline_it_had_already_met(org):
    case = handling_case(org.agent_a)
    resolve(org.agent_a, case.number)
    moved = ComplaintEvent.objects.filter(complaint=case, kind=EventKind.DEADLINES).exclude(field="due_at")
    # The result was given and confirmed a moment later: nothing a reader could see has moved.
    assert [(e.field, e.old_value, e.new_value) for e in moved if e.at > case.created_at] == []
