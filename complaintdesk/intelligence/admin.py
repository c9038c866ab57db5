import json

from django.contrib import admin, messages
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import TaskResultStatus

from . import classifier, selectors, tasks
from .models import (
    CategoryKeyword,
    ClassifierModel,
    ComplaintGroup,
    ComplaintInsight,
    EmotionLabel,
    GroupMember,
    InsightCorrection,
    IntelligencePolicy,
    RepeatLink,
)
from .services import training


@admin.register(CategoryKeyword)
class CategoryKeywordAdmin(admin.ModelAdmin):
    list_display = ("category_code", "keyword", "weight", "is_active")
    list_editable = ("weight", "is_active")
    list_filter = ("category_code", "is_active")
    search_fields = ("keyword", "category_code")


def _figure(model: ClassifierModel, key: str) -> str:
    figures = (model.evaluation or {}).get("kfold", {}).get(key)
    return f"{figures['mean']:.3f} ± {figures['sd']:.3f}" if figures else "—"


@admin.register(ClassifierModel)
class ClassifierModelAdmin(admin.ModelAdmin):
    """Versions with their k-fold figures; the button trains a new one on the stored cases."""

    list_display = (
        "version",
        "created_at",
        "trained_on",
        "accuracy",
        "macro_f1",
        "train_seconds",
        "is_active",
    )
    readonly_fields = (
        "version",
        "created_at",
        "created_by",
        "source",
        "trained_on",
        "labels",
        "train_seconds",
        "is_active",
        "evaluation_pretty",
    )
    exclude = ("evaluation",)
    actions = ["activate"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("blob")

    @admin.display(description=gettext_lazy("准确率（k 折）"))
    def accuracy(self, obj):
        return _figure(obj, "accuracy")

    @admin.display(description=gettext_lazy("宏平均 F1（k 折）"))
    def macro_f1(self, obj):
        return _figure(obj, "macro_f1")

    @admin.display(description=gettext_lazy("评估结果"))
    def evaluation_pretty(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.evaluation, ensure_ascii=False, indent=2))

    @admin.action(description=gettext_lazy("启用所选版本（取代当前模型）"))
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个版本"), level=messages.WARNING)
            return
        model = training.classifier_activate(model=queryset.get())
        self.message_user(request, _("已启用 v%(version)d") % {"version": model.version})

    def get_urls(self):
        train = self.admin_site.admin_view(self.train_view)
        return [path("train/", train, name="intelligence_classifiermodel_train"), *super().get_urls()]

    def train_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        counts = selectors.training_label_counts()
        usable = [code for code, n in counts.items() if n >= classifier.MIN_EXAMPLES_PER_LABEL]
        if not self.has_add_permission(request):
            self.message_user(request, _("您没有训练模型的权限"), level=messages.ERROR)
        elif len(usable) < 2:
            message = _("至少需要两个类别、每类至少 %(n)d 条已分类的投诉") % {
                "n": classifier.MIN_EXAMPLES_PER_LABEL
            }
            self.message_user(request, message, level=messages.ERROR)
        else:
            result = tasks.train_classifier.enqueue(actor_id=request.user.pk)
            if result.status == TaskResultStatus.SUCCESSFUL:
                self.message_user(request, _("已训练并启用 v%(version)d") % {"version": result.return_value})
            elif result.status == TaskResultStatus.FAILED:
                self.message_user(request, _("训练失败，详见任务记录"), level=messages.ERROR)
            else:
                self.message_user(request, _("训练已排队，完成后新版本会出现在列表中"))
        return HttpResponseRedirect(reverse("admin:intelligence_classifiermodel_changelist"))

    def has_add_permission(self, request):
        return request.user.has_perm("intelligence.add_classifiermodel")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("intelligence.change_classifiermodel")

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:intelligence_classifiermodel_changelist"))


@admin.register(ComplaintInsight)
class ComplaintInsightAdmin(admin.ModelAdmin):
    list_display = (
        "complaint",
        "created_at",
        "suggested_category_code",
        "category_confidence",
        "emotion_level",
        "severity_score",
        "suggested_priority",
        "reputation_risk",
        "category_applied",
    )
    list_filter = ("emotion_level", "reputation_risk", "category_source", "category_applied")
    list_select_related = ("complaint",)
    raw_id_fields = ("complaint",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EmotionLabel)
class EmotionLabelAdmin(admin.ModelAdmin):
    list_display = ("level", "text", "labelled_by", "created_at")
    list_filter = ("level",)
    raw_id_fields = ("complaint",)
    readonly_fields = ("labelled_by", "created_at")
    fieldsets = (
        (
            None,
            {
                "fields": ("text", "level", "complaint", "labelled_by", "created_at"),
                # Only a label linked to its case loses the case's personal data when the case's
                # retention ends (intelligence.anonymise); an unlinked text is taken as the staff's own.
                "description": gettext_lazy(
                    "文本取自某个投诉时，请选择该投诉：该投诉保存期满匿名化时，此文本中的个人信息随之去除。"
                ),
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        obj.pk = training.emotion_label_record(
            text=obj.text, level=obj.level, actor=request.user, complaint=obj.complaint
        ).pk


@admin.register(IntelligencePolicy)
class IntelligencePolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "auto_category_threshold", "apply_category", "apply_severity", "updated_at")

    def has_add_permission(self, request):
        return not IntelligencePolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RepeatLink)
class RepeatLinkAdmin(admin.ModelAdmin):
    list_display = ("complaint", "earlier", "matched_on", "created_at")
    list_filter = ("matched_on",)
    raw_id_fields = ("complaint", "earlier")
    list_select_related = ("complaint", "earlier")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class GroupMemberInline(admin.TabularInline):
    model = GroupMember
    fields = (
        "complaint",
        "similarity",
        "shared_words",
        "is_active",
        "linked_at",
        "linked_by",
        "unlinked_at",
        "unlinked_by",
    )
    readonly_fields = fields
    raw_id_fields = ("complaint",)
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ComplaintGroup)
class ComplaintGroupAdmin(admin.ModelAdmin):
    """Read-only: groups are opened, confirmed, dismissed, changed and resolved through the services (the
    groups page, the API)."""

    list_display = (
        "__str__",
        "scope_unit",
        "status",
        "opened_at",
        "opened_by",
        "confirmed_by",
        "last_member_at",
        "alerted_at",
    )
    list_filter = ("status",)
    readonly_fields = (
        "scope_unit", "title", "shared_words", "status", "opened_at", "opened_by", "last_member_at",
        "alerted_user_ids", "alerted_at", "resolved_at", "resolved_by", "resolution", "evidence",
        "confirmed_at", "confirmed_by", "dismissed_at", "dismissed_by", "dismiss_reason",
    )  # fmt: skip
    inlines = [GroupMemberInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InsightCorrection)
class InsightCorrectionAdmin(admin.ModelAdmin):
    list_display = ("complaint", "field", "suggested", "corrected", "corrected_by", "created_at")
    list_filter = ("field",)
    raw_id_fields = ("complaint", "insight")
    list_select_related = ("complaint", "corrected_by")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
