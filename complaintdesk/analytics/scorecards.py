"""Agent scorecards (SPEC §5): attitude, efficiency, customer feedback and overall contribution, each a
score 0–100 that shows what it is made of, combined with the configured weights.

A component without data (no inspection scored, no contribution entered, no rated case) is shown as
missing and its weight is shared among the others in proportion to theirs, so the total stays on 0–100;
the scorecard says which weights were redistributed."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count
from django.utils.translation import gettext_lazy as _

from complaintdesk.accounts.models import Role
from complaintdesk.archive.models import ArticleStatus, CaseSummary, KnowledgeArticle
from complaintdesk.common.time import local_zone
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.states import ContactKind
from complaintdesk.learning.selectors import contributions_by_agent, training_cases_published_in
from complaintdesk.quality.selectors import quality_agent_scores

from .models import ContributionScore
from .selectors import Kpi, Slice, grouped, kpis_from, months_between
from .services import scorecard_weights_get


@dataclass(frozen=True)
class Part:
    label: str
    score: float | None
    source: str  # where the number comes from, in words


@dataclass(frozen=True)
class Component:
    code: str
    label: str
    weight: int  # configured percent
    effective_weight: float  # after redistribution of missing components
    score: float | None
    parts: tuple[Part, ...]

    @property
    def missing(self) -> bool:
        return self.score is None


@dataclass(frozen=True)
class Scorecard:
    agent: object
    total: float | None
    components: tuple[Component, ...]
    kpis: dict[str, Kpi]

    @property
    def redistributed(self) -> bool:
        return any(c.missing for c in self.components) and self.total is not None


def _dec(value) -> Decimal:
    return Decimal(str(value))


def _round(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _mean(values: list[float | None]) -> float | None:
    """Mean of the present values, from their two-decimal figures, rounded half up."""
    present = [_dec(v) for v in values if v is not None]
    return _round(sum(present) / len(present)) if present else None


def attitude_scores(
    *, agent_ids: list[int], month_from: dt.date, month_to: dt.date
) -> dict[int, tuple[float, int]]:
    """agent id → (average inspection total 0–100, scored inspections) of cases closed in the months, from
    quality inspection (质检, `quality.selectors.quality_agent_scores`)."""
    last = months_between(month_from, month_to)[-1]
    period_end = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    wanted = set(agent_ids)
    return {
        row.agent_id: (row.total_average, row.inspections)
        for row in quality_agent_scores(period_start=month_from, period_end=period_end)
        if row.agent_id in wanted and row.total_average is not None
    }


@dataclass(frozen=True)
class Shared:
    articles: int = 0
    cases: int = 0

    @property
    def items(self) -> int:
        return self.articles + self.cases


def shared_knowledge(
    *, agent_ids: list[int], month_from: dt.date, month_to: dt.date
) -> tuple[dict[int, Shared], bool]:
    """What each agent gave the team in the months: knowledge articles they wrote that were published,
    and training cases of theirs they agreed to share (learning). Also whether anyone in the organisation
    published either in the months: until the team uses them, nobody is scored on them."""
    zone = local_zone()
    start = dt.datetime.combine(month_from, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(
        (month_to.replace(day=28) + dt.timedelta(days=4)).replace(day=1), dt.time(), tzinfo=zone
    )
    published = KnowledgeArticle.objects.filter(
        status=ArticleStatus.PUBLISHED, published_at__gte=start, published_at__lt=end
    )
    articles = _articles_written(published, agent_ids=agent_ids)
    cases = contributions_by_agent(agent_ids=agent_ids, start=start, end=end)
    in_use = (
        bool(articles or cases) or published.exists() or training_cases_published_in(start=start, end=end)
    )
    shared = {aid: Shared(articles=articles.get(aid, 0), cases=cases.get(aid, 0)) for aid in agent_ids}
    return shared, in_use


def _articles_written(published, *, agent_ids: list[int]) -> dict[int, int]:
    """Published articles per writer: the one who wrote the article, and the one who wrote the archive
    summary of the case it came from (an article promoted from a case is that summary, reworded by a
    supervisor at most). Each article counts once for each of its writers."""
    pairs = set(published.filter(promoted_by_id__in=agent_ids).values_list("id", "promoted_by_id").order_by())
    pairs |= set(
        CaseSummary.objects.filter(written_by_id__in=agent_ids, complaint__knowledge_articles__in=published)
        .values_list("complaint__knowledge_articles", "written_by_id")
        .distinct()
        .order_by()
    )
    written = Counter(writer for _article, writer in pairs)
    return dict(written)


def _sharing_part(shared: Shared, *, months: int, in_use: bool) -> Part:
    if not in_use:
        return Part(str(_("知识分享")), None, str(_("本期团队没有发布知识文章或培训案例")))
    score = _round(min(Decimal(100), Decimal(100 * shared.items) / max(months, 1)))
    source = _("知识文章 %(articles)d 篇、培训案例 %(cases)d 例；平均每月 1 篇（例）为满分") % {
        "articles": shared.articles,
        "cases": shared.cases,
    }
    return Part(str(_("知识分享")), score, str(source))


def praise_credited(*, agent_ids: list[int], month_from: dt.date, month_to: dt.date) -> dict[int, int]:
    """agent id → praise contacts credited to them (Complaint.credited_user) received in the months."""
    if not agent_ids:
        return {}
    zone = local_zone()
    start = dt.datetime.combine(month_from, dt.time(), tzinfo=zone)
    end_month = month_to.replace(day=28) + dt.timedelta(days=4)
    end = dt.datetime.combine(end_month.replace(day=1), dt.time(), tzinfo=zone)
    rows = (
        Complaint.objects.filter(
            kind=ContactKind.PRAISE, credited_user_id__in=agent_ids, created_at__gte=start, created_at__lt=end
        )
        .values("credited_user_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["credited_user_id"]: r["n"] for r in rows}


def _praise_part(n: int, mean: Decimal) -> Part:
    if not mean:
        return Part(str(_("表扬")), None, str(_("本期团队没有记入个人的表扬")))
    score = _round(min(Decimal(100), Decimal(100 * n) / mean))
    return Part(str(_("表扬")), score, str(_("%(n)d 次表扬 ÷ 同期客服人均表扬次数，封顶 100") % {"n": n}))


def scorecards(s: Slice) -> list[Scorecard]:
    """One scorecard per agent (the agent role) who handled complaints in the slice (its units and months)."""
    weights = scorecard_weights_get()
    per_agent = {aid: m for aid, m in grouped(s, by="agent_id", source="facts").items() if aid is not None}
    # Agents are ranked among agents: a manager or a department member who handled a case is not one.
    agents = get_user_model().objects.filter(role=Role.AGENT).in_bulk(list(per_agent))
    per_agent = {aid: m for aid, m in per_agent.items() if aid in agents}
    volumes = [m["complaints"] for m in per_agent.values()]
    mean_volume = Decimal(sum(volumes)) / len(volumes) if volumes else 0
    attitude = attitude_scores(agent_ids=list(per_agent), month_from=s.month_from, month_to=s.month_to)
    praise = praise_credited(agent_ids=list(per_agent), month_from=s.month_from, month_to=s.month_to)
    mean_praise = Decimal(sum(praise.values())) / len(per_agent) if per_agent else Decimal(0)
    contribution = {
        r["agent_id"]: (round(float(r["avg"]), 2), r["n"])
        for r in ContributionScore.objects.filter(
            agent_id__in=list(per_agent), month__gte=s.month_from, month__lte=s.month_to
        )
        .values("agent_id")
        .annotate(avg=Avg("score"), n=Count("id"))
        .order_by()
    }
    shared, sharing_in_use = shared_knowledge(
        agent_ids=list(per_agent), month_from=s.month_from, month_to=s.month_to
    )
    months = len(months_between(s.month_from, s.month_to))
    cards = []
    for agent_id, measures in per_agent.items():
        k = {x.code: x for x in kpis_from(measures)}
        volume_score = (
            _round(min(Decimal(100), Decimal(100 * measures["complaints"]) / mean_volume))
            if mean_volume
            else None
        )
        nps_score = _round((_dec(k["nps"].value) + 100) / 2) if k["nps"].value is not None else None
        retention = _round(100 - _dec(k["reopen_rate"].value)) if k["reopen_rate"].value is not None else None
        qa = attitude.get(agent_id)
        efficiency_parts = (
            Part(str(_("首次接触解决率")), k["fcr"].value, str(_("已解决投诉中首次接触解决的比例"))),
            Part(str(_("首次响应及时率")), k["fr_sla"].value, str(_("首次响应在时限内的比例"))),
            Part(str(_("解决及时率")), k["res_sla"].value, str(_("在解决时限内解决的比例"))),
            Part(str(_("处理量")), volume_score, str(_("处理量 ÷ 同期客服人均处理量，封顶 100"))),
        )
        feedback_parts = (
            Part(str(_("满意度 CSAT")), k["csat"].value, str(_("4–5 星评价 ÷ 全部评价"))),
            Part(str(_("净推荐值（换算为 0–100）")), nps_score, str(_("(NPS + 100) ÷ 2"))),
            Part(str(_("保持率")), retention, str(_("100 − 重新打开率"))),
            _praise_part(praise.get(agent_id, 0), mean_praise),
        )
        contribution_parts = (
            Part(
                str(_("主管评分")),
                contribution[agent_id][0] if agent_id in contribution else None,
                str(_("团队协作、培训，由主管按月评分"))
                if agent_id in contribution
                else str(_("本期未评分")),
            ),
            _sharing_part(shared.get(agent_id, Shared()), months=months, in_use=sharing_in_use),
        )
        raw = [
            (
                "attitude",
                str(_("服务态度")),
                weights.attitude,
                qa[0] if qa else None,
                (
                    Part(
                        str(_("质检平均分")),
                        qa[0] if qa else None,
                        str(_("%(n)d 次质检评分的平均分") % {"n": qa[1]}) if qa else str(_("暂无质检评分")),
                    ),
                ),
            ),
            (
                "efficiency",
                str(_("工作效率")),
                weights.efficiency,
                _mean([p.score for p in efficiency_parts]),
                efficiency_parts,
            ),
            (
                "feedback",
                str(_("客户反馈")),
                weights.feedback,
                _mean([p.score for p in feedback_parts]),
                feedback_parts,
            ),
            (
                "contribution",
                str(_("综合贡献")),
                weights.contribution,
                _mean([p.score for p in contribution_parts]),
                contribution_parts,
            ),
        ]
        present_weight = sum(w for _c, _l, w, score, _p in raw if score is not None)
        components = tuple(
            Component(
                code=code,
                label=label,
                weight=w,
                effective_weight=(
                    _round(Decimal(w * 100) / present_weight) if score is not None and present_weight else 0.0
                ),
                score=score,
                parts=parts,
            )
            for code, label, w, score, parts in raw
        )
        total = (
            _round(sum(w * _dec(score) for _c, _l, w, score, _p in raw if score is not None) / present_weight)
            if present_weight
            else None
        )
        cards.append(Scorecard(agent=agents.get(agent_id), total=total, components=components, kpis=k))
    cards.sort(key=lambda c: (c.total is None, -(c.total or 0), str(c.agent)))
    return cards
