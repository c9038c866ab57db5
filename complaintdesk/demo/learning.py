"""The demo's team learning: a few training cases chosen from archived cases (published, waiting for the
handler, declined) and the agents' service log for yesterday and today, all through learning's services,
so the library's text is depersonalised exactly as a supervisor's choice would be. Kept apart from the
rest of the demo (issue 19 item 5)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from complaintdesk.accounts.models import User
from complaintdesk.archive.services import summary_latest
from complaintdesk.common.time import local_today
from complaintdesk.complaints.access import complaints_visible_to
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.states import Status
from complaintdesk.learning.models import ExampleKind
from complaintdesk.learning.services import (
    service_log_write,
    training_case_consent,
    training_case_propose,
    user_may_curate,
)

# Who chooses: the nearest supervisor or manager who sees the case.
CURATORS = ("manager_sh", "manager_hz", "manager_gz", "manager_sz", "supervisor_east", "executive")
# What becomes of the chosen cases: agent_sh's waits for its handler's answer; the others are agreed to,
# agreed to, declined.
OUTCOMES = ("agree", "agree", "ask", "decline")
DECLINE_NOTE = "客户在当地小有名气，细节容易被认出来"

LOGS = {
    "agent_sh": (
        (
            "一位老人的彩铃扣费，先退费再解释，客户当场就不生气了。",
            "查历史订购记录太慢，要熟悉账单系统的筛选。",
        ),
        ("回访时主动说明了下一步和时间，客户说很放心。", "转派网络部时漏写了楼号，被退回一次。"),
    ),
    "agent_sh01": (
        ("信号差的投诉先问了同楼邻居的情况，很快判断是楼宇覆盖问题。", ""),
        ("", "客户情绪激动时我说话太快，应该先复述他的诉求。"),
    ),
    "agent_hz": (
        ("快递丢件的案子当天联系到了网点，客户满意。", "承诺回电的时间没有记到提醒里，差点超时。"),
        ("用话术库里的道歉模板，客户接受了补偿方案。", ""),
    ),
    "agent_gz": (("一天办结了三件账单争议，都一次说清了原因。", "对新套餐的资费还不熟，要再看一遍说明。"),),
    "agent_sz": (("", "有一件投诉等客户补材料，暂停计时时忘了说明原因。"),),
}


@dataclass(frozen=True)
class DemoLearning:
    training_cases: int
    published: int
    log_entries: int


def _curator_for(complaint: Complaint, curators: list[User]) -> User | None:
    for curator in curators:
        if (
            curator.pk != complaint.assignee_id
            and complaints_visible_to(curator).filter(pk=complaint.pk).exists()
        ):
            return curator
    return None


def _lesson(complaint: Complaint) -> str:
    summary = summary_latest(complaint=complaint)
    if summary and summary.lesson:
        return summary.lesson
    return "复盘这件投诉：客户最在意什么，我们在哪一步可以做得更早。"


def demo_learning_create(
    *, rng: random.Random, people: dict[str, User], complaints: list[Complaint]
) -> DemoLearning:
    """Training cases from archived cases with a handler (one per handler first, so several agents are
    asked), and the service log of the demo's agents."""
    curators = [people[u] for u in CURATORS if u in people and user_may_curate(people[u])]
    archived = [c for c in complaints if c.status == Status.CLOSED and c.assignee_id]
    rng.shuffle(archived)
    archived.sort(key=lambda c: c.assignee.username != "agent_sh")  # the demo's first agent is asked
    chosen: list[tuple[Complaint, User]] = []
    handlers: set[int] = set()
    for complaint in archived:
        if len(chosen) == len(OUTCOMES):
            break
        curator = _curator_for(complaint, curators)
        if curator is None or complaint.assignee_id in handlers:
            continue
        handlers.add(complaint.assignee_id)
        chosen.append((complaint, curator))
    # The case waiting for an answer is agent_sh's, who signs in first in the README.
    ask = next((i for i, (c, _curator) in enumerate(chosen) if c.assignee.username == "agent_sh"), None)
    answers = iter(a for a in OUTCOMES if a != "ask")
    outcomes = ["ask" if i == ask else next(answers, "agree") for i in range(len(chosen))]
    published = 0
    for index, ((complaint, curator), outcome) in enumerate(zip(chosen, outcomes, strict=True)):
        case = training_case_propose(
            number=complaint.number,
            actor=curator,
            kind=ExampleKind.GOOD if index % 2 == 0 else ExampleKind.BAD,
            title=complaint.title[:100],
            lesson=_lesson(complaint),
        )
        if outcome == "ask":
            continue
        handler = complaint.assignee
        agree = outcome == "agree"
        training_case_consent(case_id=case.pk, actor=handler, agree=agree, note="" if agree else DECLINE_NOTE)
        published += agree
    entries = 0
    today = local_today()
    for username, days in LOGS.items():
        agent = people.get(username)
        if agent is None:
            continue
        for back, (went_well, to_improve) in enumerate(days):
            service_log_write(
                actor=agent, went_well=went_well, to_improve=to_improve, day=today - dt.timedelta(days=back)
            )
            entries += 1
    return DemoLearning(training_cases=len(chosen), published=published, log_entries=entries)
