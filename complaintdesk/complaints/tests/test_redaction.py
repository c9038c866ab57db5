"""An anonymised case's timeline loses its personal data and still verifies (complaints.redaction): a redacted
event is checked by its seal; nothing else may change an event, on PostgreSQL not even the owner without
the redaction function, and the application's role only through it."""

import datetime as dt

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from complaintdesk.common.dbroles import app_role_grant
from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint, ComplaintEvent
from complaintdesk.complaints.redaction import RedactionRefused, redaction_removes_only, timeline_redact
from complaintdesk.complaints.services import complaint_add_note
from complaintdesk.complaints.states import Status
from complaintdesk.complaints.timeline import (
    CHAIN_FIELDS,
    chain_rows,
    chains_verify,
    event_hash,
    redaction_seal,
)
from complaintdesk.testing import handling_case

from .db_roles import role_conninfo, tamper

AT = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
PHONE = "13912345678"


def _content(complaint_id, **values):
    return dict.fromkeys(CHAIN_FIELDS, "") | {"complaint_id": complaint_id, "at": AT, "actor_id": 1} | values


def _row(event_id, previous, content, seal=""):
    return (
        event_id,
        event_hash(previous=previous, values=content),
        *[content[n] for n in CHAIN_FIELDS],
        seal,
    )


def test_a_redacted_event_verifies_by_its_seal_and_any_change_to_it_breaks_the_chain():
    first = _row(1, "", _content(7, kind="created", new_value="new"))
    original = _content(7, kind="note", new_value=f"客户电话 {PHONE}")
    second = _row(2, first[1], original)
    third = _row(3, second[1], _content(7, kind="note", new_value="已回电"))
    assert chains_verify([first, second, third]).broken is None

    redacted = original | {"new_value": "客户电话 139****5678"}
    seal = redaction_seal(previous=first[1], stored=second[1], values=redacted)
    sealed = (2, second[1], *[redacted[n] for n in CHAIN_FIELDS], seal)
    assert chains_verify([first, sealed, third]).broken is None
    # Without its seal the redacted content no longer matches the event's hash.
    unsealed = (*sealed[:-1], "")
    assert chains_verify([first, unsealed, third]).broken.event_id == 2
    # The redacted text changed afterwards, or its time, or the event before it deleted: broken there.
    edited = (2, second[1], *[(redacted | {"new_value": "改过"})[n] for n in CHAIN_FIELDS], seal)
    assert chains_verify([first, edited, third]).broken.why == "redacted content does not match its seal"
    moved = (2, second[1], *[(redacted | {"at": AT + dt.timedelta(hours=1)})[n] for n in CHAIN_FIELDS], seal)
    assert chains_verify([first, moved, third]).broken.event_id == 2
    assert chains_verify([sealed, third]).broken.event_id == 2


def _ended_case_with_a_note(org) -> Complaint:
    case = handling_case(org.agent_a)
    complaint_add_note(number=case.number, actor=org.agent_a, text=f"客户留了电话 {PHONE}")
    Complaint.objects.filter(pk=case.pk).update(status=Status.CLOSED, is_open=False, closed_at=now())
    case.refresh_from_db()
    return case


def _mask(text: str) -> str:
    return text.replace(PHONE, "139****5678")


@pytest.mark.django_db
def test_the_timeline_of_an_ended_case_is_redacted_once_and_still_verifies(org, capsys):
    case = _ended_case_with_a_note(org)
    other = handling_case(org.agent_a)
    assert timeline_redact(complaint=case, redact=_mask, at=now()) == 1
    note = ComplaintEvent.objects.filter(complaint=case, kind="note").get()
    assert note.new_value == "客户留了电话 139****5678" and note.redacted_at is not None
    call_command("timeline_verify")  # every case, the redacted one included
    assert "timeline intact: 2 cases" in capsys.readouterr().out
    assert timeline_redact(complaint=case, redact=_mask, at=now()) == 0  # nothing left to redact
    timeline_redact(complaint=case, redact=lambda text: "", at=now())  # a redacted event is never again
    assert ComplaintEvent.objects.get(pk=note.pk).new_value == "客户留了电话 139****5678"
    with pytest.raises(ValueError):  # an open case's timeline is never redacted
        timeline_redact(complaint=other, redact=_mask, at=now())


