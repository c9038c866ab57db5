from django.contrib import admin

from .models import ServiceLogEntry, TrainingCase


@admin.register(TrainingCase)
class TrainingCaseAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "consent", "published_at", "curated_by")
    list_filter = ("kind", "consent")
    search_fields = ("title",)
    raw_id_fields = ("complaint", "handler", "curated_by", "category")
    readonly_fields = ("narrative", "consent", "consent_at", "consent_note", "published_at", "created_at")


@admin.register(ServiceLogEntry)
class ServiceLogEntryAdmin(admin.ModelAdmin):
    list_display = ("agent", "day", "updated_at")
    date_hierarchy = "day"
    raw_id_fields = ("agent",)
    readonly_fields = ("agent", "day", "went_well", "to_improve", "created_at", "updated_at")

    def has_add_permission(self, request) -> bool:
        return False
