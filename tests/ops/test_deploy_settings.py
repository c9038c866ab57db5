"""Production settings come from the environment and pass Django's deployment checks with DEBUG off."""

import os
import subprocess
import sys

import pytest

from .serving import ROOT

# manage.py's settings take the database from DATABASE_URL: each pass of bin/test checks its own.
pytestmark = pytest.mark.reads_database_url

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-" + "x7Kq2mZ9vB4nL8pR3tY6wE1uI5oA0sD" * 2,
    "ALLOWED_HOSTS": "cs.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://cs.example.com",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "HTTPS": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}


# Set by the test process itself (the browser tests' conftest), never by a deployment.
_TEST_ONLY = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _run(tmp_path, env: dict, *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k not in _TEST_ONLY}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **base,
            "COMPLAINTDESK_VAR_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            **env,
        },
    )


def test_check_deploy_finds_nothing_with_the_production_environment(tmp_path):
    result = _run(tmp_path, PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_names_what_is_missing_without_https(tmp_path):
    result = _run(tmp_path, {**PRODUCTION, "HTTPS": "0"}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in result.stderr + result.stdout


def test_the_environment_reaches_the_settings(tmp_path):
    script = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS, s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_REDIRECT_EXEMPT)"
    )
    result = _run(tmp_path, PRODUCTION, "shell", "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "False ['cs.example.com'] ['https://cs.example.com'] ('HTTP_X_FORWARDED_PROTO', 'https') True True True "
        "31536000 ['^healthz$', '^readyz$', '^metrics$']"
    )
