"""Closing the loop (SPEC §2 steps 5–7): the result told to the customer, the satisfaction survey and its
answers, and the follow-up call (回访) after resolution."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaintdesk.notifications.base import NotificationChannel


class ConfirmedVia(models.TextChoices):
    SURVEY = "survey", _("满意度评价")
    PORTAL = "portal", _("网上自助服务")
    AGENT = "agent", _("客服登记")
    UNREACHABLE = "unreachable", _("无法联系客户")


class ResultFeedback(models.Model):
    """A structured result sent to the customer: cause, measures, outcome, compensation (and, where a
    regulation requires a decision letter, what was verified, the basis and reasons, the routes if the
    customer disagrees), kept as sent. The case then waits for the customer's confirmation (`confirmed_at`)."""

    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("投诉"),
        on_delete=models.PROTECT,
        related_name="result_feedbacks",
    )
    cause = models.TextField(_("原因"))
    measures = models.TextField(_("处理措施"))
    outcome = models.TextField(_("处理结果"))
    compensation = models.TextField(_("补偿"), blank=True)
    # A case a regulation governs: the decision letter's parts as sent (surveys.letters), and the regulation
    # that required them; empty for the others. `message` is the letter as the customer got it.
    verified = models.TextField(_("核实情况"), blank=True)
    basis = models.TextField(_("处理依据和理由"), blank=True)
    routes = models.TextField(_("不同意时的途径"), blank=True)
    letter_pack = models.CharField(_("要求处理决定书的法规"), max_length=200, blank=True)
    channel = models.CharField(_("发送渠道"), max_length=16)
    language = models.CharField(_("语言"), max_length=10)
    message = models.TextField(_("发给客户的内容"))
    notification = models.ForeignKey(
        "notifications.Notification",
        verbose_name=_("通知"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    override = models.ForeignKey(
        "scripts.ReplyCheckOverride",
        verbose_name=_("忽略检查警告记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("反馈人"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("反馈时间"))
    # Set when the result could not be told because the customer cannot be reached: why (the message
    # and the channel are then empty), recorded by the agent who resolves the case without feedback.
    unreachable_reason = models.TextField(_("无法联系客户的原因"), blank=True)
    confirmed_at = models.DateTimeField(_("客户确认时间"), null=True, blank=True)
    confirmed_via = models.CharField(_("确认方式"), max_length=16, choices=ConfirmedVia.choices, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("处理结果反馈")
        verbose_name_plural = _("处理结果反馈")
        indexes = [models.Index(fields=["complaint", "-sent_at"], name="srv_result_complaint_sent")]

    def __str__(self) -> str:
        return f"{self.complaint_id}@{self.sent_at:%Y-%m-%d %H:%M}"

    @property
    def channel_label(self) -> str:
        """The channel in words (短信, 电子邮件 …), for pages; "" when nothing was sent."""
        return str(NotificationChannel(self.channel).label) if self.channel else ""


class SurveyInvitation(models.Model):
    """One survey link. The link carries a random token; only its SHA-256 is stored, so the table cannot
    be used to forge or recover links. Used once (`used_at`), valid until `expires_at`."""

    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("投诉"),
        on_delete=models.PROTECT,
        related_name="survey_invitations",
    )
    result = models.ForeignKey(
        ResultFeedback,
        verbose_name=_("处理结果"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitations",
    )
    token_hash = models.CharField(_("令牌摘要(SHA-256)"), max_length=64, unique=True)
    # Who and which unit the rating is about, as they were when the customer was asked.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("机构"), on_delete=models.PROTECT, related_name="+"
    )
    language = models.CharField(_("语言"), max_length=10, default="zh-hans")
    notification = models.ForeignKey(
        "notifications.Notification",
        verbose_name=_("通知"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("满意度评价邀请")
        verbose_name_plural = _("满意度评价邀请")
        indexes = [models.Index(fields=["complaint", "-created_at"], name="srv_invite_complaint_created")]

    def __str__(self) -> str:
        return f"{self.complaint_id}#{self.pk}"


class SurveyAction(models.TextChoices):
    NONE = "none", _("无")
    CONFIRMED = "confirmed", _("客户确认，已解决")
    REOPENED = "reopened", _("重新处理")
    ESCALATED = "escalated", _("按异议升级")
    FAILED = "failed", _("自动处理未成功")


class AnswerSource(models.TextChoices):
    LINK = "link", _("评价链接")
    PHONE = "phone", _("电话中客服登记")


class SurveyAnswer(models.Model):
    """What the customer answered: tied to the case, the agent and the unit of the invitation, or — a
    rating given on the phone — recorded by an agent (no invitation)."""

    invitation = models.OneToOneField(
        SurveyInvitation,
        verbose_name=_("邀请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="answer",
    )
    source = models.CharField(
        _("评价来源"), max_length=8, choices=AnswerSource.choices, default=AnswerSource.LINK
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("投诉"),
        on_delete=models.PROTECT,
        related_name="survey_answers",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("机构"), on_delete=models.PROTECT, related_name="+"
    )
    stars = models.PositiveSmallIntegerField(_("满意度（星）"))
    comment = models.TextField(_("意见"), blank=True)
    nps = models.PositiveSmallIntegerField(_("推荐意愿（0–10）"), null=True, blank=True)
    solved = models.BooleanField(_("问题已解决"), null=True, blank=True)
    answered_at = models.DateTimeField(_("评价时间"))
    action = models.CharField(
        _("自动处理"), max_length=16, choices=SurveyAction.choices, default=SurveyAction.NONE
    )
    action_note = models.TextField(_("处理说明"), blank=True)

    class Meta:
        verbose_name = _("满意度评价")
        verbose_name_plural = _("满意度评价")
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="srv_answer_stars_1_5"),
            models.CheckConstraint(
                condition=Q(nps__isnull=True) | Q(nps__lte=10), name="srv_answer_nps_0_10"
            ),
        ]
        indexes = [
            models.Index(fields=["org_unit", "answered_at"], name="srv_answer_unit_at"),
            models.Index(fields=["agent", "answered_at"], name="srv_answer_agent_at"),
            models.Index(fields=["complaint", "answered_at"], name="srv_answer_complaint_at"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.stars}"


class FollowUpState(models.TextChoices):
    OPEN = "open", _("待回访")
    DONE = "done", _("已回访")
    NOT_REACHED = "not_reached", _("未联系上")
    CANCELLED = "cancelled", _("已取消")


class FollowUpOutcome(models.TextChoices):
    NOT_REACHED = "not_reached", _("未联系上")
    SATISFIED = "satisfied", _("客户仍满意")
    UNSATISFIED = "unsatisfied", _("客户不满意")
    NEW_ISSUE = "new_issue", _("客户反映新问题")


class FollowUp(models.Model):
    """The follow-up call (回访) after a resolution: due a policy-set time after it (SlaPolicy.follow_up,
    default 7 calendar days), watched by a durable timer (kind `follow_up`, subject F<id>)."""

    complaint = models.ForeignKey(
        "complaints.Complaint", verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("机构"), on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("解决时间"))
    due_at = models.DateTimeField(_("回访时限"))
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    deadline_provisional = models.BooleanField(_("时限为暂定"), default=False)
    state = models.CharField(
        _("状态"), max_length=16, choices=FollowUpState.choices, default=FollowUpState.OPEN
    )
    outcome = models.CharField(_("回访结果"), max_length=16, choices=FollowUpOutcome.choices, blank=True)
    not_reached_count = models.PositiveSmallIntegerField(_("未联系上次数"), default=0)
    linked_complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("新问题投诉单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"))
    warned_at = models.DateTimeField(_("预警于"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("超时于"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("完成人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    close_note = models.TextField(_("结案说明"), blank=True)

    class Meta:
        verbose_name = _("回访任务")
        verbose_name_plural = _("回访任务")
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"], condition=Q(state="open"), name="srv_follow_up_one_open_per_case"
            ),
        ]
        indexes = [
            # The follow-up queue: open tasks by due time, for a set of units or one person.
            models.Index(
                fields=["org_unit", "due_at"], condition=Q(state="open"), name="srv_follow_up_open_unit_due"
            ),
            models.Index(
                fields=["assignee", "due_at"], condition=Q(state="open"), name="srv_follow_up_open_user_due"
            ),
            models.Index(fields=["due_at", "id"], condition=Q(state="open"), name="srv_follow_up_open_due"),
            models.Index(fields=["complaint", "resolved_at"], name="srv_follow_up_complaint"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}@{self.due_at:%Y-%m-%d}"


class FollowUpAttempt(models.Model):
    """One call or message of a follow-up and what came of it. Never changed afterwards."""

    follow_up = models.ForeignKey(
        FollowUp, verbose_name=_("回访任务"), on_delete=models.PROTECT, related_name="attempts"
    )
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回访人"), on_delete=models.PROTECT, related_name="+"
    )
    reached = models.BooleanField(_("联系上客户"))
    satisfied = models.BooleanField(_("客户仍满意"), null=True, blank=True)
    new_issue = models.TextField(_("新问题"), blank=True)
    note = models.TextField(_("备注"), blank=True)
    outcome = models.CharField(_("结果"), max_length=16, choices=FollowUpOutcome.choices)

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        ordering = ["at", "id"]
