from django.contrib import admin

from .models import WorkOrder


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    """Written by dispatch.services only (audited on the case's timeline): read-only here."""

    list_display = (
        "__str__",
        "complaint",
        "department",
        "owner",
        "status",
        "due_at",
        "overdue_at",
        "created_at",
    )
    list_filter = ("status", "department")
    list_select_related = ("complaint", "department", "owner")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
