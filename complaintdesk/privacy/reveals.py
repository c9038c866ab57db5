"""A masked contact detail shown in full on demand (个人信息保护法): who looked, when, at which detail and
why goes into the personal-data access log and, for a reveal on demand, onto the case's timeline."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from complaintdesk.common.errors import InvalidInput, PermissionDenied
from complaintdesk.common.time import now
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.models import EventKind
from complaintdesk.complaints.timeline import event_record

from .models import AccessKind
from .services import access_log_record

REVEAL_FIELDS = ("phone", "email", "account_no")


@dataclass(frozen=True)
class Revealed:
    field: str
    value: str


@transaction.atomic
def customer_contact_reveal(*, number: str, actor, field: str = "phone", reason: str = "") -> Revealed:
    """Show one of the case's customer's contact details in full to a user who sees it masked, with the
    reason they give, and record that they looked (who, when, which detail, why) on the case's timeline
    and in the personal-data access log."""
    if field not in REVEAL_FIELDS:
        raise InvalidInput({"field": [_("可选：%(choices)s") % {"choices": ", ".join(REVEAL_FIELDS)}]})
    complaint = access_complaint(user=actor, number=number)
    if not (actor.has_perm("complaints.view_personal_data") or actor.has_perm("complaints.handle_complaint")):
        raise PermissionDenied(_("您没有查看客户完整联系方式的权限"))
    value = getattr(complaint.customer, field) or ""
    if not value:
        raise InvalidInput({"field": [_("客户没有留下这项联系方式")]})
    reason = (reason or "").strip()[:200]
    if not actor.has_perm("complaints.view_personal_data"):
        if len(reason) < 2:  # a reveal on demand says why (个人信息保护法); the access log keeps it
            raise InvalidInput({"reason": [_("请说明查看完整信息的原因（至少 2 个字）")]})
        event_record(
            complaint=complaint, actor=actor, kind=EventKind.PERSONAL_DATA_REVEALED, at=now(), field=field,
            reason=reason,
        )  # fmt: skip
    access_log_record(user=actor, kind=AccessKind.REVEAL, field=field, complaint=complaint, reason=reason)
    return Revealed(field=field, value=value)
