"""The timeline is append-only: the ORM refuses changes, and on PostgreSQL so does the database."""

import pytest
from django.db import DatabaseError, connection, transaction

from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.complaints.services import (
    IntakeCustomer,
    IntakeData,
    complaint_create,
    complaint_transition,
)


@pytest.fixture
def event(org):
    complaint = complaint_create(
        data=IntakeData(
            channel="web",
            title="快递延误",
            description="包裹一周未到",
            customer=IntakeCustomer(name="张先生", phone="13900139000"),
        ),
        actor=org.agent_a,
    )
    complaint_transition(number=complaint.number, actor=org.agent_a, to="accepted", reason="已联系")
    return ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.TRANSITION)


def _unchanged(event: ComplaintEvent) -> None:
    stored = ComplaintEvent.objects.values("reason", "new_value", "old_value", "at").get(pk=event.pk)
    assert stored == {"reason": "已联系", "new_value": "accepted", "old_value": "new", "at": event.at}


def test_events_are_written(event):
    assert event.pk is not None
    assert ComplaintEvent.objects.filter(complaint=event.complaint).count() >= 2  # created + transition


def test_saving_an_existing_event_is_refused(event):
    event.reason = "改写历史"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.save(update_fields=["reason"])
    _unchanged(event)


def test_queryset_update_is_refused(event):
    with pytest.raises(TypeError):
        ComplaintEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(TypeError):
        ComplaintEvent.objects.update(reason="x")
    with pytest.raises(TypeError):
        event.complaint.events.update(reason="x")
    event.reason = "x"
    # bulk_update runs in an atomic block without a savepoint of its own; give it one.
    with pytest.raises(TypeError), transaction.atomic():
        ComplaintEvent.objects.bulk_update([event], ["reason"])
    _unchanged(event)


def test_queryset_delete_is_refused(event):
    count = ComplaintEvent.objects.count()
    with pytest.raises(TypeError):
        ComplaintEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(TypeError):
        ComplaintEvent.objects.all().delete()
    with pytest.raises(TypeError):
        event.complaint.events.all().delete()
    assert ComplaintEvent.objects.count() == count


def test_instance_delete_is_refused(event):
    with pytest.raises(TypeError):
        event.delete()
    assert ComplaintEvent.objects.filter(pk=event.pk).exists()


def test_a_complaint_with_history_cannot_be_deleted(event):
    from django.db.models import ProtectedError

    with pytest.raises((ProtectedError, TypeError)):
        event.complaint.delete()
    assert ComplaintEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
def test_database_refuses_raw_update(event):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE complaints_complaintevent SET reason = 'x' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE complaints_complaintevent SET reason = 'x'")
    _unchanged(event)


@pytest.mark.postgres
def test_database_refuses_raw_delete(event):
    count = ComplaintEvent.objects.count()
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM complaints_complaintevent WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM complaints_complaintevent")
    assert ComplaintEvent.objects.count() == count
    _unchanged(event)


@pytest.mark.postgres
def test_database_still_accepts_inserts(event):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO complaints_complaintevent (complaint_id, at, kind, field, old_value, new_value, reason, hash) "
            "VALUES (%s, now(), 'note', '', '', 'raw note', '', '')",
            [event.complaint_id],
        )
    assert ComplaintEvent.objects.filter(complaint=event.complaint, new_value="raw note").exists()
