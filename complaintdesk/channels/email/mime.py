"""Reading a mail as mail clients really write it. Pure: bytes and strings in, strings out.

Charsets: GBK / GB2312 mail (Foxmail, QQ Mail, older Outlook) is read as GB18030, their superset; a
charset Python does not know (`x-unknown`) or a body that is not what it claims is decoded by the
first of UTF-8 and GB18030 that fits, else as UTF-8 with U+FFFD for what cannot be read: never an
exception, never a lost mail. HTML-only mail becomes text with the stdlib's HTMLParser (scripts, styles
and comments dropped, tags removed, entities resolved): what is stored is text, never markup.
"""

import codecs
import html
import re
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

# Labels mail clients write that Python either does not know or knows as a smaller table.
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "gb_2312-80": "gb18030",
    "chinese": "gb18030",
    "big5-hkscs": "big5hkscs",
    "x-big5": "big5",
    "unicode-1-1-utf-7": "utf-7",
    "ks_c_5601-1987": "cp949",
    "ascii": "utf-8",  # mislabelled 8-bit mail is common; UTF-8 reads ASCII the same
    "us-ascii": "utf-8",
}
_FALLBACKS = ("utf-8", "gb18030")


def charset_codec(label: str | None) -> str | None:
    """The Python codec for a MIME charset label, or None when there is none."""
    name = (label or "").strip().strip('"').lower()
    if not name:
        return None
    name = _CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, label: str | None) -> tuple[str, bool]:
    """(text, exact): exact is False when the declared charset was unknown or wrong and a fallback read it."""
    codec = charset_codec(label)
    if codec is not None:
        try:
            return data.decode(codec), True
        except (UnicodeDecodeError, LookupError):
            pass
    for fallback in _FALLBACKS:
        try:
            return data.decode(fallback), not label
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace"), False


def header_text(value) -> str:
    """A header as text: RFC 2047 encoded words (=?GBK?B?…?=) decoded by `decode_bytes`, folding undone.
    Raw 8-bit headers (some clients send UTF-8 or GBK unencoded) are read the same way."""
    if value is None:
        return ""
    if not isinstance(value, str):  # email.header.Header from compat32 for undecodable raw bytes
        value = str(value)
    parts = []
    try:
        decoded = decode_header(value)
    except Exception:  # a malformed encoded word: keep the raw text
        decoded = [(value, None)]
    for chunk, label in decoded:
        if isinstance(chunk, bytes):
            chunk = decode_bytes(chunk, label)[0] if label else _surrogates_to_text(chunk)
        parts.append(chunk)
    text = "".join(parts)
    return re.sub(r"\s*[\r\n]+\s*", " ", _surrogates_to_text(text)).strip()


def header(message: Message, name: str) -> str:
    """The first `name` header of a message as text. Read from the raw header so that unencoded 8-bit
    headers (UTF-8 or GBK sent as is) keep their bytes for `header_text` to decode."""
    wanted = name.lower()
    for key, value in message.raw_items():
        if key.lower() == wanted:
            return header_text(value)
    return ""


