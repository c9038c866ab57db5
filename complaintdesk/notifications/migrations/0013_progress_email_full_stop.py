from django.db import migrations

# The agents' replies and the closing sentences go out as {progress} without their full stop ("the template
# ends the sentence", notifications.replies): the SMS and WeChat texts put one after it, the e-mails did not,
# and the customer read "有新进展：工程师已安排明天上门检修" and a blank line. The eight progress e-mails now
# end the sentence. Only a text an administrator has not edited gets the new default. The texts are written
# out here, not read from defaults.py, so that a later change there cannot change what this migration matches.
CHANGES = [
    (
        'progress', 'email', 'zh-hans',
        '[[{customer_title}，]]您好：\n\n您的投诉“{problem}”（单号 {case_number}）有新进展：{progress}\n\n当前状态：{status}。我们将[[在 {deadline} 前]]通过{hear_back}告诉您处理结果。\n\n{brand} 客户服务',
        '[[{customer_title}，]]您好：\n\n您的投诉“{problem}”（单号 {case_number}）有新进展：{progress}。\n\n当前状态：{status}。我们将[[在 {deadline} 前]]通过{hear_back}告诉您处理结果。\n\n{brand} 客户服务',
    ),
    (
        'progress', 'email', 'en',
        'Hello[[ {customer_title}]],\n\nThere is news about your complaint "{problem}" (case {case_number}): {progress}\n\nCurrent status: {status}. We will tell you the result by {hear_back}[[ no later than {deadline}]].\n\n{brand} Customer Service',
        'Hello[[ {customer_title}]],\n\nThere is news about your complaint "{problem}" (case {case_number}): {progress}.\n\nCurrent status: {status}. We will tell you the result by {hear_back}[[ no later than {deadline}]].\n\n{brand} Customer Service',
    ),
    (
        'progress_inquiry', 'email', 'zh-hans',
        '[[{customer_title}，]]您好：\n\n关于您的咨询“{problem}”（单号 {case_number}）：{progress}\n\n如还有疑问，请凭单号联系我们。[[\n在线查询：{track_url}]]\n\n{brand} 客户服务',
        '[[{customer_title}，]]您好：\n\n关于您的咨询“{problem}”（单号 {case_number}）：{progress}。\n\n如还有疑问，请凭单号联系我们。[[\n在线查询：{track_url}]]\n\n{brand} 客户服务',
    ),
    (
        'progress_inquiry', 'email', 'en',
        'Hello[[ {customer_title}]],\n\nAbout your question "{problem}" (reference {case_number}): {progress}\n\nIf you have more questions, quote the number when you contact us[[ or visit {track_url}]].\n\n{brand} Customer Service',
        'Hello[[ {customer_title}]],\n\nAbout your question "{problem}" (reference {case_number}): {progress}.\n\nIf you have more questions, quote the number when you contact us[[ or visit {track_url}]].\n\n{brand} Customer Service',
    ),
    (
        'progress_suggestion', 'email', 'zh-hans',
        '[[{customer_title}，]]您好：\n\n您的建议“{problem}”（单号 {case_number}）有新进展：{progress}\n\n当前状态：{status}。感谢您帮助我们改进[[，进度可在 {track_url} 查询]]。\n\n{brand} 客户服务',
        '[[{customer_title}，]]您好：\n\n您的建议“{problem}”（单号 {case_number}）有新进展：{progress}。\n\n当前状态：{status}。感谢您帮助我们改进[[，进度可在 {track_url} 查询]]。\n\n{brand} 客户服务',
    ),
    (
        'progress_suggestion', 'email', 'en',
        'Hello[[ {customer_title}]],\n\nThere is news about your suggestion "{problem}" (reference {case_number}): {progress}\n\nCurrent status: {status}. Thank you for helping us improve[[; track it at {track_url}]].\n\n{brand} Customer Service',
        'Hello[[ {customer_title}]],\n\nThere is news about your suggestion "{problem}" (reference {case_number}): {progress}.\n\nCurrent status: {status}. Thank you for helping us improve[[; track it at {track_url}]].\n\n{brand} Customer Service',
    ),
    (
        'progress_praise', 'email', 'zh-hans',
        '[[{customer_title}，]]您好：\n\n感谢您的表扬“{problem}”（单号 {case_number}）：{progress}\n\n{brand} 客户服务',
        '[[{customer_title}，]]您好：\n\n感谢您的表扬“{problem}”（单号 {case_number}）：{progress}。\n\n{brand} 客户服务',
    ),
    (
        'progress_praise', 'email', 'en',
        'Hello[[ {customer_title}]],\n\nThank you for your kind words "{problem}" (reference {case_number}): {progress}\n\n{brand} Customer Service',
        'Hello[[ {customer_title}]],\n\nThank you for your kind words "{problem}" (reference {case_number}): {progress}.\n\n{brand} Customer Service',
    ),
]  # fmt: skip


def _replace(apps, *, before: int, after: int) -> None:
    template_model = apps.get_model("notifications", "NotificationTemplate")
    for code, channel, language, *texts in CHANGES:
        template_model.objects.filter(
            code=code, channel=channel, language=language, body=texts[before], provider_template_id=""
        ).update(body=texts[after])


def progress_email_full_stop(apps, schema_editor):
    _replace(apps, before=0, after=1)


def progress_email_full_stop_undo(apps, schema_editor):
    _replace(apps, before=1, after=0)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0012_links_apart_from_chinese_punctuation"),
    ]

    operations = [
        migrations.RunPython(progress_email_full_stop, progress_email_full_stop_undo),
    ]
