from django.contrib import admin

from complaintdesk.common.admin import ReadOnlyAdmin

from .models import QaInspection, QaPeriod, QaSample, SamplingPolicy


@admin.register(SamplingPolicy)
class SamplingPolicyAdmin(admin.ModelAdmin):
    """The most recently changed row is in force (quality.selectors.policy_current)."""

    list_display = ("__str__", "period", "calibration_percent", "updated_at")
    fieldsets = (
        (None, {"fields": ("share_percent", "minimum_per_agent", "period", "calibration_percent")}),
        (
            None,
            {
                "fields": (
                    "weight_listening",
                    "weight_apology",
                    "weight_accuracy",
                    "weight_solution",
                    "weight_scripts",
                    "weight_follow_up",
                )
            },
        ),
    )


@admin.register(QaPeriod)
class QaPeriodAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "seed",
        "share_percent",
        "minimum_per_agent",
        "calibration_percent",
        "drawn_at",
    )


@admin.register(QaSample)
class QaSampleAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "complaint", "agent", "org_unit", "closed_at", "is_calibration")
    list_filter = ("is_calibration", "period")
    list_select_related = ("complaint", "agent", "org_unit")
    raw_id_fields = ("complaint",)


@admin.register(QaInspection)
class QaInspectionAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "inspector", "status", "total", "scored_at")
    list_filter = ("status",)
    list_select_related = ("inspector",)
