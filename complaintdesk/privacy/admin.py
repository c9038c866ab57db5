"""The privacy app in the admin: retention rules (edited), holds, runs and the access log (read-only).

The auditor group's view permissions are honoured here through `privacy.access` (the role backend reads
only the role table's complaints permissions from groups)."""

from django.contrib import admin

from complaintdesk.common.admin import ReadOnlyAdmin

from .access import user_may_audit, user_may_view_holds
from .models import AccessLog, AnonymisationRun, LegalHold, RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "years", "months", "note", "updated_at")
    fields = ("category", "years", "months", "note")


@admin.register(LegalHold)
class LegalHoldAdmin(ReadOnlyAdmin):
    """Placed and released on the case page (with the timeline entry); here only read."""

    list_display = ("complaint", "reason", "placed_by", "placed_at", "released_by", "released_at")
    list_select_related = ("complaint", "placed_by", "released_by")
    search_fields = ("complaint__number",)
    raw_id_fields = ("complaint",)

    def has_view_permission(self, request, obj=None):
        return user_may_view_holds(request.user)

    def has_module_permission(self, request):
        return user_may_view_holds(request.user) or user_may_audit(request.user)


@admin.register(AnonymisationRun)
class AnonymisationRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "finished_at", "cases", "customers", "attachments", "held", "remaining")


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "kind", "case_number", "field", "reason", "rows", "unmasked")
    list_filter = ("kind", "field", "unmasked")
    list_select_related = ("user",)
    search_fields = ("case_number", "user__username")
    date_hierarchy = "day"
    show_full_result_count = False
    exclude = ("complaint",)

    def has_view_permission(self, request, obj=None):
        return user_may_audit(request.user)

    def has_module_permission(self, request):
        return user_may_audit(request.user) or user_may_view_holds(request.user)
