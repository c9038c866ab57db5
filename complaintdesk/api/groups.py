"""Intelligence endpoints of API v1: group / batch complaints, similar cases, corrections of what
intelligence suggested. Parse, call one service or selector, present."""

from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from complaintdesk.archive.selectors import archive_similar
from complaintdesk.common.time import to_local
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.models import Complaint
from complaintdesk.intelligence import selectors
from complaintdesk.intelligence.models import ComplaintGroup, GroupMember, GroupStatus
from complaintdesk.intelligence.services import corrections, group_actions

from .schemas import ProblemOut, StrictSchema

router = Router(tags=["intelligence"])
ERRORS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}
POST_ERRORS = ERRORS | {409: ProblemOut, 413: ProblemOut}
GROUP_LIST_LIMIT = 100


def _local(value):
    return to_local(value) if value else None


class GroupMemberOut(Schema):
    number: str
    title: str
    status: str
    similarity: float
    shared_words: list[str]
    is_active: bool
    linked_at: str
    linked_by: str | None = Field(description="空 = 系统自动识别")
    unlinked_at: str | None
    unlinked_by: str | None


class EvidenceOut(Schema):
    strong: bool | None = Field(None, description="证据是否充分（充分则系统自动确认）")
    customers: int | None = None
    place: str | None = Field(None, description="八成以上成员共同的地点")
    subject: str | None = Field(None, description="八成以上成员共同的故障或产品")
    median_similarity: float | None = None


class GroupOut(Schema):
    id: int
    title: str
    status: str = Field(
        description="pending：待主管确认；open：处理中；resolved：已统一解决；dismissed：已否决"
    )
    status_label: str
    scope_unit: str
    shared_words: list[str]
    opened_at: str
    opened_by: str | None = Field(description="空 = 系统自动识别")
    evidence: EvidenceOut
    confirmed_at: str | None
    confirmed_by: str | None = Field(description="空且已确认 = 证据充分，系统自动确认")
    dismissed_at: str | None
    dismissed_by: str | None
    dismiss_reason: str
    last_member_at: str
    resolved_at: str | None
    resolution: str
    members: list[GroupMemberOut]


class GroupListOut(Schema):
    items: list[GroupOut]


def _member_view(member: GroupMember) -> dict:
    return {
        "number": member.complaint.number,
        "title": member.complaint.title,
        "status": member.complaint.status,
        "similarity": member.similarity,
        "shared_words": member.shared_words,
        "is_active": member.is_active,
        "linked_at": _local(member.linked_at).isoformat(),
        "linked_by": member.linked_by.username if member.linked_by else None,
        "unlinked_at": _local(member.unlinked_at).isoformat() if member.unlinked_at else None,
        "unlinked_by": member.unlinked_by.username if member.unlinked_by else None,
    }


def _group_view(group: ComplaintGroup, *, user, members: bool = True) -> dict:
    rows = selectors.group_members(group=group, user=user, include_unlinked=True) if members else []
    return {
        "id": group.pk,
        "title": group.title,
        "status": group.status,
        "scope_unit": group.scope_unit.code,
        "shared_words": group.shared_words,
        "opened_at": _local(group.opened_at).isoformat(),
        "opened_by": group.opened_by.username if group.opened_by else None,
        "status_label": str(GroupStatus(group.status).label),
        "evidence": group.evidence or {},
        "confirmed_at": _local(group.confirmed_at).isoformat() if group.confirmed_at else None,
        "confirmed_by": group.confirmed_by.username if group.confirmed_by else None,
        "dismissed_at": _local(group.dismissed_at).isoformat() if group.dismissed_at else None,
        "dismissed_by": group.dismissed_by.username if group.dismissed_by else None,
        "dismiss_reason": group.dismiss_reason,
        "last_member_at": _local(group.last_member_at).isoformat(),
        "resolved_at": _local(group.resolved_at).isoformat() if group.resolved_at else None,
        "resolution": group.resolution,
        "members": [_member_view(m) for m in rows],
    }


