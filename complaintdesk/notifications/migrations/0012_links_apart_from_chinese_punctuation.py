from django.db import migrations

# A web address followed straight by Chinese punctuation ("或访问 https://…/track/?number=TS…。") is a link
# that phones' SMS, mail and WeChat apps stretch over the "。": the customer's tap opens a page that does not
# exist. The Chinese texts that did so now give the address on its own line, or end with it. Only a text an
# administrator has not edited, and not one bound to a template registered with a provider, gets the new
# default (rendering also puts a space after such an address, for edited texts: content.links_apart). The
# texts are written out here, not read from defaults.py, so that a later change there cannot change what this
# migration matches.
CHANGES = [
    (
        'acknowledgement', 'email', 'zh-hans',
        '[[{customer_title}，]]您好：\n\n我们已收到您的投诉“{problem}”，投诉单号为 {case_number}。\n\n接下来：\n1. 我们将[[在 {reply_by} 前]][[{reply_soon}]]与您联系，了解详细情况；\n2. 我们会分析原因，并向您提出解决方案；\n3. 我们将[[在 {deadline} 前]]通过{hear_back}告诉您处理结果[[{provisional_note}]]。\n\n查询进度：请凭投诉单号联系我们[[，或访问 {track_url}]]。\n\n{brand} 客户服务',
        '[[{customer_title}，]]您好：\n\n我们已收到您的投诉“{problem}”，投诉单号为 {case_number}。\n\n接下来：\n1. 我们将[[在 {reply_by} 前]][[{reply_soon}]]与您联系，了解详细情况；\n2. 我们会分析原因，并向您提出解决方案；\n3. 我们将[[在 {deadline} 前]]通过{hear_back}告诉您处理结果[[{provisional_note}]]。\n\n查询进度：请凭投诉单号联系我们。[[\n在线查询：{track_url}]]\n\n{brand} 客户服务',
    ),
    (
        'acknowledgement', 'wechat', 'zh-hans',
        '我们将[[于{reply_by}前]][[{reply_soon}]]联系您，[[{deadline}前]]告知处理结果。凭单号可查询进度[[：{track_url}]]。',
        '我们将[[于{reply_by}前]][[{reply_soon}]]联系您，[[{deadline}前]]告知处理结果。凭单号可查询进度[[：{track_url}]]',
    ),
    (
        'ack_inquiry', 'email', 'zh-hans',
        '[[{customer_title}，]]您好：\n\n我们已收到您的咨询“{problem}”，单号为 {case_number}。\n\n我们将[[在 {reply_by} 前]][[{reply_soon}]]通过{hear_back}答复您。\n\n查询进度：请凭单号联系我们[[，或访问 {track_url}]]。\n\n{brand} 客户服务',
        '[[{customer_title}，]]您好：\n\n我们已收到您的咨询“{problem}”，单号为 {case_number}。\n\n我们将[[在 {reply_by} 前]][[{reply_soon}]]通过{hear_back}答复您。\n\n查询进度：请凭单号联系我们。[[\n在线查询：{track_url}]]\n\n{brand} 客户服务',
    ),
    (
        'ack_inquiry', 'wechat', 'zh-hans',
        '我们将[[于{reply_by}前]][[{reply_soon}]]答复您。凭单号可查询进度[[：{track_url}]]。',
        '我们将[[于{reply_by}前]][[{reply_soon}]]答复您。凭单号可查询进度[[：{track_url}]]',
    ),
    (
        'progress_inquiry', 'email', 'zh-hans',
        '[[{customer_title}，]]您好：\n\n关于您的咨询“{problem}”（单号 {case_number}）：{progress}\n\n如还有疑问，请凭单号联系我们[[，或访问 {track_url}]]。\n\n{brand} 客户服务',
        '[[{customer_title}，]]您好：\n\n关于您的咨询“{problem}”（单号 {case_number}）：{progress}\n\n如还有疑问，请凭单号联系我们。[[\n在线查询：{track_url}]]\n\n{brand} 客户服务',
    ),
    (
        'statutory_extension', 'email', 'zh-hans',
        '[[{customer_title}，]]您好：\n\n您的投诉“{problem}”（单号 {case_number}）情况较为复杂，原因是：{extension_reason}\n\n经审批，处理期限延长，我们最迟将于 {decision_day} 作出处理决定，并通过{hear_back}告诉您。\n\n如有疑问，请凭投诉单号联系我们[[，或访问 {track_url}]]。\n\n{brand} 客户服务',
        '[[{customer_title}，]]您好：\n\n您的投诉“{problem}”（单号 {case_number}）情况较为复杂，原因是：{extension_reason}\n\n经审批，处理期限延长，我们最迟将于 {decision_day} 作出处理决定，并通过{hear_back}告诉您。\n\n如有疑问，请凭投诉单号联系我们。[[\n在线查询：{track_url}]]\n\n{brand} 客户服务',
    ),
]  # fmt: skip


def _replace(apps, *, before: int, after: int) -> None:
    template_model = apps.get_model("notifications", "NotificationTemplate")
    for code, channel, language, *texts in CHANGES:
        template_model.objects.filter(
            code=code, channel=channel, language=language, body=texts[before], provider_template_id=""
        ).update(body=texts[after])


def links_apart_update(apps, schema_editor):
    _replace(apps, before=0, after=1)


def links_apart_restore(apps, schema_editor):
    _replace(apps, before=1, after=0)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0011_progress_sms_en_deadline_optional"),
    ]

    operations = [
        migrations.RunPython(links_apart_update, links_apart_restore),
    ]
