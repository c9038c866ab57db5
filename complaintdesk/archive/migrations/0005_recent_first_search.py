"""Recent-first archive search (issue 20): a search's cost no longer grows with the archive.

- btree `archive_case_at` (at) and `archive_case_unit_at` (org_unit_id, at), both WHERE kind = 'case':
  where the newest N archived cases of a scope begin (`backends.recent_since`), index-only.
- PostgreSQL: `archive_buckets(kind, org_unit_id, at)`, an IMMUTABLE function giving each case its UTC
  day number and unit × 100 000 + day (articles: -1), and the GIN index
  `archive_entry_search_recent_gin` on (search, archive_buckets(…)) that replaces
  `archive_entry_search_gin` (its first column serves the queries over every year as before). A bounded
  query is `search @@ words AND archive_buckets(…) && ARRAY[the scope's buckets]`, both in the index.

Operable on a large archive: nothing is rewritten (the buckets are an expression of existing columns,
so no new column to fill, and the unit-move trigger keeps working unchanged); every index is built
with CREATE INDEX CONCURRENTLY (this migration is not atomic), so cases keep being archived and
searched while it runs; the old GIN index is dropped (CONCURRENTLY) only once the new one is valid.
An interrupted run leaves an INVALID index behind: the statements drop such a leftover and build it again.
"""

from django.db import migrations, models

FUNCTION = (
    "CREATE OR REPLACE FUNCTION archive_buckets(kind varchar, unit integer, at timestamptz)"
    " RETURNS integer[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$"
    " SELECT CASE WHEN kind = 'article' THEN ARRAY[-1] ELSE ARRAY["
    "(timezone('UTC', at))::date - DATE '1970-01-01',"
    " COALESCE(unit, 0) * 100000 + ((timezone('UTC', at))::date - DATE '1970-01-01')] END $$"
)
BTREES = [
    ("archive_case_at", "(at)"),
    ("archive_case_unit_at", "(org_unit_id, at)"),
]
GIN_NEW = "archive_entry_search_recent_gin"
GIN_OLD = "archive_entry_search_gin"


def _invalid(cursor, name: str) -> bool:
    cursor.execute(
        "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = %s"
        " AND NOT i.indisvalid",
        [name],
    )
    return cursor.fetchone() is not None


def _create_concurrently(cursor, name: str, definition: str) -> None:
    if _invalid(cursor, name):  # left by an interrupted build
        cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    cursor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON archive_archiveentry {definition}")


def forward(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            for name, columns in BTREES:
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} ON archive_archiveentry {columns} WHERE kind = 'case'"
                )
            return
        cursor.execute(FUNCTION)
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for name, columns in BTREES:
            _create_concurrently(cursor, name, f"{columns} WHERE kind = 'case'")
        _create_concurrently(cursor, GIN_NEW, "USING gin (search, archive_buckets(kind, org_unit_id, at))")
        cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {GIN_OLD}")
        cursor.execute("RESET maintenance_work_mem")


def backward(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {GIN_OLD} ON archive_archiveentry USING gin (search)"
            )
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {GIN_NEW}")
            cursor.execute("DROP FUNCTION IF EXISTS archive_buckets(varchar, integer, timestamptz)")
            for name, _columns in BTREES:
                cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        else:
            for name, _columns in BTREES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("archive", "0004_scope_follows_case_unit")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="archiveentry",
                    index=models.Index(
                        fields=["at"], condition=models.Q(kind="case"), name="archive_case_at"
                    ),
                ),
                migrations.AddIndex(
                    model_name="archiveentry",
                    index=models.Index(
                        fields=["org_unit_id", "at"],
                        condition=models.Q(kind="case"),
                        name="archive_case_unit_at",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        )
    ]
