"""An archived case's entry follows the case to another unit: a trigger on complaints_complaint rewrites
the entry's unit (and on PostgreSQL with it the scope word of its search vector) in the same statement
(see archive/scope.py). Entries written before, of cases moved since, are pointed at their case's unit."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery


def forward(apps, schema_editor):
    from complaintdesk.archive.scope import scope_trigger_install

    scope_trigger_install(connection=schema_editor.connection)
    entry_model = apps.get_model("archive", "ArchiveEntry")
    complaint_model = apps.get_model("complaints", "Complaint")
    unit = complaint_model.objects.filter(pk=OuterRef("complaint_id")).values("org_unit_id")[:1]
    entry_model.objects.filter(kind="case").exclude(org_unit_id=F("complaint__org_unit_id")).update(
        org_unit_id=Subquery(unit)
    )


def backward(apps, schema_editor):
    from complaintdesk.archive.scope import scope_trigger_remove

    scope_trigger_remove(connection=schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("archive", "0003_scope_in_search_index")]

    operations = [migrations.RunPython(forward, backward)]
