from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.admin import ReadOnlyAdmin

from .access import complaints_visible_to
from .event_text import event_for_people
from .models import Category, Complaint, ComplaintEvent, Customer


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "parent", "sort_order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "name_en")


class ComplaintEventInline(admin.TabularInline):
    """The timeline in words (event_text), as the case page shows it: no field names or codes."""

    model = ComplaintEvent
    fields = ("at", "actor", "what_happened", "what_changed", "said", "reason_text")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("at", "id")
    verbose_name = _("处理记录")
    verbose_name_plural = _("处理记录")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("类型"))
    def what_happened(self, event):
        return event_for_people(event).kind

    @admin.display(description=_("变更"))
    def what_changed(self, event):
        line = event_for_people(event)
        change = f"{line.old} → {line.new}" if line.old else line.new
        return " ".join(p for p in (line.channel, line.what, change) if p) or "—"

    @admin.display(description=_("内容"))
    def said(self, event):
        return event_for_people(event).text or "—"

    @admin.display(description=_("原因"))
    def reason_text(self, event):
        return event_for_people(event).reason or "—"


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    """Read-only here: cases change only through the services (workbench, API), which keep the timeline."""

    list_display = (
        "number",
        "title",
        "status",
        "org_unit",
        "category",
        "severity",
        "assignee",
        "due_at",
        "received_at",
        "created_at",
    )
    list_filter = ("status", "severity", "complexity", "channel", "category")
    search_fields = ("number", "title")
    list_select_related = ("org_unit", "category", "assignee")
    show_full_result_count = False
    inlines = [ComplaintEventInline]
    raw_id_fields = ("customer", "assignee", "created_by")

    def get_queryset(self, request):
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
