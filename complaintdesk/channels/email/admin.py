"""The mails the poller took and what became of each (ignored, refused, given up: with why), read-only.
How the periodic poll went is on the periodic jobs' page (tasks.PeriodicJob, "收取客户邮件").

Registered by `complaintdesk/channels/admin.py` importing this module (the admin discovers only the
app's own `admin` module)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaintdesk.channels.models import InboundEmail


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = ("polled_at", "outcome", "sender", "subject", "complaint", "attempts")
    list_filter = ("outcome",)
    search_fields = ("sender", "subject", "external_id", "complaint__number")
    date_hierarchy = "polled_at"
    list_select_related = ("complaint",)
    fields = ("external_id", "sender", "subject", "sent_at", "polled_at", "outcome", "reason", "complaint",
              "attempts", "original", "size", "sha256")  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("原始邮件"))
    def original(self, row: InboundEmail) -> str:
        # The stored name only: media is never served as-is, and the mail may carry refused files.
        return row.raw.name or "—"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
