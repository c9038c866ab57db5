"""Sign-in lockout: after LOGIN_FAILURE_LIMIT failed attempts for one username from one address within
LOGIN_FAILURE_WINDOW seconds, that pair is locked for LOGIN_LOCKOUT_SECONDS. Counters live in the
cache (Redis when configured, so every web process shares them); nothing is written to the database.

Keyed on username + address, so a stranger guessing from elsewhere cannot lock a colleague out of
their own desk, and one address cannot try many passwords on one account.
"""

import hashlib
import math

from django.conf import settings
from django.core.cache import caches

from complaintdesk.common.time import now

DEFAULT_FAILURE_LIMIT = 5
DEFAULT_WINDOW_SECONDS = 15 * 60
DEFAULT_LOCKOUT_SECONDS = 15 * 60


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default) or default)


def failure_limit() -> int:
    return _setting("LOGIN_FAILURE_LIMIT", DEFAULT_FAILURE_LIMIT)


def _cache():
    return caches[getattr(settings, "RATE_LIMIT_CACHE", "default")]


def _key(kind: str, username: str, address: str) -> str:
    digest = hashlib.sha256(f"{username.strip().lower()}\n{address}".encode()).hexdigest()[:32]
    return f"web:login:{kind}:{digest}"


def login_locked_for(*, username: str, address: str) -> int:
    """Seconds until this username may try again from this address; 0 when it is not locked."""
    until = _cache().get(_key("lock", username, address))
    if until is None:
        return 0
    return max(0, math.ceil(until - now().timestamp()))


def login_failure_record(*, username: str, address: str) -> int:
    """Count a failed attempt. Returns the lockout in seconds when this failure reached the limit, else 0."""
    cache = _cache()
    window = _setting("LOGIN_FAILURE_WINDOW", DEFAULT_WINDOW_SECONDS)
    counter = _key("fail", username, address)
    if cache.add(counter, 1, timeout=window):
        count = 1
    else:
        try:
            count = cache.incr(counter)
        except ValueError:  # expired between add and incr
            cache.add(counter, 1, timeout=window)
            count = 1
    if count < failure_limit():
        return 0
    lockout = _setting("LOGIN_LOCKOUT_SECONDS", DEFAULT_LOCKOUT_SECONDS)
    cache.set(_key("lock", username, address), now().timestamp() + lockout, timeout=lockout)
    cache.delete(counter)
    return lockout


def login_failures_clear(*, username: str, address: str) -> None:
    """A successful sign-in forgets the earlier failures of this username from this address."""
    _cache().delete(_key("fail", username, address))
