"""SMS text: the brand signature and how many segments (条) a text is billed as. Pure.

Length = signature (with its 【】) + text. Mainland (domestic) SMS count every character — 汉字, letter,
digit, punctuation, full or half width — as one: up to 70 is one SMS; a longer text goes as a long SMS
billed in segments of 67 (Aliyun SMS, 短信内容长度计算规则; the carriers' rule). International SMS
entirely in the GSM 03.38 alphabet go 7-bit: 160 in one, else 153 per segment, extension characters
counting twice; any other text is UCS-2 with the same 70/67 as at home.
"""

import math

_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION = set("^{}\\[~]|€\f")

SINGLE, SEGMENT = 70, 67
GSM_SINGLE, GSM_SEGMENT = 160, 153
MAINLAND_PREFIX = "+86"


def sms_sign(text: str, *, brand: str) -> str:
    """【brand】text — the signature carriers require at the start of every SMS from a business."""
    text = text.strip()
    brand = brand.strip()
    signature = f"【{brand}】" if brand else ""
    return text if not signature or text.startswith(signature) else signature + text


def is_domestic(recipient: str) -> bool:
    """A mainland number (E.164 +86…), or an unknown one: the stricter rule applies."""
    return not recipient or recipient.startswith(MAINLAND_PREFIX)


def sms_segments(text: str, *, domestic: bool = True) -> int:
    """How many SMS `text` (signature included) is billed as; 0 for an empty text."""
    if not text:
        return 0
    single, segment, units = SINGLE, SEGMENT, len(text)
    if not domestic and all(ch in _GSM_BASIC or ch in _GSM_EXTENSION for ch in text):
        single, segment = GSM_SINGLE, GSM_SEGMENT
        units = sum(2 if ch in _GSM_EXTENSION else 1 for ch in text)
    return 1 if units <= single else math.ceil(units / segment)
