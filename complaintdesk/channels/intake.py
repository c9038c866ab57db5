"""The one intake every channel calls.

1. Everything is validated first (complaints.services.complaint_create validates the fields, the
   phone, the unit; the files are checked by content here), so a refused message writes nothing.
2. The complaint is stored durably through the core's take-in (`complaints.intake.complaint_take_in`):
   customer matched or created, case number, deadlines, the `created` event — and its files — in one
   transaction, with the after-intake steps the apps registered (the acknowledgement to the customer,
   enrichment: `tasks.intake`): on the database queue their rows are written in that transaction; on
   Redis an outbox row per step is, and the jobs are sent when it has committed. Each is done exactly
   once and none is lost with the queue; neither can lose the case.
"""

import dataclasses
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from complaintdesk.common.errors import InvalidInput
from complaintdesk.common.time import now
from complaintdesk.complaints.attachments import attachment_add, attachment_check
from complaintdesk.complaints.intake import complaint_take_in
from complaintdesk.complaints.models import Complaint, ComplaintEvent
from complaintdesk.complaints.services import IntakeData, complaint_add_customer_message

from .base import InboundMessage, IncomingFile
from .models import ReceivedMessage
from .services import central_desk_unit, is_channel_account

logger = logging.getLogger(__name__)

FILES_MAX = 10


@dataclass
class IntakeResult:
    complaint: Complaint
    created: bool  # False when the message was appended to an existing case
    event: ComplaintEvent | None = None  # the customer-message event of an appended message
    duplicate: bool = False  # the channel delivered this message before; nothing new was stored


def _files_check(files: Sequence[IncomingFile]) -> None:
    if len(files) > FILES_MAX:
        raise InvalidInput({"files": [_("一次最多 %(n)d 个附件") % {"n": FILES_MAX}]})
    errors: dict[str, list[str]] = {}
    for index, incoming in enumerate(files):
        try:
            attachment_check(
                content=io.BytesIO(incoming.content), name=incoming.name, declared_type=incoming.declared_type
            )
        except InvalidInput as error:
            errors[f"files.{index}"] = error.fields.get("file", [error.message])
    if errors:
        raise InvalidInput(errors, message=_("不接受这个附件"))


def _files_store(*, number: str, actor, files: Sequence[IncomingFile], channel: str) -> None:
    for incoming in files:
        attachment_add(
            number=number,
            actor=actor,
            content=io.BytesIO(incoming.content),
            name=incoming.name,
            declared_type=incoming.declared_type,
            channel=channel,
        )


def complaint_intake(*, data: IntakeData, actor, files: Sequence[IncomingFile] = ()) -> Complaint:
    """Store a new complaint from any channel, with its files, and queue its after-intake steps. A case a
    channel account takes in without a unit goes to the customer service centre (central_desk_unit)."""
    _files_check(files)
    if not data.org_unit_code and is_channel_account(actor):
        desk = central_desk_unit(actor=actor)
        if desk is not None:
            data = dataclasses.replace(data, org_unit_code=desk.code)
    if not files:
        return complaint_take_in(data=data, actor=actor)
    with transaction.atomic():  # the files join the case's transaction
        complaint = complaint_take_in(data=data, actor=actor)
        _files_store(number=complaint.number, actor=actor, files=files, channel=data.channel)
    return complaint


def intake_receive(*, message: InboundMessage, actor) -> IntakeResult:
    """A channel's message: a new complaint, or — when it names a case — a customer message on it."""
    if not message.case_number:
        return IntakeResult(
            complaint=complaint_intake(data=message.data, actor=actor, files=message.files), created=True
        )
    _files_check(message.files)
    data = message.data
    text = "\n\n".join(part for part in (data.title.strip(), data.description.strip()) if part)
    with transaction.atomic():
        event = complaint_add_customer_message(
            number=message.case_number, actor=actor, text=text, channel=data.channel
        )
        _files_store(number=message.case_number, actor=actor, files=message.files, channel=data.channel)
    return IntakeResult(complaint=event.complaint, created=False, event=event)


def _already_received(*, channel: str, external_id: str) -> IntakeResult | None:
    row = (
        ReceivedMessage.objects.select_related("complaint")
        .filter(channel=channel, external_id=external_id, complaint__isnull=False)
        .first()
    )
    if row is None:
        return None
    return IntakeResult(complaint=row.complaint, created=row.opened_case, duplicate=True)


def intake_receive_once(*, message: InboundMessage, actor) -> IntakeResult:
    """`intake_receive`, at most once per (channel, message.external_id).

    The ReceivedMessage row is claimed first, inside the transaction that stores the complaint: a second
    delivery running at the same time waits on the unique key and, once the first commits, is answered
    from the case the first opened (`duplicate=True`, `created` as the first time, so a passive reply is
    the same). If the first fails, its claim rolls back with it and a retry is taken in afresh.
    A message without an external id is simply taken in.
    """
    channel = message.data.channel
    external_id = message.external_id.strip()[:255]
    if not external_id:
        return intake_receive(message=message, actor=actor)
    if (seen := _already_received(channel=channel, external_id=external_id)) is not None:
        return seen
    try:
        with transaction.atomic():
            claim = ReceivedMessage.objects.create(
                channel=channel, external_id=external_id, received_at=now()
            )
            result = intake_receive(message=message, actor=actor)
            claim.complaint, claim.opened_case = result.complaint, result.created
            claim.save(update_fields=["complaint", "opened_case"])
    except IntegrityError:
        seen = _already_received(channel=channel, external_id=external_id)
        if seen is None:
            raise
        return seen
    return result
