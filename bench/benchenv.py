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


def sla_database_ready(script: str) -> None:
    """For the SLA benches (sla.py, monday.py), after `django_setup()`: refuse a database that is not a
    PostgreSQL bench database, print which one it is, migrate, and put back what `seed.py --fresh`
    removes and the workers need — the system's own accounts (as migration accounts/0003 made them) and
    the shipped message templates (the customer's `escalated` message)."""
    import importlib
    import sys

    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection

    from complaintdesk.notifications.defaults import templates_load
    from complaintdesk.notifications.models import NotificationTemplate

    if "bench" not in connection.settings_dict["NAME"]:
        sys.exit(f"refusing: {connection.settings_dict['NAME']} is not a bench database")
    if connection.vendor != "postgresql":
        sys.exit(f"{script} measures PostgreSQL (the workers partition the due rows with SKIP LOCKED)")
    print(database_label())
    call_command("migrate", verbosity=0)
    importlib.import_module("complaintdesk.accounts.migrations.0003_system_users").system_users_create(
        apps, None
    )
    templates_load(template_model=NotificationTemplate)
