from django.contrib import admin

from .models import OrgUnit
from .services import orgunit_create, orgunit_move


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "depth", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "name_en")
    readonly_fields = ("path", "depth")

    def get_readonly_fields(self, request, obj=None):
        # The code is part of every descendant's path; it is fixed once created.
        return (*self.readonly_fields, "code") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            created = orgunit_create(
                code=obj.code, name=obj.name, kind=obj.kind, parent=obj.parent, name_en=obj.name_en
            )
            obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth
            return
        if "parent" in form.changed_data:
            orgunit_move(unit=obj, new_parent=obj.parent)
        obj.save(update_fields=["name", "name_en", "kind", "is_active"])
