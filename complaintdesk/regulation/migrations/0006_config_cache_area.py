"""The statutory packs and their selection become a cached area (common.configcache, area "regulation"):
read on every refresh of a case's deadlines (the statutory clock) and on every queue page."""

import secrets

from django.db import migrations


def create_row(apps, schema_editor):
    ConfigVersion = apps.get_model("common", "ConfigVersion")
    ConfigVersion.objects.get_or_create(name="regulation", defaults={"token": secrets.randbits(62)})


class Migration(migrations.Migration):
    dependencies = [("regulation", "0005_regulator_referrals"), ("common", "0002_orgs_area")]

    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
