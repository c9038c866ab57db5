"""Incidents (declared by staff or received from a business system), the complaints they explain, the messages
sent to customers who have no case about them (proactive notices, care), campaigns, and each customer's
choices about such messages."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IncidentKind(models.TextChoices):
    OUTAGE = "outage", _("服务中断")
    SHIPMENT_DELAY = "shipment_delay", _("发货延迟")
    STORE_CLOSURE = "store_closure", _("门店停业")
    OTHER = "other", _("其他")


class IncidentOrigin(models.TextChoices):
    DECLARED = "declared", _("员工登记")
    EVENT = "event", _("业务系统通知")


class IncidentStatus(models.TextChoices):
    ACTIVE = "active", _("进行中")
    RESOLVED = "resolved", _("已解决")


class ResolveMode(models.TextChoices):
    # The recovery is the case's result: sent as such, the case waits for the customer's confirmation.
    CLOSE = "close", _("作为处理结果反馈，等客户确认后结案")
    # The customer hears the recovery; the case stays with its handler (a claim, a refund to decide).
    CONTINUE = "continue", _("只告知已恢复，投诉继续处理")


class Incident(models.Model):
    """Something that brings many complaints at once: an outage, a delayed shipment batch, a store closure.
    Its area is org units (their subtrees) and/or a district named in the complaint's place; its products are
    words found in the complaint's product or title, or categories; its window is when complaints about it
    are expected. `explanation` is what customers are told, in words a person would use."""

    kind = models.CharField(
        _("类型"), max_length=20, choices=IncidentKind.choices, default=IncidentKind.OUTAGE
    )
    origin = models.CharField(
        _("来源"), max_length=12, choices=IncidentOrigin.choices, default=IncidentOrigin.DECLARED
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.ACTIVE
    )
    title = models.CharField(_("名称"), max_length=100)
    explanation = models.CharField(_("给客户的说明"), max_length=120)
    explanation_en = models.CharField(_("给客户的说明（英文）"), max_length=240, blank=True)
    district = models.CharField(_("地区"), max_length=50, blank=True)
    org_units = models.ManyToManyField(
        "orgs.OrgUnit", verbose_name=_("受影响机构"), blank=True, related_name="+"
    )
    products = models.CharField(_("涉及产品/业务"), max_length=200, blank=True)
    categories = models.ManyToManyField(
        "complaints.Category", verbose_name=_("涉及类别"), blank=True, related_name="+"
    )
    accounts = models.JSONField(_("受影响客户（账号/订单号/电话）"), default=list, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("影响结束时间"), null=True, blank=True)
    expected_end_at = models.DateTimeField(_("预计恢复时间"), null=True, blank=True)
    notify_customers = models.BooleanField(_("主动通知受影响客户"), default=False)
    source = models.CharField(_("来源系统"), max_length=50, blank=True)
    external_id = models.CharField(_("来源系统编号"), max_length=100, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    declared_at = models.DateTimeField(_("登记时间"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("解决登记人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    resolution = models.CharField(_("恢复说明"), max_length=120, blank=True)
    resolve_mode = models.CharField(_("投诉如何处理"), max_length=12, choices=ResolveMode.choices, blank=True)
    notices_started_at = models.DateTimeField(_("开始主动通知时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"))
    # Set when the incident's retention ended (outreach.anonymise): its list of affected accounts and phones
    # masked, what its notices achieved kept as counted then (the list no longer finds the customers).
    anonymised_at = models.DateTimeField(_("个人信息去除时间"), null=True, blank=True)
    notice_counts = models.JSONField(_("去除个人信息时的通知效果"), default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        ordering = ["-declared_at", "-id"]
        # Given to the API user of a business system (manage.py outreach_event_sender USERNAME).
        permissions = [("receive_event", _("可以通过接口报送业务事件"))]
        indexes = [models.Index(fields=["status", "declared_at"], name="outreach_incident_status")]
        constraints = [
            # An event delivered twice by its system is the same incident.
            models.UniqueConstraint(
                fields=["source", "external_id"], condition=~Q(external_id=""), name="outreach_event_once"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ReceivedEvent(Incident):
    """The incidents a business system sent (POST /api/v1/events), listed on their own in the admin."""

    class Meta:
        proxy = True
        verbose_name = _("业务系统报送的事件")
        verbose_name_plural = _("业务系统报送的事件")


class IncidentLink(models.Model):
    """A complaint explained by an incident, and what its customer was told because of it (each once)."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="links"
    )
    complaint = models.OneToOneField(
        "complaints.Complaint", verbose_name=_("投诉"), on_delete=models.CASCADE, related_name="incident_link"
    )
    linked_at = models.DateTimeField(_("关联时间"))
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("关联人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    # The customer had been told of the incident before complaining (a proactive notice had gone out).
    noticed_before = models.BooleanField(_("投诉前已收到主动通知"), default=False)
    answered_at = models.DateTimeField(_("已告知说明时间"), null=True, blank=True)
    answer_notification_id = models.BigIntegerField(null=True, blank=True)
    feedback_at = models.DateTimeField(_("已告知恢复时间"), null=True, blank=True)
    feedback_notification_id = models.BigIntegerField(null=True, blank=True)
    feedback_note = models.CharField(_("恢复告知情况"), max_length=300, blank=True)
    feedback_error = models.CharField(_("未能告知的原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("事件关联的投诉")
        verbose_name_plural = _("事件关联的投诉")
        ordering = ["-linked_at", "-id"]
        indexes = [
            models.Index(fields=["incident", "linked_at"], name="outreach_link_incident"),
            models.Index(
                fields=["incident"], condition=Q(feedback_at__isnull=True), name="outreach_link_unfed"
            ),
        ]


class CustomerChoice(models.Model):
    """What one customer agreed to or refused: proactive notices (sent unless refused) and care messages
    (sent only with consent), and the birthday the birthday wishes need."""

    customer = models.OneToOneField(
        "complaints.Customer",
        verbose_name=_("客户"),
        on_delete=models.CASCADE,
        related_name="outreach_choice",
    )
    notices_refused_at = models.DateTimeField(_("拒收主动通知时间"), null=True, blank=True)
    care_consent_at = models.DateTimeField(_("同意接收关怀消息时间"), null=True, blank=True)
    care_refused_at = models.DateTimeField(_("拒收关怀消息时间"), null=True, blank=True)
    birthday = models.DateField(_("生日"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("客户的通知意愿")
        verbose_name_plural = _("客户的通知意愿")

    def __str__(self) -> str:
        return str(self.customer)


class ChoiceTopic(models.TextChoices):
    NOTICES = "notices", _("事件主动通知")
    CARE = "care", _("关怀消息")
    BIRTHDAY = "birthday", _("生日")


class ChoiceChannel(models.TextChoices):
    LINK = "link", _("客户点击消息中的退订链接")
    STAFF = "staff", _("客服登记（电话或当面）")
    API = "api", _("业务系统")
    DEMO = "demo", _("演示数据")


class CustomerChoiceChange(models.Model):
    """Each time a customer agreed to or refused a kind of message: what, when, how it reached us (their
    tap on the link in a message, or staff on the phone), and who recorded it. Never changed afterwards."""

    customer = models.ForeignKey(
        "complaints.Customer", verbose_name=_("客户"), on_delete=models.CASCADE, related_name="+"
    )
    topic = models.CharField(_("消息类型"), max_length=10, choices=ChoiceTopic.choices)
    agreed = models.BooleanField(_("同意接收"))
    channel = models.CharField(_("登记方式"), max_length=10, choices=ChoiceChannel.choices)
    at = models.DateTimeField(_("时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("通知意愿记录")
        verbose_name_plural = _("通知意愿记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer", "at"], name="outreach_choice_change")]


class NoticeRule(models.Model):
    """Whether an event received from a business system is told to the customers concerned before they
    complain: by its source and kind (a rule with an empty source applies to every source). An event that
    says itself whether to notify follows what it says."""

    source = models.CharField(_("来源系统"), max_length=50, blank=True, help_text=_("不填表示所有来源系统"))
    kind = models.CharField(_("事件类型"), max_length=20, choices=IncidentKind.choices)
    notify_customers = models.BooleanField(_("主动通知受影响客户"), default=True)
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("主动通知规则")
        verbose_name_plural = _("主动通知规则")
        ordering = ["source", "kind"]
        constraints = [models.UniqueConstraint(fields=["source", "kind"], name="outreach_rule_once")]

    def __str__(self) -> str:
        return f"{self.source or _('所有来源系统')} · {self.get_kind_display()}"


class CampaignKind(models.TextChoices):
    FESTIVAL = "festival", _("节日问候")
    BIRTHDAY = "birthday", _("生日祝福")
    CHECK_IN = "check_in", _("定期回访")


class Campaign(models.Model):
    """Care messages to customers (SPEC: 节日问候、生日祝福、定期回访). A festival greeting goes on its day; a
    birthday wish on each customer's birthday; a check-in `check_in_after_days` after a case was closed."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=CampaignKind.choices)
    message = models.CharField(_("内容"), max_length=200)
    message_en = models.CharField(_("内容（英文）"), max_length=300, blank=True)
    send_on = models.DateField(_("发送日期"), null=True, blank=True)
    check_in_after_days = models.PositiveSmallIntegerField(_("结案后几天回访"), null=True, blank=True)
    starts_on = models.DateField(_("开始日期"), null=True, blank=True)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    consent_required = models.BooleanField(_("须客户同意"), default=True)
    include_open_complaints = models.BooleanField(_("也发给有未结投诉的客户"), default=False)
    quiet_from = models.TimeField(_("免打扰开始"), default=dt.time(21, 0))
    quiet_until = models.TimeField(_("免打扰结束"), default=dt.time(9, 0))
    min_days_between = models.PositiveSmallIntegerField(_("同一客户两条关怀消息至少间隔（天）"), default=7)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"))
    last_run_at = models.DateTimeField(_("最近发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("关怀活动")
        verbose_name_plural = _("关怀活动")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.kind == CampaignKind.FESTIVAL and not self.send_on:
            errors["send_on"] = _("节日问候须填写发送日期")
        if self.kind == CampaignKind.CHECK_IN and not self.check_in_after_days:
            errors["check_in_after_days"] = _("定期回访须填写结案后几天回访")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("结束日期不能早于开始日期")
        if errors:
            raise ValidationError(errors)


class Purpose(models.TextChoices):
    NOTICE = "notice", _("主动通知")
    CARE = "care", _("客户关怀")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败，等待重试")
    GAVE_UP = "gave_up", _("已放弃")


class OutreachMessage(models.Model):
    """A message to a customer that is about no case of theirs: a proactive notice of an incident or a care
    message. Sent through the notifications app's notifiers (one per channel), claimed and retried like its
    notifications; one per customer and incident, one per customer, campaign and occasion."""

    customer = models.ForeignKey(
        "complaints.Customer", verbose_name=_("客户"), on_delete=models.CASCADE, related_name="+"
    )
    purpose = models.CharField(_("用途"), max_length=10, choices=Purpose.choices)
    incident = models.ForeignKey(
        Incident,
        verbose_name=_("事件"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("关怀活动"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="messages",
    )  # fmt: skip
    occasion = models.CharField(_("场合"), max_length=40, blank=True)
    channel = models.CharField(_("渠道"), max_length=16)
    recipient = models.CharField(_("接收人"), max_length=254)
    language = models.CharField(_("语言"), max_length=10)
    subject = models.CharField(pgettext_lazy("message subject", "标题"), max_length=200, blank=True)
    body = models.TextField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    provider_message_id = models.CharField(_("服务商消息编号"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    last_attempt_at = models.DateTimeField(_("最近尝试时间"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    # Set when its retention ended (outreach.anonymise): recipient masked, texts without personal data.
    anonymised_at = models.DateTimeField(_("个人信息去除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("主动消息")
        verbose_name_plural = _("主动消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "purpose", "created_at"], name="outreach_msg_customer"),
            models.Index(fields=["incident", "status"], name="outreach_msg_incident"),
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["queued", "failed"]),
                name="outreach_msg_due",
            ),
            # The retention job: the messages still holding their personal data, oldest first.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(anonymised_at__isnull=True),
                name="outreach_msg_unredacted",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "incident"],
                condition=Q(incident__isnull=False),
                name="outreach_notice_once",
            ),
            models.UniqueConstraint(
                fields=["customer", "campaign", "occasion"],
                condition=Q(campaign__isnull=False),
                name="outreach_care_once",
            ),  # fmt: skip
        ]
