"""WeChat official-account template messages (模板消息) through wechatpy's WeChatClient.

Settings: NOTIFY_WECHAT = {"APP_ID", "APP_SECRET", "API_BASE_URL" (default https://api.weixin.qq.com/cgi-bin/),
"TIMEOUT"}. The access token is fetched from `<API_BASE_URL>token` and kept in Django's cache (Redis when
there is one) for all processes until shortly before it expires: WeChat limits how often a token may be
fetched, and each fetch invalidates the previous token. wechatpy fetches a new one and retries once when
WeChat says the token is invalid or expired.

The template's data: `first` is the subject, `remark` the body, and the template row's provider fields
(e.g. keyword1 = the case number) fill the rest; the template id is the one chosen in the MP console.
WeChat shows the data as plain text, where an address cannot be tapped: the message's link (the tracking
page, the survey) is the card's `url`, which the customer opens by tapping the card.
"""

import re
import time

import requests
from django.conf import settings
from django.core.cache import caches
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from complaintdesk.notifications.base import NotificationChannel, Notifier, OutboundMessage, SendResult

API_BASE_URL = "https://api.weixin.qq.com/cgi-bin/"
# Keep a token this much shorter than WeChat says it lives (7200 s), so no request carries a dying one.
TOKEN_MARGIN_SECONDS = 300
# errcodes that say this message can never reach this user: invalid openid, not following the account,
# the user refused template messages.
PERMANENT_ERRCODES = frozenset({40003, 43004, 43101})
_ADDRESS = re.compile(r"https?://[!-~]+", re.IGNORECASE)


def card_link(message: OutboundMessage) -> str | None:
    """The first web address in the body or the template's fields (an English sentence's full stop after
    it left out), for the card's `url`; None when the message has none."""
    for text in (message.body, *map(str, message.params.values())):
        if found := _ADDRESS.search(text or ""):
            return found.group(0).rstrip(".,;:!?)")
    return None


class DjangoCacheStorage(SessionStorage):
    """wechatpy's token storage on a Django cache, shared by every web and worker process."""

    def __init__(self, alias: str = "default", prefix: str = "wechat"):
        self.cache = caches[alias]
        self.prefix = prefix

    def _key(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    def get(self, key, default=None):
        return self.cache.get(self._key(key), default)

    def set(self, key, value, ttl=None):
        if value is None:
            return
        timeout = max(int(ttl) - TOKEN_MARGIN_SECONDS, 60) if ttl else None
        self.cache.set(self._key(key), value, timeout)

    def delete(self, key):
        self.cache.delete(self._key(key))


class WechatApiClient(WeChatClient):
    """WeChatClient with a configurable API base: the token fetch goes there too (wechatpy 1.8 hard-codes
    its host), so a proxy or a test server can stand in for api.weixin.qq.com."""

    def __init__(self, appid, secret, *, api_base_url: str = API_BASE_URL, session=None, timeout=None):
        super().__init__(appid, secret, session=session, timeout=timeout)
        self.API_BASE_URL = api_base_url if api_base_url.endswith("/") else api_base_url + "/"

    def fetch_access_token(self):
        response = self._http.get(
            self.API_BASE_URL + "token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
            timeout=self.timeout,
        )
        try:
            response.raise_for_status()
            result = response.json()
        except (requests.RequestException, ValueError) as error:
            raise WeChatClientException(
                None, f"access token: {error}", client=self, response=response
            ) from error
        if result.get("errcode"):
            raise WeChatClientException(
                result["errcode"], result.get("errmsg", ""), client=self, response=response
            )
        expires_in = int(result.get("expires_in", 7200))
        self.session.set(self.access_token_key, result["access_token"], expires_in)
        self.expires_at = int(time.time()) + expires_in
        return result


def wechat_client() -> WechatApiClient:
    config = getattr(settings, "NOTIFY_WECHAT", {})
    return WechatApiClient(
        config.get("APP_ID", ""),
        config.get("APP_SECRET", ""),
        api_base_url=config.get("API_BASE_URL") or API_BASE_URL,
        session=DjangoCacheStorage(),
        timeout=float(config.get("TIMEOUT") or 10),
    )


class WechatNotifier(Notifier):
    channel = NotificationChannel.WECHAT

    def __init__(self, client: WechatApiClient | None = None):
        self.client = client or wechat_client()

    def send(self, message: OutboundMessage) -> SendResult:
        if not message.recipient:
            return SendResult.failed("no WeChat openid", retryable=False)
        if not (self.client.appid and self.client.secret):
            return SendResult.failed("NOTIFY_WECHAT needs APP_ID and APP_SECRET")
        if not message.provider_template_id:
            return SendResult.failed(f"template {message.template_code!r} has no WeChat template id")
        data = {"first": {"value": message.subject}}
        data.update({name: {"value": value} for name, value in message.params.items()})
        data.setdefault("remark", {"value": message.body})
        try:
            result = self.client.message.send_template(
                message.recipient, message.provider_template_id, data, url=card_link(message)
            )
        except WeChatClientException as error:
            retryable = error.errcode is None or int(error.errcode) not in PERMANENT_ERRCODES
            status = getattr(error.response, "status_code", "")
            return SendResult.failed(
                f"WeChat {status} errcode {error.errcode}: {error.errmsg}", retryable=retryable
            )
        except requests.RequestException as error:
            return SendResult.failed(f"WeChat unreachable: {error}")
        return SendResult.sent(str(result.get("msgid", "")))
