"""The opt-out link at the end of every proactive notice and care message: a signed token naming the customer
and the kind of message, opened on the portal without signing in (portal.views.outreach_stop). The token does
not expire: a customer who finds an old message can still stop these messages."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from complaintdesk.notifications.content import notification_language, public_url

from .models import Purpose

SALT = "outreach.stop"
_CODE = {Purpose.NOTICE: "n", Purpose.CARE: "c"}
_PURPOSE = {code: purpose for purpose, code in _CODE.items()}


@dataclass(frozen=True)
class StopRequest:
    customer_id: int
    purpose: str


def stop_token(*, customer_id: int, purpose: str) -> str:
    return signing.Signer(salt=SALT).sign(f"{customer_id}.{_CODE[purpose]}")


def stop_token_read(token: str) -> StopRequest | None:
    """What a token asks to stop; None when it was not made by us (or was changed)."""
    try:
        value = signing.Signer(salt=SALT).unsign(token or "")
    except signing.BadSignature:
        return None
    customer_id, _sep, code = value.partition(".")
    if not customer_id.isdigit() or code not in _PURPOSE:
        return None
    return StopRequest(customer_id=int(customer_id), purpose=_PURPOSE[code])


def stop_url(*, customer_id: int, purpose: str) -> str:
    try:
        path = reverse("portal:outreach_stop", args=[stop_token(customer_id=customer_id, purpose=purpose)])
    except NoReverseMatch:  # no portal: the message says to tell the service desk
        return ""
    return public_url(path)


def stop_line(*, customer_id: int, purpose: str, language: str) -> str:
    """The sentence that ends the message: how to stop this kind of message."""
    url = stop_url(customer_id=customer_id, purpose=purpose)
    with translation.override(notification_language(language)):
        if not url:
            return _("如不想再收到这类消息，请告诉客服。")
        if purpose == Purpose.NOTICE:
            return _("不想再收到这类通知，点此退订：%(url)s") % {"url": url}
        return _("不想再收到关怀消息，点此退订：%(url)s") % {"url": url}
