"""Hand-written statements for the few queries every intake runs, without the ORM's query compiler.

Building a statement with the ORM (query object, joins, compiler, placeholders) costs several times
what PostgreSQL takes to run it; on the intake path that was the largest single cost. These helpers
keep the ORM's model instances and value conversions (both ways, so SQLite's text timestamps and
integers-for-booleans work as with the ORM) and only skip the compiling. Use them where a statement
runs on every request and its shape never changes; everywhere else the ORM is the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connections
from django.db.models import Model
from django.db.models.signals import post_save, pre_save


def columns(model: type[Model], alias: str = "") -> list[str]:
    """The quoted columns of every concrete field, in `_meta.concrete_fields` order, optionally as
    alias.column (for a SELECT joining several tables)."""
    connection = connections["default"]
    prefix = f"{alias}." if alias else ""
    return [prefix + connection.ops.quote_name(field.column) for field in model._meta.concrete_fields]


def _converters(model: type[Model], connection) -> tuple:
    """Per model and connection (each thread has its own): the ORM's converters of each column."""
    cached = connection.__dict__.setdefault("_fastsql_converters", {})
    found = cached.get(model)
    if found is None:
        found = []
        for field in model._meta.concrete_fields:
            column = field.get_col(model._meta.db_table)
            found.append(
                (
                    column,
                    tuple(connection.ops.get_db_converters(column) + column.get_db_converters(connection)),
                )
            )
        found = cached[model] = tuple(found)
    return found


def instance_from_row(model: type[Model], values: Sequence, *, using: str = "default") -> Model:
    """A model instance from the values of `columns(model)`, converted as the ORM converts them."""
    connection = connections[using]
    converted = []
    for (column, converters), value in zip(_converters(model, connection), values, strict=True):
        for converter in converters:
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(using, [field.attname for field in model._meta.concrete_fields], converted)


def insert_rows(
    model: type[Model], field_names: Sequence[str], rows: Iterable[Sequence], *, using: str = "default"
) -> int:
    """One multi-row INSERT of `rows` (values in the order of `field_names`, attnames); returns the
    number of rows. No ids are read back and no signals are sent: for rows nobody holds on to."""
    connection = connections[using]
    fields = [model._meta.get_field(name) for name in field_names]
    rows = list(rows)
    if not rows:
        return 0
    values: list = []
    for row in rows:
        values.extend(
            field.get_db_prep_save(value, connection) for field, value in zip(fields, row, strict=True)
        )
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection, model, fields, len(rows)), values)
    return len(rows)


def _insert_sql(connection, model: type[Model], fields, rows: int) -> str:
    quote = connection.ops.quote_name
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES {', '.join([one] * rows)}"
    )


def update_by_pk(model: type[Model], pk, values: dict, *, using: str = "default") -> int:
    """UPDATE one row by primary key; `values` maps attnames to Python values. Returns rows changed."""
    connection = connections[using]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in values]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    params = [field.get_db_prep_save(values[field.attname], connection) for field in fields]
    params.append(model._meta.pk.get_db_prep_value(pk, connection))
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def insert_instance(instance: Model, *, using: str = "default") -> Model:
    """`instance.save(force_insert=True)` in one written-out INSERT: the same pre_save / post_save
    signals and field pre_save hooks (auto_now_add). A primary key left unset (an auto-increment id)
    is read back with RETURNING, as the ORM does on PostgreSQL and SQLite."""
    model = type(instance)
    connection = connections[using]
    pre_save.send(sender=model, instance=instance, raw=False, using=using, update_fields=None)
    pk_field = model._meta.pk
    fields = [
        field for field in model._meta.concrete_fields if not (field.primary_key and instance.pk is None)
    ]
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    sql = _insert_sql(connection, model, fields, 1)
    returning = instance.pk is None
    if returning:
        sql += f" RETURNING {connection.ops.quote_name(pk_field.column)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            instance.pk = cursor.fetchone()[0]
    instance._state.adding, instance._state.db = False, using
    post_save.send(sender=model, instance=instance, created=True, update_fields=None, raw=False, using=using)
    return instance
