"""The team's learning in the admin: read only. A training case is written by learning's services only
(its text depersonalised, published by its handler's consent, removed from the case page with the handler
told); a log entry is the agent's own words."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.admin import ReadOnlyAdmin

from .models import ServiceLogEntry, TrainingCase


@admin.register(TrainingCase)
class TrainingCaseAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "consent", "source_number", "handler", "curated_by", "published_at")
    list_filter = ("kind", "consent")
    search_fields = ("title", "complaint__number")
    list_select_related = ("complaint", "handler", "curated_by")
    date_hierarchy = "created_at"
    fields = (
        "title", "kind", "category", "lesson", "narrative", "complaint", "handler", "consent", "consent_at",
        "consent_note", "curated_by", "created_at", "published_at",
    )  # fmt: skip

    @admin.display(description=_("投诉单号"), ordering="complaint__number")
    def source_number(self, obj: TrainingCase) -> str:
        return obj.complaint.number


@admin.register(ServiceLogEntry)
class ServiceLogEntryAdmin(ReadOnlyAdmin):
    list_display = ("day", "agent", "went_well", "to_improve", "updated_at")
    list_filter = ("day",)
    search_fields = ("agent__username", "agent__display_name")
    list_select_related = ("agent",)
    date_hierarchy = "day"