class GroupFilters(Schema):
    status: Literal["pending", "open", "resolved", "dismissed"] | None = Field(
        None, description="pending：待主管确认；open：处理中；resolved：已统一解决；dismissed：已否决"
    )


@router.get("/groups", response={200: GroupListOut, **ERRORS}, summary="群体性投诉列表 / group complaints")
def list_groups(request: HttpRequest, filters: Query[GroupFilters]):
    groups = selectors.groups_visible_to(request.user).select_related(
        "opened_by", "confirmed_by", "dismissed_by"
    )
    if filters.status:
        groups = groups.filter(status=filters.status)
    items = list(groups.order_by("-last_member_at", "-id")[:GROUP_LIST_LIMIT])
    return {"items": [_group_view(g, user=request.user) for g in items]}


@router.get("/groups/{group_id}", response={200: GroupOut, **ERRORS}, summary="群体性投诉详情")
def get_group(request: HttpRequest, group_id: int):
    return _group_view(selectors.group_for_user(user=request.user, group_id=group_id), user=request.user)


class GroupOpenIn(StrictSchema):
    numbers: list[str] = Field(description="投诉单号，至少两个，同一区域")
    title: str
    reason: str | None = None


@router.post("/groups", response={201: GroupOut, **POST_ERRORS}, summary="人工建立群体性投诉")
def open_group(request: HttpRequest, payload: GroupOpenIn):
    group = group_actions.group_open(
        numbers=payload.numbers, actor=request.user, title=payload.title, reason=payload.reason or ""
    )
    return Status(201, _group_view(group, user=request.user))


class MemberIn(StrictSchema):
    number: str
    reason: str | None = None


@router.post("/groups/{group_id}/members", response={200: GroupOut, **POST_ERRORS}, summary="并入群体性投诉")
def link_member(request: HttpRequest, group_id: int, payload: MemberIn):
    group_actions.group_member_link(group_id=group_id, number=payload.number, actor=request.user,
                               reason=payload.reason or "")  # fmt: skip
    return _group_view(selectors.group_for_user(user=request.user, group_id=group_id), user=request.user)


class UnlinkIn(StrictSchema):
    reason: str = Field(description="为什么不属于这个群体性投诉")


@router.post(
    "/groups/{group_id}/members/{number}/unlink", response={200: GroupOut, **POST_ERRORS},
    summary="移出群体性投诉",
)  # fmt: skip
def unlink_member(request: HttpRequest, group_id: int, number: str, payload: UnlinkIn):
    group_actions.group_member_unlink(
        group_id=group_id, number=number, actor=request.user, reason=payload.reason
    )
    return _group_view(selectors.group_for_user(user=request.user, group_id=group_id), user=request.user)


class ConfirmIn(StrictSchema):
    reason: str | None = Field(None, description="确认说明（可选）")


@router.post(
    "/groups/{group_id}/confirm", response={200: GroupOut, **POST_ERRORS},
    summary="主管确认自动识别的群体性投诉（此后标记批量/声誉风险并升级）",
)  # fmt: skip
def confirm_group(request: HttpRequest, group_id: int, payload: ConfirmIn):
    group = group_actions.group_confirm(group_id=group_id, actor=request.user, reason=payload.reason or "")
    return _group_view(group, user=request.user)


class DismissIn(StrictSchema):
    reason: str = Field(description="为什么这些投诉不是同一问题")


@router.post(
    "/groups/{group_id}/dismiss", response={200: GroupOut, **POST_ERRORS},
    summary="主管否决自动识别的群体性投诉（成员全部移出，不再自动归组）",
)  # fmt: skip
def dismiss_group(request: HttpRequest, group_id: int, payload: DismissIn):
    group = group_actions.group_dismiss(group_id=group_id, actor=request.user, reason=payload.reason)
    return _group_view(group, user=request.user)


class ResolveIn(StrictSchema):
    resolution: str = Field(description="统一处理结果；每张投诉单以此为原因各自转为已解决")


class ResolveOut(GroupOut):
    resolved_numbers: list[str]


