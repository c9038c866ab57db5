"""Complaints posted to API v1 by integrations (call centre, CRM) and staff tools.

The body is already shaped and typed by the API's schema (`api.schemas.ComplaintIn`); its `channel`
says where the customer spoke (an integration posts `phone`, `walk_in`, `weibo` … with who recorded
it, or `api` for a complaint the other system took itself). The reply is the HTTP response.
"""

from collections.abc import Mapping

from complaintdesk.channels.acknowledge import acknowledgement_build
from complaintdesk.channels.base import ChannelAdapter, InboundMessage, Reply, intake_data_from_mapping
from complaintdesk.complaints.models import Channel


class ApiChannelAdapter(ChannelAdapter):
    channel = Channel.API

    def parse(self, raw: Mapping) -> InboundMessage:
        channel = raw.get("channel") or self.channel
        return InboundMessage(data=intake_data_from_mapping(raw, channel=channel))

    def send_reply(self, *, complaint, text: str = "") -> Reply:
        # The caller gets the case in the HTTP response; the customer's own acknowledgement goes
        # out through the notifier (channels.acknowledge).
        ack = acknowledgement_build(complaint)
        return Reply(
            channel=self.channel, text=text or ack.text, delivered=True, detail={"number": complaint.number}
        )
