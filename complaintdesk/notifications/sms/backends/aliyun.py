"""Alibaba Cloud SMS (阿里云短信服务): the `SendSms` action of dysmsapi, API version 2017-05-25.

Written against the public documentation:
- SendSms: https://help.aliyun.com/document_detail/55284.html
  (English: https://help.aliyun.com/en/sms/developer-reference/api-dysmsapi-2017-05-25-sendsms)
  (PhoneNumbers, SignName, TemplateCode, TemplateParam as a JSON string, OutId; the answer is JSON
  {"Code": "OK", "Message": "OK", "BizId": …, "RequestId": …} or another Code on failure);
- the RPC signature, version 1.0: https://www.alibabacloud.com/help/en/sms/signature-method
  (also https://help.aliyun.com/document_detail/101343.html):
  1. every parameter except Signature, sorted by name;
  2. names and values percent-encoded as UTF-8, leaving only A-Z a-z 0-9 - _ . ~ as they are
     (space is %20, not +; * is %2A), joined as name=value with &: the canonicalized query string;
  3. StringToSign = HTTPMethod + "&" + percentEncode("/") + "&" + percentEncode(canonicalized query);
  4. Signature = Base64(HMAC-SHA1(key = AccessKeySecret + "&", StringToSign)).
- API error codes: https://help.aliyun.com/document_detail/101346.html

Mainland SMS go out only through a signature (SignName) and a template (TemplateCode) approved in the
console; the approved template's text mirrors ours, with ${name} for each field we send in TemplateParam.
SendSms is not idempotent (the documentation says so): a timeout is retried like any failure, so a
message whose answer was lost may arrive twice; OutId carries our notification id to reconcile receipts.
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid

from django.conf import settings

from complaintdesk.common.masking import mask_phone
from complaintdesk.common.time import now
from complaintdesk.notifications.base import OutboundMessage, SendResult

from . import SmsBackend

logger = logging.getLogger(__name__)

ENDPOINT = "https://dysmsapi.aliyuncs.com/"
API_VERSION = "2017-05-25"
HTTP_METHOD = "POST"

# Codes that say this message can never go out as it is: retrying only repeats the refusal.
PERMANENT_CODES = frozenset({
    "isv.MOBILE_NUMBER_ILLEGAL",  # not a valid mobile number
    "isv.MOBILE_COUNT_OVER_LIMIT",
    "isv.DOMESTIC_NUMBER_NOT_SUPPORTED",
    "isv.BLACK_KEY_CONTROL_LIMIT",  # the number opted out / is blacklisted
    "isv.SMS_CONTENT_ILLEGAL",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.INVALID_JSON_PARAM",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.TEMPLATE_PARAMS_ILLEGAL",
})  # fmt: skip


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as the signature wants it: only A-Z a-z 0-9 - _ . ~ stay as they are."""
    return urllib.parse.quote(str(value), safe="~")


def canonicalized_query(params: dict[str, str]) -> str:
    return "&".join(
        f"{percent_encode(name)}={percent_encode(value)}"
        for name, value in sorted(params.items())
        if name != "Signature"
    )


def string_to_sign(method: str, params: dict[str, str]) -> str:
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(canonicalized_query(params))}"


def signature(*, method: str, params: dict[str, str], access_key_secret: str) -> str:
    digest = hmac.new(
        f"{access_key_secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()


def phone_for_aliyun(recipient: str) -> str:
    """E.164 → what PhoneNumbers takes: the 11-digit number at home, country code + number abroad."""
    return recipient.removeprefix("+86") if recipient.startswith("+86") else recipient.lstrip("+")


def _timestamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class AliyunSmsBackend(SmsBackend):
    """Settings: NOTIFY_ALIYUN_SMS = {"ACCESS_KEY_ID", "ACCESS_KEY_SECRET", "SIGN_NAME", "ENDPOINT",
    "REGION_ID", "TIMEOUT"}."""

    def __init__(self, config: dict | None = None):
        config = {**getattr(settings, "NOTIFY_ALIYUN_SMS", {}), **(config or {})}
        self.access_key_id = config.get("ACCESS_KEY_ID", "")
        self.access_key_secret = config.get("ACCESS_KEY_SECRET", "")
        self.sign_name = config.get("SIGN_NAME", "")
        self.endpoint = config.get("ENDPOINT") or ENDPOINT
        self.region_id = config.get("REGION_ID") or "cn-hangzhou"
        self.timeout = float(config.get("TIMEOUT") or 10)

    def request_params(self, message: OutboundMessage, *, at: dt.datetime, nonce: str) -> dict[str, str]:
        params = {
            # Common parameters.
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": self.region_id,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce,
            "SignatureVersion": "1.0",
            "Timestamp": _timestamp(at),
            "Version": API_VERSION,
            # SendSms.
            "PhoneNumbers": phone_for_aliyun(message.recipient),
            "SignName": self.sign_name,
            "TemplateCode": message.provider_template_id,
        }
        if message.params:
            params["TemplateParam"] = json.dumps(message.params, ensure_ascii=False, separators=(",", ":"))
        if message.reference:
            params["OutId"] = message.reference
        params["Signature"] = signature(
            method=HTTP_METHOD, params=params, access_key_secret=self.access_key_secret
        )
        return params

    def send(self, message: OutboundMessage) -> SendResult:
        if not (self.access_key_id and self.access_key_secret and self.sign_name):
            return SendResult.failed("NOTIFY_ALIYUN_SMS needs ACCESS_KEY_ID, ACCESS_KEY_SECRET and SIGN_NAME")
        if not message.provider_template_id:
            # Configuration, not the message: an administrator can fill it in before the next attempt.
            return SendResult.failed(
                f"template {message.template_code!r} has no Aliyun TemplateCode (provider template id)"
            )
        params = self.request_params(message, at=now(), nonce=uuid.uuid4().hex)
        body = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in params.items()).encode()
        request = urllib.request.Request(
            self.endpoint,
            data=body,
            method=HTTP_METHOD,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:  # 4xx/5xx still carry the provider's JSON
            status, raw = error.code, error.read()
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            return SendResult.failed(f"Aliyun SMS unreachable: {error}")
        return self._result(status, raw, message)

    def _result(self, status: int, raw: bytes, message: OutboundMessage) -> SendResult:
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return SendResult.failed(f"Aliyun SMS HTTP {status}: {raw[:200]!r}")
        if not isinstance(answer, dict):
            return SendResult.failed(f"Aliyun SMS HTTP {status}: {answer!r}"[:300])
        code = str(answer.get("Code", ""))
        if status == 200 and code == "OK":
            logger.info(
                "Aliyun SMS to %s accepted: BizId %s", mask_phone(message.recipient), answer.get("BizId")
            )
            return SendResult.sent(str(answer.get("BizId", "")))
        error = f"Aliyun SMS HTTP {status} {code}: {answer.get('Message', '')} (RequestId {answer.get('RequestId', '')})"
        return SendResult.failed(error, retryable=code not in PERMANENT_CODES)
