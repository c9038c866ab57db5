from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .grouping import KEY_MAX_LENGTH
from .severity import SeverityRules


class EmotionLevel(models.TextChoices):
    CALM = "calm", _("平静")
    UNHAPPY = "unhappy", _("不满")
    ANGRY = "angry", _("愤怒")


class SuggestionSource(models.TextChoices):
    MODEL = "model", _("学习模型")
    KEYWORDS = "keywords", _("关键词")
    NONE = "none", _("无建议")


class CategoryKeyword(models.Model):
    """One keyword of the organisation's taxonomy: the cold-start classifier, editable in the admin.

    Keyed by category code (not a foreign key) so the shipped taxonomy loads before the
    organisation has created its categories; keywords of a code with no active category are unused.
    """

    category_code = models.CharField(_("类别编码"), max_length=32, db_index=True)
    keyword = models.CharField(_("关键词"), max_length=100)
    weight = models.FloatField(_("权重"), default=1.0, help_text=_("2 = 单独出现即可基本确定类别；1 = 线索"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("分类关键词")
        verbose_name_plural = _("分类关键词")
        ordering = ["category_code", "-weight", "keyword"]
        constraints = [
            models.UniqueConstraint(fields=["category_code", "keyword"], name="intel_keyword_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category_code}: {self.keyword}"


class ClassifierModel(models.Model):
    """A trained category classifier: one row per training run, at most one active."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    created_at = models.DateTimeField(_("训练时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("训练人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("训练数据"), max_length=200, default="cases")
    trained_on = models.PositiveIntegerField(_("训练样本数"))
    labels = models.JSONField(_("类别"), default=list)
    evaluation = models.JSONField(_("评估结果"), default=dict)
    train_seconds = models.FloatField(_("训练耗时(秒)"), default=0.0)
    is_active = models.BooleanField(_("使用中"), default=False)
    blob = models.BinaryField(_("模型"), editable=False)

    class Meta:
        verbose_name = _("分类模型")
        verbose_name_plural = _("分类模型")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="intel_one_active_model"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class ComplaintInsight(models.Model):
    """What one enrichment run found for one complaint, with its reasons; one row per run."""

    complaint = models.ForeignKey(
        "complaints.Complaint", verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="insights"
    )
    created_at = models.DateTimeField(_("分析时间"))
    # Category.
    suggested_category_code = models.CharField(_("建议类别"), max_length=32, blank=True)
    category_confidence = models.FloatField(_("置信度"), default=0.0)
    category_source = models.CharField(
        _("建议来源"), max_length=16, choices=SuggestionSource.choices, default=SuggestionSource.NONE
    )
    category_explanation = models.JSONField(_("依据词"), default=list)
    classifier_version = models.PositiveIntegerField(_("模型版本"), null=True, blank=True)
    category_applied = models.BooleanField(_("已自动设置类别"), default=False)
    # Emotion.
    emotion_level = models.CharField(
        _("情绪"), max_length=16, choices=EmotionLevel.choices, default=EmotionLevel.CALM
    )
    upset_probability = models.FloatField(_("不满概率"), default=0.5)
    emotion_cues = models.JSONField(_("情绪线索"), default=list)
    # Severity and priority.
    severity_score = models.PositiveIntegerField(_("严重度评分"), default=0)
    suggested_severity = models.CharField(_("建议严重级别"), max_length=16, blank=True)
    suggested_priority = models.PositiveSmallIntegerField(_("建议优先级"), null=True, blank=True)
    reputation_risk = models.BooleanField(_("声誉风险"), default=False)
    severity_reasons = models.JSONField(_("评分依据"), default=list)
    explanation = models.TextField(_("说明"), blank=True)
    applied_changes = models.JSONField(_("已应用的修改"), default=dict)
    errors = models.JSONField(_("出错的步骤"), default=list)

    class Meta:
        verbose_name = _("投诉智能分析")
        verbose_name_plural = _("投诉智能分析")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["complaint", "-created_at"], name="intel_insight_complaint")]

    def __str__(self) -> str:
        return f"{self.complaint_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class EmotionLabel(models.Model):
    """An agent's judgement of how upset a text is: a training label for the emotion model."""

    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("投诉"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("文本"))
    level = models.CharField(_("情绪"), max_length=16, choices=EmotionLevel.choices)
    labelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("标注人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("标注时间"))

    class Meta:
        verbose_name = _("情绪标注")
        verbose_name_plural = _("情绪标注")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.level}: {self.text[:30]}"


def _default_rules() -> dict:
    return SeverityRules().as_dict()


class IntelligencePolicy(models.Model):
    """The organisation's settings for enrichment: one row (pk 1), created with defaults on first use."""

    auto_category_threshold = models.FloatField(
        _("自动设置类别的置信度下限"),
        default=0.6,
        help_text=_("低于此值的类别只作为建议显示，不写入投诉单"),
    )
    apply_category = models.BooleanField(_("自动设置类别"), default=True)
    apply_severity = models.BooleanField(_("自动设置严重级别与优先级"), default=True)
    severity_rules = models.JSONField(_("严重度规则与权重"), default=_default_rules)
    detect_groups = models.BooleanField(_("识别群体性投诉"), default=True)
    group_window_hours = models.PositiveIntegerField(
        _("群体性投诉时间窗（小时）"), default=24, help_text=_("只比较这段时间内受理的投诉")
    )
    group_min_customers = models.PositiveIntegerField(
        _("群体性投诉最少客户数"), default=5, help_text=_("至少这么多不同客户描述同一问题才建立群体性投诉")
    )
    group_similarity = models.FloatField(
        _("相似度下限"), default=0.18, help_text=_("描述同一类问题时，文本相似度达到此值视为同一问题")
    )
    group_strong_customers = models.PositiveIntegerField(
        _("自动确认群体性投诉的最少客户数"),
        default=8,
        help_text=_(
            "自动识别的群体性投诉默认等待主管确认；达到此客户数、且八成成员描述同一地点和同一故障或产品时，"
            "证据充分，立即标记并升级。0 = 一律等待确认"
        ),
    )
    group_scope_kind = models.CharField(
        _("群体性投诉范围"),
        max_length=16,
        default="region",
        help_text=_("在投诉所属机构的哪一级上级机构范围内比较：region = 大区，branch = 分公司/营业机构"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("智能分析设置")
        verbose_name_plural = _("智能分析设置")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class RepeatMatch(models.TextChoices):
    CUSTOMER = "customer", _("同一客户")
    ACCOUNT = "account", _("同一账号/订单号")
    PHONE = "phone", _("同一电话")
    EMAIL = "email", _("同一邮箱")


class RepeatLink(models.Model):
    """`complaint` repeats `earlier`: the same customer, account/order, phone or email within the
    organisation's repeat window. A complaint with links is a repeat complaint (KPI, priority)."""

    complaint = models.ForeignKey(
        "complaints.Complaint", verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="repeat_links"
    )
    earlier = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("此前的投诉"),
        on_delete=models.PROTECT,
        related_name="repeated_by",
    )
    matched_on = models.CharField(_("匹配依据"), max_length=16, choices=RepeatMatch.choices)
    created_at = models.DateTimeField(_("关联时间"))

    class Meta:
        verbose_name = _("重复投诉关联")
        verbose_name_plural = _("重复投诉关联")
        ordering = ["complaint", "-earlier__created_at"]
        constraints = [models.UniqueConstraint(fields=["complaint", "earlier"], name="intel_repeat_unique")]

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.earlier_id}"


# --- group / batch complaints and similar cases ---


class ComplaintFingerprint(models.Model):
    """The informative tokens of a complaint (`grouping.fingerprint`), indexed by region and time for
    group detection and by topic and time for similar cases. One row per complaint, written when it
    is enriched."""

    complaint = models.OneToOneField(
        "complaints.Complaint",
        verbose_name=_("投诉"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="fingerprint",
    )
    created_at = models.DateTimeField(_("受理时间"))
    scope_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+"
    )
    customer_id = models.BigIntegerField(_("客户"))
    topic = models.CharField(_("主题（建议类别）"), max_length=32, blank=True)
    tokens = models.TextField(_("特征词"), blank=True)

    class Meta:
        verbose_name = _("投诉特征")
        verbose_name_plural = _("投诉特征")
        indexes = [
            models.Index(fields=["scope_unit", "created_at"], name="intel_fp_scope_time"),
            models.Index(fields=["topic", "-created_at"], name="intel_fp_topic_time"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.tokens[:40]}"


class FingerprintKey(models.Model):
    """One token of a complaint's fingerprint, filed under its region and intake time: the inverted
    index group detection finds candidates with. A new complaint is compared only with the complaints
    of its region and window that share at least one token with it (similarity is 0 without one),
    found by one index range per token, however many complaints the window holds."""

    # (complaint, token): no id column, and the key's index is also the one a complaint's keys are
    # replaced or deleted by.
    pk = models.CompositePrimaryKey("complaint_id", "token")
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("投诉"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    scope_unit_id = models.BigIntegerField(_("所属区域"))
    created_at = models.DateTimeField(_("受理时间"))
    token = models.CharField(_("特征词"), max_length=KEY_MAX_LENGTH)

    class Meta:
        verbose_name = _("投诉特征词索引")
        verbose_name_plural = _("投诉特征词索引")
        indexes = [
            models.Index(
                fields=["scope_unit_id", "token", "created_at", "complaint"], name="intel_fpkey_lookup"
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.token}"


class GroupStatus(models.TextChoices):
    PENDING = "pending", _("待主管确认")
    OPEN = "open", _("处理中")
    RESOLVED = "resolved", _("已统一解决")
    DISMISSED = "dismissed", _("已否决")


# A group whose members detection compares new complaints with and may join (pending or confirmed).
LIVE_GROUP_STATUSES = (GroupStatus.PENDING, GroupStatus.OPEN)


class ComplaintGroup(models.Model):
    """A group / batch complaint (群体性投诉): several customers describing the same problem in one
    region within a short time. Opened by detection or by an agent; resolved together."""

    scope_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("名称"), max_length=200)
    shared_words = models.JSONField(_("共同特征词"), default=list)
    status = models.CharField(_("状态"), max_length=16, choices=GroupStatus.choices, default=GroupStatus.OPEN)
    opened_at = models.DateTimeField(_("建立时间"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("建立人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("空 = 系统自动识别"),
    )
    last_member_at = models.DateTimeField(_("最近并入时间"))
    alerted_user_ids = models.JSONField(_("已提醒的主管"), default=list)
    alerted_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("解决人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution = models.TextField(_("统一处理结果"), blank=True)
    evidence = models.JSONField(
        _("识别依据"), default=dict, blank=True, help_text=_("客户数、共同地点、共同问题、相似度中位数")
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("空 = 证据充分，系统自动确认"),
    )
    dismissed_at = models.DateTimeField(_("否决时间"), null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("否决人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dismiss_reason = models.TextField(_("否决原因"), blank=True)

    class Meta:
        verbose_name = _("群体性投诉")
        verbose_name_plural = pgettext_lazy("plural", "群体性投诉")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["scope_unit", "status", "-last_member_at"], name="intel_group_scope")]

    def __str__(self) -> str:
        return f"G{self.pk} {self.title}"


class GroupMember(models.Model):
    """A complaint in a group. Unlinking keeps the row (inactive) so detection does not put the case
    back; a complaint is in at most one group at a time."""

    group = models.ForeignKey(
        ComplaintGroup, verbose_name=_("群体性投诉"), on_delete=models.PROTECT, related_name="members"
    )
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("投诉"),
        on_delete=models.PROTECT,
        related_name="group_memberships",
    )
    customer_id = models.BigIntegerField(_("客户"))
    similarity = models.FloatField(_("相似度"), default=0.0)
    shared_words = models.JSONField(_("共同特征词"), default=list)
    is_active = models.BooleanField(_("有效"), default=True)
    linked_at = models.DateTimeField(_("并入时间"))
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("并入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("空 = 系统自动识别"),
    )
    unlinked_at = models.DateTimeField(_("移出时间"), null=True, blank=True)
    unlinked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("移出人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("群体性投诉成员")
        verbose_name_plural = _("群体性投诉成员")
        ordering = ["group", "linked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "complaint"], name="intel_member_unique"),
            models.UniqueConstraint(
                fields=["complaint"], condition=Q(is_active=True), name="intel_member_one_group"
            ),
        ]

    def __str__(self) -> str:
        return f"G{self.group_id} ← {self.complaint_id}"


class CorrectionField(models.TextChoices):
    CATEGORY = "category", _("类别")
    SEVERITY = "severity", _("严重级别")
    PRIORITY = "priority", _("优先级")
    EMOTION = "emotion", _("情绪")


class InsightCorrection(models.Model):
    """An agent's correction of what intelligence suggested: a training label, and the record of how
    often the suggestions are right."""

    complaint = models.ForeignKey(
        "complaints.Complaint", verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="+"
    )
    insight = models.ForeignKey(
        ComplaintInsight,
        verbose_name=_("分析记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    field = models.CharField(_("字段"), max_length=16, choices=CorrectionField.choices)
    suggested = models.CharField(_("系统建议"), max_length=32, blank=True)
    corrected = models.CharField(_("更正为"), max_length=32)
    reason = models.TextField(_("原因"), blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("更正人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("更正时间"))

    class Meta:
        verbose_name = _("智能分析更正")
        verbose_name_plural = _("智能分析更正")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["field", "-created_at"], name="intel_correction_field")]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.field}: {self.suggested} → {self.corrected}"