@pytest.mark.django_db
def test_a_break_before_the_redaction_is_not_sealed_over(org):
    case = _ended_case_with_a_note(org)
    note = ComplaintEvent.objects.filter(complaint=case, kind="note").get()
    tamper("UPDATE complaints_complaintevent SET new_value = %s WHERE id = %s", [f"改写 {PHONE}", note.pk])
    timeline_redact(complaint=case, redact=_mask, at=now())
    note = ComplaintEvent.objects.get(pk=note.pk)
    assert note.new_value == "改写 139****5678" and note.redaction_seal == ""  # redacted all the same
    with pytest.raises(CommandError, match=f"event {note.pk}"):
        call_command("timeline_verify", case.number)


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_only_the_redaction_function_changes_an_event(org):
    case = _ended_case_with_a_note(org)
    note = ComplaintEvent.objects.filter(complaint=case, kind="note").get()
    refused = [
        ("UPDATE complaints_complaintevent SET new_value = 'x' WHERE id = %s", [note.pk]),
        (
            "UPDATE complaints_complaintevent SET redacted_at = now(), new_value = 'x' WHERE id = %s",
            [note.pk],
        ),
        ("DELETE FROM complaints_complaintevent WHERE id = %s", [note.pk]),
    ]
    # Even with the function's flag set by hand, nothing but the texts may change.
    refused.append(
        ("UPDATE complaints_complaintevent SET redacted_at = now(), kind = 'x' WHERE id = %s", [note.pk])
    )
    for index, (sql, params) in enumerate(refused):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            if index == len(refused) - 1:
                cursor.execute("SELECT set_config('complaints.event_redaction', 'on', true)")
            cursor.execute(sql, params)
    assert timeline_redact(complaint=case, redact=_mask, at=now()) == 1
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE complaints_complaintevent SET new_value = 'x' WHERE id = %s", [note.pk])
    # The function redacts an event once, and only on an ended case.
    with connection.cursor() as cursor:
        call = "SELECT complaints_event_redact(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], now())"
        cursor.execute(call, [[note.pk], [""], ["again"], [""], [""]])
        assert cursor.fetchone()[0] == 0
        open_case = handling_case(org.agent_a)
        event = ComplaintEvent.objects.filter(complaint=open_case).first()
        cursor.execute(call, [[event.pk], [""], ["x"], [""], [""]])
        assert cursor.fetchone()[0] == 0
    assert ComplaintEvent.objects.get(pk=note.pk).new_value == "客户留了电话 139****5678"
    assert chains_verify(chain_rows(complaint_ids=[case.pk])).broken is None


APP_ROLE = "complaintdesk_test_app"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_app_role_redacts_through_the_function_and_rewrites_nothing(org):
    case = _ended_case_with_a_note(org)
    note = ComplaintEvent.objects.filter(complaint=case, kind="note").get()
    conninfo = role_conninfo(APP_ROLE)
    app_role_grant(role=APP_ROLE)
    with psycopg.connect(**conninfo) as app:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("SELECT set_config('complaints.event_redaction', 'on', true)")
            app.execute("UPDATE complaints_complaintevent SET new_value = 'x' WHERE id = %s", [note.pk])
        app.rollback()
        done = app.execute(
            "SELECT complaints_event_redact(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], now())",
            [[note.pk], [""], ["客户留了电话 139****5678"], [""], [""]],
        )
        assert done.fetchone()[0] == 1
        app.commit()
    assert ComplaintEvent.objects.get(pk=note.pk).new_value == "客户留了电话 139****5678"


OTHER_ROLE = "complaintdesk_test_reader"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_role_without_the_applications_grants_cannot_redact(org):
    """EXECUTE on the redaction function is refused to PUBLIC: a reporting role that may read the timeline
    cannot rewrite a closed case's entries through it."""
    case = _ended_case_with_a_note(org)
    note = ComplaintEvent.objects.filter(complaint=case, kind="note").get()
    conninfo = role_conninfo(OTHER_ROLE)
    with connection.cursor() as cursor:
        cursor.execute(f'GRANT USAGE ON SCHEMA public TO "{OTHER_ROLE}"')
        cursor.execute(f'GRANT SELECT ON complaints_complaintevent TO "{OTHER_ROLE}"')
    with psycopg.connect(**conninfo) as reader:
        assert reader.execute("SELECT count(*) FROM complaints_complaintevent").fetchone()[0] > 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            reader.execute(
                "SELECT complaints_event_redact(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], now())",
                [[note.pk], [""], ["改写"], [""], [""]],
            )
    assert ComplaintEvent.objects.get(pk=note.pk).redacted_at is None


