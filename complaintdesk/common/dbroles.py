"""The database roles a deployment uses on PostgreSQL: an owner that runs the migrations and owns every
table, and the application's role (DATABASE_APP_ROLE) that owns nothing.

After every `migrate` (run as the owner) the application's role is granted what the application does —
read and write rows, use the sequences — and nothing else: no TRUNCATE anywhere, no UPDATE or DELETE on
the append-only tables the apps register here (the case timeline). Not being an owner or a superuser, it
cannot disable triggers, `SET session_replication_role`, alter or drop tables. A lower layer offering a
registry: the complaints app registers its timeline in its AppConfig.ready().
"""

from django.db import connections

_APPEND_ONLY: set[str] = set()


def append_only_register(table: str) -> None:
    _APPEND_ONLY.add(table)


def append_only_tables() -> frozenset[str]:
    return frozenset(_APPEND_ONLY)


def app_role_statements(*, role: str, tables: list[str]) -> list[str]:
    """The GRANT / REVOKE statements for `role` (pure: the test reads them; `app_role_grant` runs them)."""
    quote = '"{}"'.format
    who = quote(role.replace('"', '""'))
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {who}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE, REFERENCES ON ALL TABLES IN SCHEMA public TO {who}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {who}",
        # The application's own functions (e.g. complaints_event_redact, refused to PUBLIC by its migration).
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {who}",
    ]
    for table in sorted(_APPEND_ONLY & set(tables)):
        statements.append(f"REVOKE UPDATE, DELETE ON {quote(table)} FROM {who}")
    return statements


def app_role_grant(*, role: str, using: str = "default") -> list[str]:
    """Grant `role` the application's privileges on every table of the schema; returns what ran."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not role:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            raise RuntimeError(
                f"DATABASE_APP_ROLE={role}: no such role; create it first (docs/deployment.md, 'Database roles')"
            )
        statements = app_role_statements(role=role, tables=connection.introspection.table_names(cursor))
        for statement in statements:
            cursor.execute(statement)
    return statements
