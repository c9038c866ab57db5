"""The default script library, written for ComplaintDesk after SPEC §4, in Chinese and English.

Loaded by a data migration as version 1 of each script. Every script passes the reply checker
without a blocking finding once its placeholders are filled (tests/test_defaults.py).
(code, stage, language, channel, title, body)
"""

ZH = "zh-hans"
EN = "en"

# One script per entry reads better than the formatter's one field per line.
# fmt: off
DEFAULT_SCRIPTS: list[tuple[str, str, str, str, str, str]] = [
    # 问候开场 — greeting
    ("greeting-phone-zh", "greeting", ZH, "phone", "电话接听开场",
     "您好，欢迎致电{brand}客服中心，我是{agent_role}{agent_name}[[，工号{employee_no}]]，很高兴为您服务。"
     "请问怎么称呼您？有什么需要我帮您处理的？"),
    ("greeting-zh", "greeting", ZH, "", "受理确认开场",
     "{customer_title}您好，感谢您联系{brand}。我是{agent_role}{agent_name}[[，工号{employee_no}]]，"
     "您的投诉由我负责跟进，单号是{case_number}。请您把遇到的情况告诉我，我会认真记录。"),
    ("greeting-email-zh", "greeting", ZH, "email", "邮件回复开场",
     "尊敬的{customer_title}：\n\n您好！我是{brand}{agent_role}{agent_name}[[（工号{employee_no}）]]，"
     "已收到您关于“{problem}”的来信，投诉单号为{case_number}。这件事由我负责跟进到底，"
     "我会在{deadline}前给您书面答复。"),
    ("greeting-phone-en", "greeting", EN, "phone", "Answering the phone",
     "Hello, thank you for calling {brand}. My name is {agent_name}[[, employee number {employee_no}]]. "
     "How may I address you, and what can I help you with?"),
    ("greeting-en", "greeting", EN, "", "Acknowledging the complaint",
     "Hello {customer_title}, thank you for contacting {brand}. I am {agent_name}, and I am looking after your "
     "complaint personally. Your case number is {case_number}. Please tell me what happened, and I will note "
     "every detail."),
    ("greeting-email-en", "greeting", EN, "email", "Replying by email",
     "Dear {customer_title},\n\nThank you for writing to {brand}. I am {agent_name}[[, employee number "
     "{employee_no}]], and I have received your message about {problem}. Your case number is {case_number}. "
     "I am handling your case personally and will send you a full written reply by {deadline}."),
    # 倾听记录 — listening
    ("listening-zh", "listening", ZH, "", "请客户慢慢说",
     "{customer_title}，请您慢慢说，我在认真听，每个细节我都会记下来。"),
    ("listening-echo-zh", "listening", ZH, "", "回应并请客户补充",
     "您刚才说到{problem}，这件事确实给您造成了影响，我都记下了。还有哪些情况需要补充的，您尽管告诉我。"),
    ("listening-chat-zh", "listening", ZH, "chat", "在线收集要点",
     "收到，{customer_title}。为了把情况记录完整，麻烦您告诉我：问题从什么时候开始、涉及哪个账号或订单，"
     "以及您希望怎样处理。"),
    ("listening-en", "listening", EN, "", "Inviting the customer to speak",
     "Please take your time, {customer_title}. I am listening, and I am writing down every detail."),
    ("listening-echo-en", "listening", EN, "", "Acknowledging and asking for more",
     "You mentioned that {problem}. I can see how much this has affected you, and I have noted it all. "
     "Is there anything else you would like to add?"),
    # 致歉 — apology
    ("apology-zh", "apology", ZH, "", "承担跟进责任的致歉",
     "{customer_title}，给您添了这么多麻烦，我非常抱歉。这件事由我负责跟进，我会尽快给您一个明确的答复。"),
    ("apology-impact-zh", "apology", ZH, "", "针对影响的致歉",
     "因为{problem}耽误了您的时间，我向您郑重道歉。谢谢您及时告诉我，您反映的情况对我们改进服务很重要。"),
    ("apology-empathy-zh", "apology", ZH, "", "共情式致歉",
     "{customer_title}，我理解您现在的心情，换作是我也会着急。对这次给您带来的不便，我真诚地向您道歉。"),
    ("apology-en", "apology", EN, "", "Taking ownership",
     "{customer_title}, I am truly sorry for the trouble this has caused you. I am taking personal "
     "responsibility for your case and will keep you informed at every step."),
    ("apology-impact-en", "apology", EN, "", "Apologising for the impact",
     "I apologise for the time you have lost because {problem}. Thank you for telling me; it helps us put "
     "things right."),
    # 复述确认 — clarifying
    ("clarifying-zh", "clarifying", ZH, "", "复述问题与诉求",
     "为了确保我理解准确，我跟您确认一下：您遇到的情况是{problem}，您希望{demand}，对吗？"),
    ("clarifying-record-zh", "clarifying", ZH, "", "复述记录内容",
     "我把刚才记录的内容跟您核对一遍：{problem}。您的诉求是{demand}。如果哪里记得不对，请您直接纠正我。"),
    ("clarifying-detail-zh", "clarifying", ZH, "", "追问细节",
     "想再跟您核对一个细节：这个问题第一次出现是什么时间？当时是通过哪个渠道办理的？这样我能更快查清原因。"),
    ("clarifying-en", "clarifying", EN, "", "Restating problem and demand",
     "To make sure I have understood you correctly: {problem}, and you would like {demand}. Is that right?"),
    ("clarifying-record-en", "clarifying", EN, "", "Reading back the record",
     "Let me read back what I have recorded: {problem}. What you are asking for is {demand}. Please correct me "
     "if I have missed anything."),
    # 提出方案 — proposing
    ("proposing-two-options-zh", "proposing", ZH, "", "两个方案供选择",
     "{customer_title}，针对{problem}，我为您准备了两个方案：方案A，{option_a}；方案B，{option_b}。"
     "您看哪一个更适合您？您确认后，我会在{deadline}前办理完毕。"),
    ("proposing-recommend-zh", "proposing", ZH, "", "推荐方案并保留选择",
     "根据您的情况，我建议先为您{option_a}，这样能最快解决您眼下的问题。如果您更希望{option_b}，"
     "我也可以为您办理。您选定后我会马上安排，并在{deadline}前告诉您结果。"),
    ("proposing-two-options-en", "proposing", EN, "", "Two options to choose from",
     "{customer_title}, I can offer you two options. Option A: {option_a}. Option B: {option_b}. Which would "
     "suit you better? Once you choose, I will have it done by {deadline}."),
    ("proposing-recommend-en", "proposing", EN, "", "Recommending one option",
     "Based on what you have told me, I suggest we {option_a}; it is the quickest way to fix the problem. "
     "If you prefer, I can {option_b} instead. I will confirm the result to you by {deadline}."),
    # 正面说明 — refusing positively
    ("refusing-alternatives-zh", "refusing", ZH, "", "说明规定并给替代方案",
     "{customer_title}，我理解您希望{demand}。按照现行规定，这一项暂时无法直接办理，我可以为您{option_a}，"
     "或者{option_b}。您看哪一种更合适？"),
    ("refusing-what-i-can-do-zh", "refusing", ZH, "", "直接说明能做什么",
     "谢谢您的耐心。您提出的{demand}，我已经认真核实过，这次无法按原样办理。为了不耽误您，"
     "我能马上为您做的是：{option_a}。我会在{deadline}前把办理结果告诉您。"),
    ("refusing-alternatives-en", "refusing", EN, "", "Explaining and offering alternatives",
     "I understand that you would like {demand}. Under our current terms this is not something I can arrange "
     "directly, so here is what I can do for you: {option_a}, or alternatively {option_b}. Which would you "
     "prefer?"),
    ("refusing-what-i-can-do-en", "refusing", EN, "", "Saying what can be done",
     "Thank you for your patience. I have looked carefully at your request for {demand}. What I can do for you "
     "right away is {option_a}, and I will confirm the result to you by {deadline}."),
    # 结果反馈 — feedback
    ("feedback-zh", "feedback", ZH, "", "完整反馈处理结果",
     "{customer_title}您好，我是{agent_role}{agent_name}[[，工号{employee_no}]]，向您反馈投诉单{case_number}"
     "的处理情况。原因：{cause}。我们的处理：{measures}。处理结果：{result}。[[补偿：{compensation}。]]请问您对这个结果满意吗？"
     "如有任何疑问，可以直接联系我[[，分机{extension}]]。"),
    ("feedback-short-zh", "feedback", ZH, "sms", "短信反馈",
     "【{brand}】{customer_title}您好，您反映的{problem}已处理完毕：{result}。{compensation}。"
     "如仍有疑问，请回复本短信或致电{agent_role}{agent_name}[[（工号{employee_no}）]]。"),
    ("feedback-with-follow-up-zh", "feedback", ZH, "", "反馈并预告回访",
     "{customer_title}，您反映的{problem}已经处理完毕。经核查，原因是{cause}，现在{result}。"
     "为表歉意，{compensation}。我会在3天内再联系您，确认一切正常。"),
    ("feedback-en", "feedback", EN, "", "Full result",
     "Hello {customer_title}, this is {agent_name} from {brand} with an update on case {case_number}. "
     "The cause: {cause}. What we have done: {measures}. The result: {result}.[[ To make up for the inconvenience: {compensation}.]] "
     "Are you happy with this outcome?"),
    ("feedback-with-follow-up-en", "feedback", EN, "", "Result and a follow-up call",
     "{customer_title}, the problem you reported has now been resolved. We found that {cause}; {result}. "
     "As an apology, {compensation}. I will contact you again within 3 days to make sure everything is still "
     "working."),
    # 回访 — follow-up
    ("follow-up-zh", "follow_up", ZH, "", "满意度回访",
     "{customer_title}您好，我是{brand}{agent_role}{agent_name}。上周您反映的{problem}已经处理完成，"
     "今天特地回访一下：现在使用一切正常吗？您对这次的处理还满意吗？"),
    ("follow-up-check-zh", "follow_up", ZH, "", "确认问题彻底解决",
     "{customer_title}，打扰您一分钟。关于投诉单{case_number}：{result}。想跟您确认问题是否已经彻底解决？"
     "如果还有不满意的地方，请直接告诉我，我会在{deadline}前跟进处理。"),
    ("follow-up-en", "follow_up", EN, "", "Satisfaction call",
     "Hello {customer_title}, this is {agent_name} from {brand}. Last week we resolved your complaint about "
     "{problem}, and I am calling today to check: is everything working well now, and are you satisfied with "
     "how we handled it?"),
    ("follow-up-check-en", "follow_up", EN, "", "Checking the fix held",
     "{customer_title}, a quick follow-up on case {case_number}: {result}. Has the problem been fully solved "
     "for you? If anything is still not right, tell me and I will follow it up by {deadline}."),
    # 情绪安抚 — de-escalation
    ("de-escalation-zh", "de_escalation", ZH, "", "认同情绪",
     "{customer_title}，我完全理解您现在很生气，换作是我也会有同样的感受。请给我一点时间，"
     "我们一起把这件事解决好。"),
    ("de-escalation-commit-zh", "de_escalation", ZH, "", "亲自跟进并给时限",
     "您说的每一句话我都记下了，这件事我会亲自跟进到底。我现在先为您{option_a}，并在{deadline}前给您明确答复，"
     "您看这样可以吗？"),
    ("de-escalation-en", "de_escalation", EN, "", "Acknowledging the anger",
     "{customer_title}, I completely understand why you are upset; in your position I would feel the same. "
     "Please give me a moment, and let us sort this out together."),
    ("de-escalation-commit-en", "de_escalation", EN, "", "Owning it with a deadline",
     "I have noted everything you said, and I will see this through personally. Right now I will {option_a}, "
     "and I will give you a clear answer by {deadline}. Does that work for you?"),
]
# fmt: on
