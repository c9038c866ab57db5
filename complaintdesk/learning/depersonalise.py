"""Personal data out of a training case's text. Masking (138****8000, 王*) is enough for a colleague who
works on the case; a library read across the organisation keeps nothing of the person: each detail is
replaced by what it was (【手机号】, 【地址】, 某女士). Pure: plain text in, plain text out.

What is removed:
- the case's own people, wherever they appear: the customer's and the contact's name, phone (with or
  without +86), e-mail, account number and WeChat id, the staff named on the case (`known`);
- anything that looks like a mobile or landline number, an ID card number, an e-mail address or a bank
  card (the reply checker's detectors, `scripts.checking.DETECTORS`);
- a home address (a place name ending in a door number — 26号楼3单元2001室 — or a residential estate,
  with the province, city and district before it), a surname with a title (王女士 → 某女士), and a
  number after its label (运单号, 订单号, 工号 …): `common.masking`.

A full name that nothing on the case knows, written without a title, cannot be told from other words
and stays; the supervisor reads the text before proposing it, and the handler before agreeing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from complaintdesk.common.masking import ADDRESS, REFERENCE, TITLED_NAME
from complaintdesk.scripts.checking import DETECTORS

# Order matters: an ID card number holds what looks like a phone number, a card number a landline.
_DETECTED = ("id_card", "bank_card", "email", "phone", "landline")


def _placeholder(kind: str) -> str:
    return {
        "name": _("【姓名】"),
        "phone": _("【手机号】"),
        "landline": _("【电话】"),
        "email": _("【邮箱】"),
        "id_card": _("【证件号】"),
        "bank_card": _("【卡号】"),
        "account_no": _("【账号】"),
        "wechat_openid": _("【微信号】"),
        "address": _("【地址】"),
        "reference": _("【编号】"),
    }[kind]


def _variants(kind: str, value: str) -> list[str]:
    """The forms a known value takes in text: a phone also without its country code, spaced or dashed."""
    value = value.strip()
    if kind != "phone":
        return [value]
    digits = value.removeprefix("+86") if value.startswith("+86") else value
    forms = [value, digits]
    if len(digits) == 11:
        forms += [f"{digits[:3]} {digits[3:7]} {digits[7:]}", f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"]
    return forms


def text_depersonalised(text: str, *, known: Iterable[tuple[str, str]] = ()) -> str:
    """`text` with no personal data: `known` are (kind, value) pairs of the case's people (kinds: name,
    phone, email, account_no, wechat_openid, address, reference). Applying it twice changes nothing more."""
    if not text:
        return text
    pairs = [(kind, form) for kind, value in known if value for form in _variants(kind, value)]
    for kind, value in sorted(pairs, key=lambda kv: -len(kv[1])):
        if len(value) >= 2 and not (value.isdigit() and len(value) < 4):  # not every "12" in the text
            text = text.replace(value, _placeholder(kind))
    for code in _DETECTED:
        detector = DETECTORS[code]
        text = detector.pattern.sub(
            lambda m, d=detector, c=code: (
                m.group(0) if d.valid and not d.valid(m.group(0)) else _placeholder(c)
            ),
            text,
        )
    text = REFERENCE.sub(lambda m: m.group("label") + _placeholder("reference"), text)
    address = _placeholder("address")
    text = ADDRESS.sub(address, text)
    while address * 2 in text:  # 体育西路191号 + 中石化大厦: one address
        text = text.replace(address * 2, address)
    return TITLED_NAME.sub("某", text)
