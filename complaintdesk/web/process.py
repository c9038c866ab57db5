"""The guided process panel: the ten steps of handling a complaint (SPEC §2), the few steps of an inquiry, a
suggestion or praise (issue 19: each kind its own light lifecycle), and which one a case is at. Pure: plain
values in, plain values out; the transitions themselves are complaints.states'."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    asks: str  # what this step asks of the agent
    script_stage: str  # the reply-script stage (scripts.models.ScriptStage) that helps here


STEPS: tuple[Step, ...] = (
    Step(
        "listen",
        _("倾听并记录"),
        _("让客户把话说完，不打断；记下发生了什么、何时何地、涉及的产品和人员。"),
        "listening",
    ),
    Step("apologise", _("致歉"), _("以“我”的名义为客户的不便真诚致歉，不推脱、不辩解。"), "apology"),
    Step(
        "clarify",
        _("澄清并确认诉求"),
        _("向客户复述问题和诉求，得到确认；问清客户希望的结果。"),
        "clarifying",
    ),
    Step(
        "analyse",
        _("分析"),
        _("确定类别、复杂程度、责任归属、根本原因和影响（金钱、使用、时间、困扰）。"),
        "clarifying",
    ),
    Step(
        "propose",
        pgettext_lazy("action: propose a solution", "提出方案"),
        _("给出具体方案，最好两个供客户选择；在自己的补偿权限内，超出需审批。"),
        "proposing",
    ),
    Step("carry_out", _("执行/派单"), _("落实方案；复杂问题派单给责任部门，跟踪负责人和时限。"), "proposing"),
    Step("feed_back", _("反馈结果"), _("按客户希望的方式及时告知原因、措施、结果和补偿。"), "feedback"),
    Step(
        "satisfaction",
        _("满意度确认"),
        _("询问客户是否满意；仍不满意则记录新的诉求，继续处理或升级。"),
        "feedback",
    ),
    Step("follow_up", _("回访"), _("解决后 7 天内回访，确认客户仍然满意、补救已经到位。"), "follow_up"),
    Step(
        "archive", _("归档总结"), _("写下案例总结：原因、措施、经验，供知识库和流程改进使用。"), "follow_up"
    ),
)
STEP_CODES = tuple(step.code for step in STEPS)

# The step a case is at, by status; an accepted case has been listened to and apologised to when it
# was taken (intake), so it is at clarifying; analysis done moves an analysing case on to proposing.
_BY_STATUS = {
    "new": "listen",
    "accepted": "clarify",
    "analysing": "analyse",
    "handling": "propose",
    "escalated": "propose",
    "reopened": "analyse",
    "awaiting_customer": "satisfaction",
    "resolved": "feed_back",
    "follow_up": "follow_up",
    "closed": "archive",
    "withdrawn": "archive",
}


# The light lifecycles (complaints.states.*_TRANSITIONS): what each step asks, by status.
INQUIRY_STEPS: tuple[Step, ...] = (
    Step("listen", _("倾听并记录"), _("听清客户想知道什么，记下问题和相关的账号、产品。"), "listening"),
    Step(
        "answer",
        _("解答"),
        _("给出准确、完整的答复；需要查证的，先告诉客户何时答复。客户其实是不满时，转为投诉。"),
        "clarifying",
    ),
    Step("await", _("等待客户"), _("需要客户提供信息时，说清要什么、何时前提供。"), "clarifying"),
    Step("answered", _("已答复"), _("把给客户的答复写在结案原因里；客户还有疑问可重新打开。"), "feedback"),
)
SUGGESTION_STEPS: tuple[Step, ...] = (
    Step("listen", _("记录建议"), _("记下客户的建议和原话，以及它涉及的产品或服务。"), "listening"),
    Step("thank", _("确认收到"), _("感谢客户，告诉他建议会转给负责的部门；然后转交负责部门。"), "clarifying"),
    Step("owner", _("负责部门办理"), _("负责部门研究建议，决定是否采纳、何时落实。"), "proposing"),
    Step("done", _("办结反馈"), _("写明建议是否采纳、如何落实，并告诉客户。"), "feedback"),
)
PRAISE_STEPS: tuple[Step, ...] = (
    Step("listen", _("记录表扬"), _("记下客户表扬的人、事和原话。"), "listening"),
    Step("thank", _("致谢"), _("感谢客户；把表扬记入受表扬的人员或机构，然后结案。"), "feedback"),
    Step("credited", _("已记入表扬"), _("表扬已记入，计入受表扬人员的考核。"), "feedback"),
)

STEPS_BY_KIND: dict[str, tuple[Step, ...]] = {
    "complaint": STEPS,
    "inquiry": INQUIRY_STEPS,
    "suggestion": SUGGESTION_STEPS,
    "praise": PRAISE_STEPS,
}
_BY_STATUS_OF_KIND = {
    "inquiry": {
        "new": "listen", "handling": "answer", "reopened": "answer", "awaiting_customer": "await",
        "closed": "answered", "withdrawn": "answered",
    },
    "suggestion": {
        "new": "listen", "accepted": "thank", "reopened": "thank", "handling": "owner", "closed": "done",
        "withdrawn": "done",
    },
    "praise": {"new": "listen", "accepted": "thank", "reopened": "thank", "closed": "credited", "withdrawn": "credited"},
}  # fmt: skip


def steps_of_kind(kind: str = "complaint") -> tuple[Step, ...]:
    return STEPS_BY_KIND.get(kind or "complaint", STEPS)


def current_step(*, status: str, analysed: bool = False, kind: str = "complaint") -> str:
    """The code of the step the case is at. `analysed`: category and responsibility are set."""
    if (kind or "complaint") != "complaint":
        return _BY_STATUS_OF_KIND[kind].get(status, "listen")
    step = _BY_STATUS.get(status, "listen")
    if step == "analyse" and analysed:
        return "propose"
    return step


def step_of(*, status: str, analysed: bool = False, kind: str = "complaint") -> Step:
    code = current_step(status=status, analysed=analysed, kind=kind)
    return next(step for step in steps_of_kind(kind) if step.code == code)


@dataclass(frozen=True)
class StepView:
    step: Step
    state: str  # done / current / todo


def steps_for(*, status: str, analysed: bool = False, kind: str = "complaint") -> list[StepView]:
    """The process strip of a case of `kind` (a complaint's ten steps, another kind's own few)."""
    steps = steps_of_kind(kind)
    codes = [step.code for step in steps]
    current = codes.index(current_step(status=status, analysed=analysed, kind=kind))
    return [
        StepView(step=step, state="done" if i < current else ("current" if i == current else "todo"))
        for i, step in enumerate(steps)
    ]
