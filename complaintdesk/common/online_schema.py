"""Index changes on tables too large to lock: migration operations that build and drop indexes
CONCURRENTLY on PostgreSQL, so intake and the queues go on writing meanwhile (a plain CREATE INDEX on the
10M complaint table holds its writes for minutes). A migration using them says `atomic = False`
(PostgreSQL refuses CONCURRENTLY inside a transaction). On SQLite they run the plain statements.

- `AddIndexOnline`: Django's AddIndex, built concurrently.
- `FieldIndexDropOnline`: a field's own single-column index (a foreign key's `db_index`) dropped, for a
  field whose lookups another index already serves (one that begins with the field, or a partial one
  that leaves out its NULLs); the field's state becomes `db_index=False`. Backwards builds it again.

An interrupted concurrent build leaves an invalid index behind; running the migration again drops it
first and builds it anew.
"""

from django.db import migrations


def _postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def _drop(schema_editor, name: str) -> None:
    how = "CONCURRENTLY IF EXISTS" if _postgresql(schema_editor) else "IF EXISTS"
    schema_editor.execute(f"DROP INDEX {how} {schema_editor.quote_name(name)}")


class AddIndexOnline(migrations.AddIndex):
    """AddIndex, with CREATE INDEX CONCURRENTLY on PostgreSQL (the migration must be atomic = False)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        _drop(schema_editor, self.index.name)  # what a build interrupted earlier left (invalid)
        extra = {"concurrently": True} if _postgresql(schema_editor) else {}
        schema_editor.add_index(model, self.index, **extra)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            _drop(schema_editor, self.index.name)


class FieldIndexDropOnline(migrations.AlterField):
    """The field's single-column index dropped (DROP INDEX CONCURRENTLY on PostgreSQL) and the field's
    state set to `field` (which says db_index=False). Give the field exactly as the model now declares it."""

    def _field_index_names(self, schema_editor, model, column: str) -> list[str]:
        declared = {index.name for index in model._meta.indexes}
        return schema_editor._constraint_names(model, [column], index=True, type_="idx", exclude=declared)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        column = model._meta.get_field(self.name).column
        for name in self._field_index_names(schema_editor, model, column):
            _drop(schema_editor, name)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        field = model._meta.get_field(self.name)
        extra = {"concurrently": True} if _postgresql(schema_editor) else {}
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field], **extra))

    def describe(self):
        return f"Drop the index of {self.model_name}.{self.name} (another index serves its lookups)"
