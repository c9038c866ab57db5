"""The periodic jobs as people see them: each job by its name in words, when it runs next, when it last
ran and how that went. Read-only: the schedule comes from the settings, the rows from the workers."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import PeriodicJob
from .periodic import periodic_label


@admin.register(PeriodicJob)
class PeriodicJobAdmin(admin.ModelAdmin):
    list_display = ("job", "next_run_at", "last_run_at", "outcome", "failures")
    fields = ("job", "next_run_at", "last_run_at", "outcome", "error", "failures", "wake_queued_at")
    readonly_fields = fields

    @admin.display(description=_("任务"), ordering="name")
    def job(self, row: PeriodicJob) -> str:
        return periodic_label(row.name)

    @admin.display(description=_("上次运行情况"))
    def outcome(self, row: PeriodicJob) -> str:
        if row.last_run_at is None:
            return _("尚未运行")
        result = row.last_result or {}
        if "error" in result:
            return _("失败")
        if "skipped" in result:
            return _("跳过")
        return _("正常")

    @admin.display(description=_("错误信息"))
    def error(self, row: PeriodicJob) -> str:
        return (row.last_result or {}).get("error") or "—"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
