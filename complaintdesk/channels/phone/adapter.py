"""Assisted channels: a member of staff writes down what the customer said — on the phone, at the
counter (walk-in), from a letter, from a Weibo post, in an online chat. Who recorded it is part of
the message (`recorded_by`); by default the signed-in agent.

The reply on these channels is a person's: `send_reply` returns the acknowledgement text for the
agent to read out (phone, walk-in, chat) or to write (letter, Weibo); the customer's own SMS / mail
acknowledgement goes out through the notifier like on every channel.
"""

from collections.abc import Mapping

from django.utils.translation import gettext as _

from complaintdesk.channels.acknowledge import acknowledgement_build
from complaintdesk.channels.base import ChannelAdapter, InboundMessage, Reply, intake_data_from_mapping
from complaintdesk.common.errors import InvalidInput
from complaintdesk.complaints.models import Channel
from complaintdesk.complaints.services import ASSISTED_CHANNELS


class AssistedChannelAdapter(ChannelAdapter):
    """One adapter for the five assisted channels; `channel` in the input picks which (default phone)."""

    channel = Channel.PHONE
    channels = ASSISTED_CHANNELS

    def parse(self, raw: Mapping) -> InboundMessage:
        channel = raw.get("channel") or self.channel
        if channel not in self.channels:
            raise InvalidInput(
                {
                    "channel": [
                        _("人工登记的渠道为：%(choices)s")
                        % {"choices": ", ".join(sorted(str(c) for c in self.channels))}
                    ]
                }
            )
        return InboundMessage(data=intake_data_from_mapping(raw, channel=channel))

    def send_reply(self, *, complaint, text: str = "") -> Reply:
        ack = acknowledgement_build(complaint)
        return Reply(
            channel=complaint.channel,
            text=text or ack.text,
            delivered=False,
            detail={"number": ack.number, "said_by": "agent"},
        )


PhoneAdapter = AssistedChannelAdapter
