"""What the customer of an inquiry, a suggestion or praise hears when it ends (issue 19).

A complaint ends with the result (results.py: cause, measures, outcome), a survey and a follow-up. The light
contacts end differently, and each closing says in words how it ended (the reason the lifecycle requires):
the answer to an inquiry (已答复), what became of a suggestion (已办结), whom praise was passed to (已记入表扬).
That sentence goes to the customer (except an inquiry answered at first contact on the phone, at the counter or
in the chat: the customer heard the answer there), in the kind's own message (notifications: progress_inquiry "您的咨询…答复",
progress_suggestion "您的建议…进展", progress_praise "感谢您的表扬"), once, on their preferred channel.
No survey, no result, no escalation message: those are complaint stages (notifications refuses them for
another kind). Withdrawn contacts are not told anything (the customer withdrew them).

The closing sentence is checked like every reply (scripts.reply_check): a blocking finding refuses the
closing, in words, so that it is rewritten; warnings do not stop it (there is no override form on a closing).
"""

import logging

from django.utils.translation import gettext as _

from complaintdesk.common.errors import InvalidInput
from complaintdesk.complaints.models import Channel, Complaint
from complaintdesk.complaints.states import OPEN_STATUSES, ContactKind, Status, runs_complaint_process
from complaintdesk.notifications.models import TemplateCode
from complaintdesk.notifications.services import NotificationImpossible, notification_send
from complaintdesk.scripts.services import reply_check

logger = logging.getLogger(__name__)

# Where an inquiry answered at first contact was answered to the customer's face or ear: the closing words are
# the handler's record of that answer, not a message to send again.
LIVE_CHANNELS = frozenset({Channel.PHONE, Channel.WALK_IN, Channel.CHAT})


def contact_closing_told(
    *, complaint: Complaint, old_status: str, actor, at, reason: str = "", **_ignored
) -> None:
    """complaints.services transition hook (same transaction, case saved): an inquiry, a suggestion or praise
    that was open and is now closed sends its closing sentence to the customer in the kind's words."""
    if runs_complaint_process(complaint.kind) or complaint.status != Status.CLOSED:
        return
    if old_status not in OPEN_STATUSES:
        return
    if (
        complaint.kind == ContactKind.INQUIRY
        and old_status == Status.NEW
        and complaint.channel in LIVE_CHANNELS
    ):
        return  # answered in the conversation itself (on the call, at the counter, in the chat)
    text = (reason or "").strip().rstrip("。.")
    if not text:
        return
    check = reply_check(text=text, complaint=complaint, agent=actor)
    if check.blocked:
        raise InvalidInput(
            {"reason": [f.reason for f in check.blocking]},
            message=_("结束说明会发给客户，其中有不能发送的内容，请修改"),
        )
    try:
        notification_send(complaint=complaint, template_code=TemplateCode.PROGRESS, extra={"progress": text})
    except NotificationImpossible as error:  # no contact detail: the contact still closes
        logger.info("contact %s closed without telling the customer: %s", complaint.number, error)
