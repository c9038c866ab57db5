"""The hot search index (issue 20): a partial GIN index over the last 12 months, which recent-first
search reads instead of the all-years index (complaintdesk/archive/hot.py says why and how it rotates).

Built with CREATE INDEX CONCURRENTLY (this migration is not atomic): cases keep being archived and
searched meanwhile; at 10M the index of ~13 months took 21 s. The daily job `archive-hot-index` keeps it
current afterwards. Nothing else changes: without the index, search is the same and uses the old one.
"""

from django.db import migrations

from complaintdesk.archive import hot


def forward(apps, schema_editor):
    hot.rotate(using=schema_editor.connection)


def backward(apps, schema_editor):
    hot.drop_all(using=schema_editor.connection)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("archive", "0005_recent_first_search")]

    operations = [migrations.RunPython(forward, backward)]
