from django.contrib import admin

from complaintdesk.common.admin import ReadOnlyAdmin

from .models import WorkOrder


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
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
