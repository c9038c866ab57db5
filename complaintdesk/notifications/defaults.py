"""The shipped notification templates (SPEC §2 steps 1, 5, 6), loaded by migration 0002 and editable
in the admin afterwards. Placeholders are listed in `content.py`; `[[ … ]]` parts disappear when a value
is missing (a case without a deadline yet, no tracking address configured).

SMS bodies are without the 【signature】, which is added when sending; each must stay within
NOTIFY_SMS_MAX_SEGMENTS segments with the signature (tests/test_templates.py checks them).
"""

# (code, channel, language, subject, body, provider_fields)
DEFAULT_TEMPLATES: list[tuple[str, str, str, str, str, dict]] = [
    # --- acknowledgement: case number, next steps, deadline, how to track ---
    (
        "acknowledgement", "sms", "zh-hans", "",
        "您的投诉已受理，单号{case_number}。我们将[[于{reply_by}前]][[{reply_soon}]]联系您，[[{deadline}前]]告知处理结果。"
        "凭单号可查询进度[[：{track_url}]]",
        {},
    ),
    (
        "acknowledgement", "sms", "en", "",
        "Complaint {case_number} received. We'll contact you[[ by {reply_by}]][[ {reply_soon}]][[; result by {deadline}]]."
        "[[ Track: {track_url}]]",
        {},
    ),
    (
        "acknowledgement", "email", "zh-hans", "您的投诉已受理（单号 {case_number}）",
        "[[{customer_title}，]]您好：\n\n"
        "我们已收到您的投诉“{problem}”，投诉单号为 {case_number}。\n\n"
        "接下来：\n"
        "1. 我们将[[在 {reply_by} 前]][[{reply_soon}]]与您联系，了解详细情况；\n"
        "2. 我们会分析原因，并向您提出解决方案；\n"
        "3. 我们将[[在 {deadline} 前]]通过{hear_back}告诉您处理结果[[{provisional_note}]]。\n\n"
        "查询进度：请凭投诉单号联系我们。[[\n在线查询：{track_url}]]\n\n"
        "{brand} 客户服务",
        {},
    ),
    (
        "acknowledgement", "email", "en", "We have received your complaint ({case_number})",
        "Hello[[ {customer_title}]],\n\n"
        "We have received your complaint \"{problem}\". Your case number is {case_number}.\n\n"
        "What happens next:\n"
        "1. We will contact you[[ by {reply_by}]][[ {reply_soon}]] to hear the details.\n"
        "2. We will find the cause and propose a solution.\n"
        "3. We will tell you the result by {hear_back}[[ no later than {deadline}]][[{provisional_note}]].\n\n"
        "To track your case, quote the case number when you contact us[[ or visit {track_url}]].\n\n"
        "{brand} Customer Service",
        {},
    ),
    (
        "acknowledgement", "wechat", "zh-hans", "您的投诉已受理",
        "我们将[[于{reply_by}前]][[{reply_soon}]]联系您，[[{deadline}前]]告知处理结果。凭单号可查询进度[[：{track_url}]]",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    (
        "acknowledgement", "wechat", "en", "We have received your complaint",
        "We will contact you[[ by {reply_by}]][[ {reply_soon}]] and tell you the result[[ by {deadline}]]. "
        "Quote the case number to track it[[: {track_url}]].",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    # --- the acknowledgement of an inquiry, a suggestion, praise (issue 19): never "your complaint" ---
    (
        "ack_inquiry", "sms", "zh-hans", "",
        "您的咨询已收到，单号{case_number}。我们将[[于{reply_by}前]][[{reply_soon}]]答复您。凭单号可查询进度[[：{track_url}]]",
        {},
    ),
    (
        "ack_inquiry", "sms", "en", "",
        "Question {case_number} received. We'll answer you[[ by {reply_by}]][[ {reply_soon}]]. "
        "Track it with this number[[: {track_url}]]",
        {},
    ),
    (
        "ack_inquiry", "email", "zh-hans", "您的咨询已收到（单号 {case_number}）",
        "[[{customer_title}，]]您好：\n\n"
        "我们已收到您的咨询“{problem}”，单号为 {case_number}。\n\n"
        "我们将[[在 {reply_by} 前]][[{reply_soon}]]通过{hear_back}答复您。\n\n"
        "查询进度：请凭单号联系我们。[[\n在线查询：{track_url}]]\n\n"
        "{brand} 客户服务",
        {},
    ),
    (
        "ack_inquiry", "email", "en", "We have received your question ({case_number})",
        "Hello[[ {customer_title}]],\n\n"
        "We have received your question \"{problem}\". Your reference number is {case_number}.\n\n"
        "We will answer you by {hear_back}[[ by {reply_by}]][[ {reply_soon}]].\n\n"
        "To track it, quote the number when you contact us[[ or visit {track_url}]].\n\n"
        "{brand} Customer Service",
        {},
    ),
    (
        "ack_inquiry", "wechat", "zh-hans", "您的咨询已收到",
        "我们将[[于{reply_by}前]][[{reply_soon}]]答复您。凭单号可查询进度[[：{track_url}]]",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    (
        "ack_inquiry", "wechat", "en", "We have received your question",
        "We will answer you[[ by {reply_by}]][[ {reply_soon}]]. Quote the number to track it[[: {track_url}]].",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    (
        "ack_suggestion", "sms", "zh-hans", "",
        "感谢您的建议，单号{case_number}。我们已转交相关部门研究，如有采纳会告诉您。",
        {},
    ),
    (
        "ack_suggestion", "sms", "en", "",
        "Thank you for your suggestion ({case_number}). We have passed it to the team concerned and will tell you if it is taken up.",
        {},
    ),
    (
        "ack_suggestion", "email", "zh-hans", "感谢您的建议（单号 {case_number}）",
        "[[{customer_title}，]]您好：\n\n"
        "我们已收到您的建议“{problem}”，单号为 {case_number}。\n\n"
        "您的建议将转交负责的部门研究；如有采纳或进展，我们会通过{hear_back}告诉您。\n\n"
        "{brand} 客户服务",
        {},
    ),
    (
        "ack_suggestion", "email", "en", "Thank you for your suggestion ({case_number})",
        "Hello[[ {customer_title}]],\n\n"
        "We have received your suggestion \"{problem}\". Your reference number is {case_number}.\n\n"
        "It goes to the team responsible; if it is taken up we will tell you by {hear_back}.\n\n"
        "{brand} Customer Service",
        {},
    ),
    (
        "ack_suggestion", "wechat", "zh-hans", "感谢您的建议",
        "您的建议已收到，将转交负责部门研究；如有采纳会告诉您。",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    (
        "ack_suggestion", "wechat", "en", "Thank you for your suggestion",
        "Your suggestion has reached us and goes to the team responsible; we will tell you if it is taken up.",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    (
        "ack_praise", "sms", "zh-hans", "",
        "感谢您的表扬（单号{case_number}）！我们会把您的肯定转达给受表扬的同事和团队。",
        {},
    ),
    (
        "ack_praise", "sms", "en", "",
        "Thank you for your kind words ({case_number})! We will pass them on to the people and team you praised.",
        {},
    ),
    (
        "ack_praise", "email", "zh-hans", "感谢您的表扬（单号 {case_number}）",
        "[[{customer_title}，]]您好：\n\n"
        "感谢您的表扬“{problem}”！我们会把您的肯定转达给受表扬的同事和团队，并记入他们的服务评价。\n\n"
        "{brand} 客户服务",
        {},
    ),
    (
        "ack_praise", "email", "en", "Thank you for your kind words ({case_number})",
        "Hello[[ {customer_title}]],\n\n"
        "Thank you for your praise \"{problem}\"! We will pass it on to the people and team concerned and record it in their service review.\n\n"
        "{brand} Customer Service",
        {},
    ),
    (
        "ack_praise", "wechat", "zh-hans", "感谢您的表扬",
        "我们会把您的肯定转达给受表扬的同事和团队。",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    (
        "ack_praise", "wechat", "en", "Thank you for your kind words",
        "We will pass your praise on to the people and team concerned.",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    # --- progress ---
    (
        "progress", "sms", "zh-hans", "",
        "投诉{case_number}进展：{progress}。[[{deadline}前告知处理结果。]]",
        {},
    ),
    (
        "progress", "sms", "en", "",
        "Complaint {case_number}: {progress}.[[ Result by {deadline}.]]",
        {},
    ),
    (
        "progress", "email", "zh-hans", "您的投诉处理进展（单号 {case_number}）",
        "[[{customer_title}，]]您好：\n\n"
        "您的投诉“{problem}”（单号 {case_number}）有新进展：{progress}。\n\n"
        "当前状态：{status}。我们将[[在 {deadline} 前]]通过{hear_back}告诉您处理结果。\n\n"
        "{brand} 客户服务",
        {},
    ),
    (
        "progress", "email", "en", "An update on your complaint ({case_number})",
        "Hello[[ {customer_title}]],\n\n"
        "There is news about your complaint \"{problem}\" (case {case_number}): {progress}.\n\n"
        "Current status: {status}. We will tell you the result by {hear_back}[[ no later than {deadline}]].\n\n"
        "{brand} Customer Service",
        {},
    ),
    (
        "progress", "wechat", "zh-hans", "您的投诉有新进展",
        "{progress}。我们将[[于{deadline}前]]告知处理结果。",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    (
        "progress", "wechat", "en", "There is news about your complaint",
        "{progress}. We will tell you the result[[ by {deadline}]].",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    # --- progress of an inquiry (the answer), a suggestion, praise (issue 19): never "your complaint" ---
    (
        "progress_inquiry", "sms", "zh-hans", "",
        "您的咨询{case_number}答复：{progress}。如还有疑问请凭单号联系我们[[：{track_url}]]",
        {},
    ),
    (
        "progress_inquiry", "sms", "en", "",
        "Your question {case_number}: {progress}. Any more questions? Quote this number[[: {track_url}]]",
        {},
    ),
    (
        "progress_inquiry", "email", "zh-hans", "关于您的咨询（单号 {case_number}）",
        "[[{customer_title}，]]您好：\n\n"
        "关于您的咨询“{problem}”（单号 {case_number}）：{progress}。\n\n"
        "如还有疑问，请凭单号联系我们。[[\n在线查询：{track_url}]]\n\n"
        "{brand} 客户服务",
        {},
    ),
    (
        "progress_inquiry", "email", "en", "About your question ({case_number})",
        "Hello[[ {customer_title}]],\n\n"
        "About your question \"{problem}\" (reference {case_number}): {progress}.\n\n"
        "If you have more questions, quote the number when you contact us[[ or visit {track_url}]].\n\n"
        "{brand} Customer Service",
        {},
    ),
    (
        "progress_inquiry", "wechat", "zh-hans", "您的咨询有答复了",
        "{progress}。如还有疑问请凭单号联系我们。",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    (
        "progress_inquiry", "wechat", "en", "Your question has been answered",
        "{progress}. Any more questions? Quote the number when you contact us.",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    (
        "progress_suggestion", "sms", "zh-hans", "",
        "您的建议{case_number}进展：{progress}。感谢您的建议[[，进度可查：{track_url}]]",
        {},
    ),
    (
        "progress_suggestion", "sms", "en", "",
        "Your suggestion {case_number}: {progress}. Thank you for it[[. Track it: {track_url}]]",
        {},
    ),
    (
        "progress_suggestion", "email", "zh-hans", "您的建议有新进展（单号 {case_number}）",
        "[[{customer_title}，]]您好：\n\n"
        "您的建议“{problem}”（单号 {case_number}）有新进展：{progress}。\n\n"
        "当前状态：{status}。感谢您帮助我们改进[[，进度可在 {track_url} 查询]]。\n\n"
        "{brand} 客户服务",
        {},
    ),
    (
        "progress_suggestion", "email", "en", "News about your suggestion ({case_number})",
        "Hello[[ {customer_title}]],\n\n"
        "There is news about your suggestion \"{problem}\" (reference {case_number}): {progress}.\n\n"
        "Current status: {status}. Thank you for helping us improve[[; track it at {track_url}]].\n\n"
        "{brand} Customer Service",
        {},
    ),
    (
        "progress_suggestion", "wechat", "zh-hans", "您的建议有新进展",
        "{progress}。感谢您的建议。",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    (
        "progress_suggestion", "wechat", "en", "News about your suggestion",
        "{progress}. Thank you for your suggestion.",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    (
        "progress_praise", "sms", "zh-hans", "",
        "感谢您的表扬（{case_number}）：{progress}。",
        {},
    ),
    (
        "progress_praise", "sms", "en", "",
        "Thank you for your praise ({case_number}): {progress}.",
        {},
    ),
    (
        "progress_praise", "email", "zh-hans", "感谢您的表扬（单号 {case_number}）",
        "[[{customer_title}，]]您好：\n\n"
        "感谢您的表扬“{problem}”（单号 {case_number}）：{progress}。\n\n"
        "{brand} 客户服务",
        {},
    ),
    (
        "progress_praise", "email", "en", "Thank you for your praise ({case_number})",
        "Hello[[ {customer_title}]],\n\n"
        "Thank you for your kind words \"{problem}\" (reference {case_number}): {progress}.\n\n"
        "{brand} Customer Service",
        {},
    ),
    (
        "progress_praise", "wechat", "zh-hans", "感谢您的表扬",
        "{progress}。",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    (
        "progress_praise", "wechat", "en", "Thank you for your praise",
        "{progress}.",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    # --- result: cause, measures, result, compensation (SPEC §2 step 5) ---
    (
        "result", "sms", "zh-hans", "",
        "投诉{case_number}已处理。原因：{cause_short}；措施：{measures_short}；结果：{outcome_short}"
        "[[；补偿：{compensation_short}]]。如有异议请凭单号联系我们[[：{track_url}]]",
        {},
    ),
    (
        "result", "sms", "en", "",
        "{case_number} resolved. {cause_short}. {measures_short}. {outcome_short}.[[ {compensation_short}.]]"
        " Disagree?[[ {track_url}]]",
        {},
    ),
    (
        "result", "email", "zh-hans", "您的投诉处理结果（单号 {case_number}）",
        "[[{customer_title}，]]您好：\n\n"
        "您的投诉“{problem}”（单号 {case_number}）已处理完毕。\n\n"
        "原因：{cause}\n"
        "处理措施：{measures}\n"
        "处理结果：{outcome}\n"
        "[[补偿：{compensation}\n]]"
        "\n如您对结果有异议，请凭投诉单号联系我们[[，或访问 {track_url} ]]，我们会继续为您处理。\n\n"
        "{brand} 客户服务",
        {},
    ),
    (
        "result", "email", "en", "The outcome of your complaint ({case_number})",
        "Hello[[ {customer_title}]],\n\n"
        "We have finished handling your complaint \"{problem}\" (case {case_number}).\n\n"
        "Cause: {cause}\n"
        "What we did: {measures}\n"
        "Result: {outcome}\n"
        "[[Compensation: {compensation}\n]]"
        "\nIf you disagree with the outcome, contact us with your case number[[ or visit {track_url}]] and we will "
        "continue.\n\n"
        "{brand} Customer Service",
        {},
    ),
    (
        "result", "wechat", "zh-hans", "您的投诉已处理完毕",
        "原因：{cause_short}；措施：{measures_short}；结果：{outcome_short}[[；补偿：{compensation_short}]]。"
        "如有异议，请凭单号联系我们[[：{track_url}]]",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    (
        "result", "wechat", "en", "Your complaint has been handled",
        "Cause: {cause_short}. Done: {measures_short}. Result: {outcome_short}"
        "[[. Compensation: {compensation_short}]]. If you disagree, contact us with your case number[[: {track_url}]]",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    # --- survey invitation (SPEC §2 step 6: CSAT 1–5). It goes out with the result, while the case waits for
    # the customer's answer: it says the result was given and asks whether it solved the problem, never that
    # the case is closed (0006). ---
    (
        "survey", "sms", "zh-hans", "",
        "我们已就投诉{case_number}向您反馈处理结果。问题解决了吗？请为本次处理评分（1-5星）：{survey_url}",
        {},
    ),
    (
        "survey", "sms", "en", "",
        "We've sent you the outcome of complaint {case_number}. Is it solved? Please rate how we handled it "
        "(1-5 stars): {survey_url}",
        {},
    ),
    (
        "survey", "email", "zh-hans", "请为我们的处理评分（单号 {case_number}）",
        "[[{customer_title}，]]您好：\n\n"
        "我们已向您反馈投诉“{problem}”（单号 {case_number}）的处理结果。请花一分钟告诉我们问题是否已经解决，"
        "并为我们的处理评分（1-5星）：\n"
        "{survey_url}\n\n"
        "如果问题还没有解决，我们会尽快再与您联系。您的评价也会帮助我们改进服务。\n\n"
        "{brand} 客户服务",
        {},
    ),
    (
        "survey", "email", "en", "How did we do? (case {case_number})",
        "Hello[[ {customer_title}]],\n\n"
        "We have sent you the outcome of your complaint \"{problem}\" (case {case_number}). Please take a minute "
        "to tell us whether the problem is solved and to rate how we handled it (1-5 stars):\n{survey_url}\n\n"
        "If it is not solved yet, we will contact you again soon. Your answer also helps us improve.\n\n"
        "{brand} Customer Service",
        {},
    ),
    (
        "survey", "wechat", "zh-hans", "请为我们的处理评分",
        "我们已向您反馈处理结果。问题解决了吗？请为我们的处理评分（1-5星）：{survey_url}",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    (
        "survey", "wechat", "en", "How did we do?",
        "We have sent you the outcome. Is the problem solved? Please rate how we handled it (1-5 stars): "
        "{survey_url}",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    # --- escalated: the new holder and the new deadline (SPEC §3; sent within the level's acknowledge limit) ---
    (
        "escalated", "sms", "zh-hans", "",
        "您的投诉{case_number}已转由{level}[[{agent_name}]]负责[[（分机{extension}）]]，我们将[[于{deadline}前]]告知处理结果。",
        {},
    ),
    (
        "escalated", "sms", "en", "",
        "Complaint {case_number} is now with {level}[[ {agent_name}]][[ (ext. {extension})]]. "
        "You will hear the result[[ by {deadline}]].",
        {},
    ),
    (
        "escalated", "email", "zh-hans", "您的投诉已由{level}负责（单号 {case_number}）",
        "[[{customer_title}，]]您好：\n\n"
        "您的投诉“{problem}”（单号 {case_number}）已转由{level}[[{agent_name}]]负责处理[[，联系分机 {extension}]]。\n\n"
        "我们将[[在 {deadline} 前]]通过{hear_back}告诉您处理结果。\n\n"
        "{brand} 客户服务",
        {},
    ),
    (
        "escalated", "email", "en", "Your complaint is now with {level} ({case_number})",
        "Hello[[ {customer_title}]],\n\n"
        "Your complaint \"{problem}\" (case {case_number}) is now handled by {level}[[ {agent_name}]]"
        "[[, extension {extension}]].\n\n"
        "We will tell you the result by {hear_back}[[ no later than {deadline}]].\n\n"
        "{brand} Customer Service",
        {},
    ),
    (
        "escalated", "wechat", "zh-hans", "您的投诉已由{level}负责",
        "已转由{level}[[{agent_name}]]负责，我们将[[于{deadline}前]]告知处理结果。",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    (
        "escalated", "wechat", "en", "Your complaint is now with {level}",
        "Now handled by {level}[[ {agent_name}]]. You will hear the result[[ by {deadline}]].",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    # --- statutory_extension: a regulated case's decision deadline extended (issue 15; the pack requires
    # the complainant to be told). The day only: a statutory deadline ends with its last day.
    (
        "statutory_extension", "sms", "zh-hans", "",
        "您的投诉{case_number}因{extension_reason_short}，处理期限延长，我们最迟将于{decision_day}作出处理决定并告知您。",
        {},
    ),
    (
        "statutory_extension", "sms", "en", "",
        "Complaint {case_number}: because {extension_reason_short}, we need more time. "
        "We will decide and tell you by {decision_day} at the latest.",
        {},
    ),
    (
        "statutory_extension", "email", "zh-hans", "您的投诉处理期限已延长（单号 {case_number}）",
        "[[{customer_title}，]]您好：\n\n"
        "您的投诉“{problem}”（单号 {case_number}）情况较为复杂，原因是：{extension_reason}\n\n"
        "经审批，处理期限延长，我们最迟将于 {decision_day} 作出处理决定，并通过{hear_back}告诉您。\n\n"
        "如有疑问，请凭投诉单号联系我们。[[\n在线查询：{track_url}]]\n\n"
        "{brand} 客户服务",
        {},
    ),
    (
        "statutory_extension", "email", "en", "More time is needed for your complaint ({case_number})",
        "Hello[[ {customer_title}]],\n\n"
        "Your complaint \"{problem}\" (case {case_number}) needs more work: {extension_reason}\n\n"
        "With approval, the time to handle it has been extended. We will make our decision and tell you by "
        "{hear_back} no later than {decision_day}.\n\n"
        "If you have questions, quote the case number when you contact us[[ or visit {track_url}]].\n\n"
        "{brand} Customer Service",
        {},
    ),
    (
        "statutory_extension", "wechat", "zh-hans", "您的投诉处理期限已延长",
        "因{extension_reason_short}，处理期限延长，我们最迟将于{decision_day}作出处理决定并告知您。",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
    (
        "statutory_extension", "wechat", "en", "More time is needed for your complaint",
        "Because {extension_reason_short}, we need more time. We will decide and tell you by {decision_day} at the latest.",
        {"keyword1": "{case_number}", "keyword2": "{status}"},
    ),
]  # fmt: skip


def templates_load(*, template_model) -> int:
    """Create the shipped templates that are missing; never overwrite an administrator's edits."""
    created = 0
    for code, channel, language, subject, body, fields in DEFAULT_TEMPLATES:
        _row, was_created = template_model.objects.get_or_create(
            code=code,
            channel=channel,
            language=language,
            defaults={"subject": subject, "body": body, "provider_fields": fields, "is_active": True},
        )
        created += was_created
    return created
