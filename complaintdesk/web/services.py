"""Writes started from the workbench that combine services of other apps. Each is one transaction
and records the timeline with the acting user; the rules stay in the services they call."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from complaintdesk.common.errors import DomainError, InvalidInput, PermissionDenied
from complaintdesk.common.time import now
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.models import EventKind
from complaintdesk.complaints.states import OPEN_STATUSES, Status, status_label
from complaintdesk.complaints.timeline import event_record
from complaintdesk.notifications.services import notification_send
from complaintdesk.privacy.models import AccessKind
from complaintdesk.privacy.services import access_log_record
from complaintdesk.scripts.services import ReplyBlocked, reply_check, reply_override_record

REVEAL_FIELDS = ("phone", "email", "account_no")
# A progress reply goes to a customer whose case is still being dealt with: open, or resolved and in its
# follow-up. An archived or withdrawn case has no progress to tell (reopening it comes first).
REPLY_STATUSES = OPEN_STATUSES | {Status.RESOLVED, Status.FOLLOW_UP}


def customer_reply_allowed(*, complaint) -> bool:
    """Whether the case's status lets a reply go to the customer (the guard of `customer_reply_send`)."""
    return complaint.status in REPLY_STATUSES


@dataclass(frozen=True)
class Revealed:
    field: str
    value: str


@transaction.atomic
def customer_contact_reveal(*, number: str, actor, field: str = "phone", reason: str = "") -> Revealed:
    """Show one of the case's customer's contact details in full to a user who sees it masked, with the
    reason they give, and record that they looked (who, when, which detail, why) on the case's timeline
    and in the personal-data access log (privacy)."""
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


class ReplyNeedsOverride(DomainError):
    """The draft has warnings: the agent fixes them or gives a reason for sending it as it is."""

    code = "reply_needs_override"
    status = 422

    def __init__(self, result):
        super().__init__(_("回复有需要注意的地方：请修改，或填写原因后仍然发送。"))
        self.result = result


@transaction.atomic
def customer_reply_send(
    *, number: str, actor, text: str, override_reason: str = "", channel: str | None = None
):
    """Send the agent's reply to the customer as a progress message (their preferred channel), after
    the reply checker: a blocking finding refuses it (scripts.services.ReplyBlocked), warnings need an
    override with a reason (recorded by the scripts app), a clean draft goes out as it is."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint")
    if not customer_reply_allowed(complaint=complaint):
        raise InvalidInput(
            {
                "status": [
                    _("%(kind)s处于“%(status)s”，不能再向客户发送答复")
                    % {
                        "kind": complaint.get_kind_display(),
                        "status": status_label(complaint.status, complaint.kind),
                    }
                ]
            }
        )
    text = (text or "").strip()
    if not text:
        raise InvalidInput({"text": [_("此项为必填项")]})
    result = reply_check(text=text, complaint=complaint, agent=actor)
    if result.blocked:
        raise ReplyBlocked(result.blocking)
    if result.warnings:
        if not (override_reason or "").strip():
            raise ReplyNeedsOverride(result)
        reply_override_record(
            complaint=complaint,
            agent=actor,
            text=text,
            finding_codes=result.warning_codes,
            reason=override_reason,
        )
    return notification_send(
        complaint=complaint, template_code="progress", channel=channel, extra={"progress": text.rstrip("。.")}
    )  # the template ends the sentence
