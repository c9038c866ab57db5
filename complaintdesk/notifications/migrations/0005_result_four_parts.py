from django.db import migrations

# The shipped result texts of 0004: those an administrator has not edited get the new defaults, which carry
# all four parts of SPEC §2.5 (cause, measures, result, compensation) and the tracking link. One bound to a
# template registered with the SMS provider (provider_template_id) keeps its text: its parameters must match.
OLD_BODIES = {
    ("email", "en"): "Hello[[ {customer_title}]],\n"
    "\n"
    'We have finished handling your complaint "{problem}" (case {case_number}).\n'
    "\n"
    "[[Cause: {cause}\n"
    "]]Result: {result}\n"
    "[[Compensation: {compensation}\n"
    "]]\n"
    "If you disagree with the outcome, contact us with your case number and we will continue.\n"
    "\n"
    "{brand} Customer Service",
    ("email", "zh-hans"): "[[{customer_title}，]]您好：\n"
    "\n"
    "您的投诉“{problem}”（单号 {case_number}）已处理完毕。\n"
    "\n"
    "[[原因：{cause}\n"
    "]]处理结果：{result}\n"
    "[[补偿：{compensation}\n"
    "]]\n"
    "如您对结果有异议，请凭投诉单号联系我们，我们会继续为您处理。\n"
    "\n"
    "{brand} 客户服务",
    ("sms", "en"): "Complaint {case_number} handled. Cause: {cause_short}. Result: {outcome_short}[[; "
    "{compensation_short}]]. Disagree? Quote this number[[: {track_url}]]",
    (
        "sms",
        "zh-hans",
    ): "投诉{case_number}已处理。原因：{cause_short}；结果：{outcome_short}[[；{compensation_short}]]。如有异议请凭单号联系我们[[：{track_url}]]",
    ("wechat", "en"): "Cause: {cause_short}. Result: {outcome_short}[[; {compensation_short}]]. If you "
    "disagree, contact us with your case number.",
    (
        "wechat",
        "zh-hans",
    ): "原因：{cause_short}；结果：{outcome_short}[[；{compensation_short}]]。如有异议，请凭单号联系我们。",
}


def result_templates_update(apps, schema_editor):
    from complaintdesk.notifications.defaults import DEFAULT_TEMPLATES

    template_model = apps.get_model("notifications", "NotificationTemplate")
    for code, channel, language, _subject, body, _fields in DEFAULT_TEMPLATES:
        old = OLD_BODIES.get((channel, language))
        if code == "result" and old is not None:
            template_model.objects.filter(
                code=code, channel=channel, language=language, body=old, provider_template_id=""
            ).update(body=body)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_result_carries_cause"),
    ]

    operations = [
        migrations.RunPython(result_templates_update, migrations.RunPython.noop),
    ]
