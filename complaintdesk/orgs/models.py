from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    HQ = "hq", _("总部")
    REGION = "region", _("大区")
    BRANCH = "branch", _("分公司/营业机构")
    STORE = "store", _("门店")
    FRANCHISE = "franchise", _("加盟店")
    DEPARTMENT = "department", _("责任部门")
    # Where complaints received centrally (web form, WeChat, e-mail with no unit) land and are handed on.
    SERVICE_CENTRE = "service_centre", _("客服中心")


class OrgUnit(models.Model):
    """A node of the organisation tree (HQ → region → branch/store, departments anywhere).

    `path` is the materialised chain of codes ("/HQ/EAST/SH01/") so that a subtree is one
    indexed prefix query; it is maintained by `orgs.services`, never by hand.
    """

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=500, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(_("层级"), default=0, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("组织机构")
        verbose_name_plural = _("组织机构")
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
