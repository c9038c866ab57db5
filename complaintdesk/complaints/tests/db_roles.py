"""For the timeline's tests: rewrite a row as a database owner could, and connect as another role."""

import os

from django.db import connection


def tamper(sql: str, params: list) -> None:
    """As a superuser or the owner could: on PostgreSQL the append-only trigger is bypassed first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def role_conninfo(role: str) -> dict:
    """PostgreSQL: `role` created if missing (a login role with no other rights; grant it what the test
    needs), and the psycopg connection arguments to the test database as it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')
    settings = connection.settings_dict
    return {
        "host": settings["HOST"] or "127.0.0.1", "port": settings["PORT"] or 5432,
        "dbname": settings["NAME"], "user": role, "password": os.environ.get("APP_ROLE_PASSWORD", ""),
    }  # fmt: skip
