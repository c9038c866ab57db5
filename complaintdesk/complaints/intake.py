"""Taking a case in: the complaint stored, and what follows it queued in the same transaction.

`complaint_take_in` is what every way a case comes in goes through — the channels (`channels.intake`:
the API, the web and phone forms, the portal, mail, WeChat) and a new issue raised on a follow-up call
(`surveys.follow_ups`). It calls `complaint_create` (validation first, then customer, number, deadlines
and the `created` event) and queues the after-intake steps that the apps providing them registered
(`tasks.intake.after_intake_step_register`: the acknowledgement to the customer from `channels`, the
enrichment from `intelligence`). On the database queue their task rows, on Redis their outbox rows, are
written in the case's transaction: a case is never stored without them, nor they without it.
"""

from django.db import connection, transaction

from complaintdesk.tasks.intake import after_intake_steps_queue

from .models import Complaint
from .services import IntakeData, complaint_create


def complaint_take_in(*, data: IntakeData, actor) -> Complaint:
    """Store a new complaint and queue its registered after-intake steps, in one transaction: the
    caller's, or one of its own when the caller has none."""
    if connection.in_atomic_block:
        complaint = complaint_create(data=data, actor=actor)
        after_intake_steps_queue(complaint_id=complaint.pk)
        return complaint
    with transaction.atomic():
        complaint = complaint_create(data=data, actor=actor)
        after_intake_steps_queue(complaint_id=complaint.pk)
    return complaint
