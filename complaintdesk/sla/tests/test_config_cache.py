"""The SLA policy and the calendar are cached per process; an administrator's edit is used by the next
intake — in this process and in any other (gunicorn's other worker, the task worker)."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.calendars.models import CalendarEntry, EntryKind
from complaintdesk.common.configcache import config_cache_clear, config_changed
from complaintdesk.sla.models import SlaPolicy, SlaTimer
from complaintdesk.sla.selectors import sla_policy_for
from complaintdesk.sla.services import _clock_plan, _live_specs
from complaintdesk.sla.timers import timers_sync

from .conftest import intake, local

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    config_cache_clear()
    config_changed("sla")
    config_changed("calendars")


def test_the_policy_is_resolved_once_then_served_from_the_cache(org):
    SlaPolicy.objects.create(name="门店", org_unit=org.store_a, first_response_general="12h")
    first = sla_policy_for(unit=org.store_a, category_id=None)
    with CaptureQueriesContext(connection) as queries:
        again = sla_policy_for(unit=org.store_a, category_id=org.category.pk)
        again_same = sla_policy_for(unit=org.store_a, category_id=None)
    assert again_same is first and first.first_response_general == "12h"
    assert again.first_response_general == "12h"  # another key: loaded once
    assert len(queries.captured_queries) == 2 + 1  # two token reads, one policy query


def test_policy_edits_are_used_by_the_next_intake(org, clock):
    clock.at(local(2026, 11, 24, 10))  # a Tuesday
    assert intake(org.agent_a).first_response_due_at == local(2026, 11, 25, 10)  # default 24h

    policy = SlaPolicy.objects.create(name="门店", org_unit=org.store_a, first_response_general="12h")
    assert intake(org.agent_a).first_response_due_at == local(2026, 11, 24, 22)

    policy.first_response_general = "6h"
    policy.save()
    assert intake(org.agent_a).first_response_due_at == local(2026, 11, 24, 16)

    policy.delete()
    assert intake(org.agent_a).first_response_due_at == local(2026, 11, 25, 10)


def test_a_more_specific_policy_added_elsewhere_in_the_tree_is_picked_up(org, clock):
    clock.at(local(2026, 11, 24, 10))
    SlaPolicy.objects.create(name="全组织", first_response_general="24h")
    assert intake(org.agent_a).first_response_due_at == local(2026, 11, 25, 10)
    SlaPolicy.objects.create(name="上海", org_unit=org.branch, first_response_general="4h")
    assert intake(org.agent_a).first_response_due_at == local(2026, 11, 24, 14)


def test_intake_writes_exactly_the_timer_rows_a_full_sync_would_keep(org, clock):
    """Intake inserts the timers of a new case without reading the table first; a full `timers_sync`
    of the same case afterwards finds nothing to add, replace or cancel."""
    clock.at(local(2026, 11, 24, 10))
    SlaPolicy.objects.create(name="半程预警", warn_at_share=50)
    complaint = intake(org.agent_a)
    rows = list(SlaTimer.objects.filter(complaint=complaint).order_by("kind"))
    assert {row.kind for row in rows} == {"first_response", "acknowledge", "resolution"}
    assert all(row.generation == 1 and row.state == "pending" and row.attempts == 0 for row in rows)
    assert all(row.warn_at is not None and row.next_check_at == row.warn_at for row in rows)
    plan = _clock_plan(complaint=complaint, at=complaint.created_at)
    result = timers_sync(complaint=complaint, specs=_live_specs(plan), at=complaint.created_at)
    assert result.created == [] and result.cancelled == 0
    assert {row.kind: row.due_at for row in rows} == {
        "first_response": complaint.first_response_due_at,
        "acknowledge": complaint.acknowledge_due_at,
        "resolution": complaint.resolution_due_at,
    }


# Another process ------------------------------------------------------------------------------------

_OTHER_PROCESS = r"""
import json, os, sys, datetime as dt
import django
django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from complaintdesk.calendars.selectors import calendar_for_unit
from complaintdesk.orgs.models import OrgUnit
from complaintdesk.sla.selectors import sla_policy_for

for line in sys.stdin:
    unit = OrgUnit.objects.get(code=line.strip())
    with CaptureQueriesContext(connection) as queries:
        policy = sla_policy_for(unit=unit, category_id=None)
        calendar = calendar_for_unit(unit=unit)
    print(json.dumps({"first_response": policy.first_response_general,
                      "tuesday_works": calendar.is_working_day(dt.date(2026, 12, 1)),
                      "statements": len(queries.captured_queries)}), flush=True)
"""


def _database_url() -> str:
    settings = connection.settings_dict
    return (
        f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_another_process_uses_the_edit_at_its_next_call(org):
    """What a second gunicorn worker or the task worker sees: its own cache, the same database."""
    env = dict(
        os.environ,
        DATABASE_URL=_database_url(),
        DJANGO_SETTINGS_MODULE="config.settings.test",
        PYTHONPATH=str(ROOT),
    )
    other = subprocess.Popen(
        [sys.executable, "-c", _OTHER_PROCESS],
        cwd=ROOT,
        env=env,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )

    def ask() -> dict:
        other.stdin.write("SH-A\n")
        other.stdin.flush()
        return json.loads(other.stdout.readline())

    try:
        first = ask()
        assert first == {"first_response": "24h", "tuesday_works": True, "statements": 1 + 1 + 1 + 2}
        assert ask()["statements"] == 2  # both from its cache: one token read per call, nothing else

        policy = SlaPolicy.objects.create(name="门店", org_unit=org.store_a, first_response_general="8h")
        assert ask() | {"statements": 0} == {"first_response": "8h", "tuesday_works": True, "statements": 0}
        CalendarEntry.objects.create(org_unit=org.branch, day=dt.date(2026, 12, 1), kind=EntryKind.CLOSURE)
        assert ask()["tuesday_works"] is False
        policy.first_response_general = "3h"
        policy.save()
        assert ask()["first_response"] == "3h"
        assert ask()["statements"] == 2
    finally:
        other.stdin.close()
        other.wait(timeout=60)
