"""The public web form (portal). Form fields are flat strings; times are local and without zone
(`<input type="datetime-local">`), files come from the multipart body. The reply is the
acknowledgement page, rendered by the portal from `Reply.detail`.
"""

import datetime as dt
from collections.abc import Mapping, Sequence

from django.utils.translation import gettext as _

from complaintdesk.channels.acknowledge import acknowledgement_build
from complaintdesk.channels.base import ChannelAdapter, InboundMessage, IncomingFile, Reply, text_field
from complaintdesk.common.errors import InvalidInput
from complaintdesk.common.time import local_zone
from complaintdesk.complaints.models import Channel
from complaintdesk.complaints.services import IntakeCustomer, IntakeData

CUSTOMER_FIELDS = {
    "name": "name",
    "phone": "phone",
    "email": "email",
    "account_no": "account_no",
    "preferred_channel": "preferred_channel",
}
TEXT_FIELDS = ("title", "description", "demand", "place", "product", "people_involved")


def _local_datetime(value: str) -> dt.datetime | None:
    """'2026-11-20T20:00' (a browser's datetime-local, the organisation's zone) or a full ISO time."""
    value = value.strip()
    if not value:
        return None
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=local_zone())


class WebFormAdapter(ChannelAdapter):
    channel = Channel.WEB

    def parse(self, raw: Mapping, files: Sequence = ()) -> InboundMessage:
        """`raw`: the POST data (a QueryDict or a dict); `files`: uploaded files (Django's UploadedFile)."""
        errors: dict[str, list[str]] = {}
        customer = IntakeCustomer(
            **{key: text_field(raw, name, errors) for name, key in CUSTOMER_FIELDS.items()}
        )
        occurred_at = None
        try:
            occurred_at = _local_datetime(text_field(raw, "occurred_at", errors))
        except ValueError:
            errors["occurred_at"] = [_("请填写正确的时间，例如 2026-11-20 20:00")]
        language = text_field(raw, "language", errors)
        data = IntakeData(
            channel=self.channel,
            customer=customer,
            occurred_at=occurred_at,
            perceived_severity=text_field(raw, "perceived_severity", errors) or "medium",
            kind=text_field(raw, "kind", errors) or "complaint",
            org_unit_code=text_field(raw, "org_unit", errors),
            language=language if language in {"zh-hans", "en"} else "zh-hans",
            **{name: text_field(raw, name, errors) for name in TEXT_FIELDS},
        )
        if errors:
            raise InvalidInput(errors)
        incoming = [
            IncomingFile(
                name=upload.name or "", content=upload.read(), declared_type=upload.content_type or ""
            )
            for upload in files
        ]
        return InboundMessage(data=data, files=incoming)

    def send_reply(self, *, complaint, text: str = "") -> Reply:
        ack = acknowledgement_build(complaint)
        return Reply(
            channel=self.channel,
            text=text or ack.text,
            delivered=True,
            detail={
                "number": ack.number,
                "next_steps": ack.next_steps,
                "first_response_due_at": ack.first_response_due_at,
                "resolution_due_at": ack.resolution_due_at,
                "deadline_provisional": ack.deadline_provisional,
            },
        )
