from django.db import migrations

# The shipped result texts before 0004: those an administrator has not edited get the new defaults, which
# carry the cause and the outcome in short form (and the tracking link in the SMS). One bound to a template
# registered with the SMS provider (provider_template_id) keeps its text: its parameters must match there.
OLD_BODIES = {
    ("sms", "zh-hans"): "投诉{case_number}已处理：{result}[[；{compensation}]]。如有异议请凭单号联系我们。",
    ("sms", "en"): (
        "Complaint {case_number}: {result}[[; {compensation}]]. If you disagree, contact us quoting this number."
    ),
    ("wechat", "zh-hans"): "{result}[[；{compensation}]]。如有异议，请凭单号联系我们。",
    ("wechat", "en"): "{result}[[; {compensation}]]. If you disagree, contact us with your case number.",
}


def result_templates_update(apps, schema_editor):
    from complaintdesk.notifications.defaults import DEFAULT_TEMPLATES

    template_model = apps.get_model("notifications", "NotificationTemplate")
    for code, channel, language, _subject, body, _fields in DEFAULT_TEMPLATES:
        old = OLD_BODIES.get((channel, language))
        if code == "result" and old is not None:
            template_model.objects.filter(code=code, channel=channel, language=language, body=old).update(
                body=body
            )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_escalated_template"),
    ]

    operations = [
        migrations.RunPython(result_templates_update, migrations.RunPython.noop),
    ]
