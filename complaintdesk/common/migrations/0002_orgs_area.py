"""The unit tree becomes a cached area (orgs.selectors.orgunit_active_by_code)."""

import secrets

from django.db import migrations


def create_row(apps, schema_editor):
    ConfigVersion = apps.get_model("common", "ConfigVersion")
    ConfigVersion.objects.get_or_create(name="orgs", defaults={"token": secrets.randbits(62)})


class Migration(migrations.Migration):
    dependencies = [("common", "0001_initial")]

    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
