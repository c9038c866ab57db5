from django.db import migrations

# The survey invitation goes out with the result, while the case waits for the customer's answer; the shipped
# texts before 0006 said the case was closed (已办结 / "is closed"). Those an administrator has not edited get the
# new defaults, which say the result was given and ask whether it solved the problem. One bound to a template
# registered with the SMS provider (provider_template_id) keeps its text: its parameters must match there.
OLD_BODIES = {
    ("sms", "zh-hans"): "投诉{case_number}已办结，请为本次处理评分（1-5星）：{survey_url}",
    (
        "sms",
        "en",
    ): "Complaint {case_number} is closed. Please rate how we handled it (1-5 stars): {survey_url}",
    ("email", "zh-hans"): "[[{customer_title}，]]您好：\n\n"
    "您的投诉“{problem}”（单号 {case_number}）已办结。请花一分钟为我们的处理评分（1-5星）：\n"
    "{survey_url}\n\n"
    "您的评价会帮助我们改进服务。\n\n"
    "{brand} 客户服务",
    ("email", "en"): "Hello[[ {customer_title}]],\n\n"
    'Your complaint "{problem}" (case {case_number}) is closed. Please take a minute to rate how we '
    "handled it (1-5 stars):\n{survey_url}\n\n"
    "Your answer helps us improve.\n\n"
    "{brand} Customer Service",
    ("wechat", "zh-hans"): "您的投诉已办结，请为我们的处理评分（1-5星）：{survey_url}",
    ("wechat", "en"): "Your complaint is closed. Please rate how we handled it (1-5 stars): {survey_url}",
}


def survey_templates_update(apps, schema_editor):
    from complaintdesk.notifications.defaults import DEFAULT_TEMPLATES

    template_model = apps.get_model("notifications", "NotificationTemplate")
    for code, channel, language, _subject, body, _fields in DEFAULT_TEMPLATES:
        old = OLD_BODIES.get((channel, language))
        if code == "survey" and old is not None:
            template_model.objects.filter(
                code=code, channel=channel, language=language, body=old, provider_template_id=""
            ).update(body=body)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0005_result_four_parts"),
    ]

    operations = [
        migrations.RunPython(survey_templates_update, migrations.RunPython.noop),
    ]
