"""What the topic modules share: the system actor on the timeline, and checking a reason."""

from django.utils.translation import gettext as _

from complaintdesk.accounts.models import SystemUser, User
from complaintdesk.accounts.system import system_user
from complaintdesk.common.errors import InvalidInput, too_long_message

REASON_MAX = 5_000


def intelligence_actor() -> User:
    """The account whose name is on the timeline when enrichment changes a case (accounts.system)."""
    return system_user(SystemUser.INTELLIGENCE)


def reason_clean(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise InvalidInput({"reason": [_("此项为必填项")]})
    if len(reason) > REASON_MAX:
        raise InvalidInput({"reason": [too_long_message(limit=REASON_MAX, length=len(reason))]})
    return reason
