from django.db import migrations

# The English progress SMS said "Result[[ by {deadline}]]." and so ended in a bare "Result." when the
# deadline is left out — as it now is when the agent's reply ({progress}) already states it, so that the
# customer does not read the date twice. The whole sentence is now optional. Only a text an administrator
# has not edited, and not one bound to a template registered with the SMS provider, gets the new default.
# The texts are written out here, not read from defaults.py, so that a later change there cannot change
# what this migration matches.
BEFORE = "Complaint {case_number}: {progress}. Result[[ by {deadline}]]."
AFTER = "Complaint {case_number}: {progress}.[[ Result by {deadline}.]]"


def progress_sms_en_update(apps, schema_editor):
    template_model = apps.get_model("notifications", "NotificationTemplate")
    template_model.objects.filter(
        code="progress", channel="sms", language="en", body=BEFORE, provider_template_id=""
    ).update(body=AFTER)


def progress_sms_en_restore(apps, schema_editor):
    template_model = apps.get_model("notifications", "NotificationTemplate")
    template_model.objects.filter(
        code="progress", channel="sms", language="en", body=AFTER, provider_template_id=""
    ).update(body=BEFORE)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0010_contact_kind_progress"),
    ]

    operations = [
        migrations.RunPython(progress_sms_en_update, progress_sms_en_restore),
    ]
