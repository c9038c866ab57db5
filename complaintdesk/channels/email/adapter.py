"""A mail (raw RFC 822 bytes, as IMAP hands it over) → an InboundMessage for intake.

    From            → the customer (display name, else the address's local part; the address)
    Subject         → the title, without Re:/回复:/Fwd: and without the case tag
    the case tag    → InboundMessage.case_number: "[TS20261123000001]" anywhere in the subject (the
                      form our own mails carry, see notifications.email), or the bare number
    text/plain      → the description; without text/plain, text/html made text (mime.html_to_text);
                      a reply loses the quoted earlier mail, every mail its signature
    other parts     → IncomingFile (intake checks them by content)
    Message-ID      → InboundMessage.external_id (a mail without one: the SHA-256 of its bytes), so a
                      mail polled twice is taken in once

Parsing never writes and never raises for what the mail contains: unknown charsets are read with a
fallback and said so in `ReadMail.notes`. Deciding what to do with the mail is `services.email_receive`'s.
"""

import datetime as dt
import email
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.utils import parseaddr, parsedate_to_datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from complaintdesk.channels.acknowledge import acknowledgement_build
from complaintdesk.channels.base import ChannelAdapter, InboundMessage, IncomingFile, Reply
from complaintdesk.channels.kinds import kind_detect
from complaintdesk.common.errors import InvalidInput
from complaintdesk.complaints.models import Channel, ContactChannel
from complaintdesk.complaints.services import DESCRIPTION_MAX, TITLE_MAX, IntakeCustomer, IntakeData

from . import detect, mime

NAME_MAX = 100
EXTERNAL_ID_MAX = 255
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def case_number_pattern() -> re.Pattern:
    prefix = re.escape(getattr(settings, "CASE_NUMBER_PREFIX", "TS"))
    return re.compile(rf"(?<![A-Za-z0-9]){prefix}\d{{14}}(?!\d)")


def case_number_in(subject: str) -> str:
    """The case number a subject names: the bracketed tag our mails carry first, else a bare number."""
    pattern = case_number_pattern()
    bracketed = re.search(r"[\[【]\s*(" + pattern.pattern + r")\s*[\]】]", subject)
    if bracketed:
        return bracketed.group(1)
    bare = pattern.search(subject)
    return bare.group(0) if bare else ""


def case_tag(number: str) -> str:
    """How our outgoing mails name the case in the subject, so that a reply finds it again."""
    return f"[{number}]"


def language_guess(*, content_language: str, text: str) -> str:
    declared = content_language.strip().lower()
    if declared.startswith("zh"):
        return "zh-hans"
    if declared.startswith("en"):
        return "en"
    if _CJK.search(text):
        return "zh-hans"
    return "en" if _LATIN_WORD.search(text) else "zh-hans"


@dataclass
class ReadMail:
    """Everything the service needs from one mail."""

    message: InboundMessage
    message_id: str  # "<…>" as sent, "" when there is none
    sender: str  # the From address, lower case, "" when there is none
    sender_name: str
    subject: str  # decoded, as sent
    references: list[str] = field(default_factory=list)  # In-Reply-To then References, newest first
    reply_subject: bool = False  # the subject is "Re: …" of an earlier mail (ours, usually)
    automatic: str = ""  # why no person wrote it (detect.automatic_reason), "" for a person's mail
    sent_at: dt.datetime | None = None
    notes: list[str] = field(default_factory=list)  # what was read with a fallback or cut, for the record


def _is_attachment(part: Message) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    if disposition == "attachment":
        return True
    if part.get_content_maintype() == "text" and part.get_content_subtype() in {"plain", "html"}:
        return False
    return part.get_content_maintype() != "multipart"


def _leaves(message: Message):
    """The leaf parts in order; an attached mail (message/rfc822) is one leaf, not walked into."""
    if message.is_multipart() and message.get_content_type() != "message/rfc822":
        for part in message.get_payload():
            yield from _leaves(part)
    else:
        yield message


def _attachment(part: Message, index: int) -> IncomingFile:
    name = mime.header_text(part.get_filename() or part.get_param("name") or "")
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        content = inner[0] if isinstance(inner, list) and inner else inner
        data = content.as_bytes() if isinstance(content, Message) else b""
        name = name or f"forwarded-{index}.eml"
    else:
        data = part.get_payload(decode=True) or b""
    return IncomingFile(name=name, content=data, declared_type=part.get_content_type())


def _body(message: Message, notes: list[str]) -> tuple[str, list[IncomingFile]]:
    plain: list[str] = []
    markup: list[str] = []
    files: list[IncomingFile] = []
    for index, part in enumerate(_leaves(message)):
        if _is_attachment(part):
            files.append(_attachment(part, index))
            continue
        text, exact = mime.part_text(part)
        if not exact:
            notes.append(
                f"charset {part.get_content_charset() or part.get_param('charset') or '?'!s} "
                f"not readable as declared; decoded with a fallback"
            )
        (plain if part.get_content_subtype() == "plain" else markup).append(text)
    text = "\n\n".join(t.strip() for t in plain if t.strip())
    if not text and markup:
        text = "\n\n".join(t for t in (mime.html_to_text(m) for m in markup) if t)
        notes.append("HTML-only mail: converted to text")
    return text, files


