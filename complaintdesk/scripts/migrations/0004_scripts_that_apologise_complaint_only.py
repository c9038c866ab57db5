from django.db import migrations

# What a script says that only fits when something went wrong: an apology, a cause found, a compensation.
# Offered on praise ("为表歉意，{compensation}" to someone who wrote to thank a member of staff) or on an
# inquiry, these read as a mistake; 0003 marked only the scripts that say 投诉 / complaint.
WRONG_DONE = ("道歉", "抱歉", "歉意", "致歉", "sorry", "apolog", "{cause}", "{compensation}")


def apologising_scripts_mark(apps, schema_editor):
    Script = apps.get_model("scripts", "Script")
    marked = [
        script.pk
        for script in Script.objects.select_related("current_version")
        if script.current_version_id
        and any(word in script.current_version.body.lower() for word in WRONG_DONE)
    ]
    Script.objects.filter(pk__in=marked).update(complaint_only=True)


class Migration(migrations.Migration):
    dependencies = [("scripts", "0003_script_complaint_only")]

    operations = [migrations.RunPython(apologising_scripts_mark, migrations.RunPython.noop)]
