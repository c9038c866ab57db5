"""Writes of the archive: case summaries, the search index, knowledge articles.

Indexing happens when a case is closed (a transition hook, in the closing transaction) and when its
summary or an article changes; never on intake.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from pydantic import BaseModel, ValidationInfo, field_validator

from complaintdesk.accounts.models import Role
from complaintdesk.common.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.common.time import now
from complaintdesk.common.validation import Text, refusal, validated
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.states import Status, runs_complaint_process
from complaintdesk.complaints.timeline import event_record

from . import segment
from .models import ArchiveEntry, ArticleStatus, CaseSummary, EntryKind, KnowledgeArticle

SUMMARY_FIELDS = ("problem", "cause", "solution", "lesson")
SUMMARY_MAX_CHARS = 5000
ARTICLE_TITLE_MAX = 200
ARTICLE_BODY_MAX = 20000
TEXT_MAX_CHARS = 4000

# Who may turn a case into a knowledge article (and edit or publish articles): supervisors, quality
# inspectors, and managers from the business manager up. Agents and departments write summaries only.
PROMOTER_ROLES = frozenset(
    {
        Role.SUPERVISOR,
        Role.QUALITY_INSPECTOR,
        Role.BUSINESS_MANAGER,
        Role.BRANCH_HEAD,
        Role.GENERAL_MANAGEMENT,
        Role.EXECUTIVE,
        Role.ADMINISTRATOR,
    }
)


def summary_field_labels() -> dict[str, str]:
    return {
        "problem": _("问题"),
        "cause": pgettext("root cause", "原因"),
        "solution": _("解决办法"),
        "lesson": _("经验教训"),
    }


def user_may_promote(user) -> bool:
    return bool(user.is_active and user.role in PROMOTER_ROLES)


def summary_latest(*, complaint: Complaint) -> CaseSummary | None:
    return CaseSummary.objects.filter(complaint=complaint).order_by("-version").first()


# ---- the guard and the hook ------------------------------------------------------------------------------


def summary_required_to_close(*, complaint: Complaint, target: str, actor) -> None:
    """Transition guard: a complaint is closed only with a complete summary. An inquiry, a suggestion or
    praise closes with the answer or outcome as its reason (complaints.states), without one."""
    if target != Status.CLOSED or not runs_complaint_process(complaint.kind):
        return
    summary = summary_latest(complaint=complaint)
    labels = summary_field_labels()
    missing = [labels[f] for f in SUMMARY_FIELDS if summary is None or not getattr(summary, f).strip()]
    if missing:
        raise InvalidInput(
            {"summary": [_("归档前需要填写归档总结，缺少：%(fields)s") % {"fields": "、".join(missing)}]},
            message=_("缺少归档总结"),
        )


def archive_on_transition(*, complaint: Complaint, old_status: str, actor, at, reason: str = "") -> None:
    """Transition hook: a closed case enters the archive; a case that leaves "closed" leaves it."""
    if complaint.status == Status.CLOSED:
        archive_index_complaint(complaint=complaint)
    elif old_status == Status.CLOSED:
        ArchiveEntry.objects.filter(complaint=complaint).delete()


# ---- the index -------------------------------------------------------------------------------------------


def case_document(
    *, title: str, description: str, demand: str, category: str, summary: tuple[str, ...] = ()
) -> tuple[str, str]:
    """(plain text for snippets, segmented words) of a closed case; `summary` is (problem, cause,
    solution, lesson) of its latest version, if any."""
    parts = [title, *summary, description, demand, category]
    plain = "\n".join(p for p in parts if p)[:TEXT_MAX_CHARS]
    return plain, segment.segmented(*parts)


def _case_document(complaint: Complaint, summary: CaseSummary | None) -> tuple[str, str]:
    return case_document(
        title=complaint.title,
        description=complaint.description,
        demand=complaint.demand,
        category=complaint.category.name if complaint.category_id else "",
        summary=tuple(getattr(summary, f) for f in SUMMARY_FIELDS) if summary is not None else (),
    )


def archive_index_complaint(
    *, complaint: Complaint, summary: CaseSummary | None = None
) -> ArchiveEntry | None:
    """Write (or rewrite) the closed case's entry in the search index; a case not closed has none."""
    if complaint.status != Status.CLOSED:
        ArchiveEntry.objects.filter(complaint=complaint).delete()
        return None
    summary = summary or summary_latest(complaint=complaint)
    plain, words = _case_document(complaint, summary)
    entry, _created = ArchiveEntry.objects.update_or_create(
        complaint=complaint,
        defaults={
            "kind": EntryKind.CASE,
            "org_unit_id": complaint.org_unit_id,
            "title": complaint.title[:200],
            "text": plain,
            "segmented": words,
            "at": complaint.closed_at or now(),
        },
    )
    return entry


def archive_index_article(*, article: KnowledgeArticle) -> ArchiveEntry | None:
    if article.status != ArticleStatus.PUBLISHED:
        ArchiveEntry.objects.filter(article=article).delete()
        return None
    category = article.category.name if article.category_id else ""
    entry, _created = ArchiveEntry.objects.update_or_create(
        article=article,
        defaults={
            "kind": EntryKind.ARTICLE,
            "org_unit_id": None,
            "title": article.title,
            "text": f"{article.title}\n{article.body}"[:TEXT_MAX_CHARS],
            "segmented": segment.segmented(article.title, article.body, category),
            "at": article.published_at or article.updated_at,
        },
    )
    return entry


# ---- summaries -------------------------------------------------------------------------------------------


