from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.admin import ReadOnlyAdmin

from .content import placeholder_help, template_errors
from .models import Notification, NotificationTemplate


class NotificationTemplateForm(forms.ModelForm):
    class Meta:
        model = NotificationTemplate
        fields = (
            "code", "channel", "language", "subject", "body", "provider_template_id", "provider_fields", "is_active",
        )  # fmt: skip
        widgets = {"body": forms.Textarea(attrs={"rows": 10, "cols": 90})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = placeholder_help()

    def clean(self):
        cleaned = super().clean()
        channel = cleaned.get("channel") or self.instance.channel
        language = cleaned.get("language") or self.instance.language
        if channel and language and "body" in cleaned:
            errors = template_errors(
                channel=channel, language=language, subject=cleaned.get("subject", ""), body=cleaned["body"],
                provider_fields=cleaned.get("provider_fields") or {},
            )  # fmt: skip
            for field, messages in errors.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return cleaned


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    form = NotificationTemplateForm
    list_display = (
        "code",
        "channel",
        "language",
        "subject",
        "provider_template_id",
        "is_active",
        "updated_at",
    )
    list_filter = ("code", "channel", "language", "is_active")
    search_fields = ("subject", "body", "provider_template_id")

    def has_delete_permission(self, request, obj=None):
        # Switched off, not deleted: the log points at the template each message came from.
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The notification log: read-only, the recipient masked (the full value is only for sending)."""

    list_display = (
        "created_at", "complaint", "template_code", "channel", "recipient_display", "language", "status",
        "attempts", "sent_at", "next_attempt_at",
    )  # fmt: skip
    list_filter = ("status", "channel", "template_code", "language")
    search_fields = ("complaint__number", "provider_message_id")
    list_select_related = ("complaint",)
    date_hierarchy = "created_at"
    fields = (
        "complaint", "template", "template_code", "channel", "recipient_display", "language", "subject", "body",
        "params", "segments", "status", "attempts", "last_error", "provider_message_id", "created_at",
        "last_attempt_at", "next_attempt_at", "sent_at",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("接收人"))
    def recipient_display(self, obj):
        return obj.recipient_masked
