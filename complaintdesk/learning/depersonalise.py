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

from complaintdesk.scripts.personal import personal_data_replaced


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
        "surname": "某",
    }[kind]


def _replacement(kind: str, _value: str) -> str:
    return _placeholder(kind)


def text_depersonalised(text: str, *, known: Iterable[tuple[str, str]] = ()) -> str:
    """`text` with no personal data: `known` are (kind, value) pairs of the case's people (kinds: name,
    phone, email, account_no, wechat_openid, address, reference). Applying it twice changes nothing more.
    The steps are `scripts.personal.personal_data_replaced`'s (shared with the privacy anonymiser); only
    the replacement is this library's."""
    return personal_data_replaced(text, replacement=_replacement, known=known)
