from django.db import migrations
from django.utils import timezone

# The shipped Chinese scripts (and the reply checker's suggestion for a missing name) introduced whoever
# used them as 客服专员, also a business manager or a branch head making the follow-up call. They now say
# {agent_role}, the speaker's role in words. A script whose current text is still the shipped one gets a
# new version with the new text (versions are never changed); one an administrator has edited, and an
# edited rule, are left alone. The texts are written out here so that a later change of the defaults
# cannot change what this migration matches.
SCRIPTS: list[tuple[str, str, str]] = [  # (code, shipped text, new text)
    (
        "greeting-phone-zh",
        "您好，欢迎致电{brand}客服中心，我是客服专员{agent_name}[[，工号{employee_no}]]，很高兴为您服务。请问怎么称呼您？有什么需要我帮您处理的？",
        "您好，欢迎致电{brand}客服中心，我是{agent_role}{agent_name}[[，工号{employee_no}]]，很高兴为您服务。请问怎么称呼您？有什么需要我帮您处理的？",
    ),
    (
        "greeting-zh",
        "{customer_title}您好，感谢您联系{brand}。我是客服专员{agent_name}[[，工号{employee_no}]]，您的投诉由我负责跟进，单号是{case_number}。请您把遇到的情况告诉我，我会认真记录。",
        "{customer_title}您好，感谢您联系{brand}。我是{agent_role}{agent_name}[[，工号{employee_no}]]，您的投诉由我负责跟进，单号是{case_number}。请您把遇到的情况告诉我，我会认真记录。",
    ),
    (
        "greeting-email-zh",
        "尊敬的{customer_title}：\n\n您好！我是{brand}客服专员{agent_name}[[（工号{employee_no}）]]，已收到您关于“{problem}”的来信，投诉单号为{case_number}。这件事由我负责跟进到底，我会在{deadline}前给您书面答复。",
        "尊敬的{customer_title}：\n\n您好！我是{brand}{agent_role}{agent_name}[[（工号{employee_no}）]]，已收到您关于“{problem}”的来信，投诉单号为{case_number}。这件事由我负责跟进到底，我会在{deadline}前给您书面答复。",
    ),
    (
        "feedback-zh",
        "{customer_title}您好，我是客服专员{agent_name}[[，工号{employee_no}]]，向您反馈投诉单{case_number}的处理情况。原因：{cause}。我们的处理：{measures}。处理结果：{result}。[[补偿：{compensation}。]]请问您对这个结果满意吗？如有任何疑问，可以直接联系我[[，分机{extension}]]。",
        "{customer_title}您好，我是{agent_role}{agent_name}[[，工号{employee_no}]]，向您反馈投诉单{case_number}的处理情况。原因：{cause}。我们的处理：{measures}。处理结果：{result}。[[补偿：{compensation}。]]请问您对这个结果满意吗？如有任何疑问，可以直接联系我[[，分机{extension}]]。",
    ),
    (
        "feedback-short-zh",
        "【{brand}】{customer_title}您好，您反映的{problem}已处理完毕：{result}。{compensation}。如仍有疑问，请回复本短信或致电客服专员{agent_name}[[（工号{employee_no}）]]。",
        "【{brand}】{customer_title}您好，您反映的{problem}已处理完毕：{result}。{compensation}。如仍有疑问，请回复本短信或致电{agent_role}{agent_name}[[（工号{employee_no}）]]。",
    ),
    (
        "follow-up-zh",
        "{customer_title}您好，我是{brand}客服专员{agent_name}。上周您反映的{problem}已经处理完成，今天特地回访一下：现在使用一切正常吗？您对这次的处理还满意吗？",
        "{customer_title}您好，我是{brand}{agent_role}{agent_name}。上周您反映的{problem}已经处理完成，今天特地回访一下：现在使用一切正常吗？您对这次的处理还满意吗？",
    ),
]
RULE_CODE = "identity-zh"
RULE_SUGGESTION_BEFORE = (
    "我是客服专员{agent_name}[[，工号{employee_no}]][[，分机{extension}]]，有任何问题可以直接联系我。"
)
RULE_SUGGESTION_AFTER = (
    "我是{agent_role}{agent_name}[[，工号{employee_no}]][[，分机{extension}]]，有任何问题可以直接联系我。"
)
NOTE = "按说话人的岗位称呼（{agent_role}），不再固定为客服专员"


def speaker_role_texts(apps, schema_editor):
    script_model = apps.get_model("scripts", "Script")
    version_model = apps.get_model("scripts", "ScriptVersion")
    at = timezone.now()
    for code, before, after in SCRIPTS:
        script = script_model.objects.filter(code=code).select_related("current_version").first()
        if script is None or script.current_version is None or script.current_version.body != before:
            continue
        version = version_model.objects.create(
            script=script, number=script.current_version.number + 1, body=after, note=NOTE, created_at=at
        )
        script_model.objects.filter(pk=script.pk).update(current_version=version, updated_at=at)
    apps.get_model("scripts", "ReplyRule").objects.filter(
        code=RULE_CODE, suggestion=RULE_SUGGESTION_BEFORE
    ).update(suggestion=RULE_SUGGESTION_AFTER)


class Migration(migrations.Migration):
    dependencies = [("scripts", "0004_scripts_that_apologise_complaint_only")]

    operations = [migrations.RunPython(speaker_role_texts, migrations.RunPython.noop)]
