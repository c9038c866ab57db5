"""Survey links: a random token in the URL, its SHA-256 in the database. Pure apart from the hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

TOKEN_BYTES = 16  # 128 bits: unguessable, and 22 characters keep the SMS short


def token_new() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode("utf-8")).hexdigest()


def invitation_usable(invitation, *, at: dt.datetime) -> str:
    """ "" when the link may be answered, else why not: "invalid" (unknown or altered), "used" or "expired"
    (past its time, or voided by a newer result)."""
    if invitation is None:
        return "invalid"
    if invitation.used_at is not None:
        return "used"
    if invitation.voided_at is not None or invitation.expires_at <= at:
        return "expired"
    return ""
