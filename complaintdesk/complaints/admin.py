from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Category, Complaint, ComplaintEvent, Customer


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "parent", "sort_order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "name_en")


class ComplaintEventInline(admin.TabularInline):
    model = ComplaintEvent
    fields = ("at", "actor", "kind", "field", "old_value", "new_value", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("at", "id")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Read-only here: cases change only through the services (workbench, API), which keep the timeline."""

    list_display = ("number", "title", "status", "org_unit", "category", "severity", "assignee", "due_at", "created_at")
    list_filter = ("status", "severity", "complexity", "channel", "category")
    search_fields = ("number", "title")
    list_select_related = ("org_unit", "category", "assignee")
    show_full_result_count = False
    inlines = [ComplaintEventInline]
    raw_id_fields = ("customer", "assignee", "created_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        from complaintdesk.accounts.access import complaints_visible_to

        return complaints_visible_to(request.user)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "preferred_channel", "created_at")
    search_fields = ("name",)
    fields = ("name", "title", "preferred_channel", "language")
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.site_header = _("ComplaintDesk 客户投诉处理系统")
admin.site.site_title = _("ComplaintDesk")
admin.site.index_title = _("系统配置")