@router.post(
    "/groups/{group_id}/resolve", response={200: ResolveOut, **POST_ERRORS}, summary="统一解决群体性投诉"
)
def resolve_group(request: HttpRequest, group_id: int, payload: ResolveIn):
    group, numbers = group_actions.group_resolve(
        group_id=group_id, actor=request.user, resolution=payload.resolution
    )
    return {**_group_view(group, user=request.user), "resolved_numbers": numbers}


# --- a complaint's insight: similar cases, its group, corrections ---


class SimilarOut(Schema):
    kind: Literal["case", "article"]
    id: int
    number: str
    title: str
    status: str
    score: float
    shared_words: list[str]
    root_cause: str
    url: str


class InsightOut(Schema):
    suggested_category: str | None
    category_confidence: float | None
    category_words: list[str]
    emotion: str | None
    severity_score: int | None
    suggested_severity: str | None
    suggested_priority: int | None
    reputation_risk: bool
    explanation: str
    group: int | None = Field(description="所在群体性投诉的编号")
    similar: list[SimilarOut]


@router.get("/complaints/{number}/insight", response={200: InsightOut, **ERRORS},
            summary="智能分析：类别建议、情绪、严重度、群体性投诉、相似案例")  # fmt: skip
def get_insight(request: HttpRequest, number: str, similar: int = 5):
    similar = min(max(similar, 0), 20)
    complaint = access_complaint(user=request.user, number=number)
    insight = selectors.insight_latest(complaint=complaint)
    group = selectors.group_of_complaint(complaint=complaint)
    # The same similar cases and articles as the case page and the archive API: one selector.
    hits = archive_similar(complaint=complaint, user=request.user, limit=similar) if similar else []
    cases = {
        row["id"]: row
        for row in Complaint.objects.filter(pk__in=[h.id for h in hits if h.kind == "case"]).values(
            "id", "status", "root_cause"
        )
    }
    return {
        "suggested_category": (insight.suggested_category_code or None) if insight else None,
        "category_confidence": insight.category_confidence if insight else None,
        "category_words": insight.category_explanation if insight else [],
        "emotion": insight.emotion_level if insight else None,
        "severity_score": insight.severity_score if insight else None,
        "suggested_severity": (insight.suggested_severity or None) if insight else None,
        "suggested_priority": insight.suggested_priority if insight else None,
        "reputation_risk": bool(insight and insight.reputation_risk),
        "explanation": insight.explanation if insight else "",
        "group": group.pk if group and group.status in (GroupStatus.OPEN, GroupStatus.PENDING) else None,
        "similar": [
            {
                "kind": h.kind,
                "id": h.id,
                "number": h.number,
                "title": h.title,
                "status": cases.get(h.id, {}).get("status", "") if h.kind == "case" else "",
                "score": h.score,
                "shared_words": list(h.matched_words),
                "root_cause": cases.get(h.id, {}).get("root_cause", "") if h.kind == "case" else "",
                "url": h.url,
            }  # fmt: skip
            for h in hits
        ],
    }


class CorrectionIn(StrictSchema):
    category: str | None = Field(None, description="类别编码")
    severity: Literal["general", "major"] | None = None
    priority: int | None = Field(None, ge=1, le=4)
    emotion: Literal["calm", "unhappy", "angry"] | None = None
    reason: str | None = None


class CorrectionOut(Schema):
    field: str
    suggested: str
    corrected: str


@router.post("/complaints/{number}/insight/corrections", response={201: list[CorrectionOut], **POST_ERRORS},
             summary="更正智能分析结果（作为训练标签保存）")  # fmt: skip
def correct_insight(request: HttpRequest, number: str, payload: CorrectionIn):
    changes = payload.model_dump(exclude_unset=True)
    reason = changes.pop("reason", None) or ""
    rows = corrections.insight_correct(number=number, actor=request.user, changes=changes, reason=reason)
    return Status(201, [{"field": r.field, "suggested": r.suggested, "corrected": r.corrected} for r in rows])
