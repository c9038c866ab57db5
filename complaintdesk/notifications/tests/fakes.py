"""Local stand-ins for the providers, on 127.0.0.1 at a random port, answering as the real ones do.

FakeAliyunSms checks a SendSms request the way Alibaba Cloud documents it — common parameters, the
15-minute timestamp window, single-use nonces, the access key, and the HMAC-SHA1 signature, recomputed
here independently of the client's code with the documentation's recipe (URL-encode, then + → %20,
* → %2A, %7E → ~) — and answers with Aliyun's JSON. FakeWechat serves the access-token endpoint and
template-message sending of the official-account API.
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.utils import timezone

from complaintdesk.notifications.base import NotificationChannel, Notifier, SendResult


class FakeServer:
    def __init__(self):
        handler = type("Handler", (_Handler,), {"fake": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.requests: list[dict] = []  # what arrived, parsed
        self.fail_next: list[tuple[int, bytes]] = []  # canned answers to give before the real ones
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def handle(self, method: str, path: str, query: dict, headers, body: bytes) -> tuple[int, dict | bytes]:
        raise NotImplementedError


class _Handler(BaseHTTPRequestHandler):
    fake: FakeServer

    def _serve(self):
        parsed = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
        with self.fake.lock:
            canned = self.fake.fail_next.pop(0) if self.fake.fail_next else None
        if canned is not None:
            status, payload = canned
        else:
            status, payload = self.fake.handle(self.command, parsed.path, query, self.headers, body)
        data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _serve

    def log_message(self, *args):  # keep test output quiet
        pass


# --- Alibaba Cloud SMS ----------------------------------------------------------------------------


def aliyun_encode(value: str) -> str:
    """The documentation's recipe: application/x-www-form-urlencoded, then + → %20, * → %2A, %7E → ~."""
    return urllib.parse.quote_plus(value, safe="").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def aliyun_expected_signature(method: str, params: dict, secret: str) -> tuple[str, str]:
    canonical = "&".join(
        aliyun_encode(k) + "=" + aliyun_encode(v) for k, v in sorted(params.items()) if k != "Signature"
    )
    to_sign = method + "&" + aliyun_encode("/") + "&" + aliyun_encode(canonical)
    digest = hmac.new((secret + "&").encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode(), to_sign


COMMON = ("AccessKeyId", "Action", "Format", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp",
          "Version", "Signature")  # fmt: skip


class FakeAliyunSms(FakeServer):
    def __init__(self, *, keys: dict[str, str], sign_names=("ComplaintDesk",), templates=("SMS_4711",)):
        super().__init__()
        self.keys = keys
        self.sign_names = set(sign_names)
        self.templates = set(templates)
        self.nonces: set[str] = set()
        self.accepted: list[dict] = []

    def _error(self, status: int, code: str, message: str) -> tuple[int, dict]:
        return status, {"RequestId": str(uuid.uuid4()).upper(), "HostId": "dysmsapi.aliyuncs.com", "Code": code,
                        "Message": message, "Recommend": "https://api.aliyun.com/troubleshoot"}  # fmt: skip

    def handle(self, method, path, query, headers, body):
        if method != "POST" or not headers.get("Content-Type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return self._error(400, "UnsupportedHTTPMethod", "expected a form POST")
        try:
            params = dict(
                urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
            )
        except (UnicodeDecodeError, ValueError):
            return self._error(400, "InvalidParameter", "body is not a form")
        with self.lock:
            self.requests.append(params)
        missing = [name for name in COMMON if not params.get(name)]
        if missing:
            return self._error(400, f"Missing{missing[0]}", f"{missing[0]} is mandatory for this action.")
        if params["Action"] != "SendSms" or params["Version"] != "2017-05-25":
            return self._error(
                404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."
            )
        if (
            params["SignatureMethod"] != "HMAC-SHA1"
            or params["SignatureVersion"] != "1.0"
            or params["Format"] != "JSON"
        ):
            return self._error(400, "InvalidParameter", "SignatureMethod / SignatureVersion / Format")
        try:
            stamp = dt.datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        except ValueError:
            return self._error(
                400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."
            )
        if abs(timezone.now() - stamp) > dt.timedelta(minutes=15):
            return self._error(
                400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."
            )
        secret = self.keys.get(params["AccessKeyId"])
        if secret is None:
            return self._error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        expected, to_sign = aliyun_expected_signature(method, params, secret)
        if not hmac.compare_digest(expected, params["Signature"]):
            return self._error(
                400, "SignatureDoesNotMatch",
                f"Specified signature is not matched with our calculation. server string to sign is:{to_sign}",
            )  # fmt: skip
        with self.lock:
            if params["SignatureNonce"] in self.nonces:
                return self._error(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
            self.nonces.add(params["SignatureNonce"])
        # SendSms's own checks, answered with HTTP 200 and a business error code, as the service does.
        for name in ("PhoneNumbers", "SignName", "TemplateCode"):
            if not params.get(name):
                return self._error(400, f"Missing{name}", f"{name} is mandatory for this action.")
        phone = params["PhoneNumbers"]
        if not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
            return 200, {
                "RequestId": str(uuid.uuid4()),
                "Code": "isv.MOBILE_NUMBER_ILLEGAL",
                "Message": "非法手机号",
            }
        if params["SignName"] not in self.sign_names:
            return 200, {
                "RequestId": str(uuid.uuid4()),
                "Code": "isv.SMS_SIGNATURE_ILLEGAL",
                "Message": "签名不合法",
            }
        if params["TemplateCode"] not in self.templates:
            return 200, {
                "RequestId": str(uuid.uuid4()),
                "Code": "isv.SMS_TEMPLATE_ILLEGAL",
                "Message": "模板不合法",
            }
        try:
            template_param = json.loads(params.get("TemplateParam") or "{}")
        except ValueError:
            return 200, {
                "RequestId": str(uuid.uuid4()),
                "Code": "isv.INVALID_JSON_PARAM",
                "Message": "JSON参数不合法",
            }
        biz_id = f"{len(self.accepted) + 900619746936498440}^0"
        with self.lock:
            self.accepted.append({**params, "TemplateParam": template_param, "BizId": biz_id})
        return 200, {"Message": "OK", "RequestId": str(uuid.uuid4()).upper(), "BizId": biz_id, "Code": "OK"}


# --- WeChat official account ----------------------------------------------------------------------


class FakeWechat(FakeServer):
    def __init__(self, *, appid: str, secret: str, followers=(), templates=("TPL-ACK",)):
        super().__init__()
        self.appid, self.secret = appid, secret
        self.followers = set(followers)
        self.templates = set(templates)
        self.tokens: list[str] = []  # issued; only the last is valid
        self.sent: list[dict] = []

    @property
    def api_base_url(self) -> str:
        return self.base_url + "/cgi-bin/"

    def handle(self, method, path, query, headers, body):
        with self.lock:
            self.requests.append({"method": method, "path": path, "query": query})
        if path == "/cgi-bin/token" and method == "GET":
            if query.get("grant_type") != "client_credential":
                return 200, {"errcode": 40002, "errmsg": "invalid grant_type"}
            if query.get("appid") != self.appid:
                return 200, {"errcode": 40013, "errmsg": "invalid appid"}
            if query.get("secret") != self.secret:
                return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
            token = uuid.uuid4().hex
            with self.lock:
                self.tokens.append(token)
            return 200, {"access_token": token, "expires_in": 7200}
        if path == "/cgi-bin/message/template/send" and method == "POST":
            if not self.tokens or query.get("access_token") != self.tokens[-1]:
                return 200, {
                    "errcode": 40001,
                    "errmsg": "invalid credential, access_token is invalid or not latest",
                }
            try:
                payload = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return 200, {"errcode": 47001, "errmsg": "data format error"}
            if payload.get("template_id") not in self.templates:
                return 200, {"errcode": 40037, "errmsg": "invalid template_id"}
            if payload.get("touser") not in self.followers:
                return 200, {"errcode": 43004, "errmsg": "require subscribe"}
            data = payload.get("data")
            if not isinstance(data, dict) or not all(
                isinstance(v, dict) and "value" in v for v in data.values()
            ):
                return 200, {"errcode": 47003, "errmsg": "argument invalid! data.value invalid"}
            msgid = 200228332 + len(self.sent)
            with self.lock:
                self.sent.append({**payload, "msgid": msgid})
            return 200, {"errcode": 0, "errmsg": "ok", "msgid": msgid}
        return 404, b"not found"


# --- a notifier that only counts, for the delivery mechanics ------------------------------------


class CountingNotifier(Notifier):
    """Records each send; `during_send` (set by a test) runs inside the send, e.g. a second worker."""

    channel = NotificationChannel.SMS
    sent: list = []
    results: list[SendResult] = []
    during_send = None

    def send(self, message):
        type(self).sent.append(message)
        if type(self).during_send is not None:
            type(self).during_send(message)
        return (
            type(self).results.pop(0)
            if type(self).results
            else SendResult.sent(f"count-{len(type(self).sent)}")
        )

    @classmethod
    def reset(cls):
        cls.sent, cls.results, cls.during_send = [], [], None
