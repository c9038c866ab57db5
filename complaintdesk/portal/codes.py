"""One-time codes and access tokens: made, hashed, compared. Pure (the key comes from settings)."""

import hashlib
import secrets

from django.utils.crypto import constant_time_compare, salted_hmac

CODE_DIGITS = 6
_KEY_SALT = "complaintdesk.portal.code"


def code_generate(digits: int = CODE_DIGITS) -> str:
    """A uniformly random numeric code, leading zeros kept (`012345`)."""
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def salt_generate() -> str:
    return secrets.token_hex(16)


def code_hash(*, code: str, salt: str) -> str:
    """Keyed with SECRET_KEY: a copy of the table alone does not give the codes back, although a
    6-digit code has only a million values."""
    return salted_hmac(_KEY_SALT, f"{salt}:{code}", algorithm="sha256").hexdigest()


def code_matches(*, code: str, salt: str, hashed: str) -> bool:
    return constant_time_compare(code_hash(code=code, salt=salt), hashed)


def code_clean(raw: str) -> str:
    """What people type: spaces, full-width digits (０-９) and a dash or two are forgiven."""
    text = "".join(chr(ord(ch) - 0xFEE0) if "０" <= ch <= "９" else ch for ch in (raw or ""))
    return "".join(ch for ch in text if ch not in " -\u3000")


def token_generate() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
