"""The agent's progress reply to the customer: which cases may get one (`customer_reply_allowed`) and its
sending after the reply checker (`customer_reply_send`), as a progress message through notification_send."""

from django.db import transaction
from django.utils.translation import gettext as _

from complaintdesk.common.errors import DomainError, InvalidInput
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.states import OPEN_STATUSES, Status, status_label
from complaintdesk.scripts.services import ReplyBlocked, reply_check, reply_override_record

from .models import Notification
from .services import notification_send

# A progress reply goes to a customer whose case is still being dealt with: open, or resolved and in its
# follow-up. An archived or withdrawn case has no progress to tell (reopening it comes first).
REPLY_STATUSES = OPEN_STATUSES | {Status.RESOLVED, Status.FOLLOW_UP}


def customer_reply_allowed(*, complaint) -> bool:
    """Whether the case's status lets a reply go to the customer (the guard of `customer_reply_send`)."""
    return complaint.status in REPLY_STATUSES


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
) -> Notification:
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
