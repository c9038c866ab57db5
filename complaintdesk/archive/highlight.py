"""Snippets with the matched words marked. Pure; the text is escaped before anything is marked."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SNIPPET_CHARS = 120


def below_title(text: str, title: str) -> str:
    """The indexed text without the title it begins with: a hit shows its title above its snippet, and
    the snippet should not say it again (the whole text when nothing follows the title)."""
    if title and text.startswith(title) and text[len(title) :].strip():
        return text[len(title) :].lstrip()
    return text


def snippet(text: str, words: list[str], *, width: int = SNIPPET_CHARS) -> SafeString:
    """A window of `text` around the first matched word, HTML-escaped, each word in <mark>."""
    text = " ".join((text or "").split())
    present = sorted({w for w in words if w and w in text}, key=len, reverse=True)
    if not present:
        return mark_safe(escape(text[:width]) + ("…" if len(text) > width else ""))
    first = min(text.find(w) for w in present)
    start = max(0, first - width // 4)
    end = min(len(text), start + width)
    window = text[start:end]
    pattern = re.compile("|".join(re.escape(w) for w in present))
    parts, last = [], 0
    for match in pattern.finditer(window):
        parts.append(escape(window[last : match.start()]))
        parts.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    parts.append(escape(window[last:]))
    return mark_safe(("…" if start else "") + "".join(parts) + ("…" if end < len(text) else ""))
