"""A status change and an analysis write the columns they change and no others, so a column another
writer changed meanwhile (a stale copy of it on the instance) is never put back."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.complaints.models import Complaint
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
