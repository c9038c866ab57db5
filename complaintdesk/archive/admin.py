from django.contrib import admin

from .models import CaseSummary, KnowledgeArticle


@admin.register(CaseSummary)
class CaseSummaryAdmin(admin.ModelAdmin):
    list_display = ("complaint", "version", "written_by", "written_at")
    raw_id_fields = ("complaint", "written_by")
    search_fields = ("complaint__number",)

    def has_change_permission(self, request, obj=None):  # append-only: a new version, never an edit
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "category", "source_complaint", "promoted_by", "updated_at")
    list_filter = ("status",)
    raw_id_fields = ("source_complaint", "promoted_by")
    search_fields = ("title",)
    readonly_fields = ("created_at", "updated_at", "published_at")

    def has_change_permission(self, request, obj=None):  # edits go through article_update (reindexing)
        return False
