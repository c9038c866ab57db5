from django.contrib import admin

from .models import SlaPolicy


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name", "org_unit", "category", "first_response_major", "first_response_general", "resolution_general",
        "resolution_complex", "acknowledge", "level_acknowledge", "level_resolve", "follow_up",
    )
    list_filter = ("org_unit", "category")
