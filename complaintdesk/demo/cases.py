"""Sample complaints replayed through the real services, each step at its own moment in the past."""

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from complaintdesk.accounts.models import User
from complaintdesk.archive.services import case_summary_write
from complaintdesk.common.time import local_zone, now
from complaintdesk.complaints.models import Complaint, Complexity, Priority, Severity
from complaintdesk.complaints.services import (
    ASSISTED_CHANNELS,
    IntakeCustomer,
    IntakeData,
    complaint_analyse,
    complaint_create,
    complaint_transition,
)
from complaintdesk.complaints.states import Status
from complaintdesk.scripts.services import ReplyBlocked
from complaintdesk.surveys.resolution import result_confirm, result_unreachable_record
from complaintdesk.surveys.results import ResultNeedsOverride, result_send

from .lifecycle import DEMO_AGE_DAYS, DEMO_STATUS_WEIGHTS, path_to, plan_times, random_created_at
from .organisation import INTAKE_UNIT_WEIGHTS, UNIT_BY_CODE, storefront_name
from .people import API_CLIENT_USERNAME, HANDLER_OF_UNIT
from .samples import SampleComplaint, SampleCustomer, sample_complaint, sample_customer

REPEAT_CUSTOMER_SHARE = 0.18

REASONS: dict[Status, tuple[str, ...]] = {
    Status.ACCEPTED: ("已致电客户核实情况，告知处理时限", "已受理，短信告知客户投诉单号和处理时限", ""),
    Status.ANALYSING: ("调取业务记录和通话录音核实", "已联系相关部门核查", ""),
    Status.HANDLING: ("已制定处理方案，正在落实", "已派单至责任部门处理", "客户选择了第一种处理方案"),
    Status.AWAITING_CUSTOMER: ("已提供两种处理方案，等待客户选择", "需要客户提供账单截图和购买凭证"),
    Status.ESCALATED: (
        "客户对处理方案不满意，要求上级处理",
        "补偿金额超出一线授权额度，提交业务经理审批",
        "客户表示将向12315投诉，存在声誉风险",
        "同一小区多名客户反映相同问题，按群体性投诉升级",
    ),
    Status.FOLLOW_UP: ("解决后三日内电话回访", "按规定进行满意度回访"),
    Status.CLOSED: (
        "客户确认满意，归档",
        "回访客户表示满意，案例已录入知识库",
        "多次联系客户未接听，按规定归档",
    ),
    Status.REOPENED: ("回访时客户表示问题再次出现", "客户对处理结果有异议，重新处理"),
    Status.WITHDRAWN: (
        "客户来电表示问题已自行解决，申请撤诉",
        "客户与门店协商一致，撤回投诉",
        "客户表示不再追究",
    ),
}


@contextmanager
def clock_at(at: dt.datetime) -> Iterator[None]:
    """Run the services as if it were `at`.

    The services take the time from complaintdesk.common.time.now(), which calls
    django.utils.timezone.now(); patching that one function back-dates everything a step writes
    (case stamps, deadlines, the timeline, the case-number day, auto_now_add fields) while the
    services run unchanged. Only demo loading does this; nothing else in the product patches time.
    """
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def _intake_data(sample: SampleComplaint, customer: SampleCustomer, *, unit_code: str, rng, at) -> IntakeData:
    return IntakeData(
        channel=sample.channel,
        title=sample.title,
        description=sample.description,
        demand=sample.demand,
        customer=IntakeCustomer(
            name=customer.name, phone=customer.phone, email=customer.email, account_no=sample.account_no,
            wechat_openid=customer.wechat_openid if sample.channel == "wechat" else "",
        ),
        org_unit_code=unit_code,
        occurred_at=at - dt.timedelta(hours=rng.uniform(1, 120)),
        place=sample.place,
        product=sample.product,
        people_involved=sample.people_involved,
        perceived_severity=sample.perceived_severity,
        # Staff often pick a category while typing the complaint in; the analysis sets it otherwise.
        category_code=sample.category_code if sample.channel in ASSISTED_CHANNELS and rng.random() < 0.5 else "",
    )  # fmt: skip


def _analysis(sample: SampleComplaint, *, rng, path: list[Status], channel: str) -> dict:
    escalated = Status.ESCALATED in path
    major = (sample.perceived_severity == "critical" and rng.random() < 0.6) or rng.random() < 0.06
    complex_case = rng.random() < (0.6 if escalated else 0.22)
    changes = {
        "category": sample.category_code,
        "complexity": Complexity.COMPLEX if complex_case else Complexity.GENERAL,
        "severity": Severity.MAJOR if major else Severity.GENERAL,
        "priority": Priority.URGENT if major else (Priority.HIGH if complex_case else Priority.NORMAL),
        "responsibility": sample.responsibility,
        "root_cause": sample.root_cause,
        "reputation_risk": channel == "weibo" or (major and sample.perceived_severity == "critical"),
        "is_batch": sample.category_code == "network_quality" and rng.random() < 0.15,
    }
    if sample.amount_at_stake is not None:
        changes["amount_at_stake"] = str(sample.amount_at_stake)
    return changes


