from django.contrib import admin

from complaintdesk.common.admin import ReadOnlyAdmin

from .models import (
    ApprovalRequest,
    CompensationAuthority,
    CompensationEntry,
    Remedy,
    SolutionOption,
    SolutionProposal,
)


@admin.register(Remedy)
class RemedyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "is_material", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")


@admin.register(CompensationAuthority)
class CompensationAuthorityAdmin(admin.ModelAdmin):
    """Per role: how much may be granted per case and per month without approval, and how long the role
    has to decide an approval request."""

    list_display = ("role", "per_case_limit", "per_month_limit", "approval_limit")
    list_editable = ("per_case_limit", "per_month_limit", "approval_limit")


class SolutionOptionInline(admin.TabularInline):
    model = SolutionOption
    extra = 0
    can_delete = False
    readonly_fields = ("label", "remedy", "amount", "description")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SolutionProposal)
class SolutionProposalAdmin(ReadOnlyAdmin):
    list_display = (
        "complaint",
        "proposed_at",
        "proposed_by",
        "status",
        "max_amount",
        "authorised_by",
        "chosen_option",
    )
    list_filter = ("status",)
    list_select_related = ("complaint", "proposed_by", "authorised_by", "chosen_option")
    inlines = [SolutionOptionInline]


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyAdmin):
    list_display = (
        "complaint",
        "level_name",
        "approver",
        "amount",
        "requested_at",
        "due_at",
        "status",
        "decided_by",
    )
    list_filter = ("status", "level_position")
    list_select_related = ("complaint", "approver", "decided_by")


@admin.register(CompensationEntry)
class CompensationEntryAdmin(ReadOnlyAdmin):
    list_display = ("complaint", "org_unit", "month", "remedy", "amount", "authorised_by", "at")
    list_filter = ("month", "remedy")
    list_select_related = ("complaint", "org_unit", "remedy", "authorised_by")
    date_hierarchy = "at"
