"""The after-intake outbox for queues outside the database.

On the database queue the `after_intake` task row is itself written in the transaction that stores the
case, so it cannot be lost. On Redis (RQ) the job can only be sent after the commit; if Redis is down
at that moment, or the process dies between the commit and the send, the case would be stored without
its acknowledgement ever being sent. So on those queues intake also writes this row in its transaction;
`after_intake` deletes it when it has run, and the periodic sweep (tasks.sla.sla_sweep, every 30 s)
sends the job again for any row older than `RESEND_AFTER`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AfterIntakePending(models.Model):
    complaint = models.OneToOneField(
        "complaints.Complaint", verbose_name=_("投诉"), on_delete=models.CASCADE, primary_key=True
    )
    queued_at = models.DateTimeField(_("最近入队时间"), db_index=True)
    attempts = models.PositiveSmallIntegerField(_("入队次数"), default=1)

    class Meta:
        verbose_name = _("待处理的受理后任务")
        verbose_name_plural = _("待处理的受理后任务")
