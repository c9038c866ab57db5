"""The retention job's daily search for expired cases reads ranges of the ended cases' indexes
(`cpl_closed_at`, `cpl_withdrawn_at`, complaints migration 0015), not every case: on PostgreSQL, with
sequential scans ruled out, the plan of the search uses both."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.common.time import now
from complaintdesk.complaints.states import Status
from complaintdesk.privacy.selectors import expired_case_ids

from .factories import closed_case

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_search_for_expired_cases_can_use_the_ended_cases_indexes(org):
    closed_case(org.agent_a, closed_days_ago=3 * 365 + 5)
    closed_case(org.agent_a, closed_days_ago=3 * 365 + 5, status=Status.WITHDRAWN)
    with CaptureQueriesContext(connection) as queries:
        ids, _held = expired_case_ids(at=now(), limit=10)
    assert len(ids) == 2
    search = next(
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "complaints_complaint"."id"')
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")  # no walk of the primary key in id order
        cursor.execute("EXPLAIN " + search)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "cpl_closed_at" in plan and "cpl_withdrawn_at" in plan, plan
