"""Archive endpoints of API v1 (complaintdesk.archive): search archived cases and knowledge articles,
write a case summary (归档总结), similar past cases, promote a case to a knowledge article.
Parse, call one service or selector, present."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from complaintdesk.archive import selectors, services
from complaintdesk.common.errors import NotFound
from complaintdesk.common.time import to_local
from complaintdesk.complaints.access import access_complaint

from .schemas import ProblemOut, StrictSchema

router = Router(tags=["archive"])
ERRORS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}
POST_ERRORS = ERRORS | {409: ProblemOut, 413: ProblemOut}


class SearchQuery(Schema):
    q: str = Field(
        max_length=200, description="中文检索词，如“宽带断网 光猫”“信用卡年费”；按分词后的词全部匹配"
    )
    kind: str = Field("both", pattern="^(both|cases|articles)$", description="both / cases / articles")
    limit: int = Field(20, ge=1, le=50)
    all_years: bool = Field(
        False, description="检索全部年份（较慢）；缺省只检索用户范围内最近归档的案例，见响应的 since"
    )


class HitOut(Schema):
    kind: str = Field(description="case（归档案例）或 article（知识文章）")
    id: int
    number: str = Field(description="投诉单号（仅案例）")
    title: str
    snippet: str = Field(description="摘要（HTML，已转义，匹配的词用 <mark> 标出）")
    matched_words: list[str]
    partial: bool = Field(description="只匹配了部分检索词")
    score: float
    at: str


class HitListOut(Schema):
    items: list[HitOut]
    count: int


class SearchOut(HitListOut):
    since: str | None = Field(
        description="检索了从这一天起归档的案例（用户范围内最近的案例）；null 表示全部年份"
    )
    all_years: bool = Field(description="是否检索了全部年份")


class SummaryIn(StrictSchema):
    problem: str = Field(description="问题")
    cause: str = Field(description="原因")
    solution: str = Field(description="解决办法")
    lesson: str = Field(description="经验教训")


class SummaryOut(Schema):
    complaint: str
    version: int
    problem: str
    cause: str
    solution: str
    lesson: str
    written_by: str
    written_at: str


class PromoteIn(StrictSchema):
    title: str = Field("", max_length=200, description="标题；缺省为投诉标题")
    body: str = Field("", description="正文；缺省为归档总结")
    publish: bool = Field(True, description="立即发布（否则为草稿）")


class ArticleOut(Schema):
    id: int
    title: str
    body: str
    status: str
    source_complaint: str | None
    promoted_by: str
    updated_at: str


def _hit_view(hit) -> dict:
    return {
        "kind": hit.kind,
        "id": hit.id,
        "number": hit.number,
        "title": hit.title,
        "snippet": str(hit.snippet),
        "matched_words": list(hit.matched_words),
        "partial": hit.partial,
        "score": hit.score,
        "at": to_local(hit.at).isoformat(),
    }


def _summary_view(summary, number: str) -> dict:
    return {
        "complaint": number,
        "version": summary.version,
        "problem": summary.problem,
        "cause": summary.cause,
        "solution": summary.solution,
        "lesson": summary.lesson,
        "written_by": summary.written_by.username,
        "written_at": to_local(summary.written_at).isoformat(),
    }


def _article_view(article, number: str | None) -> dict:
    return {
        "id": article.pk,
        "title": article.title,
        "body": article.body,
        "status": article.status,
        "source_complaint": number,
        "promoted_by": article.promoted_by.username,
        "updated_at": to_local(article.updated_at).isoformat(),
    }


@router.get(
    "/archive/search",
    response={200: SearchOut, **ERRORS},
    summary="检索归档案例和知识文章（中文分词全文检索；缺省只检索近期，all_years 检索全部年份）",
)
def archive_search(request: HttpRequest, filters: Query[SearchQuery]):
    results = selectors.archive_search_results(
        user=request.user,
        query=filters.q,
        limit=filters.limit,
        kind=filters.kind,
        all_years=filters.all_years,
    )
    return {
        "items": [_hit_view(h) for h in results.hits],
        "count": len(results.hits),
        "since": to_local(results.since).date().isoformat() if results.since else None,
        "all_years": results.all_years,
    }


@router.get(
    "/complaints/{number}/similar", response={200: HitListOut, **ERRORS}, summary="相似的历史案例和知识文章"
)
def complaint_similar(request: HttpRequest, number: str):
    complaint = access_complaint(user=request.user, number=number)
    hits = selectors.archive_similar(complaint=complaint, user=request.user)
    return {"items": [_hit_view(h) for h in hits], "count": len(hits)}


@router.get(
    "/complaints/{number}/summary", response={200: SummaryOut, **ERRORS}, summary="投诉的归档总结（最新版本）"
)
def summary_get(request: HttpRequest, number: str):
    complaint = access_complaint(user=request.user, number=number)
    summary = services.summary_latest(complaint=complaint)
    if summary is None:
        raise NotFound(_("该投诉还没有归档总结"))
    return _summary_view(summary, number)


@router.post(
    "/complaints/{number}/summary",
    response={201: SummaryOut, **POST_ERRORS},
    summary="填写归档总结（新版本；归档前必须填写）",
)
def summary_write(request: HttpRequest, number: str, payload: SummaryIn):
    summary = services.case_summary_write(
        number=number,
        actor=request.user,
        problem=payload.problem,
        cause=payload.cause,
        solution=payload.solution,
        lesson=payload.lesson,
    )
    return Status(201, _summary_view(summary, number))


@router.post(
    "/complaints/{number}/knowledge-article",
    response={201: ArticleOut, **POST_ERRORS},
    summary="把已归档的投诉转为知识文章（主管、质检员、业务经理及以上）",
)
def article_promote(request: HttpRequest, number: str, payload: PromoteIn):
    article = services.article_promote(
        number=number, actor=request.user, title=payload.title, body=payload.body, publish=payload.publish
    )
    return Status(201, _article_view(article, number))
