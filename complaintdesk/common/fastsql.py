"""Hand-written statements for the few queries every intake runs, without the ORM's query compiler.

Building a statement with the ORM (query object, joins, compiler, placeholders) costs several times
what PostgreSQL takes to run it; on the intake path that was the largest single cost. These helpers
keep the ORM's model instances and value conversions (both ways, so SQLite's text timestamps and
integers-for-booleans work as with the ORM) and only skip the compiling. Use them where a statement
runs on every request and its shape never changes; everywhere else the ORM is the rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connections
from django.db.models import Model
from django.db.models import fields as model_fields
from django.db.models.fields import related
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


# On PostgreSQL (psycopg 3) the ORM's preparation of these exact field classes hands a value of the
# listed types over unchanged (`get_db_prep_save` only checks and converts other values); skipping the
# call saves a few microseconds per value, and an intake writes about 140 values. A subclass, another
# field class or a value of another type takes the ORM's path.
_TEXT, _INT, _BOOL = (str, type(None)), (int, type(None)), (bool, type(None))
_PASS_THROUGH = {
    model_fields.CharField: _TEXT,
    model_fields.TextField: _TEXT,
    model_fields.EmailField: _TEXT,
    model_fields.SlugField: _TEXT,
    model_fields.URLField: _TEXT,
    model_fields.IntegerField: _INT,
    model_fields.BigIntegerField: _INT,
    model_fields.SmallIntegerField: _INT,
    model_fields.PositiveIntegerField: _INT,
    model_fields.PositiveSmallIntegerField: _INT,
    model_fields.PositiveBigIntegerField: _INT,
    model_fields.AutoField: _INT,
    model_fields.BigAutoField: _INT,
    model_fields.BooleanField: _BOOL,
}


def _preparers(model: type[Model], fields, connection) -> tuple:
    """Per field: the value types that go to the database as they are ("aware" for a DateTimeField's
    aware datetimes), or None when every value takes the field's get_db_prep_save."""
    cached = connection.__dict__.setdefault("_fastsql_preparers", {})
    key = (model, tuple(field.attname for field in fields))
    found = cached.get(key)
    if found is None:
        found = cached[key] = tuple(_pass_through(field, connection) for field in fields)
    return found


def _pass_through(field, connection):
    if connection.vendor != "postgresql":
        return None
    target = field
    if isinstance(field, related.ForeignKey):
        if type(field).get_db_prep_save is not related.ForeignKey.get_db_prep_save:
            return None
        target = field.target_field
    if type(target) is model_fields.DateTimeField:
        return "aware"
    return _PASS_THROUGH.get(type(target))


def _prepared(preparers: tuple, fields, values, connection) -> list:
    out = []
    for types, field, value in zip(preparers, fields, values, strict=True):
        if types == "aware":
            if value is None or (type(value) is dt.datetime and value.tzinfo is not None):
                out.append(value)
                continue
        elif types is not None and (type(value) in types or (types is _TEXT and isinstance(value, str))):
            out.append(value)  # isinstance: a TextChoices member is a str, which the ORM passes on as it is
            continue
        out.append(field.get_db_prep_save(value, connection))
    return out


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
    preparers = _preparers(model, fields, connection)
    prepared = [_prepared(preparers, fields, row, connection) for row in rows]
    sql, values = _many_rows(connection, model, fields, prepared)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
    return len(rows)


FEW_ROWS = 10


def _many_rows(connection, model: type[Model], fields, prepared: list[list]) -> tuple[str, list]:
    """The INSERT of the prepared rows and its parameters.

    A few rows (an intake's timers, its after-intake task rows): `VALUES`, with the NULLs written into the
    statement (kept per connection by where they fall) — fewer parameters, at most 50 of which keep
    psycopg's parsed form cached, and nothing to convert into arrays, which cost an intake more than its
    two INSERTs' database time. More rows on PostgreSQL go as one array per column (`INSERT … SELECT * FROM
    unnest(%s::type[], …)`, as the ORM's bulk_create does since Django 5.2): one parameter per column, so
    psycopg keeps the statement's parsed form instead of scanning thousands of placeholders each time (that
    scan was a fifth of an SLA batch's time)."""
    if len(prepared) <= FEW_ROWS:
        nulls = tuple(tuple(value is None for value in row) for row in prepared)
        cache = connection.__dict__.setdefault("_fastsql_rows", {})
        key = (model, tuple(field.attname for field in fields), nulls)
        sql = cache.get(key)
        if sql is None:
            if len(cache) > 200:
                cache.clear()
            sql = cache[key] = _insert_sql(connection, model, fields, len(prepared), nulls)
        return sql, [value for row in prepared for value in row if value is not None]
    if connection.vendor == "postgresql":
        return unnest_sql(connection, model, fields), [list(column) for column in zip(*prepared, strict=True)]
    return _insert_sql(connection, model, fields, len(prepared)), [value for row in prepared for value in row]


