"""The WeChat official-account callback protocol: signatures, the encrypted envelope, and reading the XML.

Every request WeChat makes to the callback carries `signature` = sha1 of the sorted, concatenated
[Token, timestamp, nonce]. In plain mode that is all: the body is not signed, so a captured signature
could be replayed with another body within MAX_CLOCK_SKEW; safe mode closes that. In safe and compatible
mode (an EncodingAESKey is set) a POST also carries `encrypt_type=aes` and `msg_signature` = sha1 of the
sorted [Token, timestamp, nonce, Encrypt], and the message is AES-encrypted in <Encrypt>; the reply is
encrypted the same way. The GET handshake (`echostr`) is plain in every mode for official accounts.

XML comes from outside: it is read defensively (size, no DTD, comments or entities, strict UTF-8, one
<xml> root of plain text elements) before wechatpy builds its message object from it.
"""

import re
from dataclasses import dataclass

import xmltodict
from django.conf import settings
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.messages import BaseMessage
from wechatpy.parser import parse_message
from wechatpy.utils import check_signature

from complaintdesk.common.time import now

# WeChat's messages are a few hundred bytes; an encrypted one is about 4/3 of that plus the envelope.
BODY_MAX_BYTES = 64 * 1024
# A DTD (<!DOCTYPE, <!ENTITY …) or a comment: WeChat never sends one, and a DTD is how XML bombs and
# external entities get in. CDATA sections are the only <! allowed.
_MARKUP_DECLARATION = re.compile(rb"<!(?!\[CDATA\[)")
# OpenIDs and the account's original id (gh_…) are short ASCII tokens.
_ACCOUNT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DIGITS = re.compile(r"^[0-9]{1,20}$")


class BadSignature(Exception):
    """The request is not from WeChat (wrong signature, or a timestamp outside the allowed skew)."""


class BadMessage(Exception):
    """The body cannot be read as a WeChat message. `reason` is for the log and the 400 body."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CallbackConfig:
    token: str
    encoding_aes_key: str
    app_id: str
    max_clock_skew: int
    append_window_days: int

    @property
    def encrypted(self) -> bool:
        return bool(self.encoding_aes_key)

    def crypto(self) -> WeChatCrypto:
        return WeChatCrypto(self.token, self.encoding_aes_key, self.app_id)


def callback_config() -> CallbackConfig:
    raw = getattr(settings, "WECHAT_CALLBACK", {}) or {}
    return CallbackConfig(
        token=raw.get("TOKEN", ""),
        encoding_aes_key=raw.get("ENCODING_AES_KEY", ""),
        app_id=raw.get("APP_ID", ""),
        max_clock_skew=int(raw.get("MAX_CLOCK_SKEW", 300) or 0),
        append_window_days=int(raw.get("APPEND_WINDOW_DAYS", 30) or 0),
    )


def signature_verify(*, config: CallbackConfig, signature: str, timestamp: str, nonce: str) -> None:
    """Raise BadSignature unless `signature` is WeChat's over [Token, timestamp, nonce] and the
    timestamp is within the allowed clock skew."""
    if not (signature and timestamp and nonce) or not _DIGITS.match(timestamp):
        raise BadSignature("missing or malformed signature parameters")
    try:
        check_signature(config.token, signature, timestamp, nonce)
    except InvalidSignatureException:
        raise BadSignature("signature mismatch") from None
    if config.max_clock_skew and abs(now().timestamp() - int(timestamp)) > config.max_clock_skew:
        raise BadSignature("timestamp outside the allowed clock skew")


def _xml_read(body: bytes) -> dict:
    """Body → the dict under <xml>, refusing anything WeChat would not send."""
    if len(body) > BODY_MAX_BYTES:
        raise BadMessage("body too large")
    if _MARKUP_DECLARATION.search(body):
        raise BadMessage("DTD, entity or comment in XML")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadMessage("body is not UTF-8") from None
    try:
        document = xmltodict.parse(text, disable_entities=True)
    except Exception:  # expat errors, entity refusal: any way the text is not well-formed XML
        raise BadMessage("malformed XML") from None
    root = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(root, dict):
        raise BadMessage("no <xml> root")
    return root


def _message_check(fields: dict) -> None:
    """The fields intake reads must be plain text of the right shape (an element with children or
    attributes, or a repeated one, comes out of xmltodict as a dict or a list)."""
    for name in ("ToUserName", "FromUserName", "CreateTime", "MsgType"):
        if not isinstance(fields.get(name), str):
            raise BadMessage(f"{name} missing or not text")
    if not _ACCOUNT_ID.match(fields["FromUserName"]) or not _ACCOUNT_ID.match(fields["ToUserName"]):
        raise BadMessage("malformed FromUserName or ToUserName")
    if not _DIGITS.match(fields["CreateTime"]):
        raise BadMessage("malformed CreateTime")
    if "MsgId" in fields and not (isinstance(fields["MsgId"], str) and _DIGITS.match(fields["MsgId"])):
        raise BadMessage("malformed MsgId")
    for name in (
        "Event",
        "EventKey",
        "Content",
        "Recognition",
        "MediaId",
        "PicUrl",
        "Format",
        "Label",
        "Location_X",
        "Location_Y",
        "Scale",
        "Title",
        "Description",
        "Url",
        "ThumbMediaId",
    ):
        if fields.get(name) is not None and not isinstance(fields[name], str):
            raise BadMessage(f"{name} not text")


def _message_build(body: bytes) -> BaseMessage:
    fields = _xml_read(body)
    _message_check(fields)
    # Checked above: wechatpy parses the same, now known-harmless, text again into its message class.
    return parse_message(body.decode("utf-8"))


def message_read(*, config: CallbackConfig, body: bytes, params) -> BaseMessage:
    """A POSTed body → wechatpy's message, decrypting it in safe/compatible mode.

    `params` is the query string (signature already verified). Raises BadSignature when the encrypted
    message's msg_signature is wrong, BadMessage when the body cannot be read."""
    encrypted = params.get("encrypt_type", "raw") == "aes"
    if config.encrypted and not encrypted:
        # With a key set only encrypted messages are taken: a plain message's body is not signed.
        raise BadSignature("plain message although an EncodingAESKey is set")
    if encrypted and not config.encrypted:
        raise BadMessage("encrypted message but no EncodingAESKey is configured")
    if not encrypted:
        return _message_build(body)
    envelope = _xml_read(body)
    encrypt = envelope.get("Encrypt")
    if not isinstance(encrypt, str) or not encrypt:
        raise BadMessage("no <Encrypt> in an encrypted message")
    try:
        inner = config.crypto().decrypt_message(
            {"Encrypt": encrypt},
            params.get("msg_signature", ""),
            params.get("timestamp", ""),
            params.get("nonce", ""),
        )
    except InvalidSignatureException:
        raise BadSignature("msg_signature mismatch") from None
    except InvalidAppIdException:
        raise BadMessage("encrypted for another AppID") from None
    except Exception:  # bad base64, padding or length inside a correctly signed envelope
        raise BadMessage("cannot decrypt <Encrypt>") from None
    return _message_build(inner.encode("utf-8"))


def reply_encrypt(*, config: CallbackConfig, xml: str, nonce: str, timestamp: str) -> str:
    """The passive reply in the encrypted envelope WeChat expects (signed over the request's nonce and
    timestamp)."""
    return config.crypto().encrypt_message(xml, nonce, timestamp)
