"""Escalation ladders, each case's place on its ladder, the hand-offs between levels, and referrals
to bodies outside the organisation (SPEC §2 step 4)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from complaintdesk.accounts.models import Role
from complaintdesk.sla.models import validate_duration


class BreachAction(models.TextChoices):
    NONE = "none", _("仅记录")
    NOTIFY = "notify", pgettext_lazy("breach action", "通知")
    ESCALATE = "escalate", _("升级到下一层级")


class HandOffTrigger(models.TextChoices):
    BREACH = "breach", _("超时未处理")
    OBJECTION = "objection", _("客户有异议")
    MANUAL = "manual", _("人工升级")
    RISK_FLAG = "risk_flag", _("声誉风险/群体性投诉")
    HAND_BACK = "hand_back", _("退回下级处理")
    EXTERNAL = "external", _("客户向外部机构申诉")


class HandOffDirection(models.TextChoices):
    UP = "up", pgettext_lazy("hand-off direction", "升级")
    DOWN = "down", _("退回")


class EscalationLadder(models.Model):
    """The levels a case climbs. One organisation default (no unit); a ladder for a unit applies to its
    whole subtree, the nearest unit winning (as SLA policies do)."""

    name = models.CharField(_("名称"), max_length=100)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("适用机构(含下级)"), null=True, blank=True, on_delete=models.CASCADE
    )
    is_active = models.BooleanField(_("启用"), default=True)
    reputation_risk_level = models.PositiveSmallIntegerField(
        _("声誉风险升级到层级"), null=True, blank=True, help_text=_("层级序号；留空则不自动升级")
    )
    batch_level = models.PositiveSmallIntegerField(
        _("群体性投诉升级到层级"), null=True, blank=True, help_text=_("层级序号；留空则不自动升级")
    )

    class Meta:
        verbose_name = _("升级阶梯")
        verbose_name_plural = _("升级阶梯")
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit"], name="esc_ladder_one_per_unit", condition=Q(org_unit__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EscalationLevel(models.Model):
    """One rung. Position 0 is the front line, whose clocks are the SLA policy's own (first response,
    acknowledgement, resolution); from position 1 each level has its own acknowledge and resolve clocks,
    started when the case arrives there. An empty limit means the SLA policy's `level_acknowledge` /
    `level_resolve` (defaults 2wd and 5wd)."""

    ladder = models.ForeignKey(
        EscalationLadder, verbose_name=_("升级阶梯"), on_delete=models.CASCADE, related_name="levels"
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    code = models.SlugField(_("编码"), max_length=32)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=50, blank=True)
    holder_role = models.CharField(
        _("承接角色"),
        max_length=32,
        choices=Role.choices,
        blank=True,
        help_text=_("在投诉受理机构及其上级机构中由近到远查找此角色的人员"),
    )
    is_external = models.BooleanField(_("外部机构"), default=False)
    acknowledge_limit = models.CharField(
        _("告知客户时限"),
        max_length=12,
        blank=True,
        validators=[validate_duration],
        help_text=_("留空则用时限策略"),
    )
    resolve_limit = models.CharField(
        _("解决时限"),
        max_length=12,
        blank=True,
        validators=[validate_duration],
        help_text=_("留空则用时限策略"),
    )
    resolve_limit_general = models.CharField(
        _("一般投诉解决时限"),
        max_length=12,
        blank=True,
        validators=[validate_duration],
        help_text=_("一般投诉另有时限时填写；留空则同解决时限"),
    )
    on_acknowledge_breach = models.CharField(
        _("告知超时后"), max_length=16, choices=BreachAction.choices, default=BreachAction.NOTIFY
    )
    on_resolve_breach = models.CharField(
        _("解决超时后"), max_length=16, choices=BreachAction.choices, default=BreachAction.ESCALATE
    )
    notify_roles = models.JSONField(_("超时通知角色"), default=list, blank=True)
    fallback_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("无人承接时的机构队列"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("升级层级")
        verbose_name_plural = _("升级层级")
        ordering = ["ladder", "position"]
        constraints = [models.UniqueConstraint(fields=["ladder", "position"], name="esc_level_position")]

    def __str__(self) -> str:
        return f"{self.position} {self.name}"


class CaseEscalation(models.Model):
    """Where a case stands on its ladder now. No row: the front line, on the SLA policy's clocks.
    `level_started_at` is set once a hand-off has happened; from then on the level's clocks govern."""

    complaint = models.OneToOneField(
        "complaints.Complaint", verbose_name=_("投诉"), on_delete=models.CASCADE, related_name="escalation"
    )
    ladder = models.ForeignKey(
        EscalationLadder, verbose_name=_("升级阶梯"), null=True, blank=True, on_delete=models.SET_NULL
    )
    level_position = models.PositiveSmallIntegerField(_("当前层级"), default=0)
    level_code = models.CharField(_("层级编码"), max_length=32, blank=True)
    level_name = models.CharField(_("层级名称"), max_length=50, blank=True)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承接人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    holder_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("承接机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    holder_missing = models.BooleanField(_("无人承接"), default=False)
    level_started_at = models.DateTimeField(_("进入本层级时间"), null=True, blank=True)
    acknowledge_required = models.BooleanField(_("需告知客户"), default=True)
    acknowledge_due_at = models.DateTimeField(_("告知客户时限"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("本层级解决时限"), null=True, blank=True)
    customer_acknowledged_at = models.DateTimeField(_("已告知客户于"), null=True, blank=True)
    deadline_provisional = models.BooleanField(_("时限为暂定"), default=False)
    reputation_risk_handled_at = models.DateTimeField(_("声誉风险已处理于"), null=True, blank=True)
    batch_handled_at = models.DateTimeField(_("群体性已处理于"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("投诉升级状态")
        verbose_name_plural = _("投诉升级状态")
        indexes = [models.Index(fields=["level_position", "resolve_due_at"], name="esc_case_level_due")]

    def __str__(self) -> str:
        return f"{self.complaint_id}@{self.level_position}"


class EscalationHandOff(models.Model):
    """One move of a case between levels: from whom, to whom, why, when, the new deadlines and the
    acknowledgement to the customer. Written once; only `customer_acknowledged_at` is filled later."""

    complaint = models.ForeignKey(
        "complaints.Complaint", verbose_name=_("投诉"), on_delete=models.CASCADE, related_name="hand_offs"
    )
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    trigger = models.CharField(_("原因类型"), max_length=16, choices=HandOffTrigger.choices)
    direction = models.CharField(_("方向"), max_length=8, choices=HandOffDirection.choices)
    from_level_position = models.PositiveSmallIntegerField(_("原层级"))
    from_level_name = models.CharField(_("原层级名称"), max_length=50, blank=True)
    to_level_position = models.PositiveSmallIntegerField(_("新层级"))
    to_level_name = models.CharField(_("新层级名称"), max_length=50, blank=True)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("移交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承接人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("承接机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    holder_missing = models.BooleanField(_("无人承接"), default=False)
    reason = models.TextField(_("原因"), blank=True)
    instructions = models.TextField(_("处理要求"), blank=True)
    acknowledge_due_at = models.DateTimeField(_("告知客户时限"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("解决时限"), null=True, blank=True)
    deadline_provisional = models.BooleanField(_("时限为暂定"), default=False)
    customer_acknowledged_at = models.DateTimeField(_("已告知客户于"), null=True, blank=True)
    # The holder's notice: sent on its own, or (a burst: more than ESCALATION_DIGEST_THRESHOLD cases to the
    # same holder within the window) waiting for the holder's burst digest, then listed in it.
    notice_pending = models.BooleanField(_("待汇总通知"), default=False)
    burst_digest = models.ForeignKey(
        "HolderBurstDigest",
        verbose_name=_("汇总通知"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hand_offs",
    )

    class Meta:
        verbose_name = _("升级移交记录")
        verbose_name_plural = _("升级移交记录")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["complaint", "at"], name="esc_handoff_complaint_at"),
            # How many cases went to a holder (a person, or a unit's queue) within the digest window.
            models.Index(fields=["to_user", "at"], name="esc_handoff_user_at"),
            models.Index(fields=["to_unit", "at"], name="esc_handoff_unit_at"),
            models.Index(fields=["id"], name="esc_handoff_notice_pending", condition=Q(notice_pending=True)),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.from_level_position}→{self.to_level_position}"


class ReferralBody(models.TextChoices):
    INDUSTRY_ASSOCIATION = "industry_association", _("行业协会")
    CONSUMER_ASSOCIATION = "consumer_association", _("消费者协会（12315）")
    ADMINISTRATIVE_AUTHORITY = "administrative_authority", _("行政主管部门")
    ARBITRATION = "arbitration", _("仲裁机构")
    COURT = "court", _("人民法院")


class ReferralOutcome(models.TextChoices):
    PENDING = "pending", _("处理中")
    UPHELD = "upheld", _("支持客户诉求")
    PARTLY_UPHELD = "partly_upheld", _("部分支持客户诉求")
    REJECTED = "rejected", _("驳回客户诉求")
    MEDIATED = "mediated", _("调解达成一致")
    WITHDRAWN = "withdrawn", _("客户撤回")


class ExternalReferral(models.Model):
    """The customer took the complaint outside: to which body, under which reference, when, and what
    came of it. The case keeps its history; an outcome may reopen it."""

    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("投诉"),
        on_delete=models.PROTECT,
        related_name="external_referrals",
    )
    body = models.CharField(_("外部机构类型"), max_length=32, choices=ReferralBody.choices)
    body_name = models.CharField(_("机构名称"), max_length=200, blank=True)
    reference_no = models.CharField(_("对方编号"), max_length=100, blank=True)
    referred_on = models.DateField(_("客户申诉日期"), null=True, blank=True)
    received_at = models.DateTimeField(_("我方获知时间"))
    response_due_on = models.DateField(_("答复截止日期"), null=True, blank=True)
    outcome = models.CharField(
        _("结果"), max_length=16, choices=ReferralOutcome.choices, default=ReferralOutcome.PENDING
    )
    outcome_on = models.DateField(_("结果日期"), null=True, blank=True)
    outcome_note = models.TextField(_("结果说明"), blank=True)
    reopened_at = models.DateTimeField(_("据结果重新打开于"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("外部申诉")
        verbose_name_plural = _("外部申诉")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["outcome", "response_due_on"], name="esc_referral_outcome_due")]

    def __str__(self) -> str:
        return f"{self.get_body_display()} {self.reference_no}".strip()


class DigestDelivery(models.Model):
    """The daily digest went to this person for this day: at most one each (two workers, a rerun)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("员工"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("日期"))
    sent_at = models.DateTimeField(_("发送时间"))
    cases_held = models.PositiveIntegerField(_("承接中的升级投诉"), default=0)
    breaches = models.PositiveIntegerField(_("当日超时"), default=0)
    at_risk = models.PositiveIntegerField(_("即将超时"), default=0)

    class Meta:
        verbose_name = _("每日升级摘要")
        verbose_name_plural = _("每日升级摘要")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="esc_digest_once_a_day")]


class HolderBurstDigest(models.Model):
    """One message to a holder listing the cases that escalated to them in a burst (issue 17 item 2): the
    hand-offs it lists point to it. `user` is the holder, or empty when the cases wait in `unit`'s queue
    with nobody to hold them (its managers are told)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承接人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("承接机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("发送时间"))
    cases = models.PositiveIntegerField(_("投诉数"))
    worst = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("最严重的投诉"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("升级汇总通知")
        verbose_name_plural = _("升级汇总通知")
        indexes = [
            models.Index(fields=["user", "sent_at"], name="esc_burst_user_sent"),
            models.Index(fields=["unit", "sent_at"], name="esc_burst_unit_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.unit} {self.sent_at:%Y-%m-%d %H:%M} ({self.cases})"
