"""The outreach app in the admin, in words: incidents and the events business systems sent (read-only:
declared, received and resolved through their services), the notice rules and care campaigns (edited here),
the customers' choices and each change of them (read-only: recorded by staff or the customer's link, with
time and channel), and the messages sent."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.admin import ReadOnlyAdmin
from complaintdesk.common.time import now

from .models import (
    Campaign,
    CampaignKind,
    CustomerChoice,
    CustomerChoiceChange,
    Incident,
    IncidentLink,
    IncidentOrigin,
    NoticeRule,
    OutreachMessage,
    Purpose,
    ReceivedEvent,
)
from .sms import sms_too_long, too_long_text


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "origin", "status", "complaint_count", "notify_customers", "declared_at",
                    "expected_end_at", "resolved_at")  # fmt: skip
    list_filter = ("status", "kind", "origin", "notify_customers")
    search_fields = ("title", "district", "external_id")
    date_hierarchy = "declared_at"
    list_per_page = 50
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "kind",
                    "origin",
                    "status",
                    "explanation",
                    "explanation_en",
                    "linked_complaints",
                )
            },
        ),
        (_("影响范围"), {"fields": ("district", "org_units", "products", "categories", "accounts")}),
        (_("时间"), {"fields": ("starts_at", "expected_end_at", "ends_at", "declared_by", "declared_at")}),
        (_("主动通知"), {"fields": ("notify_customers", "notices_started_at", "source", "external_id")}),
        (_("解决"), {"fields": ("resolved_by", "resolved_at", "resolution", "resolve_mode")}),
    )
    readonly_fields = ("linked_complaints",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(complaint_total=Count("links"))

    @admin.display(description=_("关联投诉"), ordering="complaint_total")
    def complaint_count(self, obj) -> int:
        return obj.complaint_total

    @admin.display(description=_("关联投诉"))
    def linked_complaints(self, obj) -> str:
        url = reverse("admin:outreach_incidentlink_changelist") + f"?incident__exact={obj.pk}"
        return format_html(
            '<a href="{}">{}</a>', url, _("%(count)d 件，查看列表") % {"count": obj.links.count()}
        )


@admin.register(ReceivedEvent)
class ReceivedEventAdmin(IncidentAdmin):
    list_display = ("title", "source", "external_id", "kind", "status", "complaint_count", "notify_customers",
                    "declared_by", "declared_at")  # fmt: skip
    list_filter = ("source", "status", "kind", "notify_customers")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(origin=IncidentOrigin.EVENT)


@admin.register(IncidentLink)
class IncidentLinkAdmin(ReadOnlyAdmin):
    list_display = ("complaint", "incident", "linked_at", "noticed_before", "answered_at", "feedback_at")
    list_filter = ("noticed_before",)
    search_fields = ("complaint__number", "incident__title")
    raw_id_fields = ("complaint", "incident", "linked_by")
    list_select_related = ("complaint", "incident")
    exclude = ("answer_notification_id", "feedback_notification_id")


@admin.register(NoticeRule)
class NoticeRuleAdmin(admin.ModelAdmin):
    list_display = ("source_label", "kind", "notify_customers", "is_active", "note", "updated_at")
    list_filter = ("kind", "notify_customers", "is_active")
    fields = ("source", "kind", "notify_customers", "is_active", "note")

    @admin.display(description=_("来源系统"), ordering="source")
    def source_label(self, obj) -> str:
        return obj.source or _("所有来源系统")


class CampaignForm(forms.ModelForm):
    """A care message must fit an SMS with its opt-out link and signature (NOTIFY_SMS_MAX_SEGMENTS)."""

    class Meta:
        model = Campaign
        fields = (
            "name", "kind", "message", "message_en", "is_active", "send_on", "check_in_after_days", "starts_on",
            "ends_on", "consent_required", "include_open_complaints", "quiet_from", "quiet_until",
            "min_days_between",
        )  # fmt: skip

    def _fits(self, name: str, language: str) -> str:
        text = self.cleaned_data.get(name) or ""
        if text and (problem := sms_too_long(text=text, purpose=Purpose.CARE, language=language)):
            raise forms.ValidationError(too_long_text(problem))
        return text

    def clean_message(self) -> str:
        return self._fits("message", "zh-hans")

    def clean_message_en(self) -> str:
        return self._fits("message_en", "en")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignForm
    list_display = ("name", "kind", "is_active", "when", "consent_required", "include_open_complaints", "quiet",
                    "min_days_between", "sent_count", "last_run_at")  # fmt: skip
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    readonly_fields = ("created_at", "last_run_at")
    fieldsets = (
        (None, {"fields": ("name", "kind", "message", "message_en", "is_active")}),
        (_("什么时候发"), {"fields": ("send_on", "check_in_after_days", "starts_on", "ends_on")}),
        (
            _("发给谁、怎么发"),
            {
                "fields": (
                    "consent_required",
                    "include_open_complaints",
                    "quiet_from",
                    "quiet_until",
                    "min_days_between",
                )
            },
        ),  # fmt: skip
        (_("记录"), {"fields": ("created_at", "last_run_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(sent_total=Count("messages"))

    @admin.display(description=_("什么时候发"))
    def when(self, obj) -> str:
        if obj.kind == CampaignKind.FESTIVAL and obj.send_on:
            return obj.send_on.isoformat()
        if obj.kind == CampaignKind.CHECK_IN and obj.check_in_after_days:
            return _("结案后 %(days)d 天") % {"days": obj.check_in_after_days}
        return _("客户生日当天") if obj.kind == CampaignKind.BIRTHDAY else "—"

    @admin.display(description=_("免打扰"))
    def quiet(self, obj) -> str:
        return f"{obj.quiet_from:%H:%M}–{obj.quiet_until:%H:%M}"

    @admin.display(description=_("已发消息"), ordering="sent_total")
    def sent_count(self, obj) -> int:
        return obj.sent_total

    def save_model(self, request, obj, form, change):
        if obj.created_at is None:
            obj.created_at = now()
        super().save_model(request, obj, form, change)


@admin.register(CustomerChoice)
class CustomerChoiceAdmin(ReadOnlyAdmin):
    list_display = ("customer", "notices_refused_at", "care_consent_at", "care_refused_at", "birthday", "recorded_by",
                    "updated_at")  # fmt: skip
    search_fields = ("customer__name", "customer__phone", "customer__account_no")
    raw_id_fields = ("customer", "recorded_by")
    list_select_related = ("customer", "recorded_by")


@admin.register(CustomerChoiceChange)
class CustomerChoiceChangeAdmin(ReadOnlyAdmin):
    list_display = ("customer", "topic", "agreed", "channel", "at", "recorded_by", "note")
    list_filter = ("topic", "agreed", "channel")
    search_fields = ("customer__name", "customer__phone", "customer__account_no")
    raw_id_fields = ("customer", "recorded_by")
    list_select_related = ("customer", "recorded_by")
    date_hierarchy = "at"


@admin.register(OutreachMessage)
class OutreachMessageAdmin(ReadOnlyAdmin):
    list_display = (
        "customer",
        "purpose",
        "incident",
        "campaign",
        "channel",
        "status",
        "created_at",
        "sent_at",
    )
    list_filter = ("purpose", "status", "channel")
    search_fields = ("customer__name", "recipient", "incident__title", "campaign__name")
    raw_id_fields = ("customer", "incident", "campaign")
    list_select_related = ("customer", "incident", "campaign")
    exclude = ("provider_message_id",)
    date_hierarchy = "created_at"
