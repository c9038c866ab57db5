"""What the channels app stores itself: the messages it has already taken in, by the channel's own id."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from complaintdesk.complaints.models import Channel, Complaint


class ReceivedMessage(models.Model):
    """One row per message a channel delivered with an id of its own (WeChat MsgId, email Message-ID).

    The row is claimed before the message is taken in, in the same transaction, so a retry or a second
    delivery of the same message (WeChat sends it up to three times in 15 s; a mailbox can be polled twice)
    finds the row and is answered from the case it led to instead of opening another one.
    """

    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    external_id = models.CharField(_("渠道消息编号"), max_length=255)
    complaint = models.ForeignKey(Complaint, verbose_name=_("投诉"), null=True, on_delete=models.PROTECT,
                                  related_name="+")
    opened_case = models.BooleanField(_("新建投诉"), default=False)
    received_at = models.DateTimeField(_("接收时间"))

    class Meta:
        verbose_name = _("已接收渠道消息")
        verbose_name_plural = _("已接收渠道消息")
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="received_message_once"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.external_id}"
