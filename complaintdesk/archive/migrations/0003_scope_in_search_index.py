"""PostgreSQL: the search vector also holds each entry's scope, so that a user's units narrow the
query inside the GIN index instead of filtering every matching row afterwards.

`search` becomes to_tsvector(segmented) plus one word `scope<unit id>` (`scope0` for articles, which
have no unit); a query is `words & (scope<u1> | scope<u2> | …)`. Being part of the one text-search
condition, the scope is always applied by the index, whatever the planner estimates (a second index
column with btree_gin was tried: the planner left the unit condition out of the index whenever it
estimated the words as rare, and those estimates are far off for correlated words). SQLite keeps its
FTS5 table and filters by unit.
"""

from django.db import migrations

PG_FORWARD = [
    "ALTER TABLE archive_archiveentry DROP COLUMN search",  # and its GIN index
    "ALTER TABLE archive_archiveentry ADD COLUMN search tsvector GENERATED ALWAYS AS ("
    "to_tsvector('simple', segmented)"
    " || to_tsvector('simple', 'scope' || COALESCE(org_unit_id, 0)::text)) STORED",
    "SET LOCAL maintenance_work_mem = '256MB'",  # one pass over ~1 M entries
    "CREATE INDEX archive_entry_search_gin ON archive_archiveentry USING gin (search)",
]
PG_BACKWARD = [
    "ALTER TABLE archive_archiveentry DROP COLUMN search",
    "ALTER TABLE archive_archiveentry ADD COLUMN search tsvector"
    " GENERATED ALWAYS AS (to_tsvector('simple', segmented)) STORED",
    "CREATE INDEX archive_entry_search_gin ON archive_archiveentry USING gin (search)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("archive", "0002_fulltext_index")]

    operations = [migrations.RunPython(_run(PG_FORWARD), _run(PG_BACKWARD))]
