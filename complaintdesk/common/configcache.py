"""Per-process caches of configuration that rarely changes, correct across processes.

What is cached (calendars, SLA policies, …) is read on every intake and every deadline refresh, and
changed by an administrator a few times a year. Each kind of configuration is an *area* with a row
in `common.ConfigVersion` holding a random token. Whoever writes a watched model changes its area's
token in the same transaction (post_save / post_delete receivers, set up by `config_watch` from the
owning app's `ready()`); a cached value is stored with the token it was loaded under, and used only
while the database still holds that token. So an edit in the admin, committed in one process, is
seen by the next request of every gunicorn worker and of the task worker — at the price of one small
query (`SELECT name, token FROM common_configversion`), made once per request (or once per call
outside requests) instead of the queries it replaces.

Why it is safe:
- the token is read *before* the data it guards: data committed after the token was read is at
  worst stored under the old token, which no longer matches, so it is reloaded (never the reverse);
- tokens are random, not counters, so a rolled-back change (or a test's rolled-back transaction)
  cannot bring back a token that an older value was cached under;
- no row for the area (a flushed table) means no caching: every call loads.
Writes that bypass model signals (QuerySet.update, bulk_create, raw SQL) must call `config_changed`.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable, Hashable
from contextlib import contextmanager
from typing import TypeVar

from django.core.signals import request_finished, request_started
from django.db import connection
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
MAX_ENTRIES = 5000  # units × categories of one organisation; past it the cache starts again

_entries: dict[tuple[str, Hashable], tuple[int, object]] = {}
_local = threading.local()
_TABLE = "common_configversion"


def _request_started(**kwargs) -> None:
    _local.in_request, _local.tokens = True, None


def _request_finished(**kwargs) -> None:
    _local.in_request, _local.tokens = False, None


request_started.connect(_request_started, dispatch_uid="configcache-request-started")
request_finished.connect(_request_finished, dispatch_uid="configcache-request-finished")


def _tokens() -> dict[str, int]:
    """The areas' tokens: read once per request (a request is one snapshot of the configuration), on
    every call outside requests (task worker, commands)."""
    tokens = getattr(_local, "tokens", None)
    if tokens is not None:
        return tokens
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, token FROM {_TABLE}")
        tokens = dict(cursor.fetchall())
    if getattr(_local, "in_request", False):
        _local.tokens = tokens
    return tokens


@contextmanager
def config_snapshot():
    """Inside, the configuration is one snapshot, as during a request: the tokens are read once (at the
    first cached call), not on every call. For a unit of work outside requests that reads configuration
    many times and may see an edit only from its next unit (one batch of the SLA sweep)."""
    saved = getattr(_local, "in_request", False), getattr(_local, "tokens", None)
    if saved[0]:
        yield
        return
    _local.in_request, _local.tokens = True, None
    try:
        yield
    finally:
        _local.in_request, _local.tokens = saved


def snapshot_sql(vendor: str) -> str:
    """A scalar subquery giving the areas' tokens, for a statement every request runs anyway (the API's
    authentication): with `snapshot_take`, the request's snapshot comes without a statement of its own."""
    if vendor == "postgresql":
        return f"(SELECT json_object_agg(name, token) FROM {_TABLE})"
    return f"(SELECT json_group_object(name, token) FROM {_TABLE})"


def snapshot_take(value) -> None:
    """The value of `snapshot_sql` read at the start of a request: that request's tokens. Outside a
    request (which reads the tokens on every call) it is ignored."""
    if not getattr(_local, "in_request", False):
        return
    if isinstance(value, (str, bytes)):
        value = json.loads(value)
    _local.tokens = {name: int(token) for name, token in (value or {}).items()}


def config_cached(area: str, key: Hashable, load: Callable[[], T]) -> T:
    """`load()`'s value for `key`, loaded again only when the area's configuration has changed since.
    The value is shared by every caller in the process: treat it as read-only."""
    token = _tokens().get(area)
    if token is None:
        return load()
    hit = _entries.get((area, key))
    if hit is not None and hit[0] == token:
        return hit[1]  # type: ignore[return-value]
    value = load()
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _entries[(area, key)] = (token, value)
    return value


def config_changed(area: str) -> None:
    """A new token for the area, in the current transaction (committed with the change it marks)."""
    token = secrets.randbits(62)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_TABLE} SET token = %s WHERE name = %s", [token, area])
        if cursor.rowcount == 0:
            cursor.execute(
                f"INSERT INTO {_TABLE} (name, token) VALUES (%s, %s) ON CONFLICT (name) DO UPDATE SET token = %s",
                [area, token, token],
            )
    _local.tokens = None  # this request's snapshot is stale: read again


def config_watch(area: str, *models: str) -> None:
    """Change the area's token whenever a row of these models ("app_label.Model") is saved or deleted.
    Called from the owning app's AppConfig.ready(), so that every process that can write them does."""

    def changed(**kwargs) -> None:
        config_changed(area)

    for model in models:
        uid = f"configcache-{area}-{model}"
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid + "-save")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid + "-delete")


def config_cache_clear() -> None:
    """Forget every cached value of this process (tests)."""
    _entries.clear()
    _local.tokens = None