def address(message: Message, name: str = "From") -> tuple[str, str]:
    """(display name, address) of an address header. Split before the encoded words are decoded, so that
    a name that decodes to a comma or angle brackets cannot change which address is read."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            display, addr = parseaddr(_surrogates_to_text(str(value)).replace("\r", "").replace("\n", ""))
            if not addr:  # several addresses, or a display name only: the first address there is
                addr = next((a for _, a in getaddresses([_surrogates_to_text(str(value))]) if a), "")
            return header_text(display), addr.strip()
    return "", ""


def _surrogates_to_text(value) -> str:
    """compat32 keeps undeclared 8-bit header bytes as surrogate escapes: read them as UTF-8 or GB18030."""
    if isinstance(value, bytes):
        return decode_bytes(value, None)[0]
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        return decode_bytes(value.encode("utf-8", "surrogateescape"), None)[0]
    return value


def part_text(part: Message) -> tuple[str, bool]:
    """The decoded text of a text/* part (transfer encoding undone), and whether its charset was exact."""
    payload = part.get_payload(decode=True)
    if payload is None:
        payload = b""
    if isinstance(payload, str):
        payload = payload.encode("utf-8", "surrogateescape")
    return decode_bytes(payload, part.get_content_charset() or part.get_param("charset"))


# --- HTML → text ------------------------------------------------------------------------------------

_BLOCK_TAGS = {
    "p", "div", "br", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "section", "article", "header", "footer", "ul", "ol", "hr", "dd", "dt",
}  # fmt: skip
_DROPPED_TAGS = {"script", "style", "head", "title", "noscript", "template", "iframe", "object", "svg"}


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _DROPPED_TAGS:
            self.dropping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li" and not self.dropping:
            self.parts.append("- ")

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _DROPPED_TAGS:
            self.dropping = max(self.dropping - 1, 0)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.dropping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Readable text of an HTML body: no tags, no scripts or styles, entities resolved, blank lines folded."""
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
        text = "".join(parser.parts)
    except Exception:  # HTMLParser is lenient; this is for the truly broken
        text = html.unescape(re.sub(r"<[^>]*>", " ", markup))
    text = text.replace("\xa0", " ").replace("\r", "")
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- quoted replies and signatures ------------------------------------------------------------------

# A line where the quoted earlier mail starts, as the common clients write it. Everything from it on goes.
_QUOTE_HEADERS = [
    re.compile(
        r"^-{2,}\s*(Original Message|原始邮件|原始郵件|Forwarded message|转发邮件|轉寄郵件)\s*-{2,}\s*$", re.I
    ),
    re.compile(r"^_{10,}\s*$"),  # Outlook's rule above "From: … Sent: …"
    re.compile(r"^On .{4,200}wrote:\s*$", re.I),
    re.compile(r"^在\s*.{4,100}写道[:：]\s*$"),
    re.compile(r"^(发件人|寄件者|From)\s*[:：].+"),  # Outlook / Foxmail header block, checked with the next
]
_HEADER_BLOCK_NEXT = re.compile(r"^(发送时间|日期|Date|Sent|收件人|To|主题|Subject)\s*[:：]", re.I)
# Signature starts: the standard "-- " line and what phones add.
_SIGNATURE_LINES = [
    re.compile(r"^--\s?$"),
    re.compile(r"^(发自我的|来自我的|Sent from my|Get Outlook for)\s*\S.*$", re.I),
]


def reply_text_trim(text: str, *, quotes: bool = True) -> str:
    """The new part of a message: the signature trimmed off and, for a reply (`quotes`), the quoted
    earlier mail. When trimming would leave nothing (someone wrote only below the quote), the text is
    kept whole."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = len(lines)
    for index, line in enumerate(lines if quotes else []):
        stripped = line.strip()
        if any(p.match(stripped) for p in _QUOTE_HEADERS[:-1]):
            cut = index
            break
        if _QUOTE_HEADERS[-1].match(stripped):
            following = [ln.strip() for ln in lines[index + 1 : index + 4] if ln.strip()]
            if following and _HEADER_BLOCK_NEXT.match(following[0]):
                cut = index
                break
    kept = lines[:cut]
    for index, line in enumerate(kept):
        if any(p.match(line.strip()) for p in _SIGNATURE_LINES):
            kept = kept[:index]
            break
    # "> quoted" lines, and the "On … wrote:" line some clients put just above them.
    if quotes:
        kept = [line for line in kept if not line.lstrip().startswith(">")]
    result = "\n".join(kept).strip()
    result = re.sub(r"\n{3,}", "\n\n", result)
    return result or text.strip()


# --- subjects ---------------------------------------------------------------------------------------

_SUBJECT_PREFIX = re.compile(
    r"^\s*((re|fw|fwd|aw|sv|答复|回复|回覆|转发|轉寄|转寄)\s*(\[\d+\])?\s*[:：]\s*)+", re.I
)


def subject_is_reply(subject: str) -> bool:
    return bool(_SUBJECT_PREFIX.match(subject))


def subject_clean(subject: str, *, case_number: str = "") -> str:
    """The subject without reply/forward prefixes and without the case tag: the complaint's title."""
    text = subject
    if case_number:  # the tag goes; a number the customer wrote in their own words stays
        text = re.sub(r"[\[【]\s*" + re.escape(case_number) + r"\s*[\]】]", " ", text)
    text = _SUBJECT_PREFIX.sub("", text)
    text = _SUBJECT_PREFIX.sub("", text.strip())  # "Re: [TS…] Re: …"
    return re.sub(r"\s{2,}", " ", text).strip(" -:：")
