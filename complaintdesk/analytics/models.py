"""KPIs (SPEC §5): what the unit enters (customers served), what the tasks maintain (one fact row per
complaint and monthly rollups of the facts), and the scorecard's configuration.

Every measure is an additive count or sum, so that a KPI over any slice is a ratio of two sums, and
the sums over the rollup equal the sums over the facts. The definitions are in docs/metrics.md.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CustomersServed(models.Model):
    """How many customers a unit served in a month: the denominator of the complaint rate. Entered in
    the admin or imported from CSV / Excel. The number covers the unit itself, not its children."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("手工录入")
        IMPORT = "import", _("文件导入")

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("机构"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    customers = models.PositiveIntegerField(_("服务客户数"))
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices, default=Source.MANUAL)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("录入时间"))

    class Meta:
        verbose_name = _("服务客户数")
        verbose_name_plural = _("服务客户数")
        ordering = ["-month", "org_unit"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "month"], name="ana_served_unit_month")]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.month:%Y-%m}: {self.customers}"


class Measures(models.Model):
    """The additive measures of one complaint (a fact) or of a group of them (a rollup row).
    Flags are 0/1 integers so that both are summed the same way on every database."""

    complaints = models.PositiveIntegerField(_("投诉量"), default=0)
    complainants = models.PositiveIntegerField(_("投诉客户数（机构×月）"), default=0)
    # The same count within one category / one channel: what the complaint rate counts when the
    # dashboard is filtered by either, read from the rollups like every other measure (issue 20).
    complainants_category = models.PositiveIntegerField(_("投诉客户数（机构×月×类别）"), default=0)
    complainants_channel = models.PositiveIntegerField(_("投诉客户数（机构×月×渠道）"), default=0)
    withdrawn = models.PositiveIntegerField(_("撤诉"), default=0)
    responded = models.PositiveIntegerField(_("已首次响应"), default=0)
    response_seconds = models.BigIntegerField(_("首次响应用时（秒）"), default=0)
    fr_decided = models.PositiveIntegerField(_("首次响应时限已判定"), default=0)
    fr_met = models.PositiveIntegerField(_("首次响应按时"), default=0)
    res_decided = models.PositiveIntegerField(_("解决时限已判定"), default=0)
    res_met = models.PositiveIntegerField(_("按时解决"), default=0)
    resolved = models.PositiveIntegerField(_("已解决"), default=0)
    handling_seconds = models.BigIntegerField(_("处理用时（工作时间，秒）"), default=0)
    fcr = models.PositiveIntegerField(_("首次接触解决"), default=0)
    ever_resolved = models.PositiveIntegerField(_("曾解决"), default=0)
    reopened = models.PositiveIntegerField(_("重新打开"), default=0)
    escalated = models.PositiveIntegerField(_("升级"), default=0)
    repeat = models.PositiveIntegerField(_("重复投诉"), default=0)
    rated = models.PositiveIntegerField(_("已评价"), default=0)
    satisfied = models.PositiveIntegerField(_("满意（4–5 星）"), default=0)
    praised = models.PositiveIntegerField(_("表扬（5 星）"), default=0)
    nps_answered = models.PositiveIntegerField(_("推荐意愿已答"), default=0)
    promoters = models.PositiveIntegerField(_("推荐者（9–10）"), default=0)
    detractors = models.PositiveIntegerField(_("贬损者（0–6）"), default=0)
    compensated = models.PositiveIntegerField(_("有补偿"), default=0)
    compensation_cents = models.BigIntegerField(_("补偿金额（分）"), default=0)
    # Every contact, whatever its type (issue 19); the measures above count complaints only.
    contacts = models.PositiveIntegerField(_("联系量（全部类型）"), default=0)
    inquiries = models.PositiveIntegerField(_("咨询"), default=0)
    suggestions = models.PositiveIntegerField(_("建议"), default=0)
    praises = models.PositiveIntegerField(_("表扬"), default=0)
    contacts_resolved = models.PositiveIntegerField(_("已办结的联系"), default=0)
    contacts_fcr = models.PositiveIntegerField(_("首次接触即办结的联系"), default=0)
    # 转办: contacts handed to another unit (any kind; counted under the unit that has the case now).
    transferred = models.PositiveIntegerField(_("转办的联系"), default=0)

    class Meta:
        abstract = True


