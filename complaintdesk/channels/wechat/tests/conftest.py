import pytest
from django.core.cache import caches
from django.test import Client

from .wechat_server import APP_ID, ENCODING_AES_KEY, TOKEN, WeChatServer


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    caches["default"].clear()
    yield
    caches["default"].clear()


def _configure(settings, *, aes_key: str = "") -> None:
    settings.WECHAT_CALLBACK = {
        "TOKEN": TOKEN,
        "ENCODING_AES_KEY": aes_key,
        "APP_ID": APP_ID,
        "MAX_CLOCK_SKEW": 300,
        "APPEND_WINDOW_DAYS": 30,
    }


@pytest.fixture
def wechat(org, settings):
    """WeChat's server talking to an account in plain mode."""
    _configure(settings)
    return WeChatServer(Client())


@pytest.fixture
def wechat_safe(org, settings):
    """WeChat's server talking to an account in safe (encrypted) mode."""
    _configure(settings, aes_key=ENCODING_AES_KEY)
    return WeChatServer(Client(), encrypted=True)


@pytest.fixture
def wechat_compatible(org, settings):
    """Compatible mode: the plain fields and <Encrypt> side by side; the reply is encrypted."""
    _configure(settings, aes_key=ENCODING_AES_KEY)
    return WeChatServer(Client(), encrypted=True, compatible=True)
