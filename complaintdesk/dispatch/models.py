"""Work orders to responsible departments (SPEC §2 step 3; seed 002): a complex case is dispatched to
departments (network, billing, logistics …) with an owner and a deadline in working days, and the case
waits for every order to be finished before it can be resolved."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WorkOrderStatus(models.TextChoices):
    OPEN = "open", _("待接单")
    ACCEPTED = "accepted", _("处理中")
    DONE = "done", _("已完成")
    REJECTED = "rejected", _("已退回")
    CANCELLED = "cancelled", _("已撤销")


# Orders the department still owes the case: the case waits for these.
UNFINISHED_STATUSES = (WorkOrderStatus.OPEN, WorkOrderStatus.ACCEPTED)


class WorkOrder(models.Model):
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="work_orders"
    )
    department = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="work_orders"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    instructions = models.TextField(_("处理要求"))
    due_working_days = models.PositiveSmallIntegerField(_("时限（工作日）"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("派单人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("派单时间"))
    due_at = models.DateTimeField(_("完成时限"))
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    deadline_provisional = models.BooleanField(_("时限为暂定"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=WorkOrderStatus.choices, default=WorkOrderStatus.OPEN
    )
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结束人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.TextField(_("处理结果/原因"), blank=True)
    # Set once when the deadline passed with the order unfinished (the sweep's breach).
    overdue_at = models.DateTimeField(_("超时于"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("派工单")
        verbose_name_plural = pgettext_lazy("plural", "派工单")
        ordering = ["created_at", "id"]
        indexes = [
            # A department's queue: unfinished orders by nearest deadline.
            models.Index(
                fields=["department", "due_at"],
                condition=Q(status__in=["open", "accepted"]),
                name="wo_unfinished_department_due",
            ),
            models.Index(
                fields=["owner", "due_at"],
                condition=Q(status__in=["open", "accepted"]),
                name="wo_unfinished_owner_due",
            ),
            models.Index(fields=["complaint", "created_at"], name="wo_complaint_created"),
        ]

    def __str__(self) -> str:
        return f"WO{self.pk}"

    @property
    def is_unfinished(self) -> bool:
        return self.status in UNFINISHED_STATUSES
