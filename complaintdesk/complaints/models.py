import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .states import ContactKind, Status


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    WEB = "web", _("网页表单")
    CHAT = "chat", _("在线客服")
    WECHAT = "wechat", _("微信公众号")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    LETTER = "letter", _("信函")
    WALK_IN = "walk_in", _("现场/来访")
    WEIBO = "weibo", _("微博/社交媒体")
    API = "api", _("接口(呼叫中心/CRM)")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")
    WECHAT = "wechat", _("微信")
    LETTER = "letter", _("信函")


class Complexity(models.TextChoices):
    GENERAL = "general", pgettext_lazy("complexity", "一般")
    COMPLEX = "complex", _("复杂")


class Severity(models.TextChoices):
    GENERAL = "general", _("一般投诉")
    MAJOR = "major", _("重大投诉")


class PerceivedSeverity(models.TextChoices):
    LOW = "low", _("轻微")
    MEDIUM = "medium", _("一般")
    HIGH = "high", _("严重")
    CRITICAL = "critical", _("非常严重")


class Priority(models.IntegerChoices):
    URGENT = 1, _("紧急")
    HIGH = 2, _("高")
    NORMAL = 3, _("中")
    LOW = 4, _("低")


class Responsibility(models.TextChoices):
    UNDETERMINED = "undetermined", _("待定")
    CUSTOMER_MISUSE = "customer_misuse", _("客户使用不当")
    CUSTOMER_MISUNDERSTANDING = "customer_misunderstanding", _("客户误解")
    NETWORK = "network", _("我方网络")
    SYSTEM = "system", _("我方系统")
    PROCESS = "process", _("我方流程")
    STAFF = "staff", _("我方人员")
    THIRD_PARTY = "third_party", _("第三方")


class Customer(models.Model):
    """A person who complains. Matched on intake by phone, email, account number or WeChat openid."""

    class Title(models.TextChoices):
        NONE = "", _("未知")
        MR = "mr", _("先生")
        MS = "ms", _("女士")

    name = models.CharField(_("姓名"), max_length=100)
    title = models.CharField(_("称呼"), max_length=4, choices=Title.choices, blank=True)
    phone = models.CharField(_("电话(E.164)"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("邮箱"), blank=True, db_index=True)
    account_no = models.CharField(_("账号/订单号"), max_length=64, blank=True, db_index=True)
    wechat_openid = models.CharField(_("微信 OpenID"), max_length=64, blank=True, db_index=True)
    preferred_channel = models.CharField(
        _("首选联系方式"), max_length=16, choices=ContactChannel.choices, default=ContactChannel.PHONE
    )
    language = models.CharField(_("语言"), max_length=10, default="zh-hans")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("投诉类别")
        verbose_name_plural = _("投诉类别")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class CaseNumberCounter(models.Model):
    """SQLite: one row per local calendar day; the sequence behind TS<yyyymmdd><nnnnnn> (numbering)."""

    day = models.DateField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)


class CaseNumberDayStart(models.Model):
    """PostgreSQL: where each local day starts on the case-number sequence (numbering)."""

    day = models.DateField(primary_key=True)
    sequence_base = models.BigIntegerField()


