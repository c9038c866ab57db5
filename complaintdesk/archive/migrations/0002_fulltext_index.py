"""The full-text index over ArchiveEntry.segmented, per database vendor.

PostgreSQL: a generated tsvector column and a GIN index over it.
SQLite: an FTS5 table (external content = archive_archiveentry) kept in step by triggers.
"""

from django.db import migrations

PG_FORWARD = [
    "ALTER TABLE archive_archiveentry ADD COLUMN search tsvector"
    " GENERATED ALWAYS AS (to_tsvector('simple', segmented)) STORED",
    "CREATE INDEX archive_entry_search_gin ON archive_archiveentry USING gin (search)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS archive_entry_search_gin",
    "ALTER TABLE archive_archiveentry DROP COLUMN IF EXISTS search",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE archive_fts USING fts5("
    "segmented, content='archive_archiveentry', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER archive_fts_ai AFTER INSERT ON archive_archiveentry BEGIN"
    " INSERT INTO archive_fts(rowid, segmented) VALUES (new.id, new.segmented); END",
    "CREATE TRIGGER archive_fts_ad AFTER DELETE ON archive_archiveentry BEGIN"
    " INSERT INTO archive_fts(archive_fts, rowid, segmented) VALUES ('delete', old.id, old.segmented); END",
    "CREATE TRIGGER archive_fts_au AFTER UPDATE ON archive_archiveentry BEGIN"
    " INSERT INTO archive_fts(archive_fts, rowid, segmented) VALUES ('delete', old.id, old.segmented);"
    " INSERT INTO archive_fts(rowid, segmented) VALUES (new.id, new.segmented); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS archive_fts_au",
    "DROP TRIGGER IF EXISTS archive_fts_ad",
    "DROP TRIGGER IF EXISTS archive_fts_ai",
    "DROP TABLE IF EXISTS archive_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
