"""The guided process panel: the ten steps of handling a complaint (SPEC §2) and which one a case is
at. Pure: plain values in, plain values out; the transitions themselves are complaints.states'."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


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
        _("提出方案"),
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


def current_step(*, status: str, analysed: bool = False) -> str:
    """The code of the step the case is at. `analysed`: category and responsibility are set."""
    step = _BY_STATUS.get(status, "listen")
    if step == "analyse" and analysed:
        return "propose"
    return step


@dataclass(frozen=True)
class StepView:
    step: Step
    state: str  # done / current / todo


def steps_for(*, status: str, analysed: bool = False) -> list[StepView]:
    current = STEP_CODES.index(current_step(status=status, analysed=analysed))
    return [
        StepView(step=step, state="done" if i < current else ("current" if i == current else "todo"))
        for i, step in enumerate(STEPS)
    ]
