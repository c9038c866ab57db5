"""The archive's scope follows the organisation: a closed case moved to another unit is found by the new
unit's users at once (no `archive_reindex`), a unit moved in the tree takes its archived cases along."""

import pytest
from django.db import connection, transaction

from complaintdesk.accounts.models import Role
from complaintdesk.archive.models import ArchiveEntry
from complaintdesk.archive.selectors import archive_search
from complaintdesk.complaints.models import Complaint
from complaintdesk.orgs.services import orgunit_create, orgunit_move

pytestmark = pytest.mark.django_db


def _numbers(hits):
    return [h.number for h in hits]


def _entries_except(number):
    return sorted(
        ArchiveEntry.objects.exclude(complaint__number=number).values_list(
            "id", "kind", "complaint_id", "org_unit_id", "title", "text", "segmented", "at"
        )
    )


@pytest.fixture
def beijing(org):
    """A second branch under the region, with its own store and business manager."""
    branch = orgunit_create(code="BJ", name="北京分公司", kind="branch", parent=org.region)
    store = orgunit_create(code="BJ-A", name="朝阳门店", kind="store", parent=branch)
    manager = org.user("bj_manager", Role.BUSINESS_MANAGER, branch)
    return branch, store, manager


def _move_with_save(complaint, unit):
    complaint.org_unit = unit
    complaint.save(update_fields=["org_unit"])


def _move_with_update(complaint, unit):
    Complaint.objects.filter(pk=complaint.pk).update(org_unit=unit)


@pytest.mark.parametrize("move", [_move_with_save, _move_with_update], ids=["save", "queryset-update"])
def test_a_closed_case_moved_to_another_unit_is_found_there_at_once(org, archive, beijing, move):
    _branch, bj_store, bj_manager = beijing
    parcel = archive["parcel"]  # store B's case
    assert archive_search(user=bj_manager, query="快递丢件") == []
    assert _numbers(archive_search(user=org.agent_b, query="快递丢件")) == [parcel.number]
    others = _entries_except(parcel.number)

    move(parcel, bj_store)

    assert _numbers(archive_search(user=bj_manager, query="快递丢件")) == [parcel.number]
    summary_words = "中转站交接漏扫"  # from its summary's cause
    assert _numbers(archive_search(user=bj_manager, query=summary_words)) == [parcel.number]
    assert archive_search(user=org.agent_b, query="快递丢件") == []
    assert archive_search(user=org.manager, query="快递丢件") == []  # nor the old branch's manager
    assert ArchiveEntry.objects.get(complaint=parcel).org_unit_id == bj_store.pk
    assert _entries_except(parcel.number) == others  # every other entry as it was


def test_the_entry_moves_in_the_same_transaction_as_the_case(org, archive, beijing):
    _branch, bj_store, bj_manager = beijing
    parcel = archive["parcel"]

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), transaction.atomic():
        _move_with_save(parcel, bj_store)
        # Seen inside the transaction that moves it …
        assert _numbers(archive_search(user=bj_manager, query="快递丢件")) == [parcel.number]
        raise Abandoned
    # … and gone with it when it rolls back: the case and its entry stay in store B.
    assert ArchiveEntry.objects.get(complaint=parcel).org_unit_id == org.store_b.pk
    assert archive_search(user=bj_manager, query="快递丢件") == []
    assert _numbers(archive_search(user=org.agent_b, query="快递丢件")) == [parcel.number]


def test_a_case_moved_while_open_is_archived_under_its_new_unit(org, beijing):
    from .conftest import case_make

    _branch, bj_store, bj_manager = beijing
    open_case = case_make(
        org,
        unit=org.store_b,
        title="快递员态度恶劣",
        description="快递员送件时辱骂客户，还把包裹扔在门口。",
        summary=("快递员态度恶劣", "快递员培训不足", "批评教育并致歉", "加强服务礼仪培训"),
        close=False,
    )
    assert not ArchiveEntry.objects.filter(complaint=open_case).exists()
    _move_with_update(open_case, bj_store)  # no entry to move yet
    from complaintdesk.complaints.services import complaint_transition

    complaint_transition(number=open_case.number, actor=org.executive, to="closed", reason="归档")
    assert _numbers(archive_search(user=bj_manager, query="快递员态度")) == [open_case.number]
    assert archive_search(user=org.agent_b, query="快递员态度") == []


def test_a_unit_moved_in_the_tree_takes_its_archived_cases_along(org, archive, beijing):
    """The index holds only the case's own unit; whose scope a unit is in is read from the tree at query
    time, so moving store B under the Beijing branch rewrites no entry and needs no reindex."""
    _branch, _bj_store, bj_manager = beijing
    parcel = archive["parcel"]
    entries = _entries_except("")
    assert archive_search(user=bj_manager, query="快递丢件") == []

    orgunit_move(unit=org.store_b, new_parent=beijing[0])

    assert _numbers(archive_search(user=bj_manager, query="快递丢件")) == [parcel.number]
    assert _numbers(archive_search(user=org.agent_b, query="快递丢件")) == [parcel.number]  # still its store
    assert archive_search(user=org.manager, query="快递丢件") == []  # Shanghai's branch no longer
    assert _numbers(archive_search(user=org.manager, query="宽带")) == [archive["broadband"].number]
    assert _entries_except("") == entries


def test_scope_follows_again_after_a_migration_rebuilt_the_cases_table(org, archive, beijing):
    """The archive keeps the entry in step with a trigger on complaints_complaint. SQLite drops it when a
    migration rebuilds that table (Django does for most field changes); the archive puts it back after
    every migrate."""
    from django.core.management.sql import emit_post_migrate_signal

    _branch, bj_store, bj_manager = beijing
    with connection.cursor() as cursor:
        on = " ON complaints_complaint" if connection.vendor == "postgresql" else ""
        cursor.execute(f"DROP TRIGGER archive_entry_follows_unit{on}")  # what a rebuild does to it
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)

    _move_with_update(archive["parcel"], bj_store)
    assert _numbers(archive_search(user=bj_manager, query="快递丢件")) == [archive["parcel"].number]


def test_upgrading_points_entries_of_cases_moved_before_at_their_unit(org, archive, beijing):
    """Migration 0004 repairs entries whose case moved before the trigger existed (found until then only
    after `archive_reindex`)."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps

    migration = import_module("complaintdesk.archive.migrations.0004_scope_follows_case_unit")
    _branch, bj_store, bj_manager = beijing
    parcel = archive["parcel"]
    _move_with_update(parcel, bj_store)
    ArchiveEntry.objects.filter(complaint=parcel).update(org_unit_id=org.store_b.pk)  # as it was before
    others = _entries_except(parcel.number)
    assert archive_search(user=bj_manager, query="快递丢件") == []

    migration.forward(apps, SimpleNamespace(connection=connection))  # all it uses of a schema editor

    assert _numbers(archive_search(user=bj_manager, query="快递丢件")) == [parcel.number]
    assert _entries_except(parcel.number) == others
