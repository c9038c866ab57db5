"""Test settings: the same as base, with fast hashing and tasks run in-process."""

import os

from .base import *  # noqa: F403
from .base import CACHES, REDIS_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "zh-hans"

# Parallel test processes (pytest-xdist) must not share Redis: one worker's RQ burst run would
# pick up another's jobs, and cache keys would collide. Each gets its own Redis database, and the
# SQLite pass, which bin/test runs beside the PostgreSQL one, numbers its workers' from 9 (Redis has 16).
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_pass_offset = 8 if os.environ.get("TEST_DB_PASS") == "sqlite" else 0
if REDIS_URL and _xdist_worker:
    _redis_db = int(_xdist_worker.removeprefix("gw") or 0) + 1 + _pass_offset
    _redis_base = REDIS_URL.rsplit("/", 1)[0] if REDIS_URL.count("/") > 2 else REDIS_URL
    REDIS_URL = f"{_redis_base}/{_redis_db}"
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 360}}
    CACHES = {"default": {**CACHES["default"], "LOCATION": REDIS_URL}}
