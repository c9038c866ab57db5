"""The shape every channel has: parse what arrived into an InboundMessage, send a reply.

A channel package (`channels/<name>/`) holds one ChannelAdapter. Its interface (an endpoint, a mail
poller, a callback) authenticates the source, calls `adapter.parse(raw)`, hands the message to
`channels.intake.intake_receive`, and answers with `adapter.send_reply(...)`. Parsing never writes;
business rules (validation of fields, customer matching, deadlines) stay in the intake service.
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from complaintdesk.common.errors import InvalidInput
from complaintdesk.complaints.services import IntakeCustomer, IntakeData, IntakeRecorder


@dataclass(frozen=True)
class IncomingFile:
    """A file the customer sent with the message (email attachment, uploaded photo …)."""

    name: str
    content: bytes
    declared_type: str = ""  # what the sender said it is; the content decides (complaints.filetypes)


@dataclass
class InboundMessage:
    """What arrived on a channel, in the channel-neutral form intake takes."""

    data: IntakeData
    files: list[IncomingFile] = field(default_factory=list)
    # The channel's own id of this message (WeChat MsgId, email Message-ID): retries carry the same one.
    external_id: str = ""
    # Set when the message continues an existing case (a reply whose subject names the case number):
    # intake then appends it to that case as a customer message instead of opening a new one.
    case_number: str = ""


@dataclass(frozen=True)
class Reply:
    """What the channel did with a reply: `delivered` when it went out now (an HTTP answer, a WeChat
    passive reply); otherwise `text` is for a person to say (phone) or for the notifier to send later."""

    channel: str
    text: str
    delivered: bool = False
    detail: dict = field(default_factory=dict)


class ChannelAdapter(ABC):
    channel: ClassVar[str]

    @abstractmethod
    def parse(self, raw: Any) -> InboundMessage:
        """Raw input of this channel → InboundMessage. Raises InvalidInput naming the fields that
        cannot be read at all; content rules are intake's (it validates everything again)."""

    @abstractmethod
    def send_reply(self, *, complaint, text: str) -> Reply:
        """Answer the customer on this channel (or say how a person will)."""


# --- helpers the adapters share ---


def text_field(raw: Mapping, name: str, errors: dict, *, prefix: str = "") -> str:
    """A text field of the raw input (a dict or a QueryDict, whose .get is the last value): missing or
    null is "", a string is kept, anything else is an error."""
    value = raw.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[prefix + name] = [_("应为文本")]
        return ""
    return value


def intake_data_from_mapping(raw: Mapping, *, channel: str) -> IntakeData:
    """The common JSON/form shape (the API's ComplaintIn) → IntakeData. `occurred_at` and `received_at`
    must already be aware datetimes or None; `customer` and `recorded_by` are nested mappings."""
    errors: dict[str, list[str]] = {}
    customer_raw = raw.get("customer") or {}
    if not isinstance(customer_raw, Mapping):
        raise InvalidInput({"customer": [_("应为 JSON 对象")]})
    recorder_raw = raw.get("recorded_by")
    if recorder_raw is not None and not isinstance(recorder_raw, Mapping):
        raise InvalidInput({"recorded_by": [_("应为 JSON 对象")]})
    customer = IntakeCustomer(
        **{
            name: text_field(customer_raw, name, errors, prefix="customer.")
            for name in ("name", "phone", "email", "account_no", "wechat_openid", "preferred_channel")
        }
    )
    recorder = None
    if recorder_raw:
        recorder = IntakeRecorder(
            **{
                name: text_field(recorder_raw, name, errors, prefix="recorded_by.")
                for name in ("username", "employee_no", "name")
            }
        )
    texts = {
        name: text_field(raw, name, errors)
        for name in ("title", "description", "demand", "place", "product", "people_involved")
    }
    data = IntakeData(
        channel=channel,
        customer=customer,
        org_unit_code=text_field(raw, "org_unit", errors),
        occurred_at=raw.get("occurred_at"),
        received_at=raw.get("received_at"),
        perceived_severity=text_field(raw, "perceived_severity", errors) or "medium",
        kind=text_field(raw, "kind", errors) or "complaint",
        category_code=text_field(raw, "category", errors),
        language=text_field(raw, "language", errors) or "zh-hans",
        recorded_by=recorder,
        **texts,
    )
    if errors:
        raise InvalidInput(errors)
    return data
