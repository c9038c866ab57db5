from django.db import migrations

# A case recorded after it arrived (complaints: received_at) may have a first-contact deadline already gone
# when it is acknowledged: the shipped acknowledgements then say "尽快" / "as soon as possible"
# ({reply_soon}) instead of promising a time that has passed. Texts an administrator has not edited get
# the new defaults; one bound to a template registered with the SMS provider keeps its text (its
# parameters must match there) and, like any edited text, just leaves the time out in that case.


def _before(body: str) -> str:
    return body.replace("[[{reply_soon}]]", "").replace("[[ {reply_soon}]]", "")


def acknowledgement_templates_update(apps, schema_editor):
    from complaintdesk.notifications.defaults import DEFAULT_TEMPLATES

    template_model = apps.get_model("notifications", "NotificationTemplate")
    for code, channel, language, _subject, body, _fields in DEFAULT_TEMPLATES:
        if code == "acknowledgement" and "{reply_soon}" in body:
            template_model.objects.filter(
                code=code, channel=channel, language=language, body=_before(body), provider_template_id=""
            ).update(body=body)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0006_survey_invitation_not_closed"),
    ]

    operations = [
        migrations.RunPython(acknowledgement_templates_update, migrations.RunPython.noop),
    ]
