"""Django set-up shared by the bench scripts: config.settings.base, and a database of their own.

Without DATABASE_URL the scripts use <VAR_DIR>/bench.sqlite3, never the development database.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_database_url() -> str:
    if url := os.environ.get("DATABASE_URL"):
        return url
    var_dir = Path(os.environ.get("COMPLAINTDESK_VAR_DIR", ROOT / "var"))
    return f"sqlite:///{var_dir / 'bench.sqlite3'}"


def django_setup() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = bench_database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            (version,) = cursor.fetchone()
        return f"PostgreSQL {version}, database {connection.settings_dict['NAME']}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}, file {connection.settings_dict['NAME']}"