class SummaryInput(BaseModel):
    """The four parts of a case summary, each stripped, required and at most SUMMARY_MAX_CHARS."""

    problem: Text
    cause: Text
    solution: Text
    lesson: Text

    @field_validator(*SUMMARY_FIELDS)
    @classmethod
    def _filled(cls, value: str, info: ValidationInfo) -> str:
        label = summary_field_labels()[info.field_name]
        if not value:
            raise refusal(_("请填写“%(field)s”") % {"field": label})
        if len(value) > SUMMARY_MAX_CHARS:
            raise refusal(_("“%(field)s”不能超过 %(max)s 个字") % {"field": label, "max": SUMMARY_MAX_CHARS})
        return value


def case_summary_write(
    *, number: str, actor, problem: str, cause: str, solution: str, lesson: str
) -> CaseSummary:
    """A new version of the case's summary, by a handler of a case they can see. An archived case's
    index entry follows the new version."""
    values = validated(
        SummaryInput,
        {"problem": problem, "cause": cause, "solution": solution, "lesson": lesson},
        message=_("归档总结不完整"),
    ).model_dump()
    if not (actor.has_perm("complaints.handle_complaint") or actor.has_perm("complaints.close_complaint")):
        access_complaint(user=actor, number=number)  # 404 outside scope first
        raise PermissionDenied(_("您没有权限填写归档总结"))
    with transaction.atomic():
        complaint = access_complaint(user=actor, number=number, for_update=True)
        if complaint.status in (Status.NEW, Status.WITHDRAWN):
            raise InvalidInput(
                {
                    "summary": [
                        _("该投诉当前状态为“%(status)s”，不能填写归档总结")
                        % {"status": Status(complaint.status).label}
                    ]
                }
            )
        at = now()
        latest = summary_latest(complaint=complaint)
        if latest is not None and all(getattr(latest, f) == values[f] for f in SUMMARY_FIELDS):
            return latest  # nothing changed: no new version, no event
        summary = CaseSummary.objects.create(
            complaint=complaint,
            version=(latest.version + 1) if latest else 1,
            written_by=actor,
            written_at=at,
            **values,
        )
        event_record(
            complaint=complaint,
            actor=actor,
            kind=EventKind.SUMMARY,
            at=at,
            field="summary",
            old=latest.version if latest else "",
            new=summary.version,
        )
        if complaint.status == Status.CLOSED:
            archive_index_complaint(complaint=complaint, summary=summary)
    return summary


# ---- knowledge articles ----------------------------------------------------------------------------------


class ArticleInput(BaseModel):
    title: Text
    body: Text

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        if not value:
            raise refusal(_("请填写标题"))
        if len(value) > ARTICLE_TITLE_MAX:
            raise refusal(_("标题不能超过 %(max)s 个字") % {"max": ARTICLE_TITLE_MAX})
        return value

    @field_validator("body")
    @classmethod
    def _body(cls, value: str) -> str:
        if not value:
            raise refusal(_("请填写正文"))
        if len(value) > ARTICLE_BODY_MAX:
            raise refusal(_("正文不能超过 %(max)s 个字") % {"max": ARTICLE_BODY_MAX})
        return value


def _clean_article(title: str, body: str) -> tuple[str, str]:
    article = validated(ArticleInput, {"title": title, "body": body})
    return article.title, article.body


def _require_promoter(actor) -> None:
    if not user_may_promote(actor):
        raise PermissionDenied(_("只有主管、质检员和业务经理及以上可以管理知识文章"))


def article_promote(
    *, number: str, actor, title: str = "", body: str = "", publish: bool = True
) -> KnowledgeArticle:
    """A knowledge article from an archived case: by default its title and its summary as the body."""
    complaint = access_complaint(user=actor, number=number)
    _require_promoter(actor)
    if complaint.status != Status.CLOSED:
        raise InvalidInput({"complaint": [_("只有已归档的投诉可以转为知识文章")]})
    summary = summary_latest(complaint=complaint)
    if summary is None:
        raise InvalidInput({"complaint": [_("该投诉没有归档总结，不能转为知识文章")]})
    labels = summary_field_labels()
    default_body = "\n\n".join(f"{labels[f]}：{getattr(summary, f)}" for f in SUMMARY_FIELDS)
    title, body = _clean_article(title or complaint.title, body or default_body)
    with transaction.atomic():
        at = now()
        article = KnowledgeArticle.objects.create(
            title=title,
            body=body,
            category=complaint.category,
            source_complaint=complaint,
            status=ArticleStatus.PUBLISHED if publish else ArticleStatus.DRAFT,
            promoted_by=actor,
            created_at=at,
            updated_at=at,
            published_at=at if publish else None,
        )
        event_record(
            complaint=complaint,
            actor=actor,
            kind=EventKind.SUMMARY,
            at=at,
            field="knowledge_article",
            new=article.pk,
        )
        archive_index_article(article=article)
    return article


def article_update(
    *, article_id: int, actor, title: str, body: str, status: str | None = None
) -> KnowledgeArticle:
    _require_promoter(actor)
    title, body = _clean_article(title, body)
    if status is not None and status not in ArticleStatus.values:
        raise InvalidInput({"status": [_("状态无效")]})
    with transaction.atomic():
        article = KnowledgeArticle.objects.select_for_update().filter(pk=article_id).first()
        if article is None:
            raise NotFound(_("知识文章不存在"))
        at = now()
        article.title, article.body, article.updated_at = title, body, at
        if status is not None:
            if status == ArticleStatus.PUBLISHED and article.published_at is None:
                article.published_at = at
            article.status = status
        article.save(update_fields=["title", "body", "updated_at", "status", "published_at"])
        archive_index_article(article=article)
    return article