def _references(message: Message) -> list[str]:
    found: list[str] = []
    for header in ("In-Reply-To", "References"):
        ids = _MESSAGE_ID.findall(mime.header(message, header))
        if header == "References":
            ids.reverse()
        found.extend(i for i in ids if i not in found)
    return found


def _cut(text: str, limit: int, marker: str) -> tuple[str, bool]:
    if len(text) <= limit:
        return text, False
    return text[: limit - len(marker)].rstrip() + marker, True


class EmailChannelAdapter(ChannelAdapter):
    channel = Channel.EMAIL

    def read(self, raw: bytes) -> ReadMail:
        message = email.message_from_bytes(raw, policy=policy.compat32)
        notes: list[str] = []
        sender_name, sender = mime.address(message, "From")
        sender = sender.lower()
        subject = mime.header(message, "Subject")
        message_id_match = _MESSAGE_ID.search(mime.header(message, "Message-ID"))
        message_id = message_id_match.group(0) if message_id_match else ""
        external_id = (
            message_id
            if 0 < len(message_id) <= EXTERNAL_ID_MAX
            else ("sha256:" + hashlib.sha256(raw).hexdigest())
        )
        references = _references(message)
        automatic = detect.automatic_reason(message, own_addresses=_own_addresses())
        sent_at = None
        try:
            sent_at = parsedate_to_datetime(mime.header(message, "Date")) if message.get("Date") else None
        except (TypeError, ValueError, IndexError):
            notes.append("Date header unreadable")
        if sent_at is not None and sent_at.tzinfo is None:
            sent_at = None

        case_number = case_number_in(subject)
        is_reply = bool(case_number or references)
        text, files = ("", []) if automatic else _body(message, notes)
        text = mime.reply_text_trim(text, quotes=is_reply)
        language = language_guess(
            content_language=mime.header(message, "Content-Language"), text=f"{subject}\n{text}"
        )
        with translation.override(language):
            title = mime.subject_clean(subject, case_number=case_number)
            if not title:
                first_line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
                title = first_line[:60] or _("（无主题）")
            title, cut = _cut(title, TITLE_MAX, "…")
            if not text.strip():
                text = _("（邮件没有文字内容，请见附件）") if files else _("（邮件没有文字内容）")
                notes.append("no text part")
            text, cut = _cut(text, DESCRIPTION_MAX, _("…（邮件正文过长，以下省略；原邮件已保存）"))
            if cut:
                notes.append(f"body cut to {DESCRIPTION_MAX} characters")
        name = (sender_name.strip() or sender.split("@", 1)[0])[:NAME_MAX]
        # 咨询 / 建议 / 表扬 from the subject and the first lines, else a complaint (channels.kinds); the
        # reason is said on the timeline in the organisation's language.
        guess = kind_detect(subject=title, text=text)
        with translation.override(settings.LANGUAGE_CODE):
            kind_note = guess.note()
        data = IntakeData(
            channel=self.channel, title=title, description=text, language=language,
            customer=IntakeCustomer(name=name, email=sender, preferred_channel=ContactChannel.EMAIL),
            kind=guess.kind, kind_note=kind_note,
        )  # fmt: skip
        inbound = InboundMessage(data=data, files=files, external_id=external_id, case_number=case_number)
        return ReadMail(
            message=inbound,
            message_id=message_id,
            sender=sender,
            sender_name=sender_name.strip(),
            subject=subject,
            references=references,
            automatic=automatic,
            reply_subject=mime.subject_is_reply(subject),
            sent_at=sent_at,
            notes=notes,
        )

    def parse(self, raw: bytes) -> InboundMessage:
        read = self.read(raw)
        if not read.sender:
            raise InvalidInput({"from": [_("邮件没有发件人地址，无法回复客户")]})
        return read.message

    def send_reply(self, *, complaint, text: str = "") -> Reply:
        # The reply to a mail is a mail: the acknowledgement (and later the result) goes out through the
        # notifications app, threaded to the customer's mail (notifications.email).
        ack = acknowledgement_build(complaint)
        return Reply(
            channel=self.channel,
            text=text or ack.text,
            delivered=False,
            detail={"number": ack.number, "subject_tag": case_tag(ack.number)},
        )


def _own_addresses() -> frozenset[str]:
    """Our own sending addresses: a mail from them is never a customer's (a loop, a test)."""
    found = set()
    for value in (
        getattr(settings, "NOTIFY_EMAIL_FROM", ""),
        getattr(settings, "DEFAULT_FROM_EMAIL", ""),
        getattr(settings, "SERVER_EMAIL", ""),
    ):
        address = parseaddr(value or "")[1].strip().lower()
        if address:
            found.add(address)
    return frozenset(found)
