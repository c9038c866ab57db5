"""The shipped reply-checker rules and default script library (SPEC §4), so every install has them."""

from django.db import migrations
from django.utils import timezone


def forward(apps, schema_editor):
    from complaintdesk.scripts.defaults import rules_load, scripts_load

    rules_load(rule_model=apps.get_model("scripts", "ReplyRule"))
    scripts_load(
        script_model=apps.get_model("scripts", "Script"),
        version_model=apps.get_model("scripts", "ScriptVersion"),
        at=timezone.now(),
    )


def backward(apps, schema_editor):
    from complaintdesk.scripts.defaults import DEFAULT_RULES, DEFAULT_SCRIPTS

    apps.get_model("scripts", "ReplyRule").objects.filter(code__in=[r["code"] for r in DEFAULT_RULES]).delete()
    Script = apps.get_model("scripts", "Script")
    scripts = Script.objects.filter(code__in=[s[0] for s in DEFAULT_SCRIPTS])
    scripts.update(current_version=None)
    apps.get_model("scripts", "ScriptVersion").objects.filter(script__in=scripts).delete()
    scripts.delete()


class Migration(migrations.Migration):
    dependencies = [("scripts", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
