"""Complaint.received_at: when the complaint reached us; deadlines count from it. Existing cases were
recorded as they arrived as far as anyone knows: their receipt time is their intake time."""

from django.db import migrations, models


def received_is_created(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    Complaint.objects.filter(received_at__isnull=True).update(received_at=models.F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0010_event_hash_chain"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="received_at",
            field=models.DateTimeField(null=True, verbose_name="实际收到时间"),
        ),
        migrations.RunPython(received_is_created, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="complaint",
            name="received_at",
            field=models.DateTimeField(verbose_name="实际收到时间"),
        ),
    ]
