from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("客服专员")
    BUSINESS_MANAGER = "business_manager", _("业务经理")
    BRANCH_HEAD = "branch_head", _("营业机构负责人")
    GENERAL_MANAGEMENT = "general_management", _("综合管理部")
    EXECUTIVE = "executive", _("管理层")
    SUPERVISOR = "supervisor", _("主管")
    QUALITY_INSPECTOR = "quality_inspector", _("质检员")
    DEPARTMENT_STAFF = "department_staff", _("责任部门人员")
    ADMINISTRATOR = "administrator", _("系统管理员")
    API_CLIENT = "api_client", _("接口客户端")


SYSTEM_USERNAME_PREFIX = "system."


class SystemUser(models.TextChoices):
    """The accounts the system itself acts as (the escalation ladder, enrichment, surveys): created by the
    data migration accounts.0003, fetched with `accounts.system.system_user(code)`. The label is the name
    people see on the timeline, in their language; the username (system.<code>) is what rows refer to."""

    ESCALATION = "escalation", _("升级规则（系统）")
    INTELLIGENCE = "intelligence", _("智能分析（系统）")
    SURVEYS = "surveys", _("满意度评价（系统）")

    @property
    def username(self) -> str:
        return SYSTEM_USERNAME_PREFIX + self.value


_SYSTEM_BY_USERNAME = {kind.username: kind for kind in SystemUser}


def system_user_kind(username: str) -> SystemUser | None:
    """Which system account `username` is, or None for a person (or an integration's account)."""
    return _SYSTEM_BY_USERNAME.get(username)


class User(AbstractUser):
    """A member of staff (or an integration's service account). Belongs to exactly one unit."""

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.AGENT)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("所属机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    employee_no = models.CharField(_("工号"), max_length=20, blank=True)
    extension = models.CharField(_("分机号"), max_length=20, blank=True)
    # The language of messages to this person (in-app notifications, e-mail); empty: the organisation's.
    language = models.CharField(
        _("通知语言"), max_length=10, choices=settings.LANGUAGES, blank=True,
        help_text=_("发给此人的通知和邮件所用的语言；留空则使用系统默认语言"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        if system := system_user_kind(self.username):
            return str(system.label)  # in the reader's language, whatever was stored
        return self.display_name or self.username


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once at issue."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100, blank=True)
    prefix = models.CharField(_("前缀"), max_length=12, help_text=_("令牌开头几位，便于辨认"))
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
