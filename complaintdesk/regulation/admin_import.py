"""The admin action "import a CSV as a new version" of a classification scheme: an intermediate page with a
file field; the import is all or nothing (regulation.services.scheme_import_csv)."""

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaintdesk.common.errors import DomainError

from .classification_csv import SchemeCsvError, problem_text
from .services import scheme_import_csv

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class SchemeImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV 文件"))
    version = forms.IntegerField(label=gettext_lazy("新版本号"), min_value=1, max_value=32767)
    activate = forms.BooleanField(
        label=gettext_lazy("导入后启用（停用该标准的其他版本）"), required=False, initial=True
    )


class ClassificationImportMixin:
    def import_csv_as_new_version(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个分类标准。"), messages.ERROR)
            return None
        scheme = queryset.first()
        form = (
            SchemeImportForm(request.POST or None, request.FILES or None) if "apply" in request.POST else None
        )
        problems: list[str] = []
        if form is not None and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_UPLOAD_BYTES:
                problems = [_("文件过大（上限 5 MB）。")]
            else:
                try:
                    created = scheme_import_csv(
                        code=scheme.code, version=form.cleaned_data["version"], name=scheme.name,
                        name_en=scheme.name_en, source=scheme.source, data=upload.read(),
                        activate=form.cleaned_data["activate"],
                    )  # fmt: skip
                except SchemeCsvError as exc:
                    problems = [problem_text(line, message) for line, message in exc.problems]
                except DomainError as exc:
                    problems = [exc.message]
                else:
                    self.message_user(
                        request,
                        _("已导入 %(scheme)s：%(codes)d 个代码。")
                        % {"scheme": created, "codes": created.code_count},
                        messages.SUCCESS,
                    )
                    return None
        if form is None:
            form = SchemeImportForm(initial={"version": scheme.version + 1, "activate": True})
        return TemplateResponse(
            request,
            "regulation/admin/import_scheme.html",
            {
                **self.admin_site.each_context(request),
                "title": _("导入 CSV 为新版本：%(scheme)s") % {"scheme": scheme},
                "scheme": scheme,
                "form": form,
                "problems": problems,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    import_csv_as_new_version.short_description = gettext_lazy("导入 CSV 为新版本")
