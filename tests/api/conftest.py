"""API test isolation: rate-limit counters in a fresh memory cache per test (CI's Redis is shared by
parallel workers and both database passes), and uploaded files under the test's own directory."""

import uuid

import pytest


@pytest.fixture(autouse=True)
def _isolated_cache_and_media(settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4().hex}",
        }
    }
    settings.MEDIA_ROOT = tmp_path / "media"
