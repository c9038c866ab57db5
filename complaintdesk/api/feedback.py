"""Closing-the-loop endpoints of API v1 (complaintdesk.surveys): check and send the result, record the
customer's acceptance (confirmation), a rating given on the phone or in an IVR, a customer who cannot be
reached, read survey answers, the follow-up queue and record a follow-up's outcome. Parse, call one service
or selector, present."""

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from complaintdesk.common.errors import NotFound
from complaintdesk.common.time import now, to_local
from complaintdesk.complaints.access import access_complaint
from complaintdesk.scripts.services import ReplyBlocked
from complaintdesk.surveys import resolution, results, selectors
from complaintdesk.surveys.follow_ups import follow_up_outcome_record
from complaintdesk.surveys.models import FollowUp, ResultFeedback, SurveyAnswer
from complaintdesk.surveys.resolution import result_unreachable_record
from complaintdesk.surveys.services import rating_record

from .schemas import ProblemOut, StrictSchema

router = Router(tags=["feedback"])
ERRORS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}
POST_ERRORS = ERRORS | {409: ProblemOut, 413: ProblemOut}


def _local(value):
    return to_local(value) if value else None


class ResultIn(StrictSchema):
    cause: str = Field(description="原因")
    measures: str = Field(description="处理措施")
    outcome: str = Field(description="处理结果")
    compensation: str = Field("", description="补偿（可空）")
    verified: str = Field(
        "",
        description="处理决定书：核实情况（案件适用法定时限包时必填，见 GET /complaints/{number}/regulation）",
    )
    basis: str = Field("", description="处理决定书：处理依据和理由（适用法定时限包时必填）")
    routes: str = Field(
        "",
        description="处理决定书：不同意时的途径（适用法定时限包时必填；`decision_letter.routes_text` 为预填的文字）",
    )
    override_reason: str = Field("", description="回复检查有警告时仍要发送的原因；有阻止发送的问题时无效")
    channel: str | None = Field(None, description="sms / email / wechat；缺省为客户首选的渠道")


class FindingOut(Schema):
    code: str
    severity: str = Field(description="block（必须修改）或 warn（可填原因后发送）")
    text: str = Field(description="有问题的文字；缺少某项内容时为空")
    reason: str
    suggestion: str


class RatingIn(StrictSchema):
    stars: int = Field(description="满意度 1–5 星")
    solved: bool | None = Field(
        None, description="客户是否表示问题已解决；true 且等待客户确认时，投诉转为已解决"
    )
    nps: int | None = Field(None, description="推荐意愿 0–10（可空）")
    comment: str = Field("", description="客户的意见（可空）")


class UnreachableIn(StrictSchema):
    reason: str = Field(description="无法联系客户的原因（试过哪些方式、何时）")
    cause: str = Field(description="原因")
    measures: str = Field(description="处理措施")
    outcome: str = Field(description="处理结果")
    compensation: str = Field("", description="补偿（可空）")


class ResultCheckOut(Schema):
    channel: str
    language: str
    subject: str
    body: str = Field(description="客户将收到的内容")
    decision_letter: str = Field(description="要求处理决定书的法规（当前语言）；不要求时为空")
    blocked: bool
    findings: list[FindingOut]


class ResultOut(Schema):
    id: int
    complaint: str
    cause: str
    measures: str
    outcome: str
    compensation: str
    verified: str = Field(description="处理决定书：核实情况（不要求处理决定书时为空）")
    basis: str = Field(description="处理决定书：处理依据和理由")
    routes: str = Field(description="处理决定书：不同意时的途径")
    letter_pack: str = Field(description="要求处理决定书的法规；为空则发出的是普通处理结果")
    channel: str
    message: str
    sent_by: str
    sent_at: dt.datetime
    override_reason: str | None
    confirmed_at: dt.datetime | None
    confirmed_via: str = Field(description="survey / portal / agent / unreachable（无法联系客户）")
    unreachable_reason: str = Field(description="无法联系客户的原因；已告知客户时为空")


class ConfirmIn(StrictSchema):
    note: str = Field("", description="说明（可空）")


class SurveyAnswerOut(Schema):
    id: int
    complaint: str
    agent: str | None = Field(description="评价针对的处理人（发出邀请时的处理人）")
    org_unit: str = Field(description="评价针对的机构编码")
    stars: int
    nps: int | None
    solved: bool | None
    comment: str
    answered_at: dt.datetime
    action: str = Field(description="评价引起的自动处理：none / confirmed / reopened / escalated / failed")
    action_note: str
    source: str = Field(description="link（客户通过评价链接）/ phone（客服或 IVR 登记的电话评价）")


class SurveyAnswerListOut(Schema):
    items: list[SurveyAnswerOut]
    count: int


class FollowUpOut(Schema):
    id: int
    complaint: str
    complaint_title: str
    org_unit: str
    assignee: str | None
    resolved_at: dt.datetime
    due_at: dt.datetime
    overdue: bool
    deadline_provisional: bool
    state: str
    outcome: str
    not_reached_count: int
    linked_complaint: str | None
    close_note: str


