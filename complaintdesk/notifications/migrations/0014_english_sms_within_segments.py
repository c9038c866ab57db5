from django.db import migrations

# The English acknowledgement and result SMS went to four segments for a real case (long English dates, the
# tracking link): NOTIFY_SMS_MAX_SEGMENTS is three. The link is now the portal's short /t/<number>/en
# (notifications.content.track_url), and these two texts say the same in fewer words; the result no longer
# reads "cause …; done …; result …" but says its parts as sentences. Only a text an administrator has not edited gets the new default. The
# texts are written out here, not read from defaults.py, so that a later change there cannot change what
# this migration matches.
CHANGES = [
    (
        'acknowledgement', 'sms', 'en',
        "Complaint {case_number} received. We'll contact you[[ by {reply_by}]][[ {reply_soon}]] and reply[[ by {deadline}]]. Track it with this number[[: {track_url}]]",
        "Complaint {case_number} received. We'll contact you[[ by {reply_by}]][[ {reply_soon}]][[; result by {deadline}]].[[ Track: {track_url}]]",
    ),
    (
        'result', 'sms', 'en',
        "Case {case_number}: cause {cause_short}; done {measures_short}; result {outcome_short}[[; {compensation_short}]]. Disagree?[[ {track_url}]]",
        "{case_number} resolved. {cause_short}. {measures_short}. {outcome_short}.[[ {compensation_short}.]] Disagree?[[ {track_url}]]",
    ),
]  # fmt: skip


def _replace(apps, *, before: int, after: int) -> None:
    template_model = apps.get_model("notifications", "NotificationTemplate")
    for code, channel, language, *texts in CHANGES:
        template_model.objects.filter(
            code=code, channel=channel, language=language, body=texts[before], provider_template_id=""
        ).update(body=texts[after])


def english_sms_shorter(apps, schema_editor):
    _replace(apps, before=0, after=1)


def english_sms_shorter_undo(apps, schema_editor):
    _replace(apps, before=1, after=0)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0013_progress_email_full_stop"),
    ]

    operations = [
        migrations.RunPython(english_sms_shorter, english_sms_shorter_undo),
    ]
