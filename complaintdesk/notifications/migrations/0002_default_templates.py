"""The shipped notification templates (acknowledgement, progress, result, survey × SMS, email, WeChat ×
zh-hans, en), so every install has them; administrators edit them afterwards."""

from django.db import migrations


def forward(apps, schema_editor):
    from complaintdesk.notifications.defaults import templates_load

    templates_load(template_model=apps.get_model("notifications", "NotificationTemplate"))


def backward(apps, schema_editor):
    from complaintdesk.notifications.defaults import DEFAULT_TEMPLATES

    Template = apps.get_model("notifications", "NotificationTemplate")
    for code, channel, language, *_rest in DEFAULT_TEMPLATES:
        Template.objects.filter(code=code, channel=channel, language=language).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
