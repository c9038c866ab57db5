from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from complaintdesk.complaints.models import Channel

from . import checking


class ScriptStage(models.TextChoices):
    """The stages of a conversation with a complaining customer (SPEC §4)."""

    GREETING = "greeting", _("问候开场")
    LISTENING = "listening", _("倾听记录")
    APOLOGY = "apology", _("致歉")
    CLARIFYING = "clarifying", _("复述确认")
    PROPOSING = "proposing", pgettext_lazy("script stage", "提出方案")
    REFUSING = "refusing", _("正面说明（无法满足时）")
    FEEDBACK = "feedback", _("结果反馈")
    FOLLOW_UP = "follow_up", _("回访")
    DE_ESCALATION = "de_escalation", _("情绪安抚")


class ScriptLanguage(models.TextChoices):
    # Each language by its own name, in every interface language (not "英语" on Chinese pages).
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class Script(models.Model):
    """A reply script (话术) in the library. Its text lives in versions: every edit adds one, the
    latest is `current_version` and is what agents use; earlier ones stay for reference."""

    code = models.SlugField(_("编码"), max_length=64, unique=True)
    title = models.CharField(_("名称"), max_length=100)
    stage = models.CharField(_("阶段"), max_length=20, choices=ScriptStage.choices)
    language = models.CharField(
        _("语言"), max_length=10, choices=ScriptLanguage.choices, default=ScriptLanguage.ZH_HANS
    )
    category = models.ForeignKey(
        "complaints.Category",
        verbose_name=_("投诉类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("留空表示适用于所有类别"),
    )
    channel = models.CharField(
        _("渠道"), max_length=16, choices=Channel.choices, blank=True, help_text=_("留空表示适用于所有渠道")
    )
    # Issue 19: a script that speaks of "your complaint" (您的投诉, 投诉单) is not offered on an inquiry, a
    # suggestion or praise.
    complaint_only = models.BooleanField(
        _("仅用于投诉"), default=False, help_text=_("勾选后，咨询、建议和表扬的页面上不提供这条话术")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    current_version = models.ForeignKey(
        "ScriptVersion",
        verbose_name=_("当前版本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("话术")
        verbose_name_plural = _("话术")
        ordering = ["stage", "language", "sort_order", "code"]
        indexes = [models.Index(fields=["stage", "language", "is_active"], name="script_stage_lang")]

    def __str__(self) -> str:
        return self.title

    @property
    def body(self) -> str:
        return self.current_version.body if self.current_version_id else ""


class ScriptVersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("script versions are never changed; add a new version")


class ScriptVersion(models.Model):
    """One text of a script. Append-only: an edit is a new row with the next number."""

    script = models.ForeignKey(
        Script, verbose_name=_("话术"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    body = models.TextField(_("内容"))
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("修改时间"))

    objects = ScriptVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("话术版本")
        verbose_name_plural = _("话术版本")
        ordering = ["script", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["script", "number"], name="script_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.script} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("script versions are never changed; add a new version")
        super().save(*args, **kwargs)


class RuleKind(models.TextChoices):
    PHRASE = checking.PHRASE, _("避免的短语")
    REGEX = checking.REGEX, _("避免的表达（正则）")
    REQUIRE = checking.REQUIRE, _("必须包含（正则）")
    AGENT_IDENTITY = checking.AGENT_IDENTITY, _("客服姓名与工号/分机")
    PERSONAL_DATA = checking.PERSONAL_DATA, _("他人个人信息")


class RuleSeverity(models.TextChoices):
    BLOCK = checking.BLOCK, _("阻止发送")
    WARN = checking.WARN, _("警告（可说明原因后发送）")


class RuleLanguage(models.TextChoices):
    ANY = "", _("所有语言")
    # Each language by its own name, in every interface language (not "英语" on Chinese pages).
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class ReplyRule(models.Model):
    """One rule of the reply checker. The shipped rules come from a data migration; admins tune them."""

    code = models.SlugField(_("编码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    language = models.CharField(_("适用语言"), max_length=10, choices=RuleLanguage.choices, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=RuleKind.choices)
    severity = models.CharField(
        _("级别"), max_length=8, choices=RuleSeverity.choices, default=RuleSeverity.WARN
    )
    patterns = models.TextField(
        _("短语/模式"),
        help_text=_(
            "每行一条，可写成“短语 => 建议替换”；# 开头的行是注释。个人信息规则每行写 phone、landline、id_card、email、"
            "bank_card 或一个正则。"
        ),
    )
    exceptions = models.TextField(
        _("例外"),
        blank=True,
        help_text=_(
            "每行一个短语：匹配落在这些短语之内时不算（如“不但是”里的“但是”）；个人信息规则里是允许出现的号码或邮箱。"
        ),
    )
    unless_patterns = models.TextField(
        _("免检条件"), blank=True, help_text=_("每行一个正则：草稿中出现任意一条时，本规则不检查。")
    )
    reason = models.TextField(_("原因"), help_text=_("向客服说明为什么；中文，英文界面通过翻译显示。"))
    reason_en = models.TextField(
        _("原因（英文）"), blank=True, help_text=_("自定义规则的英文说明；留空时使用翻译。")
    )
    suggestion = models.TextField(
        _("建议"),
        blank=True,
        help_text=_(
            "没有逐条替换时给客服的建议；“必须包含”类规则是建议补上的句子，可用占位符如 {deadline}。"
        ),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("回复检查规则")
        verbose_name_plural = _("回复检查规则")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = checking.pattern_errors(self.kind, self.patterns, self.unless_patterns)
        if errors:
            raise ValidationError(
                {"patterns": [_("无法解析的正则：%(line)s") % {"line": line} for line in errors]}
            )


class ReplyCheckOverride(models.Model):
    """An agent sent a draft despite the checker's warnings, and said why. Never changed afterwards."""

    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("投诉"),
        on_delete=models.PROTECT,
        related_name="reply_overrides",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    language = models.CharField(_("语言"), max_length=10)
    draft_hash = models.CharField(_("草稿摘要(SHA-256)"), max_length=64, db_index=True)
    draft_text = models.TextField(_("草稿"))
    finding_codes = models.JSONField(_("忽略的警告"), default=list)
    reason = models.TextField(_("原因"))

    class Meta:
        verbose_name = _("回复检查警告忽略记录")
        verbose_name_plural = _("回复检查警告忽略记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["complaint", "draft_hash"], name="reply_override_draft")]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("override records are never changed")
        super().save(*args, **kwargs)
