from django.contrib import admin

from complaintdesk.common.admin import ReadOnlyAdmin

from .models import CaseEscalation, EscalationHandOff, EscalationLadder, EscalationLevel, ExternalReferral


class EscalationLevelInline(admin.TabularInline):
    model = EscalationLevel
    extra = 0
    fields = (
        "position",
        "code",
        "name",
        "name_en",
        "holder_role",
        "is_external",
        "acknowledge_limit",
        "resolve_limit",
        "resolve_limit_general",
        "on_acknowledge_breach",
        "on_resolve_breach",
        "notify_roles",
        "fallback_unit",
    )


@admin.register(EscalationLadder)
class EscalationLadderAdmin(admin.ModelAdmin):
    list_display = ("name", "org_unit", "is_active", "reputation_risk_level", "batch_level")
    inlines = [EscalationLevelInline]


@admin.register(CaseEscalation)
class CaseEscalationAdmin(ReadOnlyAdmin):
    list_display = (
        "complaint",
        "level_name",
        "holder",
        "holder_missing",
        "acknowledge_due_at",
        "resolve_due_at",
        "customer_acknowledged_at",
    )
    list_filter = ("level_position", "holder_missing")
    list_select_related = ("complaint", "holder")


@admin.register(EscalationHandOff)
class EscalationHandOffAdmin(ReadOnlyAdmin):
    list_display = (
        "complaint",
        "at",
        "trigger",
        "direction",
        "from_level_name",
        "to_level_name",
        "from_user",
        "to_user",
        "resolve_due_at",
    )
    list_filter = ("trigger", "direction")
    list_select_related = ("complaint", "from_user", "to_user")


@admin.register(ExternalReferral)
class ExternalReferralAdmin(ReadOnlyAdmin):
    list_display = ("complaint", "body", "body_name", "reference_no", "referred_on", "outcome", "outcome_on")
    list_filter = ("body", "outcome")
    list_select_related = ("complaint",)
