"""The unit an archived case is scoped by in the index follows the case.

An entry holds a copy of its case's unit (`ArchiveEntry.org_unit_id`; on PostgreSQL also the word
`scope<unit>` of the generated search vector, migration 0003), so that a user's units narrow the query
inside the index. A trigger on complaints_complaint rewrites the copy whenever a case's unit changes:
in the statement that moves the case, so in its transaction, whatever wrote it (a service's save(),
QuerySet.update, raw SQL, a data fix). A hook in a service would miss all but the first; and no service
changes a case's unit yet.

Moving a unit within the tree needs nothing here: the index holds the case's own unit only, and the
units a user may see (a subtree) are read from the tree at query time.

SQLite drops a table's triggers when a migration rebuilds the table (Django's schema editor does so for
most field changes), so besides migration 0004 the archive puts the trigger back after every migrate.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder

TRIGGER = "archive_entry_follows_unit"
MIGRATION = ("archive", "0004_scope_follows_case_unit")

_UPDATE = "UPDATE archive_archiveentry SET org_unit_id = NEW.org_unit_id WHERE complaint_id = NEW.id;"
_INSTALL = {
    "postgresql": [
        f"CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger AS $$"
        f" BEGIN {_UPDATE} RETURN NULL; END; $$ LANGUAGE plpgsql",
        # UPDATE OF: only statements that set the unit consider it; WHEN: only a changed unit runs it.
        f"CREATE OR REPLACE TRIGGER {TRIGGER} AFTER UPDATE OF org_unit_id ON complaints_complaint"
        " FOR EACH ROW WHEN (OLD.org_unit_id IS DISTINCT FROM NEW.org_unit_id)"
        f" EXECUTE FUNCTION {TRIGGER}()",
    ],
    "sqlite": [
        f"CREATE TRIGGER IF NOT EXISTS {TRIGGER} AFTER UPDATE OF org_unit_id ON complaints_complaint"
        f" FOR EACH ROW WHEN OLD.org_unit_id IS NOT NEW.org_unit_id BEGIN {_UPDATE} END",
    ],
}
_REMOVE = {
    "postgresql": [
        f"DROP TRIGGER IF EXISTS {TRIGGER} ON complaints_complaint",
        f"DROP FUNCTION IF EXISTS {TRIGGER}()",
    ],
    "sqlite": [f"DROP TRIGGER IF EXISTS {TRIGGER}"],
}
_PRESENT = {
    "postgresql": "SELECT 1 FROM pg_trigger WHERE tgname = %s AND tgrelid = 'complaints_complaint'::regclass",
    "sqlite": "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s",
}


def _run(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def scope_trigger_install(*, connection: BaseDatabaseWrapper) -> None:
    """Create (or replace) the trigger; idempotent."""
    _run(connection, _INSTALL.get(connection.vendor, []))


def scope_trigger_remove(*, connection: BaseDatabaseWrapper) -> None:
    _run(connection, _REMOVE.get(connection.vendor, []))


def scope_trigger_present(*, connection: BaseDatabaseWrapper) -> bool:
    sql = _PRESENT.get(connection.vendor)
    if sql is None:
        return True  # another vendor: nothing this module manages
    with connection.cursor() as cursor:
        cursor.execute(sql, [TRIGGER])
        return cursor.fetchone() is not None


def scope_trigger_on_migrate(*, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate: put the trigger back when a migration rebuilt complaints_complaint (SQLite). Only
    while migration 0004 is applied, so that migrating the archive back to 0003 leaves it out."""
    connection = connections[using]
    if scope_trigger_present(connection=connection):
        return
    if MIGRATION in MigrationRecorder(connection).applied_migrations():
        scope_trigger_install(connection=connection)
