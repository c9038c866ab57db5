"""Reads for mails about a case: what makes our mails thread with the customer's."""

from complaintdesk.channels.models import ReceivedMessage
from complaintdesk.complaints.models import Channel, Complaint
from complaintdesk.notifications.models import Notification

from .adapter import case_number_in, case_tag

REFERENCES_MAX = 10


def mail_thread_for(*, complaint_id: int, subject: str) -> tuple[str, dict[str, str]]:
    """(subject, headers) for a mail to the customer about a case: the subject carries the case number
    (our templates write it; when an edited template does not, " [TS…]" is added, the tag
    `adapter.case_number_in` finds first), and In-Reply-To/References name the customer's mails of the
    case (and our earlier ones), so that their client threads the conversation and a reply finds the case
    even without the number."""
    number = Complaint.objects.filter(pk=complaint_id).values_list("number", flat=True).first()
    if number is None:
        return subject, {}
    if case_number_in(subject) != number:
        subject = f"{subject} {case_tag(number)}".strip()
    theirs = [
        (at, message_id)
        for at, message_id in ReceivedMessage.objects.filter(channel=Channel.EMAIL, complaint_id=complaint_id)
        .order_by("-received_at")
        .values_list("received_at", "external_id")[:REFERENCES_MAX]
        if message_id.startswith("<")
    ]
    ours = [
        (at, message_id)
        for at, message_id in Notification.objects.filter(
            complaint_id=complaint_id, channel="email", sent_at__isnull=False
        )
        .order_by("-sent_at")
        .values_list("sent_at", "provider_message_id")[:REFERENCES_MAX]
        if message_id.startswith("<")
    ]
    thread = [message_id for _, message_id in sorted(theirs + ours)][-REFERENCES_MAX:]
    if not thread:
        return subject, {}
    answering = max(theirs)[1] if theirs else thread[-1]
    return subject, {"In-Reply-To": answering, "References": " ".join(thread)}


def case_number_by_references(references: list[str]) -> str:
    """The case a mail answers, by the Message-IDs it names (In-Reply-To, References): a customer's
    earlier mail that was taken in, or a mail of ours about the case. "" when none is known."""
    wanted = references[:20]
    row = (ReceivedMessage.objects.filter(channel=Channel.EMAIL, external_id__in=wanted, complaint__isnull=False)
           .select_related("complaint").order_by("-received_at").first())  # fmt: skip
    if row is not None:
        return row.complaint.number
    sent = (Notification.objects.filter(channel="email", provider_message_id__in=wanted)
            .select_related("complaint").order_by("-created_at").first())  # fmt: skip
    return sent.complaint.number if sent is not None else ""
