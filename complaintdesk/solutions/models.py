"""Solutions offered to the customer (方案A / 方案B), the authority each role has to compensate, approval
requests above that authority, and the compensation ledger (SPEC §2 step 3; seed 001)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from complaintdesk.accounts.models import Role
from complaintdesk.sla.models import validate_duration

AMOUNT = {"max_digits": 12, "decimal_places": 2}


class Remedy(models.Model):
    """One kind of remedy in the catalogue (fee waiver, refund, exchange, repair, service adjustment, coupon,
    gift, apology). `is_material` remedies are compensation: their amounts count against authority limits
    and go into the ledger; an apology is psychological compensation and has no amount."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=50, blank=True)
    is_material = models.BooleanField(_("物质补偿（计入权限与台账）"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("补救方式")
        verbose_name_plural = _("补救方式目录")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class CompensationAuthority(models.Model):
    """How much a role may grant without approval: per case (all compensation on one case) and per
    month (all compensation the person authorised in the calendar month, local time). An empty limit
    means no limit; a role without a row may grant nothing. `approval_limit` is how long a holder of
    this role has to decide an approval request."""

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, unique=True)
    per_case_limit = models.DecimalField(
        _("每单补偿上限（元）"), null=True, blank=True, help_text=_("留空表示不限"), **AMOUNT
    )
    per_month_limit = models.DecimalField(
        _("每月补偿上限（元）"), null=True, blank=True, help_text=_("留空表示不限"), **AMOUNT
    )
    approval_limit = models.CharField(
        _("审批时限"),
        max_length=12,
        default="1wd",
        validators=[validate_duration],
        help_text=_("该角色处理审批申请的时限，如 4wh、1wd"),
    )

    class Meta:
        verbose_name = _("补偿权限")
        verbose_name_plural = _("补偿权限")
        ordering = ["role"]

    def __str__(self) -> str:
        return self.get_role_display()


class ProposalStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("待审批")
    OFFERED = "offered", _("待客户选择")
    CHOSEN = "chosen", _("客户已选择")
    DECLINED = "declined", _("客户不接受")
    REJECTED = "rejected", _("审批未通过")
    EXPIRED = "expired", _("审批超时")
    SUPERSEDED = "superseded", _("已被新方案取代")


# Proposals still on the table: they reserve their amount against the authority limits.
OPEN_PROPOSAL_STATUSES = (ProposalStatus.PENDING_APPROVAL, ProposalStatus.OFFERED)


class SolutionProposal(models.Model):
    """One or two options put to the customer. Above the proposer's authority it waits for approval by
    the next level of the case's ladder before it is offered."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="solution_proposals"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("提出时间"))
    note = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=ProposalStatus.choices)
    # The largest option: what the customer may end up with, so what the authority must cover.
    max_amount = models.DecimalField(_("最高补偿金额"), default=0, **AMOUNT)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("授权人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("在其权限内提出或批准方案的人"),
    )
    authorised_at = models.DateTimeField(_("授权时间"), null=True, blank=True)
    chosen_option = models.ForeignKey(
        "SolutionOption",
        verbose_name=_("客户选择"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    chosen_at = models.DateTimeField(_("选择时间"), null=True, blank=True)
    choice_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("选择登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    customer_note = models.TextField(_("客户意见"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("解决方案")
        verbose_name_plural = _("解决方案")
        ordering = ["proposed_at", "id"]
        indexes = [
            models.Index(fields=["complaint", "proposed_at"], name="sol_proposal_complaint"),
            # Month exposure of an authoriser: open proposals they authorised.
            models.Index(
                fields=["authorised_by", "authorised_at"],
                condition=Q(status__in=["pending_approval", "offered"]),
                name="sol_proposal_open_authoriser",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}#{self.pk}"


class SolutionOption(models.Model):
    proposal = models.ForeignKey(SolutionProposal, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("方案"), max_length=1)  # "A", "B"
    remedy = models.ForeignKey(Remedy, verbose_name=_("补救方式"), on_delete=models.PROTECT)
    amount = models.DecimalField(_("金额（元）"), default=0, **AMOUNT)
    description = models.TextField(_("内容"), blank=True)

    class Meta:
        verbose_name = _("方案选项")
        verbose_name_plural = _("方案选项")
        ordering = ["proposal", "label"]
        constraints = [models.UniqueConstraint(fields=["proposal", "label"], name="sol_option_label")]

    def __str__(self) -> str:
        return f"{self.label}: {self.remedy} {self.amount}"


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    # Its own context: the bare "已超时" is a deadline passed ("Breached" on the queues), not an expiry.
    EXPIRED = "expired", pgettext_lazy("approval status", "已超时")
    CANCELLED = "cancelled", _("已撤回")


class ApprovalRequest(models.Model):
    """A proposal above its proposer's authority, sent to a level of the case's escalation ladder. It is
    decided (with a reason) by the level's holder before `due_at`; when it expires, the case escalates
    and the request goes to the level above."""

    proposal = models.ForeignKey(SolutionProposal, on_delete=models.PROTECT, related_name="approvals")
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.PROTECT, related_name="+")
    level_position = models.PositiveSmallIntegerField(_("审批层级"))
    level_name = models.CharField(_("审批层级名称"), max_length=50, blank=True)
    approver_role = models.CharField(_("审批角色"), max_length=32, choices=Role.choices, blank=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval_requests",
    )
    approver_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("审批机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"))
    reason = models.TextField(_("申请原因"), blank=True)
    amount = models.DecimalField(_("金额（元）"), **AMOUNT)
    due_at = models.DateTimeField(_("审批时限"))
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    deadline_provisional = models.BooleanField(_("时限为暂定"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("补偿审批")
        verbose_name_plural = _("补偿审批")
        ordering = ["requested_at", "id"]
        indexes = [
            models.Index(
                fields=["approver", "due_at"], condition=Q(status="pending"), name="sol_approval_pending_user"
            ),
            models.Index(fields=["complaint", "status"], name="sol_approval_complaint"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.level_name}#{self.pk}"


class CompensationEntry(models.Model):
    """The ledger: compensation granted on a case, written when the customer chooses a material option.
    `org_unit` is the case's unit when granted and `month` the first day of the local month, so totals
    per unit and per month are one indexed range."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="compensation"
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("机构"), on_delete=models.PROTECT, related_name="+"
    )
    proposal = models.ForeignKey(SolutionProposal, on_delete=models.PROTECT, related_name="ledger_entries")
    option = models.ForeignKey(SolutionOption, on_delete=models.PROTECT, related_name="+")
    remedy = models.ForeignKey(Remedy, verbose_name=_("补救方式"), on_delete=models.PROTECT)
    amount = models.DecimalField(_("金额（元）"), **AMOUNT)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("授权人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记账人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("记账时间"))
    month = models.DateField(_("月份"))

    class Meta:
        verbose_name = _("补偿台账")
        verbose_name_plural = _("补偿台账")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["org_unit", "month"], name="sol_ledger_unit_month"),
            models.Index(fields=["authorised_by", "month"], name="sol_ledger_authoriser_month"),
            models.Index(fields=["complaint"], name="sol_ledger_complaint"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.amount}"
