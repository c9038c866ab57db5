"""Personal data out of free text, for an expired case: the customer's own details wherever they appear,
anything that looks like a mobile number, an ID card number, an e-mail address or a bank card, a number
after its label (运单号, 工号 …) and a home address. The steps are `scripts.personal.personal_data_replaced`'s
(shared with the training library's de-personalisation); the replacement is this module's: masks
(138****8000, 王**), an address as 【地址】 — a surname before a title (王女士) stays. Pure.

Every mask only takes information out, as the timeline's database function requires of a redaction
(`complaints.redaction.redaction_removes_only`, migration complaints 0016): it is never longer than what
it replaces (a short e-mail, a two-digit room, becomes stars of its own length instead), and what is left of
it without its marks (runs of '*', 【地址】) are characters of the value, in their order. The address mark
is stored in Chinese, whatever language the job runs in, like the other texts the system writes into
records."""

from collections.abc import Iterable

from complaintdesk.common.masking import mask_email, mask_name, mask_phone, mask_text
from complaintdesk.complaints.redaction import ADDRESS_MARK
from complaintdesk.scripts.checking import DETECTORS
from complaintdesk.scripts.personal import personal_data_replaced


def text_redacted(text: str, *, known: Iterable[tuple[str, str]] = ()) -> str:
    """`text` with the known values ((kind, value): name, phone, email, account_no, wechat_openid) and
    every detected phone, ID number, e-mail, bank card, labelled number and address masked. Masking what
    is already masked changes nothing, so a second pass returns the same text."""
    return personal_data_replaced(text, replacement=_mask, known=known)


def _mask(kind: str, value: str) -> str:
    masked = _masked(kind, value)
    return masked if len(masked) <= len(value) else "*" * len(value)


def _masked(kind: str, value: str) -> str:
    if kind == "name":
        return mask_name(value)
    if kind == "phone":
        detector = DETECTORS["phone"]
        return detector.mask(value) if detector.pattern.fullmatch(value) else mask_phone(value)
    if kind == "email":
        return mask_email(value)
    if kind in DETECTORS:  # id_card, bank_card, landline
        return DETECTORS[kind].mask(value)
    if kind == "address":
        return ADDRESS_MARK
    if kind == "reference":
        return mask_text(value, 1) if len(value) <= 6 else value[:2] + "*" * (len(value) - 4) + value[-2:]
    if kind == "surname":
        return value
    return mask_text(value, 2 if kind == "account_no" else 1)
