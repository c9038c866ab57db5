from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.admin import ReadOnlyAdmin

from .admin_import import ClassificationImportMixin
from .models import (
    CaseCode,
    ClassificationCode,
    ClassificationDimension,
    ClassificationScheme,
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
    list_display = ("complaint", "dimension", "code", "status", "confirmed_by", "confirmed_at")
    list_select_related = ("complaint", "dimension", "code", "confirmed_by")


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
