"""A status change and an analysis write the columns they change and no others, so a column another
writer changed meanwhile (a stale copy of it on the instance) is never put back."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.saves import (
    complaint_save,
    complaint_saves_drop,
    complaint_saves_flush,
    complaint_saves_kept,
)
from complaintdesk.complaints.services import complaint_analyse, complaint_create, complaint_transition
from complaintdesk.testing import intake_data


def _columns_set(queries) -> set[str]:
    """The columns of the UPDATE statements on the complaints table."""
    table = Complaint._meta.db_table
    written: set[str] = set()
    for query in queries:
        sql = query["sql"]
        if sql.startswith(f'UPDATE "{table}" SET '):
            written |= set(re.findall(r'"(\w+)" = ', sql.split(" WHERE ")[0]))
    return written


def test_a_status_change_writes_only_what_it_changed(org):
    complaint = complaint_create(data=intake_data(), actor=org.agent_a)
    with CaptureQueriesContext(connection) as queries:
        complaint_transition(number=complaint.number, actor=org.agent_a, to="accepted")
    written = _columns_set(queries.captured_queries)
    assert {"status", "updated_at"} <= written
    assert not written & {"title", "description", "customer_id", "org_unit_id", "channel", "demand"}
    after = Complaint.objects.get(pk=complaint.pk)
    assert after.status == "accepted" and after.title == complaint.title


def test_an_analysis_writes_only_what_it_changed(org):
    complaint = complaint_create(data=intake_data(), actor=org.agent_a)
    complaint_transition(number=complaint.number, actor=org.agent_a, to="accepted")
    with CaptureQueriesContext(connection) as queries:
        complaint_analyse(number=complaint.number, actor=org.agent_a, changes={"complexity": "complex"})
    written = _columns_set(queries.captured_queries)
    assert {"complexity", "updated_at"} <= written
    assert not written & {"title", "description", "status", "customer_id"}
    assert Complaint.objects.get(pk=complaint.pk).complexity == "complex"


def test_a_batch_writes_each_case_s_noted_columns_once_at_its_end_and_none_of_a_dropped_case(org):
    # The SLA batch (issue 17): the columns its cases' steps change are noted and written together.
    cases = [complaint_create(data=intake_data(), actor=org.agent_a) for _ in range(3)]
    with complaint_saves_kept():
        for case in cases:
            case.status, case.assignee = "accepted", org.manager
            complaint_save(case, ["status", "updated_at"])
            complaint_save(case, ["assignee", "assignee_id", "updated_at"])  # by name and by column
            case.title = "改过的标题"  # changed on the instance but never saved: not written
        assert Complaint.objects.filter(status="accepted").count() == 0  # nothing written yet
        complaint_saves_drop(cases[2].pk)  # its handling failed
        with CaptureQueriesContext(connection) as queries:
            assert complaint_saves_flush() == 2
    assert len(queries.captured_queries) == 1
    for case in cases[:2]:
        after = Complaint.objects.get(pk=case.pk)
        assert (after.status, after.assignee_id, after.title) == ("accepted", org.manager.pk, "宽带断网")
    untouched = Complaint.objects.get(pk=cases[2].pk)
    assert (untouched.status, untouched.assignee_id) == ("new", None)
