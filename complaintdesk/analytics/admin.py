from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaintdesk.common.errors import InvalidInput
from complaintdesk.common.time import now

from . import services
from .models import ContributionScore, CustomersServed, ScorecardWeights


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV 或 Excel 文件"))


@admin.register(CustomersServed)
class CustomersServedAdmin(admin.ModelAdmin):
    list_display = ("org_unit", "month", "customers", "source", "updated_by", "updated_at")
    list_filter = ("source", "month")
    search_fields = ("org_unit__code", "org_unit__name")
    autocomplete_fields = ("org_unit",)
    readonly_fields = ("source", "updated_by", "updated_at")
    change_list_template = "admin/analytics/customersserved/change_list.html"

    def save_model(self, request, obj, form, change):
        obj.month = obj.month.replace(day=1)
        obj.updated_by, obj.updated_at, obj.source = request.user, now(), CustomersServed.Source.MANUAL
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="analytics_customersserved_import",
            )
        ] + super().get_urls()

    def import_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                n = services.customers_served_import(
                    content=upload.read(), filename=upload.name, actor=request.user
                )
            except InvalidInput as exc:
                for reasons in exc.fields.values():
                    for reason in reasons:
                        form.add_error("file", reason)
            else:
                messages.success(request, _("已导入 %(n)d 行") % {"n": n})
                return redirect("admin:analytics_customersserved_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.model._meta,
            "title": _("导入服务客户数"),
        }
        return TemplateResponse(request, "admin/analytics/customersserved/import.html", context)


@admin.register(ScorecardWeights)
class ScorecardWeightsAdmin(admin.ModelAdmin):
    list_display = ("attitude", "efficiency", "feedback", "contribution", "updated_by", "updated_at")
    readonly_fields = ("updated_by", "updated_at")

    def has_add_permission(self, request):
        return not ScorecardWeights.objects.exists() and super().has_add_permission(request)

    def save_model(self, request, obj, form, change):
        services.scorecard_weights_set(
            attitude=obj.attitude,
            efficiency=obj.efficiency,
            feedback=obj.feedback,
            contribution=obj.contribution,
            actor=request.user,
        )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        def clean(self_form):
            data = super(form, self_form).clean()
            total = sum(data.get(k) or 0 for k in ("attitude", "efficiency", "feedback", "contribution"))
            if total != 100:
                raise forms.ValidationError(_("四项权重之和必须为 100"))
            return data

        form.clean = clean
        return form


@admin.register(ContributionScore)
class ContributionScoreAdmin(admin.ModelAdmin):
    list_display = ("agent", "month", "score", "entered_by", "entered_at")
    list_filter = ("month",)
    search_fields = ("agent__username", "agent__display_name")
    raw_id_fields = ("agent",)
    readonly_fields = ("entered_by", "entered_at")

    def save_model(self, request, obj, form, change):
        obj.month = obj.month.replace(day=1)
        obj.entered_by, obj.entered_at = request.user, now()
        super().save_model(request, obj, form, change)