class FollowUpListOut(Schema):
    items: list[FollowUpOut]
    count: int


class FollowUpQuery(Schema):
    mine: bool = Field(False, description="只看我负责的")
    overdue: bool = Field(False, description="只看已超时的")
    limit: int = Field(50, ge=1, le=selectors.QUEUE_LIMIT)


class FollowUpOutcomeIn(StrictSchema):
    reached: bool = Field(description="是否联系上客户")
    satisfied: bool | None = Field(None, description="联系上时必填：客户是否仍然满意（不满意则重新处理）")
    new_issue: str = Field("", description="客户反映的新问题：另立一张关联的投诉单")
    note: str = Field("", description="备注；客户不满意时必填")


class FollowUpOutcomeOut(Schema):
    follow_up: FollowUpOut
    closed: bool
    reopened: bool
    close_error: str = Field(description="投诉未能归档的原因（如缺少归档总结）；回访记录已保存")
    linked_complaint: str | None


def _result_view(result: ResultFeedback, number: str) -> dict:
    return {
        "id": result.pk,
        "complaint": number,
        "cause": result.cause,
        "measures": result.measures,
        "outcome": result.outcome,
        "compensation": result.compensation,
        "verified": result.verified,
        "basis": result.basis,
        "routes": result.routes,
        "letter_pack": result.letter_pack,
        "channel": result.channel,
        "message": result.message,
        "sent_by": result.sent_by.username,
        "sent_at": _local(result.sent_at),
        "override_reason": result.override.reason if result.override_id else None,
        "confirmed_at": _local(result.confirmed_at),
        "confirmed_via": result.confirmed_via,
        "unreachable_reason": result.unreachable_reason,
    }


def _answer_view(answer: SurveyAnswer, number: str) -> dict:
    return {
        "id": answer.pk,
        "complaint": number,
        "agent": answer.agent.username if answer.agent_id else None,
        "org_unit": answer.org_unit.code,
        "stars": answer.stars,
        "nps": answer.nps,
        "solved": answer.solved,
        "comment": answer.comment,
        "answered_at": _local(answer.answered_at),
        "action": answer.action,
        "action_note": answer.action_note,
        "source": answer.source,
    }


def _follow_up_view(task: FollowUp, at: dt.datetime) -> dict:
    return {
        "id": task.pk,
        "complaint": task.complaint.number,
        "complaint_title": task.complaint.title,
        "org_unit": task.org_unit.code,
        "assignee": task.assignee.username if task.assignee_id else None,
        "resolved_at": _local(task.resolved_at),
        "due_at": _local(task.due_at),
        "overdue": task.state == "open" and task.due_at <= at,
        "deadline_provisional": task.deadline_provisional,
        "state": task.state,
        "outcome": task.outcome,
        "not_reached_count": task.not_reached_count,
        "linked_complaint": task.linked_complaint.number if task.linked_complaint_id else None,
        "close_note": task.close_note,
    }


def _findings(check) -> list[dict]:
    return [
        {
            "code": f.code,
            "severity": f.severity,
            "text": f.text,
            "reason": f.reason,
            "suggestion": f.suggestion,
        }
        for f in check.findings
    ]


@router.post(
    "/complaints/{number}/result/check",
    response={200: ResultCheckOut, **POST_ERRORS},
    summary="预览处理结果通知并做回复检查（不发送）",
)
def result_check(request: HttpRequest, number: str, payload: ResultIn):
    preview = results.result_check(
        number=number,
        actor=request.user,
        cause=payload.cause,
        measures=payload.measures,
        outcome=payload.outcome,
        compensation_text=payload.compensation,
        verified=payload.verified,
        basis=payload.basis,
        routes=payload.routes,
        channel=payload.channel,
    )
    return {
        "channel": preview.channel,
        "language": preview.language,
        "subject": preview.subject,
        "body": preview.body,
        "decision_letter": preview.letter_terms.pack_name if preview.letter_terms else "",
        "blocked": preview.check.blocked,
        "findings": _findings(preview.check),
    }


@router.post(
    "/complaints/{number}/result",
    response={201: ResultOut, **POST_ERRORS},
    summary="向客户反馈处理结果",
    description="经回复检查后按客户首选渠道发送：案件适用法定时限包时须填写处理决定书的三项（verified、basis、"
    "routes），缺项或发给客户的内容未写明某项、某一途径时返回 422（invalid_input，逐项说明）；"
    "有阻止发送的问题时返回 422（reply_blocked），有警告且未填 "
    "override_reason 时返回 422（reply_needs_override），`errors.findings` 列出问题。发送后投诉转为“待客户确认”，"
    "并发出满意度评价链接。",
)
def result_send(request: HttpRequest, number: str, payload: ResultIn):
    try:
        result = results.result_send(
            number=number,
            actor=request.user,
            cause=payload.cause,
            measures=payload.measures,
            outcome=payload.outcome,
            compensation_text=payload.compensation,
            verified=payload.verified,
            basis=payload.basis,
            routes=payload.routes,
            override_reason=payload.override_reason,
            channel=payload.channel,
        )
    except ReplyBlocked as problem:
        problem.fields = {"findings": [f"{f.code}: {f.text} {f.reason}".strip() for f in problem.findings]}
        raise
    except results.ResultNeedsOverride as problem:
        problem.fields = {
            "findings": [f"{f.code}: {f.text} {f.reason}".strip() for f in problem.check.findings]
        }
        raise
    return Status(201, _result_view(result, number))


