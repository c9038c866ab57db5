"""Reads of the archive: full-text search, similar past cases and articles, articles for a user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from complaintdesk.accounts.access import user_unit_ids
from complaintdesk.common.errors import NotFound
from complaintdesk.complaints.models import Complaint
from complaintdesk.solutions.models import SolutionProposal
from complaintdesk.surveys.models import ResultFeedback

from . import backends, segment
from .highlight import below_title, snippet
from .models import ArticleStatus, CaseSummary, EntryKind, KnowledgeArticle
from .services import summary_latest, user_may_promote

SEARCH_LIMIT_MAX = 50
KINDS = {
    "cases": [EntryKind.CASE],
    "articles": [EntryKind.ARTICLE],
    "both": [EntryKind.CASE, EntryKind.ARTICLE],
}

__all__ = [
    "ArchiveHit",
    "ArchiveResults",
    "archive_search",
    "archive_search_results",
    "archive_similar",
    "summary_latest",
    "article_for_user",
]


@dataclass(frozen=True)
class ArchiveHit:
    kind: str  # "case" or "article"
    id: int  # the complaint's or the article's id
    title: str
    snippet: SafeString  # escaped text with <mark> around the matched words
    matched_words: tuple[str, ...]
    score: float
    at: dt.datetime
    number: str = ""  # cases only
    url: str = ""
    partial: bool = False  # matched some, not all, of the query's words
    extra: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ArchiveResults:
    """A search's hits and how far back it looked: `since` is the first day (UTC midnight) of the
    cases searched when the search was bounded to the newest ones of the user's scope, None when it
    covered every year (asked for, or the scope holds fewer than backends.WINDOW_ROWS cases)."""

    hits: list[ArchiveHit]
    since: dt.datetime | None
    all_years: bool  # asked for every year
    window_rows: int = backends.WINDOW_ROWS


def _may_search(user) -> bool:
    return bool(user and user.is_active and user.has_perm("complaints.view_complaint"))


def _hits(
    *,
    user,
    terms: list[str],
    kinds: list[str],
    limit: int,
    any_term: bool,
    unit_ids: list[int] | None,
    since: dt.datetime | None,
    exclude_complaint_id: int | None = None,
    min_shared: int = 1,
    back_to: dt.datetime | None = None,
) -> list[ArchiveHit]:
    # The user's units are read once (by the caller); the index query narrows by them (and by `since`)
    # and applies the scope rule of complaints_visible_to (the one every page uses) to each case's own
    # row, in the same statement.
    found = backends.search(
        terms=terms,
        kinds=kinds,
        unit_ids=unit_ids,
        limit=limit,
        any_term=any_term,
        exclude_complaint_id=exclude_complaint_id,
        since=since,
        back_to=back_to,
    )
    hits = []
    for match in found:
        words = set(match.segmented.split())
        matched = tuple(t for t in terms if t in words)
        if len(matched) < min_shared:
            continue
        if match.kind == EntryKind.CASE:
            hit_id, url = match.complaint_id, reverse("web:complaint", args=[match.number])
        else:
            hit_id, url = match.article_id, reverse("web:archive_article", args=[match.article_id])
        hits.append(
            ArchiveHit(
                kind=match.kind,
                id=hit_id,
                title=match.title,
                snippet=snippet(below_title(match.text, match.title), list(matched)),
                matched_words=matched,
                score=round(match.score, 6),
                at=match.at,
                number=match.number,
                url=url,
                partial=len(matched) < len(terms),
            )
        )
    return hits


def _window(*, unit_ids: list[int] | None, kinds: list[str]) -> dt.datetime | None:
    """Recent first: the first day of the newest WINDOW_ROWS archived cases of the scope (None: every
    year, when the scope holds fewer; articles only need no bound)."""
    if EntryKind.CASE not in kinds:
        return None
    since = backends.recent_since(unit_ids=unit_ids)
    return backends.day_start(since) if since is not None else None


def archive_search_results(
    *, user, query: str, limit: int = 20, kind: str = "both", all_years: bool = False
) -> ArchiveResults:
    """Archived cases the user may see and published articles matching the query, best first.

    The query is segmented like the documents; every word must match. When nothing matches all of
    them, cases matching any word come back, marked `partial`.

    Recent first: cases are searched among the newest backends.WINDOW_ROWS archived cases of the user's
    scope (`since` says from which day), so that a search costs the same however many years the archive
    holds; `all_years` ranks the newest backends.CANDIDATES_MAX matches of every year (slower on a large
    archive for a rare query). Articles are always searched.
    """
    if not _may_search(user) or kind not in KINDS:
        return ArchiveResults(hits=[], since=None, all_years=all_years)
    terms = segment.query_terms(query)
    if not terms:
        return ArchiveResults(hits=[], since=None, all_years=all_years)
    limit = max(1, min(limit, SEARCH_LIMIT_MAX))
    kinds = KINDS[kind]
    unit_ids = user_unit_ids(user)
    # Every year: the newest CANDIDATES_MAX matches of every year are ranked, looked for from the window on.
    since = _window(unit_ids=unit_ids, kinds=kinds)
    back_to = backends.EPOCH if all_years else None
    found = dict(user=user, terms=terms, kinds=kinds, limit=limit, unit_ids=unit_ids, since=since)
    hits = _hits(**found, back_to=back_to, any_term=False)
    if not hits and len(terms) > 1:
        hits = _hits(**found, back_to=back_to, any_term=True)
    return ArchiveResults(hits=hits, since=None if all_years else since, all_years=all_years)


def archive_search(
    *, user, query: str, limit: int = 20, kind: str = "both", all_years: bool = False
) -> list[ArchiveHit]:
    """The hits of `archive_search_results`."""
    return archive_search_results(user=user, query=query, limit=limit, kind=kind, all_years=all_years).hits


def complaint_key_words(complaint: Complaint, *, top_k: int = 6) -> list[str]:
    category = complaint.category.name if complaint.category_id else ""
    text = "\n".join(p for p in (complaint.title, complaint.description, complaint.demand, category) if p)
    terms: dict[str, None] = {}
    for word in segment.key_words(text, top_k=top_k):
        for token in segment.tokens(word) or []:
            terms.setdefault(token, None)
    return list(terms)[: top_k * 2]


def archive_similar(*, complaint: Complaint, user, limit: int = 5, kind: str = "both") -> list[ArchiveHit]:
    """Archived cases (not this one) and articles sharing this case's key words (TF-IDF top-k), ranked;
    `matched_words` are the shared words that explain each one. At least two shared words when the
    case has two or more."""
    if not _may_search(user) or kind not in KINDS:
        return []
    terms = complaint_key_words(complaint)
    if not terms:
        return []
    unit_ids = user_unit_ids(user)
    return _hits(
        user=user,
        terms=terms,
        kinds=KINDS[kind],
        limit=max(1, min(limit, SEARCH_LIMIT_MAX)) * 3,
        any_term=True,
        unit_ids=unit_ids,
        since=_window(unit_ids=unit_ids, kinds=KINDS[kind]),  # recent similar cases
        exclude_complaint_id=complaint.pk,
        min_shared=min(2, len(terms)),
    )[:limit]


def articles_visible_to(user) -> QuerySet[KnowledgeArticle]:
    """Published articles for every member of staff who may see complaints; drafts for promoters."""
    if not _may_search(user):
        return KnowledgeArticle.objects.none()
    qs = KnowledgeArticle.objects.select_related("category", "source_complaint", "promoted_by")
    return qs if user_may_promote(user) else qs.filter(status=ArticleStatus.PUBLISHED)


def article_for_user(*, user, article_id: int) -> KnowledgeArticle:
    article = articles_visible_to(user).filter(pk=article_id).first()
    if article is None:
        raise NotFound(_("知识文章不存在"))
    return article


def articles_recent(*, user, limit: int = 20) -> list[KnowledgeArticle]:
    return list(articles_visible_to(user).order_by("-updated_at", "-id")[: max(1, min(limit, 100))])


def summaries_of(*, complaint: Complaint) -> list[CaseSummary]:
    return list(
        CaseSummary.objects.filter(complaint=complaint).select_related("written_by").order_by("-version")[:20]
    )


def summary_draft(*, complaint: Complaint) -> dict[str, str]:
    """A first draft of the case summary from what the case already holds, for the agent to check and
    complete: the problem (title and demand), the cause (the result told to the customer, else the
    analysis' root cause), the solution (the measures, the outcome and the compensation told, else the
    option the customer chose). The lesson is the agent's own."""
    result = (
        ResultFeedback.objects.filter(complaint_id=complaint.pk)
        .only("cause", "measures", "outcome", "compensation")
        .order_by("-sent_at", "-id")
        .first()
    )
    problem = complaint.title
    if complaint.demand:
        problem += _("（客户诉求：%(demand)s）") % {"demand": complaint.demand}
    cause = (result.cause if result else "") or complaint.root_cause
    if result is not None:
        parts = [result.measures, result.outcome, result.compensation]
        solution = "；".join(part.strip().rstrip("。；") for part in parts if part and part.strip())
    else:
        proposal = (
            SolutionProposal.objects.filter(complaint_id=complaint.pk, chosen_option__isnull=False)
            .select_related("chosen_option__remedy")
            .order_by("-id")
            .first()
        )
        chosen = proposal.chosen_option if proposal else None
        solution = (chosen.description or str(chosen.remedy)) if chosen else ""
    return {"problem": problem, "cause": cause, "solution": solution, "lesson": ""}
