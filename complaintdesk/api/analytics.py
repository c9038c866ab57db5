"""KPI endpoints of API v1 (complaintdesk.analytics): the KPIs of a slice, with numerator, denominator
and target, and the agent scorecards. Parse, call one selector, present."""

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from complaintdesk.accounts.access import units_visible_to
from complaintdesk.analytics import scorecards as scorecard_selectors
from complaintdesk.analytics import selectors
from complaintdesk.common.errors import InvalidInput, NotFound
from complaintdesk.common.validation import INTEGER_MAX
from complaintdesk.complaints.models import Category
from complaintdesk.complaints.states import ContactKind

from .fields import RANGE_TEXT, date_in_range
from .schemas import ProblemOut

router = Router(tags=["analytics"])
ERRORS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}


class SliceIn(Schema):
    month_from: str = Field(description="起始月份 YYYY-MM（含）")
    month_to: str = Field(description="截止月份 YYYY-MM（含）")
    unit: str = Field("", description="机构编码：该机构及其全部下级；缺省为可见的全部机构")
    category: str = Field("", description="类别编码")
    channel: str = Field("", description="受理渠道")
    agent: int | None = Field(
        None, ge=1, le=INTEGER_MAX, description="处理人的用户 id（按客服统计，无投诉率）"
    )
    severity: str = Field("", description="严重级别 general / major")
    complexity: str = Field("", description="复杂程度 general / complex")
    kind: str = Field("", description="联系类型 complaint / inquiry / suggestion / praise（空：全部类型）")


class KpiOut(Schema):
    code: str
    label: str
    value: float | None = Field(description="数值；分母为 0 时为 null")
    numerator: float
    denominator: float
    unit: str
    target: float | None
    higher_is_better: bool
    met: bool | None


class KpisOut(Schema):
    month_from: str
    month_to: str
    kpis: list[KpiOut]
    unit_months_without_customers_served: int


class PartOut(Schema):
    label: str
    score: float | None
    source: str


class ComponentOut(Schema):
    code: str
    label: str
    weight: int
    effective_weight: float
    score: float | None
    parts: list[PartOut]


class ScorecardOut(Schema):
    agent_id: int
    agent: str
    total: float | None
    components: list[ComponentOut]


def _month(value: str, name: str) -> dt.date:
    try:
        year, month = (int(x) for x in value.split("-"))
        month_start = dt.date(year, month, 1)
    except ValueError:
        raise InvalidInput({name: [_("月份格式应为 2026-03")]}) from None
    if not date_in_range(month_start):
        raise InvalidInput({name: [_("超出可接受的范围（%(range)s）") % {"range": RANGE_TEXT}]})
    return month_start


def _slice(request: HttpRequest, q: SliceIn) -> selectors.Slice:
    if not selectors.user_may_view_analytics(request.auth):
        raise NotFound(_("没有可查看的统计"))
    month_from, month_to = _month(q.month_from, "month_from"), _month(q.month_to, "month_to")
    if month_from > month_to:
        raise InvalidInput({"month_to": [_("截止月份不能早于起始月份")]})
    unit = None
    if q.unit:
        unit = units_visible_to(request.auth).filter(code=q.unit).first()
        if unit is None:
            raise NotFound(_("机构 %(code)s 不存在") % {"code": q.unit})
    if q.kind and q.kind not in ContactKind.values:
        raise InvalidInput({"kind": [_("可选：%(choices)s") % {"choices": ", ".join(ContactKind.values)}]})
    category = None
    if q.category:
        category = Category.objects.filter(code=q.category).first()
        if category is None:
            raise InvalidInput({"category": [_("类别不存在")]})
    return selectors.slice_for(
        user=request.auth, month_from=month_from, month_to=month_to, unit=unit,
        category_id=category.id if category else None, channel=q.channel or None, agent_id=q.agent,
        severity=q.severity or None, complexity=q.complexity or None, kind=q.kind or None,
    )  # fmt: skip


@router.get(
    "/analytics/kpis", response={200: KpisOut, **ERRORS}, summary="关键指标（公式见 docs/metrics.md）"
)
def kpis(request: HttpRequest, q: Query[SliceIn]):
    s = _slice(request, q)
    values = selectors.kpis(s)
    missing = 0 if s.agent_id is not None else selectors.complaint_rate(s).unit_months_missing
    return {
        "month_from": f"{s.month_from:%Y-%m}",
        "month_to": f"{s.month_to:%Y-%m}",
        "kpis": [dict(k.__dict__, met=k.met) for k in values.values()],
        "unit_months_without_customers_served": missing,
    }


@router.get("/analytics/scorecards", response={200: list[ScorecardOut], **ERRORS}, summary="客服考核")
def scorecards(request: HttpRequest, q: Query[SliceIn]):
    s = _slice(request, q)
    return [
        {
            "agent_id": card.agent.pk,
            "agent": str(card.agent),
            "total": card.total,
            "components": [
                {
                    "code": c.code,
                    "label": c.label,
                    "weight": c.weight,
                    "effective_weight": c.effective_weight,
                    "score": c.score,
                    "parts": [p.__dict__ for p in c.parts],
                }
                for c in card.components
            ],  # fmt: skip
        }
        for card in scorecard_selectors.scorecards(s)
        if card.agent is not None
    ]