def unnest_arrays(connection, fields) -> str:
    """`unnest(%s::type[], …)` over `fields` (PostgreSQL): one array parameter per field."""
    return "unnest(" + ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields) + ")"


def unnest_sql(connection, model: type[Model], fields) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT * FROM {unnest_arrays(connection, fields)}"


def insert_instances(instances: Sequence[Model], *, ids: bool = True, using: str = "default") -> None:
    """`Model.objects.bulk_create(instances)` for new rows of one model with an auto-increment id, written
    out: one multi-row INSERT per 1,000; with `ids`, RETURNING them and each instance given its id (in the
    order of the rows, as the ORM's bulk_create relies on too) — without, for rows nobody reads back. The
    fields' pre_save hooks run (auto_now_add); no signals are sent, as with bulk_create."""
    if not instances:
        return
    model = type(instances[0])
    connection = connections[using]
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    preparers = _preparers(model, fields, connection)
    pk_column = connection.ops.quote_name(model._meta.pk.column)
    for start in range(0, len(instances), 1000):
        chunk = instances[start : start + 1000]
        prepared = [
            _prepared(preparers, fields, [field.pre_save(instance, True) for field in fields], connection)
            for instance in chunk
        ]
        sql, values = _many_rows(connection, model, fields, prepared)
        with connection.cursor() as cursor:
            if not ids:
                cursor.execute(sql, values)
                continue
            cursor.execute(sql + f" RETURNING {pk_column}", values)
            returned = [row[0] for row in cursor.fetchall()]
        for instance, pk in zip(chunk, returned, strict=True):
            instance.pk = pk
            instance._state.adding, instance._state.db = False, using


def update_instances(instances: Sequence[Model], attnames: Sequence[str], *, using: str = "default") -> None:
    """One UPDATE setting the columns `attnames` of each of `instances` (one model) to the instance's values,
    matched by primary key: from one array per column on PostgreSQL (`FROM unnest(%s::type[], …)`: a few
    parameters, so psycopg keeps the statement parsed), from `WITH v AS (VALUES …)` elsewhere (SQLite since
    3.33). No signals, no pre_save hooks: the values as the instances hold them."""
    if not instances:
        return
    model = type(instances[0])
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [meta.pk, *(meta.get_field(attname) for attname in attnames)]
    preparers = _preparers(model, fields, connection)
    rows = [
        _prepared(preparers, fields, [getattr(instance, field.attname) for field in fields], connection)
        for instance in instances
    ]
    names = ["id_"] + [f"v{index}" for index in range(len(fields) - 1)]
    assignments = ", ".join(
        f"{quote(field.column)} = v.{name}" for field, name in zip(fields[1:], names[1:], strict=True)
    )
    table = quote(meta.db_table)
    match = f"{table}.{quote(meta.pk.column)} = v.id_"
    if connection.vendor == "postgresql":
        params = [list(column) for column in zip(*rows, strict=True)]
        sql = f"UPDATE {table} SET {assignments} FROM {unnest_arrays(connection, fields)} AS v ({', '.join(names)}) WHERE {match}"
    else:
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        params = [value for row in rows for value in row]
        sql = (
            f"WITH v ({', '.join(names)}) AS (VALUES {', '.join([one] * len(rows))}) "
            f"UPDATE {table} SET {assignments} FROM v WHERE {match}"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _insert_sql(connection, model: type[Model], fields, rows: int, nulls: tuple = ()) -> str:
    """INSERT of `rows` rows of `fields`; `nulls` marks the values written as NULL literals: one tuple of
    flags (the same for every row), or one per row."""
    quote = connection.ops.quote_name
    if not nulls:
        nulls = (False,) * len(fields)
    per_row = nulls if isinstance(nulls[0], tuple) else (nulls,) * rows
    values = ", ".join("(" + ", ".join("NULL" if null else "%s" for null in row) + ")" for row in per_row)
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES {values}"
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
    params = _prepared(
        _preparers(model, fields, connection),
        fields,
        [field.pre_save(instance, True) for field in fields],
        connection,
    )
    returning = instance.pk is None
    # NULLs are written into the statement: fewer parameters, and statements of at most 50 keep
    # psycopg's parsed form cached (a case has about 60 columns, a third of them empty at intake).
    nulls = tuple(value is None for value in params)
    cache = connection.__dict__.setdefault("_fastsql_inserts", {})
    key = (model, tuple(field.attname for field in fields), nulls, returning)
    sql = cache.get(key)
    if sql is None:
        sql = _insert_sql(connection, model, fields, 1, nulls)
        if returning:
            sql += f" RETURNING {connection.ops.quote_name(pk_field.column)}"
        if len(cache) > 200:
            cache.clear()
        cache[key] = sql
    params = [value for value in params if value is not None]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            instance.pk = cursor.fetchone()[0]
    instance._state.adding, instance._state.db = False, using
    post_save.send(sender=model, instance=instance, created=True, update_fields=None, raw=False, using=using)
    return instance
