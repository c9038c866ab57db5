"""Quality-inspection (质检) endpoints of API v1: the inspectors' queue, one sample with its scores,
scoring, calibration pairs and per-agent averages. Parse, call one service or selector, present.

Only inspecting roles (quality inspectors, supervisors within their units) see samples; outside that a
sample does not exist (404). Per-agent averages are also open to managers, for the units they see."""

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from complaintdesk.common.time import to_local
from complaintdesk.quality import selectors
from complaintdesk.quality.models import QaInspection, QaSample
from complaintdesk.quality.rubric import CRITERION_CODES
from complaintdesk.quality.services import quality_inspection_score

from .fields import IsoDate
from .schemas import ProblemOut, StrictSchema

router = Router(tags=["quality"])
ERRORS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}
POST_ERRORS = ERRORS | {409: ProblemOut, 413: ProblemOut}


class ScoreIn(StrictSchema):
    scores: dict[str, int] = Field(
        description="每项 0–5 分：listening 倾听、apology 致歉、accuracy 准确、solution 解决方案、"
        "scripts 话术规范、follow_up 跟进回访；六项都必填"
    )
    comment: str = Field("", description="评语；总分低于 60 分时必填")


class InspectionOut(Schema):
    id: int
    slot: int
    inspector: str | None
    status: str
    scores: dict[str, int | None]
    total: float | None = Field(description="加权总分（0–100）")
    comment: str
    scored_at: dt.datetime | None


class SampleOut(Schema):
    id: int
    complaint: str = Field(description="投诉单号")
    complaint_title: str
    agent: str
    org_unit: str
    period_start: dt.date
    period_end: dt.date
    closed_at: dt.datetime
    is_calibration: bool
    inspections: list[InspectionOut]


class SampleListOut(Schema):
    items: list[SampleOut]
    count: int


class QueueQuery(Schema):
    view: Literal["pending", "done"] = Field("pending", description="pending 待评分；done 我已评分")
    limit: int = Field(50, ge=1, le=selectors.QUEUE_LIMIT)


class CriterionAverageOut(Schema):
    average: float | None
    count: int


class AgentScoresOut(Schema):
    agent_id: int
    agent_name: str
    org_unit_id: int
    cases: int
    inspections: int
    total_average: float | None
    criteria: dict[str, CriterionAverageOut]


class AgentScoresListOut(Schema):
    items: list[AgentScoresOut]
    count: int


class ScoresQuery(Schema):
    start: IsoDate = Field(description="周期第一天（本地日期）")
    end: IsoDate = Field(description="周期最后一天（含）")
    unit: str | None = Field(None, description="机构编码：只看该机构及下级机构的专员")


class PairOut(Schema):
    sample_id: int
    complaint: str
    agent: str
    first: InspectionOut
    second: InspectionOut
    differences: dict[str, int] = Field(description="每项差值：第二人减第一人")
    total_difference: float


class CalibrationOut(Schema):
    items: list[PairOut]
    count: int
    mean_abs: dict[str, float]
    mean_abs_total: float | None


def _local(value):
    return to_local(value) if value else None


def inspection_view(inspection: QaInspection) -> dict:
    return {
        "id": inspection.pk,
        "slot": inspection.slot,
        "inspector": inspection.inspector.username if inspection.inspector_id else None,
        "status": inspection.status,
        "scores": inspection.scores,
        "total": float(inspection.total) if inspection.total is not None else None,
        "comment": inspection.comment,
        "scored_at": _local(inspection.scored_at),
    }


def sample_view(sample: QaSample, inspections: list[QaInspection]) -> dict:
    return {
        "id": sample.pk,
        "complaint": sample.complaint.number,
        "complaint_title": sample.complaint.title,
        "agent": sample.agent.username,
        "org_unit": sample.org_unit.code,
        "period_start": sample.period.start,
        "period_end": sample.period.end,
        "closed_at": _local(sample.closed_at),
        "is_calibration": sample.is_calibration,
        "inspections": [inspection_view(i) for i in inspections],
    }


@router.get("/quality/samples", response={200: SampleListOut, **ERRORS}, summary="质检队列")
def queue(request: HttpRequest, filters: Query[QueueQuery]):
    selectors.inspector_required(request.user)
    rows = selectors.inspector_queue(user=request.user, view=filters.view, limit=filters.limit)
    items = [sample_view(r.sample, [r]) for r in rows]
    return {"items": items, "count": len(items)}


@router.get("/quality/samples/{sample_id}", response={200: SampleOut, **ERRORS}, summary="质检样本及其评分")
def detail(request: HttpRequest, sample_id: int):
    found = selectors.sample_for_inspector(user=request.user, sample_id=sample_id)
    return sample_view(found.sample, found.inspections)


@router.post(
    "/quality/samples/{sample_id}/score",
    response={200: SampleOut, **POST_ERRORS},
    summary="为质检样本评分",
    description="评分后不可修改；校准样本的第二份评分须由另一名质检员完成。",
)
def score(request: HttpRequest, sample_id: int, payload: ScoreIn):
    quality_inspection_score(
        sample_id=sample_id, actor=request.user, scores=payload.scores, comment=payload.comment
    )
    found = selectors.sample_for_inspector(user=request.user, sample_id=sample_id)
    return sample_view(found.sample, found.inspections)


@router.get(
    "/quality/scores",
    response={200: AgentScoresListOut, **ERRORS},
    summary="各专员质检平均分（用于绩效考核）",
)
def scores(request: HttpRequest, filters: Query[ScoresQuery]):
    unit = selectors.scores_scope(user=request.user, unit_code=filters.unit or "")
    rows = selectors.quality_agent_scores(period_start=filters.start, period_end=filters.end, unit=unit)
    items = [
        {
            "agent_id": r.agent_id,
            "agent_name": r.agent_name,
            "org_unit_id": r.org_unit_id,
            "cases": r.cases,
            "inspections": r.inspections,
            "total_average": r.total_average,
            "criteria": {code: {"average": c.average, "count": c.count} for code, c in r.criteria.items()},
        }
        for r in rows
    ]
    return {"items": items, "count": len(items)}


@router.get(
    "/quality/calibration", response={200: CalibrationOut, **ERRORS}, summary="质检校准：双人评分差异"
)
def calibration(request: HttpRequest, period: int | None = None):
    selectors.inspector_required(request.user)
    chosen = selectors.period_get(period_id=period) if period is not None else None
    summary = selectors.calibration_pairs(user=request.user, period=chosen)
    items = [
        {
            "sample_id": p.sample.pk,
            "complaint": p.sample.complaint.number,
            "agent": p.sample.agent.username,
            "first": inspection_view(p.first),
            "second": inspection_view(p.second),
            "differences": p.differences,
            "total_difference": p.total_difference,
        }
        for p in summary.pairs
    ]
    return {
        "items": items,
        "count": len(items),
        "mean_abs": {code: summary.mean_abs.get(code, 0.0) for code in CRITERION_CODES}
        if summary.pairs
        else {},
        "mean_abs_total": summary.mean_abs_total,
    }
