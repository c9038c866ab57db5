from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.admin import ReadOnlyAdmin
from complaintdesk.common.time import now
from complaintdesk.complaints.access import complaints_visible_to

from . import rendering
from .models import ReplyCheckOverride, ReplyRule, Script, ScriptVersion
from .selectors import rule_names_text
from .services import script_body_errors, script_body_findings, script_update, script_version_restore


def _placeholder_help() -> str:
    names = "  ".join(f"{{{p.name}}}/{{{p.alias}}} {p.label}" for p in rendering.PLACEHOLDERS)
    return gettext("占位符：%(names)s。[[ … ]] 内的内容在缺少取值时整段省略。") % {"names": names}


class ScriptForm(forms.ModelForm):
    """The script's classification, plus its text: saving a changed text adds a version."""

    body = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 8, "cols": 90}))
    change_note = forms.CharField(label=_("修改说明"), max_length=200, required=False)

    class Meta:
        model = Script
        fields = (
            "code", "title", "stage", "language", "category", "channel", "complaint_only", "sort_order", "is_active",
        )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _placeholder_help()
        if self.instance.pk:
            self.fields["body"].initial = self.instance.body

    def clean(self):
        cleaned = super().clean()
        language = cleaned.get("language") or self.instance.language
        if "body" in cleaned and language:
            for error in script_body_errors(body=cleaned["body"], language=language):
                self.add_error("body", error)
        return cleaned


class ScriptVersionInline(admin.TabularInline):
    model = ScriptVersion
    fk_name = "script"
    fields = ("number", "body", "note", "created_by", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-number",)
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Script)
class ScriptAdmin(admin.ModelAdmin):
    form = ScriptForm
    list_display = (
        "title",
        "code",
        "stage",
        "language",
        "category",
        "channel",
        "version_number",
        "is_active",
        "updated_at",
    )
    list_filter = ("stage", "language", "channel", "category", "complaint_only", "is_active")
    search_fields = ("code", "title", "current_version__body")
    list_select_related = ("category", "current_version")
    readonly_fields = ("version_number", "created_at", "updated_at")
    inlines = [ScriptVersionInline]

    @admin.display(description=_("当前版本"))
    def version_number(self, obj):
        return f"v{obj.current_version.number}" if obj.current_version_id else "—"

    def has_delete_permission(self, request, obj=None):
        # Scripts are switched off, not deleted: their versions are the record of what agents were told to say.
        return False

    def save_model(self, request, obj, form, change):
        at = now()
        if not change:
            obj.created_at = at
        obj.updated_at = at
        obj.save()
        script_update(
            script=obj,
            body=form.cleaned_data["body"],
            actor=request.user,
            note=form.cleaned_data.get("change_note", ""),
        )
        warnings = [
            f
            for f in script_body_findings(body=form.cleaned_data["body"], language=obj.language)
            if not f.blocking and f.code not in {"time-zh", "time-en", "identity-zh", "identity-en"}
        ]
        for finding in warnings:
            messages.warning(
                request, f"“{finding.text}”：{finding.reason}" if finding.text else finding.reason
            )


@admin.register(ScriptVersion)
class ScriptVersionAdmin(ReadOnlyAdmin):
    """Earlier texts, for reading and for restoring one as a new version."""

    list_display = ("script", "number", "note", "created_by", "created_at")
    list_filter = ("script__stage", "script__language")
    search_fields = ("script__code", "script__title", "body")
    list_select_related = ("script", "created_by")
    fields = ("script", "number", "body", "note", "created_by", "created_at")
    readonly_fields = fields
    actions = ["restore"]

    @admin.display(description=_("忽略的警告"))
    def warnings_ignored(self, obj):
        # The rules by their names, not their codes ("refusal-zh").
        return rule_names_text(", ".join(obj.finding_codes or [])) or "—"

    @admin.action(description=_("恢复为当前版本（另存为新版本）"), permissions=["view"])
    def restore(self, request, queryset):
        for version in queryset.select_related("script"):
            script_version_restore(version=version, actor=request.user)
        self.message_user(request, gettext("已恢复 %(count)d 个版本") % {"count": queryset.count()})


@admin.register(ReplyRule)
class ReplyRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "language", "kind", "severity", "is_active", "sort_order")
    list_editable = ("severity", "is_active")
    list_filter = ("kind", "severity", "language", "is_active")
    search_fields = ("code", "name", "patterns", "reason")
    readonly_fields = ("updated_at",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReplyCheckOverride)
class ReplyCheckOverrideAdmin(ReadOnlyAdmin):
    """Read-only: what agents sent despite warnings, and why (for quality inspection)."""

    list_display = ("complaint", "actor", "at", "warnings_ignored", "reason")
    list_select_related = ("complaint", "actor")
    search_fields = ("complaint__number", "reason")
    fields = (
        "complaint",
        "actor",
        "at",
        "language",
        "warnings_ignored",
        "reason",
        "draft_text",
        "draft_hash",
    )
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("忽略的警告"))
    def warnings_ignored(self, obj):
        # The rules by their names, not their codes ("refusal-zh").
        return rule_names_text(", ".join(obj.finding_codes or [])) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(complaint__in=complaints_visible_to(request.user))
