"""Proactive SMS within NOTIFY_SMS_MAX_SEGMENTS (issue 19): a notice or care message, the opt-out sentence with
its link and the 【signature】 must fit the segments an SMS may take. Checked where the text is written (the
campaign's message in the admin, an incident's explanation when it is declared to be told) and again when a
message is queued: then the explanation (or the care text) is cut, ending "…", and the opt-out link is kept
whole — a customer must always be able to stop these messages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from complaintdesk.notifications.content import sms_max_segments, sms_signature
from complaintdesk.notifications.sms.text import is_domestic, sms_segments, sms_sign

from .optout import stop_line

# The stop link of a customer id this long is at least as long as any real one for years to come (the token
# signs the id): the save-time check counts with it.
SAMPLE_CUSTOMER_ID = 99_999_999_999
ELLIPSIS = "…"


def segments_of(text: str, *, recipient: str = "") -> int:
    """The segments `text` is billed as once signed, to `recipient` (unknown: the stricter mainland rule)."""
    return sms_segments(sms_sign(text, brand=sms_signature()), domestic=is_domestic(recipient))


def joined(body: str, stop: str) -> str:
    return f"{body.rstrip()} {stop}" if stop else body.rstrip()


def _longest(fits: Callable[[int], bool], upper: int) -> int:
    """The largest n in 0..upper with fits(n) (fits is monotone: shorter always fits when longer does)."""
    low, high = 0, upper
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def sms_fit(
    *,
    body: str,
    stop: str,
    recipient: str = "",
    shorten: Callable[[int], str] | None = None,
    shorten_max: int = 0,
) -> tuple[str, bool]:
    """`body` and the opt-out sentence `stop` as one SMS within the limit: (text, cut). When too long, the
    body is shortened — by `shorten(n)` (the body with its explanation cut to n characters and "…"), else by
    cutting its end — never the stop sentence."""
    limit = sms_max_segments()
    text = joined(body, stop)
    if segments_of(text, recipient=recipient) <= limit:
        return text, False
    if shorten is None:
        bare = body.rstrip()

        def shorten(n: int) -> str:
            return bare[:n].rstrip() + ELLIPSIS

        shorten_max = len(bare)
    n = _longest(lambda n: segments_of(joined(shorten(n), stop), recipient=recipient) <= limit, shorten_max)
    return joined(shorten(n), stop), True


@dataclass(frozen=True)
class TooLong:
    length: int  # characters of the whole SMS (signature and opt-out sentence included)
    segments: int
    limit: int
    room: int  # the most characters the text itself may have


def sms_too_long(
    *, text: str, purpose: str, language: str, frame: Callable[[str], str] = str
) -> TooLong | None:
    """Where the text is written: None when `frame(text)` (the message built around it) with an opt-out
    sentence as long as a real one and the signature fits NOTIFY_SMS_MAX_SEGMENTS, else by how much not."""
    stop = stop_line(customer_id=SAMPLE_CUSTOMER_ID, purpose=purpose, language=language)
    limit = sms_max_segments()
    whole = joined(frame(text), stop)
    segments = segments_of(whole)
    if segments <= limit:
        return None
    room = _longest(lambda n: segments_of(joined(frame(text[:n]), stop)) <= limit, len(text))
    return TooLong(
        length=len(sms_sign(whole, brand=sms_signature())), segments=segments, limit=limit, room=room
    )


def too_long_text(problem: TooLong) -> str:
    """The refusal, in the user's language, with what to do about it."""
    return _(
        "作为短信太长：加上退订链接和签名共 %(length)d 字，计 %(segments)d 条，最多 %(limit)d 条；"
        "请把这段文字缩短到 %(room)d 字以内"
    ) % {"length": problem.length, "segments": problem.segments, "limit": problem.limit, "room": problem.room}
