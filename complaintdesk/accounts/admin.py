from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, User
from .services import user_set_role


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "org_unit", "employee_no", "extension", "is_active")
    list_filter = ("role", "is_active", "org_unit")
    search_fields = ("username", "display_name", "employee_no")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("岗位"),
            {"fields": ("display_name", "role", "org_unit", "employee_no", "extension", "email", "language")},
        ),
        (_("状态"), {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2", "role", "org_unit", "display_name")}),
    )
    readonly_fields = ("last_login", "date_joined")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The role decides the permission group; keep them in step.
        user_set_role(user=obj, role=obj.role)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with `manage.py issue_api_token`; here they can only be looked at or revoked."""

    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at")
    exclude = ("key_hash",)

    def has_add_permission(self, request):
        return False
