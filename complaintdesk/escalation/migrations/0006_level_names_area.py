"""The escalation levels' names become a cached area (common.configcache, area "escalation-levels"):
read whenever a timeline names a level, to show it in the reader's language."""

import secrets

from django.db import migrations


def create_row(apps, schema_editor):
    ConfigVersion = apps.get_model("common", "ConfigVersion")
    ConfigVersion.objects.get_or_create(name="escalation-levels", defaults={"token": secrets.randbits(62)})


class Migration(migrations.Migration):
    dependencies = [("escalation", "0005_holder_burst_digest"), ("common", "0002_orgs_area")]

    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
