from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import BusinessHours, CalendarEntry


@admin.register(CalendarEntry)
class CalendarEntryAdmin(admin.ModelAdmin):
    list_display = ("day", "kind", "org_unit", "note")
    list_filter = ("kind",)
    search_fields = ("note", "org_unit__code", "org_unit__name")
    date_hierarchy = "day"
    autocomplete_fields = ("org_unit",)
    list_select_related = ("org_unit",)


@admin.register(BusinessHours)
class BusinessHoursAdmin(admin.ModelAdmin):
    list_display = ("org_unit", "describe")
    search_fields = ("org_unit__code", "org_unit__name")
    autocomplete_fields = ("org_unit",)
    list_select_related = ("org_unit",)
    fieldsets = (
        (None, {"fields": ("org_unit", "whole_day")}),
        (None, {"fields": (("first_start", "first_end"), ("second_start", "second_end"))}),
    )

    @admin.display(description=_("营业时间"))
    def describe(self, obj: BusinessHours) -> str:
        return obj.describe()
