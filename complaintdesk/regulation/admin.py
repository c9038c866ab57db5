import json

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskResultStatus

from complaintdesk.common.admin import ReadOnlyAdmin

from . import code_training, tasks
from .admin_import import ClassificationImportMixin
from .models import (
    CaseCode,
    ClassificationCode,
    ClassificationDimension,
    ClassificationScheme,
    CodeClassifierModel,
    DeadlinePack,
    DeadlineRule,
    PackSelection,
    StatisticsLayout,
    StatsMeasure,
    StatutoryExtension,
)


class DeadlineRuleInline(admin.StackedInline):
    model = DeadlineRule
    extra = 0
    fieldsets = (
        (None, {"fields": (("clock", "condition"), ("amount", "unit", "anchor"), "to_confirm")}),
        (_("计算方式"), {"fields": (("counts_from_next_day", "extend_if_ends_on_holiday"),)}),
        (
            _("延长"),
            {
                "fields": (
                    ("extension_amount", "extension_max_total"),
                    ("extension_approver_role", "extension_notice"),
                )
            },
        ),
        (None, {"fields": ("content_required", "sort_order")}),
    )


@admin.register(DeadlinePack)
class DeadlinePackAdmin(admin.ModelAdmin):
    """Versions of the statutory time limits; `to_confirm` says what the organisation must check itself."""

    list_display = ("name", "version", "effective_from", "is_active", "needs_confirmation")
    list_filter = ("is_active",)
    fields = ("code", "version", "name", "name_en", "effective_from", "is_active", "source", "to_confirm")
    inlines = [DeadlineRuleInline]

    @admin.display(description=_("需机构确认"), boolean=True)
    def needs_confirmation(self, obj: DeadlinePack) -> bool:
        return bool(obj.to_confirm) or obj.rules.exclude(to_confirm="").exists()


@admin.register(PackSelection)
class PackSelectionAdmin(admin.ModelAdmin):
    """The most specific selection wins: the nearest unit, then a category-specific row at that unit."""

    list_display = ("__str__", "pack", "org_unit", "category")
    list_select_related = ("pack", "org_unit", "category")


@admin.register(StatutoryExtension)
class StatutoryExtensionAdmin(ReadOnlyAdmin):
    list_display = (
        "complaint",
        "amount",
        "approved_by",
        "approver_role",
        "approved_at",
        "customer_notified_at",
    )
    list_select_related = ("complaint", "approved_by")


class ClassificationDimensionInline(admin.TabularInline):
    model = ClassificationDimension
    extra = 0


@admin.register(ClassificationScheme)
class ClassificationSchemeAdmin(ClassificationImportMixin, admin.ModelAdmin):
    list_display = ("name", "code", "version", "is_active", "imported_at")
    list_filter = ("is_active",)
    inlines = [ClassificationDimensionInline]
    actions = ["import_csv_as_new_version"]


@admin.register(ClassificationCode)
class ClassificationCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "level", "dimension")
    list_filter = ("dimension__scheme", "dimension")
    search_fields = ("code", "name", "name_en", "keywords")
    list_select_related = ("dimension", "dimension__scheme")
    raw_id_fields = ("parent",)


@admin.register(CaseCode)
class CaseCodeAdmin(ReadOnlyAdmin):
    list_display = ("complaint", "dimension", "code", "status", "basis", "confirmed_by", "confirmed_at")
    list_select_related = ("complaint", "dimension", "code", "confirmed_by")

    @admin.display(description=_("建议依据"))
    def basis(self, obj):
        return obj.suggestion_words()


def _figure(model: CodeClassifierModel, key: str) -> str:
    figures = (model.evaluation or {}).get("kfold", {}).get(key)
    return f"{figures['mean']:.3f} ± {figures['sd']:.3f}" if figures else "—"


