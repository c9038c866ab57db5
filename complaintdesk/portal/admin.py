"""Read-only views of the codes and grants, for looking into a customer's "the code never came"."""

from django.contrib import admin

from .models import AccessCode, AccessGrant


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccessCode)
class AccessCodeAdmin(ReadOnly):
    list_display = (
        "complaint",
        "channel",
        "recipient_masked",
        "created_at",
        "expires_at",
        "attempts",
        "used_at",
        "voided_at",
        "delivered",
    )
    list_filter = ("channel", "delivered")
    search_fields = ("complaint__number",)
    exclude = ("salt", "code_hash")
    list_select_related = ("complaint",)


@admin.register(AccessGrant)
class AccessGrantAdmin(ReadOnly):
    list_display = ("complaint", "created_at", "expires_at", "revoked_at")
    search_fields = ("complaint__number",)
    exclude = ("key_hash",)
    list_select_related = ("complaint",)
