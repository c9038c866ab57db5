"""What one API intake asks of the database: every statement is one the intake needs.

Intake is the busiest write (issue 3's throughput target); these pin the statements removed for it:
the configuration snapshot rides on the authentication statement, the case is written without a
savepoint, and a new case is one INSERT of the complaint, one of its timers and one of its event."""

import datetime as dt
import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.common import fastsql
from complaintdesk.complaints.models import Complaint, Customer


def _intake_statements(api, payload) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = api.client.post(
            "/api/v1/complaints",
            data=json.dumps(payload),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )
    assert response.status_code == 201, response.content
    statements = [q["sql"] for q in queries.captured_queries]
    # The request's own transaction; what follows is the acknowledgement and enrichment, which the
    # tests' queue runs in-process once the case is committed (a worker's job in production).
    return statements[: statements.index("COMMIT") + 1]


# Not inside a test's transaction, which would turn the request's own transaction into a savepoint.
@pytest.mark.django_db(transaction=True)
def test_an_intake_runs_no_savepoint_and_no_separate_configuration_read(org, api_for, make_payload):
    api = api_for(org.agent_a)
    _intake_statements(api, make_payload())  # fills the process's caches
    statements = _intake_statements(api, make_payload(title="再次断网"))
    savepoints = [s for s in statements if s.upper().startswith("SAVEPOINT")]
    # SQLite claims the Idempotency-Key inside a savepoint (PostgreSQL: INSERT … ON CONFLICT DO NOTHING).
    assert len(savepoints) == (0 if connection.vendor == "postgresql" else 1)
    # The tokens come with the authentication statement, not on their own.
    assert [s for s in statements if "common_configversion" in s and "accounts_apitoken" not in s] == []
    assert sum(s.startswith('INSERT INTO "complaints_complaint"') for s in statements) == 1
    assert sum(s.startswith('INSERT INTO "sla_slatimer"') for s in statements) == 1


def test_a_deactivated_token_user_is_refused_at_once_with_the_snapshot_on_the_same_statement(
    org, api_for, make_payload
):
    api = api_for(org.agent_a)
    assert api.post("/complaints", make_payload()).status_code == 201
    org.agent_a.is_active = False
    org.agent_a.save(update_fields=["is_active"])
    assert api.post("/complaints", make_payload()).status_code == 401


@pytest.mark.django_db
def test_values_written_as_they_are_equal_what_the_orm_would_write():
    """fastsql hands str/int/bool/None and aware datetimes to the driver without the ORM's preparation
    (PostgreSQL); whatever it passes through must be what get_db_prep_save returns."""
    complaint = Complaint(
        number="TS1",
        channel="phone",
        title="标题",
        is_open=True,
        priority=2,
        created_at=dt.datetime(2026, 11, 23, tzinfo=dt.UTC),
        occurred_at=None,
        org_unit_id=3,
    )
    fields = [f for f in Complaint._meta.concrete_fields if not f.primary_key]
    values = [f.pre_save(complaint, True) for f in fields]
    passed = fastsql._prepared(fastsql._preparers(Complaint, fields, connection), fields, values, connection)
    assert passed == [f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)]
    customer = Customer(
        name="王女士", phone="+8613800138000", created_at=dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    )
    fields = list(Customer._meta.concrete_fields)
    values = [f.pre_save(customer, True) for f in fields]
    passed = fastsql._prepared(fastsql._preparers(Customer, fields, connection), fields, values, connection)
    assert passed == [f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)]
