from django.contrib import admin

from .models import StaffNotification


@admin.register(StaffNotification)
class StaffNotificationAdmin(admin.ModelAdmin):
    """The log of what staff were told, and whether the e-mail went out; read-only."""

    list_display = ("created_at", "user", "title", "case_number", "read_at", "email_status", "email_attempts")
    list_filter = ("email_status",)
    search_fields = ("title", "case_number", "user__username", "user__display_name")
    readonly_fields = [f.name for f in StaffNotification._meta.fields]
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