MEASURE_FIELDS: tuple[str, ...] = tuple(f.name for f in Measures._meta.local_fields)
MEASURE_LABELS = {f.name: f.verbose_name for f in Measures._meta.local_fields}


class ComplaintFact(Measures):
    """One row per complaint: its slice (intake month, unit, category, channel, agent, severity,
    complexity) and its measures, computed by analytics.facts. Maintained by the sync task; rebuilt
    by `manage.py analytics_rebuild`. `pending_until`: the earliest due time at which a measure will
    change without any event (a deadline that has not been decided yet)."""

    complaint = models.OneToOneField(
        "complaints.Complaint", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("受理月份"))
    day = models.DateField(_("受理日期"))
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        "complaints.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=16)
    # The contact's kind (complaints.states.ContactKind) when the fact was computed: a slice of one kind.
    kind = models.CharField(_("联系类型"), max_length=16, default="complaint")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    severity = models.CharField(max_length=16)
    complexity = models.CharField(max_length=16)
    customer_id = models.BigIntegerField()
    pending_until = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("投诉统计事实")
        verbose_name_plural = _("投诉统计事实")
        indexes = [
            models.Index(fields=["month", "org_unit"], name="ana_fact_month_unit"),
            models.Index(fields=["agent", "month"], name="ana_fact_agent_month"),
            models.Index(fields=["day"], name="ana_fact_day"),
            models.Index(
                fields=["pending_until"], condition=Q(pending_until__isnull=False), name="ana_fact_pending"
            ),
        ]


class MonthlyRollup(Measures):
    """Sums of the facts per month × unit × category × channel × kind × severity × complexity: what the
    dashboard reads. Rewritten key by key by analytics.rollups whenever a fact of the key changes."""

    month = models.DateField()
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        "complaints.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=16)
    kind = models.CharField(_("联系类型"), max_length=16, default="complaint")
    severity = models.CharField(max_length=16)
    complexity = models.CharField(max_length=16)

    class Meta:
        verbose_name = _("月度汇总")
        verbose_name_plural = _("月度汇总")
        indexes = [models.Index(fields=["month", "org_unit"], name="ana_rollup_month_unit")]


class ScorecardWeights(models.Model):
    """The scorecard's weights in percent (SPEC §5 defaults); one row (pk 1)."""

    attitude = models.PositiveSmallIntegerField(_("服务态度（%）"), default=25)
    efficiency = models.PositiveSmallIntegerField(_("工作效率（%）"), default=30)
    feedback = models.PositiveSmallIntegerField(_("客户反馈（%）"), default=35)
    contribution = models.PositiveSmallIntegerField(_("综合贡献（%）"), default=10)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("考核权重")
        verbose_name_plural = _("考核权重")

    def __str__(self) -> str:
        return f"{self.attitude}/{self.efficiency}/{self.feedback}/{self.contribution}"


class ContributionScore(models.Model):
    """A supervisor's score (0–100) of an agent's overall contribution in a month: knowledge-base
    articles, teamwork, training — things the system does not record by itself."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("客服专员"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    score = models.PositiveSmallIntegerField(_("得分（0–100）"))
    note = models.TextField(_("说明"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评分人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("评分时间"))

    class Meta:
        verbose_name = _("综合贡献评分")
        verbose_name_plural = _("综合贡献评分")
        constraints = [
            models.UniqueConstraint(fields=["agent", "month"], name="ana_contribution_agent_month"),
            models.CheckConstraint(condition=Q(score__lte=100), name="ana_contribution_score_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.month:%Y-%m}: {self.score}"


class SyncState(models.Model):
    """Where the incremental sync is: the last timeline event it has read (its schedule is the periodic
    job "analytics-sync", tasks.PeriodicJob)."""

    name = models.CharField(max_length=32, primary_key=True)
    last_event_id = models.BigIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_result = models.JSONField(default=dict, blank=True)
