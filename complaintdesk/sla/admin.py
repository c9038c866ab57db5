from django.contrib import admin

from .models import SlaPolicy, SlaTimer


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name", "org_unit", "category", "first_response_major", "first_response_general", "resolution_general",
        "resolution_complex", "acknowledge", "level_acknowledge", "level_resolve", "follow_up",
    )
    list_filter = ("org_unit", "category")


@admin.register(SlaTimer)
class SlaTimerAdmin(admin.ModelAdmin):
    """Timers are written by sla.services and handled by the worker: read-only here."""

    list_display = ("complaint", "kind", "subject", "generation", "state", "warn_at", "due_at", "attempts")
    list_filter = ("state", "kind")
    list_select_related = ("complaint",)
    search_fields = ("complaint__number",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
