"""Personal data out of free text: the customer's own details wherever they appear, and anything that
looks like a mobile number, an ID card number, an e-mail address or a bank card. Pure."""

from collections.abc import Iterable

from complaintdesk.common.masking import mask_email, mask_name, mask_phone, mask_text
from complaintdesk.scripts.checking import DETECTORS

_PATTERNS = ("id_card", "bank_card", "email", "phone", "landline")


def text_redacted(text: str, *, known: Iterable[tuple[str, str]] = ()) -> str:
    """`text` with the known values ((kind, value): name, phone, email, account_no, wechat_openid) and
    every detected phone, ID number, e-mail and bank card masked. Masking what is already masked changes
    nothing, so a second pass returns the same text."""
    if not text:
        return text
    for field, value in sorted(known, key=lambda kv: -len(kv[1] or "")):
        value = (value or "").strip()
        if len(value) < 2:
            continue
        text = text.replace(value, _known_mask(field, value))
        if field == "phone" and value.startswith("+86"):
            text = text.replace(value[3:], mask_phone(value))
    for code in _PATTERNS:
        detector = DETECTORS[code]
        text = detector.pattern.sub(lambda m, d=detector: _masked(m.group(0), d), text)
    return text


def _masked(value: str, detector) -> str:
    if detector.valid and not detector.valid(value):
        return value
    return detector.mask(value)


def _known_mask(field: str, value: str) -> str:
    if field == "name":
        return mask_name(value)
    if field == "phone":
        return mask_phone(value)
    if field == "email":
        return mask_email(value)
    return mask_text(value, 2 if field == "account_no" else 1)
