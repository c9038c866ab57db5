"""Personal data out of free text: one function, the steps in one order, the replacement a parameter.

Two callers, each with its own replacement:
- `privacy.redaction.text_redacted` (an expired case's texts, anonymised): masks (138****8000, 王**),
  an address as 【地址】;
- `learning.depersonalise.text_depersonalised` (a training case read across the organisation): each
  detail replaced by what it was (【手机号】, 【地址】, 某女士).

The steps, in this order:
1. the case's own people wherever they appear (`known`: (kind, value) pairs; a phone also without +86,
   spaced or dashed), the longest first; a value shorter than 2 characters, or a number shorter than 4
   digits, is not replaced (not every "12" in the text);
2. anything that looks like an ID card number, a bank card (Luhn-checked), an e-mail address, a mobile or
   a landline number (the reply checker's detectors, `checking.DETECTORS`; an ID number holds what looks
   like a phone number, a card number a landline: this order);
3. a number after its label (运单号, 订单号, 工号 …: `common.masking.REFERENCE`), the label kept;
4. a home address (`common.masking.ADDRESS`), two adjacent ones made one;
5. a surname before a title (王女士: `common.masking.TITLED_NAME`).

`replacement(kind, value)` returns what `value` becomes; kinds: those of `known`, the detectors' codes
(id_card, bank_card, email, phone, landline), "reference", "address", "surname". Returning `value`
keeps it. A replacement whose result no step matches again makes the function idempotent. Pure."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from complaintdesk.common.masking import ADDRESS, REFERENCE, TITLED_NAME

from .checking import DETECTORS

Replacement = Callable[[str, str], str]

# Order matters: an ID card number holds what looks like a phone number, a card number a landline.
DETECTED = ("id_card", "bank_card", "email", "phone", "landline")


def known_forms(kind: str, value: str) -> list[str]:
    """The forms a known value takes in text: a phone also without its country code, spaced or dashed."""
    value = (value or "").strip()
    if kind != "phone":
        return [value]
    digits = value.removeprefix("+86") if value.startswith("+86") else value
    forms = [value, digits]
    if len(digits) == 11:
        forms += [f"{digits[:3]} {digits[3:7]} {digits[7:]}", f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"]
    return list(dict.fromkeys(forms))


def personal_data_replaced(
    text: str, *, replacement: Replacement, known: Iterable[tuple[str, str]] = ()
) -> str:
    """`text` with every piece of personal data the steps above find replaced by `replacement(kind, value)`."""
    if not text:
        return text
    pairs = [(kind, form) for kind, value in known if value for form in known_forms(kind, value)]
    for kind, value in sorted(pairs, key=lambda kv: -len(kv[1])):
        if len(value) >= 2 and not (value.isdigit() and len(value) < 4) and value in text:
            text = text.replace(value, replacement(kind, value))
    for code in DETECTED:
        detector = DETECTORS[code]
        text = detector.pattern.sub(
            lambda m, d=detector, c=code: (
                m.group(0) if d.valid and not d.valid(m.group(0)) else replacement(c, m.group(0))
            ),
            text,
        )
    text = REFERENCE.sub(lambda m: m.group("label") + replacement("reference", m.group("value")), text)
    marks: set[str] = set()

    def address(m) -> str:
        mark = replacement("address", m.group(0))
        marks.add(mark)
        return mark

    text = ADDRESS.sub(address, text)
    for mark in marks:
        # 体育西路191号 + 中石化大厦: one address. A mark of stars only (a short address masked to its own
        # length) is left as it is: merging it would shorten the other masks' runs of stars.
        while mark.strip("*") and mark * 2 in text:
            text = text.replace(mark * 2, mark)
    return TITLED_NAME.sub(lambda m: replacement("surname", m.group(0)), text)
