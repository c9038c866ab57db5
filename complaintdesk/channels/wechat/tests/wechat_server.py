"""What WeChat's server does when it calls an official account's server URL, per the public protocol.

- URL check: GET ?signature&timestamp&nonce&echostr, signature = sha1(''.join(sorted([Token, timestamp,
  nonce]))); the server must answer echostr.
- Plain mode: POST ?signature&timestamp&nonce&openid with the message XML as the body.
- Safe mode: POST ?signature&timestamp&nonce&openid&encrypt_type=aes&msg_signature with the body
  <xml><ToUserName/><Encrypt/></xml>; Encrypt = base64(AES-256-CBC(key, iv=key[:16], PKCS#7 to 32 bytes,
  random(16) + len(xml) as 4 bytes big-endian + xml + AppID)), key = base64decode(EncodingAESKey + "="),
  msg_signature = sha1(''.join(sorted([Token, timestamp, nonce, Encrypt]))). Compatible mode sends the
  plain fields beside <Encrypt>. The encryption itself is wechatpy's PrpCrypto, as the brief asks; the
  signatures are computed here from the description above, independently of the code under test.
"""

import base64
import hashlib
import secrets
import time
from xml.sax.saxutils import escape

from wechatpy.crypto import PrpCrypto, WeChatCrypto

TOKEN = "complaintdesk-token"
APP_ID = "wx5e2f9a1c3b7d8e60"
ACCOUNT = "gh_3c884a361561"
ENCODING_AES_KEY = base64.b64encode(bytes(range(1, 33))).decode().rstrip("=")  # 43 characters
CALLBACK = "/channels/wechat/callback"


def sha1_sorted(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def message_xml(
    *, openid: str, msg_type: str, fields: dict, msg_id: str | None = None, create_time: int = 1_763_900_000
) -> str:
    parts = [
        f"<ToUserName>{cdata(ACCOUNT)}</ToUserName>",
        f"<FromUserName>{cdata(openid)}</FromUserName>",
        f"<CreateTime>{create_time}</CreateTime>",
        f"<MsgType>{cdata(msg_type)}</MsgType>",
    ]
    for name, value in fields.items():
        parts.append(
            f"<{name}>{value if name.startswith('Location_') or name == 'Scale' else cdata(value)}</{name}>"
        )
    if msg_id is not None:
        parts.append(f"<MsgId>{escape(msg_id)}</MsgId>")
    return "<xml>" + "".join(parts) + "</xml>"


def text_xml(*, openid: str, content: str, msg_id: str, create_time: int = 1_763_900_000) -> str:
    return message_xml(
        openid=openid, msg_type="text", fields={"Content": content}, msg_id=msg_id, create_time=create_time
    )


def event_xml(*, openid: str, event: str, key: str = "") -> str:
    fields = {"Event": event}
    if key:
        fields["EventKey"] = key
    return message_xml(openid=openid, msg_type="event", fields=fields)


class WeChatServer:
    """Sends requests to the callback the way WeChat's server would, through a Django test client."""

    def __init__(self, client, *, token: str = TOKEN, encrypted: bool = False, compatible: bool = False):
        self.client, self.token, self.encrypted, self.compatible = client, token, encrypted, compatible

    def _params(self, *, timestamp: str | None = None, nonce: str | None = None) -> dict:
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or str(secrets.randbelow(10**10))
        return {
            "timestamp": timestamp,
            "nonce": nonce,
            "signature": sha1_sorted(self.token, timestamp, nonce),
        }

    def handshake(self, *, echostr: str = "5837397520152417913", **overrides):
        params = {**self._params(), "echostr": echostr, **overrides}
        return self.client.get(CALLBACK, params)

    @staticmethod
    def _query(params: dict) -> str:
        from urllib.parse import urlencode

        return CALLBACK + "?" + urlencode(params)

    def post(
        self,
        xml: str | bytes,
        *,
        openid: str = "",
        timestamp: str | None = None,
        nonce: str | None = None,
        overrides: dict | None = None,
        **more,
    ):
        """POST `xml` as WeChat would; `overrides` / keyword arguments replace query parameters after
        signing (to forge or drop one)."""
        params = self._params(timestamp=timestamp, nonce=nonce)
        if openid:
            params["openid"] = openid
        body = xml.encode() if isinstance(xml, str) else xml
        if self.encrypted:
            encrypt = (
                PrpCrypto(base64.b64decode(ENCODING_AES_KEY + "=")).encrypt(body.decode(), APP_ID).decode()
            )
            params["encrypt_type"] = "aes"
            params["msg_signature"] = sha1_sorted(self.token, params["timestamp"], params["nonce"], encrypt)
            plain = (
                body.decode().removeprefix("<xml>").removesuffix("</xml>")
                if self.compatible
                else (f"<ToUserName>{cdata(ACCOUNT)}</ToUserName>")
            )
            body = f"<xml>{plain}<Encrypt>{cdata(encrypt)}</Encrypt></xml>".encode()
        params.update(overrides or {}, **more)
        response = self.client.generic("POST", self._query(params), body, content_type="text/xml")
        response.request_params = params
        return response

    def reply_xml(self, response) -> str:
        """The passive reply as WeChat reads it: decrypted (checking the reply's signature) in safe mode."""
        body = response.content.decode()
        if not self.encrypted:
            return body
        import xmltodict

        envelope = xmltodict.parse(body)["xml"]
        assert envelope["MsgSignature"] == sha1_sorted(
            self.token, envelope["TimeStamp"], envelope["Nonce"], envelope["Encrypt"]
        )
        return WeChatCrypto(self.token, ENCODING_AES_KEY, APP_ID).decrypt_message(
            body, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]
        )


def reply_fields(xml: str) -> dict:
    import xmltodict

    return xmltodict.parse(xml)["xml"]