def _resolve(complaint: Complaint, *, sample: SampleComplaint, handler: User) -> Complaint:
    """The result told to the customer and accepted on the phone; a text the reply checker refuses is
    recorded as told in person instead (the customer unreachable by message)."""
    result = {"cause": sample.root_cause, "measures": sample.solution, "outcome": "问题已解决"}
    try:
        result_send(number=complaint.number, actor=handler, override_reason="演示数据", **result)
    except (ReplyBlocked, ResultNeedsOverride):
        return result_unreachable_record(
            number=complaint.number, actor=handler, reason="客户电话告知，短信无法送达", **result
        )
    return result_confirm(number=complaint.number, actor=handler, note="客户电话确认")


def _summary_write(complaint: Complaint, *, sample: SampleComplaint, handler: User) -> None:
    case_summary_write(
        number=complaint.number,
        actor=handler,
        problem=sample.title,
        cause=sample.root_cause,
        solution=sample.solution,
        lesson=f"{sample.root_cause}：提前排查，及时告知客户进展。",
    )


def _pick_customer(rng: random.Random, known: list[SampleCustomer]) -> SampleCustomer:
    if known and rng.random() < REPEAT_CUSTOMER_SHARE:
        return rng.choice(known)
    customer = sample_customer(rng)
    known.append(customer)
    return customer


def demo_complaints_create(*, rng: random.Random, people: dict[str, User], count: int) -> list[Complaint]:
    """`count` complaints spread over the last ~60 days, each walked to a final state of the demo mix."""
    current = now()
    zone = local_zone()
    unit_codes, unit_weights = zip(*INTAKE_UNIT_WEIGHTS.items(), strict=True)
    finals, final_weights = zip(*DEMO_STATUS_WEIGHTS.items(), strict=True)
    known_customers: list[SampleCustomer] = []
    complaints = []
    for _ in range(count):
        final = rng.choices(finals, weights=final_weights)[0]
        unit_code = rng.choices(unit_codes, weights=unit_weights)[0]
        spec = UNIT_BY_CODE[unit_code]
        sample = sample_complaint(rng, city=spec.city, store=storefront_name(unit_code))
        customer = _pick_customer(rng, known_customers)
        min_days, max_days = DEMO_AGE_DAYS[final]
        created_at = random_created_at(rng, now=current, min_days=min_days, max_days=max_days, zone=zone)
        path = path_to(rng, final)
        analysis = _analysis(sample, rng=rng, path=path, channel=sample.channel)
        times = plan_times(
            rng, created_at=created_at, path=path, latest=current - dt.timedelta(minutes=5),
            complex_case=analysis["complexity"] == Complexity.COMPLEX,
        )  # fmt: skip
        handler = people[HANDLER_OF_UNIT[unit_code]]
        # Assisted channels (phone, walk-in, letter, chat, social media) are typed in by the unit's agent;
        # the others (web form, WeChat, e-mail, SMS, API) arrive through the CRM integration.
        intake_actor = handler if sample.channel in ASSISTED_CHANNELS else people[API_CLIENT_USERNAME]

        with clock_at(created_at):
            complaint = complaint_create(
                data=_intake_data(sample, customer, unit_code=unit_code, rng=rng, at=created_at),
                actor=intake_actor,
            )
        # A case that gets worked on is classified: at the analysing step, else right after acceptance.
        analyse_after = Status.ANALYSING if Status.ANALYSING in path else Status.ACCEPTED
        worked_on = any(s in path for s in (Status.ANALYSING, Status.HANDLING, Status.ESCALATED))
        for index, (target, at) in enumerate(zip(path, times, strict=True)):
            reason = sample.solution if target == Status.RESOLVED else rng.choice(REASONS[target])
            with clock_at(at):
                if target == Status.CLOSED:  # the archive needs the handler's summary first
                    _summary_write(complaint, sample=sample, handler=handler)
                if target == Status.RESOLVED:  # only through feeding back the result (surveys.resolution)
                    complaint = _resolve(complaint, sample=sample, handler=handler)
                else:
                    complaint = complaint_transition(
                        number=complaint.number, actor=handler, to=target, reason=reason
                    )
            if worked_on and target == analyse_after:
                following = times[index + 1] if index + 1 < len(times) else current - dt.timedelta(minutes=1)
                with clock_at(at + (following - at) / 3):
                    complaint = complaint_analyse(
                        number=complaint.number, actor=handler, changes=analysis, reason="初步分析"
                    )
        complaints.append(complaint)
    return complaints
