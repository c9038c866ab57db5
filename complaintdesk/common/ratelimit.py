"""A small fixed-window rate limiter over Django's cache, for endpoints anyone can reach.

    retry_after = ratelimit_hit(scope="api-auth-failure", key=client_ip(request))
    if retry_after: → 429 with Retry-After

Counters live in the cache named by RATE_LIMIT_CACHE (settings: Redis when REDIS_URL, else a
per-process memory cache — with several web processes and no Redis each process counts alone).
When that cache cannot be reached (Redis restarting, stopped, unreachable), counting goes on in a memory
cache of the process meanwhile, with a warning in the log (once a minute): the limits are then kept per
process, and nobody — a customer filing a complaint least of all — gets an error because the counters'
store is away (bench/cluster.py found the portal answering 500 while its Redis restarted).
Rates come from settings.RATE_LIMITS {scope: "limit/seconds"}; a scope that is not configured
uses DEFAULT_RATE. The API uses it for failed authentication and the schema pages; the portal, the
survey link and the WeChat callback use `ratelimit_hit` or the `ratelimited` view decorator the same
way (over the limit: `common.problems.too_many_requests`, 429 with Retry-After).
"""

import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest

from .problems import too_many_requests

DEFAULT_RATE = "60/60"
logger = logging.getLogger(__name__)
# Where counting goes on while the configured cache is unreachable: this process's memory.
_fallback = LocMemCache("complaintdesk-ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
FALLBACK_WARN_EVERY_SECONDS = 60.0
_fallback_warned_at = -FALLBACK_WARN_EVERY_SECONDS


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        limit, _sep, seconds = text.partition("/")
        return cls(limit=int(limit), seconds=int(seconds or 60))


class RateLimited(Exception):
    """Raised by interfaces when a client is over a limit; the API answers 429 problem+json."""

    def __init__(self, *, scope: str, retry_after: int):
        super().__init__(f"{scope}: retry after {retry_after}s")
        self.scope, self.retry_after = scope, retry_after


def rate_for(scope: str) -> Rate:
    return Rate.parse(getattr(settings, "RATE_LIMITS", {}).get(scope, DEFAULT_RATE))


def client_ip(request: HttpRequest) -> str:
    """The peer address; behind a trusted proxy (RATE_LIMIT_TRUSTED_PROXIES = how many) the client's
    address as that many proxies appended it to X-Forwarded-For."""
    proxies = int(getattr(settings, "RATE_LIMIT_TRUSTED_PROXIES", 0))
    if proxies:
        chain = [
            part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()
        ]
        if len(chain) >= proxies:
            return chain[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _cache():
    return caches[getattr(settings, "RATE_LIMIT_CACHE", "default")]


def _counter_key(scope: str, key: str, window_start: int) -> str:
    return f"rl:{scope}:{hashlib.sha256(key.encode()).hexdigest()[:32]}:{window_start}"


def _fallback_warn(error: Exception) -> None:
    global _fallback_warned_at
    current = time.monotonic()
    if current - _fallback_warned_at >= FALLBACK_WARN_EVERY_SECONDS:
        _fallback_warned_at = current
        logger.warning(
            "rate limits counted in this process meanwhile: their cache is unreachable (%r)", error
        )


def _count(cache, counter: str, rate: Rate) -> int:
    if cache.add(counter, 1, timeout=rate.seconds + 1):
        return 1
    try:
        return cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.add(counter, 1, timeout=rate.seconds + 1)
        return 1


def ratelimit_hit(*, scope: str, key: str, rate: Rate | None = None) -> int | None:
    """Count one attempt of `key` in `scope`. None while within the limit, else seconds to wait."""
    rate = rate or rate_for(scope)
    current = time.time()
    window_start = int(current // rate.seconds) * rate.seconds
    counter = _counter_key(scope, key, window_start)
    try:
        count = _count(_cache(), counter, rate)
    except Exception as error:  # Redis away: the cache backends raise its connection errors as they are
        _fallback_warn(error)
        count = _count(_fallback, counter, rate)
    if count <= rate.limit:
        return None
    return max(1, math.ceil(window_start + rate.seconds - current))


def ratelimit_reset(*, scope: str, key: str, rate: Rate | None = None) -> None:
    rate = rate or rate_for(scope)
    window_start = int(time.time() // rate.seconds) * rate.seconds
    counter = _counter_key(scope, key, window_start)
    _fallback.delete(counter)
    try:
        _cache().delete(counter)
    except Exception as error:  # Redis away: its counter expires on its own
        _fallback_warn(error)


def ratelimited(scope: str, *, key: Callable[[HttpRequest], str] = client_ip) -> Callable:
    """View decorator: every request counts against `scope` per client address; over it, 429."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            retry_after = ratelimit_hit(scope=scope, key=key(request))
            if retry_after:
                return too_many_requests(retry_after=retry_after)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
