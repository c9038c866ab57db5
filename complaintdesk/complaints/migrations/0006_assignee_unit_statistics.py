"""PostgreSQL: tell the planner that a case's assignee and unit go together.

Without it, for an agent whose scope is a single store, the planner multiplies the two
selectivities, expects ~15 rows where there are hundreds and ANDs two bitmap indexes instead of
walking cpl_open_assignee_due (docs/performance.md, "store agent" plan).
"""

from django.db import migrations

FORWARD = (
    "CREATE STATISTICS IF NOT EXISTS cpl_assignee_unit_dep (dependencies) "
    "ON assignee_id, org_unit_id FROM complaints_complaint"
)
BACKWARD = "DROP STATISTICS IF EXISTS cpl_assignee_unit_dep"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0005_event_kind_notified")]

    operations = [migrations.RunPython(forward, backward)]