@admin.register(CodeClassifierModel)
class CodeClassifierModelAdmin(admin.ModelAdmin):
    """Per dimension, the versions trained on confirmed codes with their k-fold figures; the one in use
    suggests codes at intake. The button trains every dimension again (a background job)."""

    list_display = (
        "dimension", "version", "created_at", "examples", "trained_on", "code_count", "accuracy", "macro_f1",
        "train_seconds", "is_active",
    )  # fmt: skip
    list_filter = ("dimension__scheme", "is_active")
    list_select_related = ("dimension",)
    readonly_fields = (
        "dimension", "version", "created_at", "created_by", "examples", "trained_on", "labels", "train_seconds",
        "is_active", "evaluation_pretty",
    )  # fmt: skip
    exclude = ("evaluation",)
    actions = ["activate", "deactivate"]
    change_list_template = "admin/regulation/codeclassifiermodel/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("blob")

    @admin.display(description=_("代码数"))
    def code_count(self, obj):
        return len(obj.labels or [])

    @admin.display(description=_("准确率（k 折）"))
    def accuracy(self, obj):
        return _figure(obj, "accuracy")

    @admin.display(description=_("宏平均 F1（k 折）"))
    def macro_f1(self, obj):
        return _figure(obj, "macro_f1")

    @admin.display(description=_("评估结果"))
    def evaluation_pretty(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.evaluation, ensure_ascii=False, indent=2))

    @admin.action(description=_("启用所选版本（取代该维度的当前模型）"))
    def activate(self, request, queryset):
        chosen = list(queryset.defer("blob")[:20])
        if len({m.dimension_id for m in chosen}) != len(chosen):
            self.message_user(request, gettext("每个维度只能选择一个版本"), level=messages.WARNING)
            return
        for model in chosen:
            code_training.code_classifier_activate(model=model)
        self.message_user(request, gettext("已启用 %(n)d 个模型") % {"n": len(chosen)})

    @admin.action(description=_("停用所选版本（该维度改用关键词建议）"))
    def deactivate(self, request, queryset):
        for model in queryset.defer("blob")[:20]:
            code_training.code_classifier_deactivate(model=model)
        self.message_user(request, gettext("已停用，相应维度改用关键词建议"))

    def get_urls(self):
        train = self.admin_site.admin_view(self.train_view)
        return [path("train/", train, name="regulation_codeclassifiermodel_train"), *super().get_urls()]

    def train_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_add_permission(request):
            self.message_user(request, gettext("您没有训练模型的权限"), level=messages.ERROR)
        else:
            result = tasks.train_code_classifiers.enqueue(actor_id=request.user.pk)
            if result.status == TaskResultStatus.SUCCESSFUL:
                summary = result.return_value
                self.message_user(
                    request,
                    gettext("已训练：%(trained)s；数据不足未训练：%(skipped)s")
                    % {
                        "trained": "、".join(summary["trained"]) or "—",
                        "skipped": "、".join(summary["skipped"]) or "—",
                    },
                )
            elif result.status == TaskResultStatus.FAILED:
                self.message_user(request, gettext("训练失败，详见任务记录"), level=messages.ERROR)
            else:
                self.message_user(request, gettext("训练已排队，完成后新版本会出现在列表中"))
        return HttpResponseRedirect(reverse("admin:regulation_codeclassifiermodel_changelist"))

    def has_add_permission(self, request):
        return request.user.has_perm("regulation.add_codeclassifiermodel")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("regulation.change_codeclassifiermodel")

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:regulation_codeclassifiermodel_changelist"))


class StatisticsLayoutForm(forms.ModelForm):
    measures = forms.MultipleChoiceField(
        label=_("统计指标"),
        choices=StatsMeasure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("显示哪些结果列；不选则全部显示。"),
    )

    class Meta:
        model = StatisticsLayout
        fields = ("name", "rows", "column", "levels", "measures", "note")

    def clean_measures(self) -> list[str]:
        chosen = set(self.cleaned_data.get("measures") or ())
        return [m for m in StatsMeasure.values if m in chosen]  # in the workbook's order


@admin.register(StatisticsLayout)
class StatisticsLayoutAdmin(admin.ModelAdmin):
    """Saved layouts of the regulatory statistics workbook, chosen by name when exporting."""

    form = StatisticsLayoutForm
    list_display = ("name", "rows", "column", "levels", "measures_shown", "updated_at")
    search_fields = ("name",)

    @admin.display(description=_("统计指标"))
    def measures_shown(self, obj: StatisticsLayout) -> str:
        chosen = obj.measures or StatsMeasure.values
        return "、".join(str(StatsMeasure(m).label) for m in StatsMeasure.values if m in chosen)
