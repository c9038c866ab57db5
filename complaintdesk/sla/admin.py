from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.admin import ReadOnlyAdmin

from .models import SlaPolicy, SlaTimer

DURATION_FIELDS = {
    "first_response_major",
    "first_response_general",
    "resolution_general",
    "resolution_complex",
    "acknowledge",
    "level_acknowledge",
    "level_resolve",
    "follow_up",
}
DURATION_HELP = _(
    "写法：数字加单位。h = 小时、d = 天（按日历计，夜间和节假日也算）；wh = 工作小时、wd = 工作日"
    "（按机构的工作日历计，跳过周末、法定节假日和机构自定的休息日）。"
    "例如 2h = 2 小时，7d = 7 天，2wd = 2 个工作日，16wh = 16 个工作小时。"
)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "org_unit",
        "category",
        "first_response_major",
        "first_response_general",
        "resolution_general",
        "resolution_complex",
        "acknowledge",
        "level_acknowledge",
        "level_resolve",
        "follow_up",
    )
    list_filter = ("org_unit", "category")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in DURATION_FIELDS:
            kwargs["help_text"] = DURATION_HELP
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(SlaTimer)
class SlaTimerAdmin(ReadOnlyAdmin):
    """Timers are written by sla.services and handled by the worker: read-only here."""

    list_display = ("complaint", "kind", "subject", "generation", "state", "warn_at", "due_at", "attempts")
    list_filter = ("state", "kind")
    list_select_related = ("complaint",)
    search_fields = ("complaint__number",)