@router.post(
    "/complaints/{number}/result/confirm",
    response={200: ResultOut, **POST_ERRORS},
    summary="登记客户接受处理结果（转为已解决，生成回访任务）",
    description="客户在电话、IVR 或 CRM 中接受了已反馈的处理结果。投诉须处于“待客户确认”；"
    "只有向客户反馈结果后被接受（或登记无法联系客户）才能转为已解决，`/transitions` 不能直接转为已解决。",
)
def result_confirm(request: HttpRequest, number: str, payload: ConfirmIn):
    complaint = resolution.result_confirm(number=number, actor=request.user, note=payload.note)
    result = selectors.results_for_case(complaint=complaint)
    if not result:
        raise NotFound()
    return _result_view(result[0], number)


@router.post(
    "/complaints/{number}/result/unreachable",
    response={201: ResultOut, **POST_ERRORS},
    summary="无法联系客户：登记原因和处理结果，转为已解决",
    description="客户无法联系（电话无人接听、各渠道无回复等）时，登记原因与处理结果（原因、措施、结果、补偿），"
    "投诉转为已解决并生成回访任务。不向客户发送任何消息。",
)
def result_unreachable(request: HttpRequest, number: str, payload: UnreachableIn):
    result_unreachable_record(
        number=number,
        actor=request.user,
        reason=payload.reason,
        cause=payload.cause,
        measures=payload.measures,
        outcome=payload.outcome,
        compensation_text=payload.compensation,
    )
    complaint = access_complaint(user=request.user, number=number)
    return Status(201, _result_view(selectors.results_for_case(complaint=complaint)[0], number))


@router.post(
    "/complaints/{number}/rating",
    response={201: SurveyAnswerOut, **POST_ERRORS},
    summary="登记客户在电话或 IVR 中给出的满意度评价",
    description="与评价链接的回答同样记录和处理：solved=true 且投诉等待客户确认时转为已解决；"
    "低分或未解决时按评价策略重新处理或升级。客户尚未收到处理结果时返回 422。",
)
def rating(request: HttpRequest, number: str, payload: RatingIn):
    answer = rating_record(
        number=number,
        actor=request.user,
        stars=payload.stars,
        comment=payload.comment,
        nps=payload.nps,
        solved=payload.solved,
    )
    answer = SurveyAnswer.objects.select_related("agent", "org_unit").get(pk=answer.pk)
    return Status(201, _answer_view(answer, number))


@router.get(
    "/complaints/{number}/survey-answers",
    response={200: SurveyAnswerListOut, **ERRORS},
    summary="投诉的满意度评价",
)
def survey_answers(request: HttpRequest, number: str):
    complaint = access_complaint(user=request.user, number=number)
    items = [_answer_view(a, number) for a in selectors.survey_answers_for_case(complaint=complaint)]
    return {"items": items, "count": len(items)}


@router.get(
    "/follow-ups",
    response={200: FollowUpListOut, **ERRORS},
    summary="回访队列（可见机构的待回访任务，时限最近优先）",
)
def follow_ups(request: HttpRequest, filters: Query[FollowUpQuery]):
    at = now()
    queue = selectors.follow_up_queue(
        user=request.user,
        scope="mine" if filters.mine else "all",
        overdue_only=filters.overdue,
        limit=filters.limit,
        at=at,
    )
    return {"items": [_follow_up_view(t, at) for t in queue.items], "count": len(queue.items)}


@router.post(
    "/follow-ups/{follow_up_id}/outcome",
    response={200: FollowUpOutcomeOut, **POST_ERRORS},
    summary="登记回访结果",
    description="未联系上累计 3 次按“未联系上”归档；联系上且满意则归档；不满意则重新打开；"
    "有新问题则另立关联投诉单。",
)
def follow_up_outcome(request: HttpRequest, follow_up_id: int, payload: FollowUpOutcomeIn):
    if selectors.follow_up_for_user(user=request.user, follow_up_id=follow_up_id) is None:
        raise NotFound()
    recorded = follow_up_outcome_record(
        follow_up_id=follow_up_id,
        actor=request.user,
        reached=payload.reached,
        satisfied=payload.satisfied,
        new_issue=payload.new_issue,
        note=payload.note,
    )
    task = FollowUp.objects.select_related("complaint", "org_unit", "assignee", "linked_complaint").get(
        pk=recorded.follow_up.pk
    )
    return {
        "follow_up": _follow_up_view(task, now()),
        "closed": recorded.closed,
        "reopened": recorded.reopened,
        "close_error": recorded.close_error,
        "linked_complaint": recorded.linked_complaint.number if recorded.linked_complaint else None,
    }
