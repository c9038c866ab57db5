"""The online index operations on the real database (CONCURRENTLY on PostgreSQL, plain on SQLite): a
partial index is built, a field's own index is dropped while the declared one stays, and both come back
or go again backwards."""

import pytest
from django.db import connection, migrations, models
from django.db.migrations.state import ProjectState

from complaintdesk.common.online_schema import AddIndexOnline, FieldIndexDropOnline

pytestmark = pytest.mark.django_db(transaction=True)  # CONCURRENTLY runs outside a transaction

APP = "common"
TABLE = "common_indexprobe"
PARTIAL = models.Index(fields=["owner"], condition=models.Q(owner__isnull=False), name="probe_owner_set")


def _indexes() -> dict[str, tuple[list[str], bool]]:
    """The table's indexes other than its primary key: name → (columns, unique)."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TABLE)
    return {
        name: (info["columns"], info["unique"])
        for name, info in found.items()
        if info["index"] and not info["primary_key"]
    }


def _apply(operation, state: ProjectState, *, backwards: bool = False) -> ProjectState:
    after = state.clone()
    operation.state_forwards(APP, after)
    with connection.schema_editor(atomic=False) as editor:
        if backwards:
            operation.database_backwards(APP, editor, after, state)
        else:
            operation.database_forwards(APP, editor, state, after)
    return after


@pytest.fixture
def probe_state():
    """A table with a nullable integer column `owner` that has its own index, as a foreign key's has."""
    state = ProjectState()
    create = migrations.CreateModel(
        "IndexProbe",
        [
            ("id", models.BigAutoField(primary_key=True)),
            ("owner", models.IntegerField(null=True, db_index=True)),
        ],
    )
    state = _apply(create, state)
    yield state
    with connection.schema_editor() as editor:
        editor.delete_model(state.apps.get_model(APP, "IndexProbe"))


def test_a_partial_index_is_added_then_the_fields_own_index_dropped_and_both_undone(probe_state):
    (own,) = _indexes()  # the field's own index, under Django's generated name
    assert _indexes()[own] == (["owner"], False)

    add = AddIndexOnline("indexprobe", PARTIAL)
    with_partial = _apply(add, probe_state)
    assert set(_indexes()) == {own, "probe_owner_set"}

    drop = FieldIndexDropOnline("indexprobe", "owner", models.IntegerField(null=True, db_index=False))
    dropped = _apply(drop, with_partial)
    assert set(_indexes()) == {"probe_owner_set"}  # the declared partial one with the same column stays
    assert dropped.models[APP, "indexprobe"].fields["owner"].db_index is False

    _apply(drop, with_partial, backwards=True)
    assert set(_indexes()) == {own, "probe_owner_set"}
    _apply(add, probe_state, backwards=True)
    assert set(_indexes()) == {own}


def test_adding_again_after_an_interrupted_build_replaces_what_it_left(probe_state):
    """A concurrent build killed half-way leaves an invalid index of the same name; the rerun drops it."""
    with connection.schema_editor() as editor:
        editor.execute(f'CREATE INDEX "probe_owner_set" ON {TABLE} ("id")')  # the leftover, wrong columns
    _apply(AddIndexOnline("indexprobe", PARTIAL), probe_state)
    assert _indexes()["probe_owner_set"] == (["owner"], False)