# --- a redaction may only take information out (migration 0016) ---------------------------------------

NOTE = f"客户留了电话 {PHONE}"
GENUINE = [
    (NOTE, "客户留了电话 139****5678"),  # a phone masked
    ("王小明说住在幸福里18号1502户", "王**说住在【地址】"),  # a name masked, an address replaced by its mark
    ("卡号 6222021234567890123", "卡号 **** 0123"),  # a card's mask with its space
    ("客户：上官婉儿（证件已核验）", "客户：（已匿名化）"),
    ("客户张三", ""),  # everything removed
    (NOTE, NOTE),  # nothing changed
]
MADE_UP = [
    (NOTE, "客户留了电话 139****5678，已核实无误"),  # words added (and longer)
    (NOTE, "客户没留电话 139****5678"),  # a character replaced (not a subsequence)
    ("电话13912345678", "电话13987654321"),  # another number of the same length
    ("客户张三", "客户李*"),  # a name swapped under a mask
    ("客户张三要求退款", "【地址】要求赔偿"),  # a mark used to hide a rewrite
]


def test_a_replacement_may_only_remove_information():
    for original, replacement in GENUINE:
        assert redaction_removes_only(original, replacement), (original, replacement)
    for original, replacement in MADE_UP:
        assert not redaction_removes_only(original, replacement), (original, replacement)


@pytest.mark.django_db
def test_a_made_up_replacement_is_refused_and_nothing_of_the_timeline_is_written(org):
    case = _ended_case_with_a_note(org)
    before = list(ComplaintEvent.objects.filter(complaint=case).values_list("id", "new_value", "redacted_at"))
    with pytest.raises(RedactionRefused, match="may only remove information"), transaction.atomic():
        timeline_redact(
            complaint=case, redact=lambda text: _mask(text) + ("，已核实无误" if text else ""), at=now()
        )
    after = list(ComplaintEvent.objects.filter(complaint=case).values_list("id", "new_value", "redacted_at"))
    assert after == before
    assert timeline_redact(complaint=case, redact=_mask, at=now()) == 1  # the genuine one passes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_function_refuses_a_made_up_replacement_from_the_app_role(org):
    """Through a real connection as the application's role: the database itself refuses a text that adds
    anything, whatever the application sends; a genuine redaction passes."""
    case = _ended_case_with_a_note(org)
    note = ComplaintEvent.objects.filter(complaint=case, kind="note").get()
    conninfo = role_conninfo(APP_ROLE)
    app_role_grant(role=APP_ROLE)
    call = (
        "SELECT complaints_event_redact(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], now())"
    )
    with psycopg.connect(**conninfo) as app:
        for original, replacement in MADE_UP:
            assert not app.execute(
                "SELECT complaints_redaction_removes_only(%s, %s)", [original, replacement]
            ).fetchone()[0], replacement
        for original, replacement in GENUINE:
            assert app.execute(
                "SELECT complaints_redaction_removes_only(%s, %s)", [original, replacement]
            ).fetchone()[0], replacement
        for made_up in ("客户留了电话 139****5678，已核实无误", "客户拒绝留电话", "客户留了电话 13987654321"):
            with pytest.raises(psycopg.errors.CheckViolation, match="may only remove information"):
                app.execute(call, [[note.pk], [""], [made_up], [""], [""]])
            app.rollback()
        assert ComplaintEvent.objects.get(pk=note.pk).new_value == NOTE
        done = app.execute(call, [[note.pk], [""], ["客户留了电话 139****5678"], [""], [""]])
        assert done.fetchone()[0] == 1
        app.commit()
    assert ComplaintEvent.objects.get(pk=note.pk).new_value == "客户留了电话 139****5678"


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_the_service_reports_the_databases_refusal(org):
    case = _ended_case_with_a_note(org)
    with pytest.raises(RedactionRefused, match="may only remove information"), transaction.atomic():
        timeline_redact(complaint=case, redact=lambda text: text.replace(PHONE, "13987654321"), at=now())
    assert not ComplaintEvent.objects.filter(complaint=case, redacted_at__isnull=False).exists()
