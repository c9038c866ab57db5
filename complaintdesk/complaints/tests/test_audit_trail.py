"""The timeline is tamper-evident (issue 18, item 3): each case's events form a hash chain that
`timeline_verify` checks, and on PostgreSQL the application's role can neither rewrite nor truncate it."""

import datetime as dt

import psycopg
import pytest
from django.core.management import CommandError, call_command

from complaintdesk.common.dbroles import app_role_grant, app_role_statements
from complaintdesk.complaints.models import Complaint, ComplaintEvent
from complaintdesk.complaints.timeline import CHAIN_FIELDS, chains_verify, event_hash
from complaintdesk.testing import handling_case

from .db_roles import role_conninfo, tamper

AT = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)


def _row(event_id, complaint_id, previous, **values):
    content = (
        dict.fromkeys(CHAIN_FIELDS, "") | {"complaint_id": complaint_id, "at": AT, "actor_id": 1} | values
    )
    digest = event_hash(previous=previous, values=content)
    return (event_id, digest, *[content[name] for name in CHAIN_FIELDS])


def test_a_chain_is_intact_and_any_change_breaks_it_at_that_event():
    first = _row(1, 7, "", kind="created", new_value="new")
    second = _row(2, 7, first[1], kind="note", new_value="客户来电")
    third = _row(3, 7, second[1], kind="note", new_value="再次来电")
    assert chains_verify([first, second, third]).broken is None
    edited = (2, second[1], *second[2:-3], "已改", second[-2], second[-1])
    broken = chains_verify([first, edited, third]).broken
    assert (broken.event_id, broken.why) == (2, "content or order does not match its hash")
    assert chains_verify([first, third]).broken.event_id == 3  # a deleted event
    assert chains_verify([first, third, second]).broken.event_id == 3  # reordered


def test_events_from_before_the_chain_are_counted_not_failed():
    legacy = (1, "", *_row(1, 7, "", kind="created")[2:])
    after = _row(2, 7, "", kind="note", new_value="x")
    report = chains_verify([legacy, after])
    assert report.broken is None and report.unchained == 1 and report.events == 2
    unhashed_after = (3, "", *_row(3, 7, after[1], kind="note")[2:])
    assert chains_verify([legacy, after, unhashed_after]).broken.why == "no hash after a chained event"


@pytest.mark.django_db
def test_timeline_verify_finds_the_row_an_owner_rewrote(org, capsys):
    case = handling_case(org.agent_a)
    other = handling_case(org.agent_a)
    call_command("timeline_verify")
    assert "timeline intact: 2 cases, 8 events checked" in capsys.readouterr().out
    accepted = ComplaintEvent.objects.filter(complaint=case).order_by("id")[1]
    tamper("UPDATE complaints_complaintevent SET reason = %s WHERE id = %s", ["客户同意", accepted.pk])
    with pytest.raises(CommandError, match=f"case {case.number}, event {accepted.pk}"):
        call_command("timeline_verify")
    call_command("timeline_verify", other.number)  # the other case's chain is whole
    assert "1 cases, 4 events" in capsys.readouterr().out


@pytest.mark.django_db
def test_timeline_verify_finds_a_deleted_event(org):
    case = handling_case(org.agent_a)
    accepted = ComplaintEvent.objects.filter(complaint=case).order_by("id")[1]
    tamper("DELETE FROM complaints_complaintevent WHERE id = %s", [accepted.pk])
    with pytest.raises(CommandError, match="timeline broken"):
        call_command("timeline_verify", case.number)


def test_the_app_role_gets_rows_but_never_rewrites_the_timeline():
    statements = app_role_statements(
        role="cd_app", tables=["complaints_complaint", "complaints_complaintevent"]
    )
    assert 'REVOKE UPDATE, DELETE ON "complaints_complaintevent" FROM "cd_app"' in statements
    assert not any("TRUNCATE" in s and "GRANT" in s for s in statements)


APP_ROLE = "complaintdesk_test_app"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_app_role_cannot_update_delete_truncate_or_switch_the_trigger_off(org):
    case = handling_case(org.agent_a)
    conninfo = role_conninfo(APP_ROLE)
    app_role_grant(role=APP_ROLE)
    with psycopg.connect(**conninfo, autocommit=True) as app:
        # What the application does works …
        count = app.execute(
            "SELECT count(*) FROM complaints_complaintevent WHERE complaint_id = %s", [case.pk]
        )
        assert count.fetchone()[0] == 4
        app.execute("UPDATE complaints_complaint SET title = title WHERE id = %s", [case.pk])
        # … and nothing that rewrites the trail.
        refused = [
            ("UPDATE complaints_complaintevent SET reason = 'x' WHERE complaint_id = %s", [case.pk]),
            ("DELETE FROM complaints_complaintevent WHERE complaint_id = %s", [case.pk]),
            ("TRUNCATE complaints_complaintevent CASCADE", None),
            ("ALTER TABLE complaints_complaintevent DISABLE TRIGGER ALL", None),
            ("SET session_replication_role = replica", None),
            ("DROP TABLE complaints_complaintevent CASCADE", None),
        ]
        for sql, params in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(sql, params)
    assert ComplaintEvent.objects.filter(complaint=case).count() == 4
    assert Complaint.objects.filter(pk=case.pk).exists()