class Complaint(models.Model):
    number = models.CharField(_("投诉单号"), max_length=32, unique=True)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("受理机构"),
        on_delete=models.PROTECT,
        db_index=False,  # cpl_unit_created (org_unit, -created_at) serves its lookups
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("客户"), on_delete=models.PROTECT, related_name="complaints"
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    # Every contact is a case; its kind chooses its lifecycle (states.TRANSITIONS_BY_KIND) and which of
    # the complaint-only stages apply (states.runs_complaint_process).
    kind = models.CharField(
        _("联系类型"), max_length=16, choices=ContactKind.choices, default=ContactKind.COMPLAINT
    )
    language = models.CharField(_("语言"), max_length=10, default="zh-hans")

    # What the customer told us.
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("投诉内容"))
    demand = models.TextField(_("客户诉求"), blank=True)
    occurred_at = models.DateTimeField(_("发生时间"), null=True, blank=True)
    place = models.CharField(_("发生地点"), max_length=200, blank=True)
    product = models.CharField(_("涉及产品/业务"), max_length=100, blank=True)
    people_involved = models.CharField(_("涉及人员"), max_length=200, blank=True)
    perceived_severity = models.CharField(
        _("客户感受严重程度"),
        max_length=16,
        choices=PerceivedSeverity.choices,
        default=PerceivedSeverity.MEDIUM,
    )
    # How to reach whoever filed this case, as given with it. A detail given on a channel that does not
    # prove who is writing (the public web form, e-mail, WeChat, an integration) stays here and never
    # changes the matched customer (complaints.customers); replies and one-time codes for this case may
    # go here or to the customer's own record, never to a detail given with another case.
    contact_name = models.CharField(_("登记时的称呼"), max_length=100, blank=True)
    contact_phone = models.CharField(_("登记时的电话"), max_length=20, blank=True)
    contact_email = models.EmailField(_("登记时的邮箱"), blank=True)
    contact_wechat_openid = models.CharField(_("登记时的微信 OpenID"), max_length=64, blank=True)
    contact_channel = models.CharField(
        _("登记时选择的联系方式"), max_length=16, choices=ContactChannel.choices, blank=True
    )

    # Our analysis.
    category = models.ForeignKey(
        Category,
        verbose_name=_("类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # the partial index cpl_category (NULL is left out)
    )
    complexity = models.CharField(
        _("复杂程度"), max_length=16, choices=Complexity.choices, default=Complexity.GENERAL
    )
    severity = models.CharField(
        _("严重级别"), max_length=16, choices=Severity.choices, default=Severity.GENERAL
    )
    priority = models.PositiveSmallIntegerField(
        _("优先级"), choices=Priority.choices, default=Priority.NORMAL
    )
    is_batch = models.BooleanField(_("批量/群体性"), default=False)
    reputation_risk = models.BooleanField(_("声誉风险"), default=False)
    responsibility = models.CharField(
        _("责任归属"), max_length=32, choices=Responsibility.choices, default=Responsibility.UNDETERMINED
    )
    root_cause = models.TextField(_("根本原因"), blank=True)
    impact = models.TextField(_("影响"), blank=True)
    amount_at_stake = models.DecimalField(
        _("涉及金额"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    # Who has it.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_complaints",
        db_index=False,  # the partial index cpl_assignee (NULL is left out)
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Who took it down on an assisted channel (phone, walk-in, letter, Weibo, chat). An integration
    # posts on behalf of an agent: the agent is `recorded_by` when known here, else named in text.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the partial index cpl_recorded_by (NULL is left out)
    )
    recorded_by_name = models.CharField(_("记录人（外部系统）"), max_length=100, blank=True)
    # A suggestion goes to the unit that owns its subject; praise is credited to a person or a unit.
    owner_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("建议负责部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # almost always empty: the partial index cpl_open_owner_due / cpl_owner_unit covers it
    )
    credited_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受表扬人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="praise_received",
        db_index=False,  # the partial index cpl_credited_user (NULL is left out)
    )
    credited_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("受表扬机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the partial index cpl_credited_unit (NULL is left out)
    )

    # Lifecycle.
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.NEW)
    is_open = models.BooleanField(_("未结"), default=True)
    created_at = models.DateTimeField(_("受理时间"))
    # When the complaint reached us (a letter opened the next day, a call logged after hanging up, a case
    # a regulator forwarded): every deadline counts from here. The intake time unless told otherwise.
    received_at = models.DateTimeField(_("实际收到时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    accepted_at = models.DateTimeField(_("受理确认时间"), null=True, blank=True)
    analysing_at = models.DateTimeField(_("开始分析时间"), null=True, blank=True)
    handling_at = models.DateTimeField(_("开始处理时间"), null=True, blank=True)
    awaiting_customer_at = models.DateTimeField(_("待客户确认时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    follow_up_at = models.DateTimeField(_("回访开始时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("重新打开时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤诉时间"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("告知客户时间"), null=True, blank=True)

    # Deadlines (stored, recomputed by sla.services on the changes that move them).
    first_response_due_at = models.DateTimeField(_("首次响应时限"), null=True, blank=True)
    acknowledge_due_at = models.DateTimeField(_("告知时限"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("解决时限"), null=True, blank=True)
    deadline_provisional = models.BooleanField(_("时限为暂定"), default=False)
    due_at = models.DateTimeField(_("最近时限"), null=True, blank=True)
    sla_paused_at = models.DateTimeField(_("计时暂停于"), null=True, blank=True)

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        permissions = [
            ("handle_complaint", _("受理、分析、处理、反馈投诉")),
            ("escalate_complaint", _("升级投诉")),
            ("close_complaint", _("回访与归档投诉")),
            ("reopen_complaint", _("重新打开投诉")),
            ("withdraw_complaint", _("登记客户撤诉")),
            ("assign_complaint", _("分派投诉")),
            ("transfer_complaint", _("转办投诉到其他机构")),
            ("view_personal_data", _("查看完整的客户个人信息")),
            ("view_all_units", _("查看全部机构的投诉")),
        ]
        indexes = [
            # An agent's open cases by nearest deadline (the workbench's main queue).
            models.Index(
                fields=["assignee", "due_at"], condition=Q(is_open=True), name="cpl_open_assignee_due"
            ),
            # A unit's open cases by nearest deadline (team / unassigned queues, supervisors).
            models.Index(fields=["org_unit", "due_at"], condition=Q(is_open=True), name="cpl_open_unit_due"),
            models.Index(fields=["org_unit", "-created_at"], name="cpl_unit_created"),
            # Suggestions routed to an owner unit (issue 19): the scope and the unit filter say "org_unit in
            # the units OR owner_unit in the units"; the second branch of that OR is these few rows only (a
            # full index on a column that is NULL on nearly every case would be as large as the table's).
            # Open ones by nearest deadline for the owner unit's queues; all of them for the lists, the
            # orgs PROTECT check and the case page.
            models.Index(
                fields=["owner_unit", "due_at"],
                condition=Q(is_open=True, owner_unit__isnull=False),
                name="cpl_open_owner_due",
            ),
            models.Index(
                fields=["owner_unit", "-created_at"],
                condition=Q(owner_unit__isnull=False),
                name="cpl_owner_unit",
            ),
            # Lists filtered by contact type, newest first (API v1 ?kind=, the staff queue's selector).
            models.Index(fields=["kind", "-created_at", "-id"], name="cpl_kind_created_id"),
            models.Index(fields=["status", "due_at"], name="cpl_status_due"),
            # API v1 list orderings, each with `id` last so that a keyset cursor is one index range.
            # created: newest first; deadline: nearest first (cases without a running clock after);
            # priority: most urgent first, then nearest deadline.
            models.Index(fields=["-created_at", "-id"], name="cpl_created_id"),
            models.Index(fields=["due_at", "id"], name="cpl_due_id"),
            models.Index(fields=["priority", "due_at", "id"], name="cpl_priority_due_id"),
            # A WeChat user's cases filed from their OpenID (channels.wechat.selectors).
            models.Index(
                fields=["contact_wechat_openid", "-created_at"],
                condition=~Q(contact_wechat_openid=""),
                name="cpl_contact_openid",
            ),
            # The retention job's search for ended cases whose retention has ended (privacy.selectors.
            # expired_case_ids): a range per status. Partial, so the open cases' updates never touch them.
            models.Index(fields=["closed_at"], condition=Q(status="closed"), name="cpl_closed_at"),
            models.Index(fields=["withdrawn_at"], condition=Q(status="withdrawn"), name="cpl_withdrawn_at"),
            # Foreign keys that are empty when a case is taken in (no category, no assignee yet, nobody
            # credited, no agent recording for an integration): their NULLs are left out of the index, so
            # an intake writes none of them (issue 17); `= x` and the PROTECT checks use them as before.
            *[
                models.Index(fields=[name], condition=Q(**{f"{name}__isnull": False}), name=f"cpl_{name}")
                for name in ("category", "assignee", "recorded_by", "credited_user", "credited_unit")
            ],
        ]

    def __str__(self) -> str:
        return self.number


class EventKind(models.TextChoices):
    CREATED = "created", _("登记投诉")
    TRANSITION = "transition", _("状态变更")
    FIELD_CHANGED = "field_changed", _("字段修改")
    ASSIGNED = "assigned", _("分派")
    DEADLINES = "deadlines", _("时限变更")
    NOTE = "note", _("备注")
    PERSONAL_DATA_REVEALED = "pii_revealed", _("查看个人信息")
    REPLY_OVERRIDDEN = "reply_overridden", _("忽略答复检查警告")
    # What the customer said after intake, on any channel; `field` holds the channel code.
    CUSTOMER_MESSAGE = "customer_message", _("客户留言")
    # Evidence added to the case; `new_value` is the file's name, `field` the attachment id.
    ATTACHMENT_ADDED = "attachment", _("上传附件")
    # An outbound notification reached the provider; `field` is the channel, `new_value` the template code.
    NOTIFIED = "notified", _("已通知客户")
    # An outbound notification was given up after its last attempt; `field` is the channel.
    NOTIFY_FAILED = "notify_failed", _("通知客户失败")
    # Escalation and SLA (escalation, sla): `field` names the level or clock.
    ESCALATED = "escalated", _("升级")
    DE_ESCALATED = "de_escalated", _("退回下级")
    SLA_WARNING = "sla_warning", _("时限预警")
    SLA_BREACH = "sla_breach", _("超时")
    CUSTOMER_OBJECTION = "objection", _("客户有异议")
    EXTERNAL_REFERRAL = "external_referral", _("外部投诉")
    # Solutions and compensation (solutions): `field` is the proposal or approval id.
    SOLUTION_PROPOSED = "solution_proposed", _("提出方案")
    SOLUTION_CHOSEN = "solution_chosen", _("客户选择方案")
    APPROVAL_REQUESTED = "approval_requested", _("申请审批")
    APPROVAL_DECIDED = "approval_decided", _("审批结果")
    COMPENSATION_PAID = "compensation", _("补偿记账")
    # Work orders to departments (dispatch): `field` is the work order id.
    WORK_ORDER = "work_order", _("派工单")
    # The customer's side (portal, surveys): `field` says what.
    CUSTOMER_WITHDREW = "customer_withdrew", _("客户撤诉")
    RESULT_SENT = "result_sent", _("反馈处理结果")
    SURVEY = "survey", _("满意度评价")
    FOLLOW_UP = "follow_up", _("回访")
    SUMMARY = "summary", _("归档总结")
    # Group / batch complaints and links between cases (intelligence): `field` is the group id.
    GROUP_LINKED = "group_linked", _("并入群体性投诉")
    GROUP_UNLINKED = "group_unlinked", _("移出群体性投诉")
    # Staff changed the customer's record (contact details) or merged two records: `field` says which.
    CUSTOMER_UPDATED = "customer_updated", _("更新客户档案")
    CUSTOMERS_MERGED = "customers_merged", _("合并客户档案")
    # Contact types (issue 19): the kind changed, with the reason; a suggestion routed; praise credited.
    KIND_CHANGED = "kind_changed", _("变更联系类型")
    ROUTED = "routed", _("转交负责部门")
    CREDITED = "credited", _("表扬记入")
    # The case handed to another unit (complaints.transfers): `field` is org_unit, the values unit names.
    TRANSFERRED = "transferred", _("转办")


class ComplaintEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("complaint events are append-only")

    def delete(self):
        raise TypeError("complaint events are append-only")


class ComplaintEvent(models.Model):
    """The append-only timeline: one row per change. Never updated, never deleted — except once, when the
    case's personal data is anonymised: `complaints.redaction.timeline_redact` replaces the personal data
    in an event's texts, marks it redacted and seals it to its chain (`redaction_seal`).

    The model refuses any other change; on PostgreSQL a trigger refuses it too (migrations 0002, 0014):
    only that one redaction, done through the database function `complaints_event_redact`, passes.
    """

    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,  # cpl_event_complaint_at
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
    kind = models.CharField(_("类型"), max_length=20, choices=EventKind.choices)
    field = models.CharField(_("字段"), max_length=50, blank=True)
    old_value = models.TextField(_("原值"), blank=True)
    new_value = models.TextField(_("新值"), blank=True)
    reason = models.TextField(_("原因"), blank=True)
    # Tamper evidence: SHA-256 over this event's content and the hash of the case's previous event
    # (complaints.timeline). Changing, removing or inserting an event breaks every later link;
    # `manage.py timeline_verify` finds the first. Empty on events recorded before the chain existed.
    hash = models.CharField(_("校验值"), max_length=64, blank=True, default="")
    # Set once, when the case is anonymised and this event's texts held personal data: when, and the seal
    # (SHA-256 over the redacted content, the previous event's hash and this event's own `hash`, which
    # stays as it was and still links the next event). Empty on an event never redacted.
    redacted_at = models.DateTimeField(_("去除个人信息时间"), null=True, blank=True)
    redaction_seal = models.CharField(
        _("去除个人信息校验值"), max_length=64, blank=True, default="", db_default=""
    )

    objects = ComplaintEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("处理记录")
        verbose_name_plural = _("处理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["complaint", "at"], name="cpl_event_complaint_at")]

    def __str__(self) -> str:
        return str(self.get_kind_display())  # what happened, in words (the admin names rows by it)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("complaint events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("complaint events are append-only")


def attachment_upload_to(instance: "Attachment", filename: str) -> str:
    # Never the client's file name in the path: names are for people, paths are ours.
    return f"attachments/{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """Evidence for a case (photos, PDFs). The bytes live in Django's storage (MEDIA_ROOT by
    default), never in the database; the type is what the content is, sniffed from its bytes."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = pgettext_lazy("plural", "附件")
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["complaint", "sha256"], name="cpl_attachment_sha")]

    def __str__(self) -> str:
        return self.original_name
