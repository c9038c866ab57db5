from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseSummary(models.Model):
    """The handler's case summary (归档总结). Append-only: each save is a new version; the latest counts."""

    complaint = models.ForeignKey(
        "complaints.Complaint", verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="summaries"
    )
    version = models.PositiveIntegerField(_("版本"))
    problem = models.TextField(_("问题"))
    cause = models.TextField(pgettext_lazy("root cause", "原因"))
    solution = models.TextField(_("解决办法"))
    lesson = models.TextField(_("经验教训"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填写人"), on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(_("填写时间"))

    class Meta:
        verbose_name = _("归档总结")
        verbose_name_plural = _("归档总结")
        ordering = ["complaint", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "version"], name="archive_summary_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} v{self.version}"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class KnowledgeArticle(models.Model):
    """A knowledge-base article, promoted from an archived case by a supervisor (or written directly)."""

    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    category = models.ForeignKey(
        "complaints.Category", verbose_name=_("类别"), null=True, blank=True, on_delete=models.PROTECT
    )
    source_complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("来源案例"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="knowledge_articles",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("知识文章")
        verbose_name_plural = _("知识文章")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title


class EntryKind(models.TextChoices):
    CASE = "case", _("归档案例")
    ARTICLE = "article", _("知识文章")


class ArchiveEntry(models.Model):
    """One searchable document: an archived (closed) case or a published article.

    `segmented` holds jieba's cut_for_search words separated by spaces. The full-text index over it lives
    outside Django's model: on PostgreSQL a generated `search` tsvector column with a GIN index, on SQLite
    the FTS5 table `archive_fts` kept in step by triggers (migration 0002).
    """

    kind = models.CharField(_("类型"), max_length=8, choices=EntryKind.choices)
    complaint = models.OneToOneField(
        "complaints.Complaint", null=True, blank=True, on_delete=models.CASCADE, related_name="archive_entry"
    )
    article = models.OneToOneField(
        KnowledgeArticle, null=True, blank=True, on_delete=models.CASCADE, related_name="archive_entry"
    )
    # Copied from the case so that scoping is one column of this table (null for articles: shared by all);
    # a trigger keeps it in step when the case moves to another unit (scope.py).
    org_unit_id = models.IntegerField(null=True, blank=True)
    title = models.CharField(max_length=200)
    text = models.TextField()  # the plain text snippets are cut from (bounded)
    segmented = models.TextField()
    at = models.DateTimeField()  # closed / published

    class Meta:
        verbose_name = _("检索条目")
        verbose_name_plural = _("检索条目")
        indexes = [
            models.Index(fields=["kind", "org_unit_id"], name="archive_entry_kind_unit"),
            # Where the newest N archived cases of a scope begin (recent-first search, migration 0005).
            models.Index(fields=["at"], condition=Q(kind="case"), name="archive_case_at"),
            models.Index(fields=["org_unit_id", "at"], condition=Q(kind="case"), name="archive_case_unit_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="case", complaint__isnull=False, article__isnull=True)
                    | Q(kind="article", article__isnull=False, complaint__isnull=True)
                ),
                name="archive_entry_one_source",
            )
        ]
