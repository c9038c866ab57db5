"""The after-intake outbox for queues outside the database.

On the database queue each after-intake task row is itself written in the transaction that stores the
case, so it cannot be lost. On Redis (RQ) a job can only be sent after the commit; if Redis is down at
that moment, flushed later, or the process or the worker dies (kill -9) before the job has run, the case
would be stored without its acknowledgement ever being sent. So on those queues intake also writes one
row per job here, in its transaction (`tasks.intake.after_intake_queue`):

- the job takes its row `FOR UPDATE SKIP LOCKED` and deletes it in the transaction that does its work
  (`tasks.intake.outbox_claim`): done exactly once, and a second run of the same job finds nothing;
- while a job runs its row is locked, and the sweep skips locked rows; a job still waiting in the queue
  is recognised by `job_id` (the queue is asked); only a job that is gone — lost with Redis, failed, or
  killed with its worker — is sent again (`tasks.intake.after_intake_resend`, from the periodic sweep).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AfterIntakeJob(models.Model):
    complaint = models.ForeignKey("complaints.Complaint", verbose_name=_("投诉"), on_delete=models.CASCADE)
    task_path = models.CharField(_("任务"), max_length=200)
    queued_at = models.DateTimeField(_("最近入队时间"), db_index=True)
    attempts = models.PositiveSmallIntegerField(_("入队次数"), default=1)
    job_id = models.CharField(_("队列中的任务编号"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("待处理的受理后任务")
        verbose_name_plural = _("待处理的受理后任务")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "task_path"], name="tasks_after_intake_job_once")
        ]


class PeriodicJob(models.Model):
    """One row per periodic job of the registry (`tasks.periodic`): its schedule, its lease and how its
    last run went. The run that moves `next_run_at` forward with a conditional UPDATE keeps the job's
    chain going; every other copy of the chain stops, so duplicated chains die out. `next_run_at` empty:
    no chain was started (or its start failed); long past: the chain stopped and is started again."""

    name = models.CharField(_("任务"), max_length=64, unique=True)
    next_run_at = models.DateTimeField(_("下次运行时间"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("上次运行时间"), null=True, blank=True)
    last_result = models.JSONField(_("上次运行结果"), default=dict, blank=True)
    failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    # A one-off run was asked for now (`periodic_wake`) and has not started yet: no second one is queued
    # until it starts, or until this is so old that the job must have been lost with the queue.
    wake_queued_at = models.DateTimeField(_("已请求立即运行"), null=True, blank=True)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
