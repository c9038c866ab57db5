"""What people do with groups: link and unlink members, open, confirm, dismiss and resolve."""

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from complaintdesk.common.errors import DomainError, InvalidInput, PermissionDenied, too_long_message
from complaintdesk.common.time import now
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.services import complaint_analyse, complaint_transition
from complaintdesk.complaints.states import Status
from complaintdesk.complaints.timeline import event_record

from .. import grouping, selectors
from ..models import (
    ComplaintFingerprint,
    ComplaintGroup,
    GroupMember,
    GroupStatus,
)
from .common import REASON_MAX, intelligence_actor, reason_clean
from .groups import (
    GROUP_MEMBERS_MAX,
    group_active_complaints,
    group_alert,
    group_flags_apply,
    group_members_add,
)


def _open_group_for_update(*, group_id: int, actor, pending_too: bool = True) -> ComplaintGroup:
    group = selectors.group_for_user(user=actor, group_id=group_id)
    group = ComplaintGroup.objects.select_for_update().get(pk=group.pk)
    if group.status == GroupStatus.PENDING and not pending_too:
        raise InvalidInput({"group": [_("该群体性投诉尚待主管确认，请先确认")]})
    if group.status == GroupStatus.DISMISSED:
        raise InvalidInput({"group": [_("该群体性投诉已被否决，不能再修改")]})
    if group.status not in (GroupStatus.OPEN, GroupStatus.PENDING):
        raise InvalidInput({"group": [_("该群体性投诉已解决，不能再修改成员")]})
    return group


def _member_scores(*, group: ComplaintGroup, complaint: Complaint) -> tuple[float, list[str]]:
    """How much the complaint resembles the group's members (best match), for the record."""
    mine = ComplaintFingerprint.objects.filter(pk=complaint.pk).values_list("tokens", flat=True).first()
    if not mine:
        return 0.0, []
    tokens = grouping.load(mine)
    best: tuple[float, list[str]] = (0.0, [])
    others = ComplaintFingerprint.objects.filter(
        complaint__in=GroupMember.objects.filter(group=group, is_active=True).values("complaint")
    ).values_list("tokens", flat=True)[:200]
    for stored in others:
        other = grouping.load(stored)
        score = grouping.similarity(tokens, other)
        if score > best[0]:
            best = (
                round(score, 4),
                [grouping.display_token(t) for t in grouping.shared_words(tokens, other)],
            )
    return best


@transaction.atomic
def group_member_link(*, group_id: int, number: str, actor, reason: str = "") -> GroupMember:
    """An agent puts a case into a group (also one detection missed, or one they took out before)."""
    reason = reason_clean(reason, required=False)
    group = _open_group_for_update(group_id=group_id, actor=actor)
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    current = GroupMember.objects.filter(complaint=complaint, is_active=True).select_related("group").first()
    if current is not None:
        if current.group_id == group.pk:
            return current
        raise InvalidInput(
            {"number": [_("该投诉已在群体性投诉 G%(id)s 中，请先移出") % {"id": current.group_id}]}
        )
    at = now()
    score, shared = _member_scores(group=group, complaint=complaint)
    with translation.override("zh-hans"):
        text = _("人工并入群体性投诉 G%(id)s（%(title)s）") % {"id": group.pk, "title": group.title}
    text = f"{text}：{reason}" if reason else text
    member = GroupMember.objects.filter(group=group, complaint=complaint).first()
    if member is not None:  # taken out before, back in now
        member.is_active, member.linked_at, member.linked_by = True, at, actor
        member.unlinked_at = member.unlinked_by = None
        member.similarity, member.shared_words = score, shared
        member.save(
            update_fields=[
                "is_active",
                "linked_at",
                "linked_by",
                "unlinked_at",
                "unlinked_by",
                "similarity",
                "shared_words",
            ]
        )
    else:
        member = GroupMember.objects.create(
            group=group, complaint=complaint, customer_id=complaint.customer_id, similarity=score,
            shared_words=shared, linked_at=at, linked_by=actor,
        )  # fmt: skip
    event_record(
        complaint=complaint, actor=actor, kind=EventKind.GROUP_LINKED, at=at, field=str(group.pk),
        new=f"G{group.pk} {group.title}", reason=text,
    )  # fmt: skip
    group.last_member_at = max(group.last_member_at, at)
    group.save(update_fields=["last_member_at"])
    if group.status == GroupStatus.OPEN:  # a pending group flags nothing until it is confirmed
        group_flags_apply(complaints=[complaint], group=group, actor=actor, reason=text)
    return member


@transaction.atomic
def group_member_unlink(*, group_id: int, number: str, actor, reason: str) -> GroupMember:
    """An agent takes a case out of a group (with a reason). Detection will not put it back into this
    group; its batch flag is cleared (a reputation risk stays: it is only ever cleared by a person)."""
    reason = reason_clean(reason, required=True)
    group = _open_group_for_update(group_id=group_id, actor=actor)
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    member = GroupMember.objects.filter(group=group, complaint=complaint, is_active=True).first()
    if member is None:
        raise InvalidInput({"number": [_("该投诉不在这个群体性投诉中")]})
    at = now()
    member.is_active, member.unlinked_at, member.unlinked_by = False, at, actor
    member.save(update_fields=["is_active", "unlinked_at", "unlinked_by"])
    with translation.override("zh-hans"):
        text = _("移出群体性投诉 G%(id)s（%(title)s）：%(reason)s") % {
            "id": group.pk, "title": group.title, "reason": reason,
        }  # fmt: skip
    event_record(
        complaint=complaint, actor=actor, kind=EventKind.GROUP_UNLINKED, at=at, field=str(group.pk),
        old=f"G{group.pk} {group.title}", reason=text,
    )  # fmt: skip
    if complaint.is_open and complaint.is_batch:
        complaint_analyse(number=complaint.number, actor=actor, changes={"is_batch": False}, reason=text)
    return member


GROUP_TITLE_MAX = 200


@transaction.atomic
def group_open(*, numbers: list[str], actor, title: str, reason: str = "") -> ComplaintGroup:
    """An agent opens a group by hand from cases they can handle (at least two, none in another
    group). Its region is the first case's; the others must be in the same region."""
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("此项为必填项")]
    elif len(title) > GROUP_TITLE_MAX:
        errors["title"] = [too_long_message(limit=GROUP_TITLE_MAX, length=len(title))]
    numbers = list(dict.fromkeys(n.strip() for n in numbers or [] if n and n.strip()))
    if len(numbers) < 2:
        errors["numbers"] = [_("至少需要两张投诉单")]
    reason = reason_clean(reason, required=False)
    if errors:
        raise InvalidInput(errors)
    complaints = [
        access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
        for number in numbers
    ]
    policy = selectors.policy_get()
    scopes = {
        selectors.group_scope_unit_id(unit=c.org_unit, kind=policy.group_scope_kind) for c in complaints
    }
    if len(scopes) > 1:
        raise InvalidInput({"numbers": [_("这些投诉不在同一区域")]})
    taken = list(
        GroupMember.objects.filter(complaint__in=complaints, is_active=True).values_list(
            "complaint__number", flat=True
        )
    )
    if taken:
        raise InvalidInput(
            {"numbers": [_("已在其他群体性投诉中：%(numbers)s") % {"numbers": "、".join(taken)}]}
        )
    at = now()
    group = ComplaintGroup.objects.create(
        scope_unit_id=scopes.pop(), title=title, opened_at=at, opened_by=actor, last_member_at=at
    )
    with translation.override("zh-hans"):
        text = _("人工建立群体性投诉 G%(id)s（%(title)s）") % {"id": group.pk, "title": group.title}
    text = f"{text}：{reason}" if reason else text
    linked = group_members_add(
        group=group, complaints=complaints, actor=actor, at=at, similarity={}, shared={}, reason=text
    )
    group_flags_apply(complaints=linked, group=group, actor=actor, reason=text)
    group_alert(group=group, complaint_ids=[c.pk for c in linked], at=at)
    return group


def _may_decide_groups(actor) -> None:
    if not actor.has_perm("complaints.assign_complaint"):
        raise PermissionDenied(_("只有主管可以确认或否决群体性投诉"))


@transaction.atomic
def group_confirm(*, group_id: int, actor, reason: str = "") -> ComplaintGroup:
    """A supervisor confirms a detected group: from now on it is a group complaint — each open member
    gets the batch and reputation-risk flags (through the analysis service: timeline, deadlines, and
    the escalation ladder's flags trigger), and later similar complaints join it with the flags."""
    selectors.group_for_user(user=actor, group_id=group_id)  # not found for who may not see it
    _may_decide_groups(actor)
    reason = reason_clean(reason, required=False)
    group = _open_group_for_update(group_id=group_id, actor=actor)
    if group.status != GroupStatus.PENDING:
        raise InvalidInput({"group": [_("该群体性投诉不在待确认状态")]})
    at = now()
    group.status, group.confirmed_at, group.confirmed_by = GroupStatus.OPEN, at, actor
    group.save(update_fields=["status", "confirmed_at", "confirmed_by"])
    with translation.override("zh-hans"):
        text = _("%(name)s 确认群体性投诉 G%(id)s（%(title)s）") % {
            "name": actor.display_name or actor.username, "id": group.pk, "title": group.title,
        }  # fmt: skip
    text = f"{text}：{reason}" if reason else text
    # The flags are set by the system on the supervisor's word (a supervisor may not analyse cases).
    flagged = group_active_complaints(group=group)
    group_flags_apply(complaints=flagged, group=group, actor=intelligence_actor(), reason=text)
    group_alert(group=group, complaint_ids=[c.pk for c in flagged], at=at)
    return group


@transaction.atomic
def group_dismiss(*, group_id: int, actor, reason: str) -> ComplaintGroup:
    """A supervisor dismisses a detected group (the complaints are not about one problem): every member
    is taken out with the reason on its timeline, and detection never groups those complaints again.
    A pending group had flagged nothing; a confirmed one has its batch flags cleared (a reputation
    risk stays: only a person clears it on the case)."""
    selectors.group_for_user(user=actor, group_id=group_id)  # not found for who may not see it
    _may_decide_groups(actor)
    reason = reason_clean(reason, required=True)
    group = _open_group_for_update(group_id=group_id, actor=actor)
    at = now()
    with translation.override("zh-hans"):
        text = _("%(name)s 否决群体性投诉 G%(id)s（%(title)s）：%(reason)s") % {
            "name": actor.display_name or actor.username, "id": group.pk, "title": group.title, "reason": reason,
        }  # fmt: skip
    was_confirmed = group.status == GroupStatus.OPEN
    members = list(
        GroupMember.objects.filter(group=group, is_active=True).select_related("complaint")[
            :GROUP_MEMBERS_MAX
        ]
    )
    for member in members:
        member.is_active, member.unlinked_at, member.unlinked_by = False, at, actor
        member.save(update_fields=["is_active", "unlinked_at", "unlinked_by"])
        event_record(
            complaint=member.complaint, actor=actor, kind=EventKind.GROUP_UNLINKED, at=at,
            field=str(group.pk), old=f"G{group.pk} {group.title}", reason=text,
        )  # fmt: skip
        complaint = member.complaint
        if was_confirmed and complaint.is_open and complaint.is_batch:
            complaint_analyse(
                number=complaint.number, actor=intelligence_actor(), changes={"is_batch": False}, reason=text
            )
    group.status, group.dismissed_at, group.dismissed_by, group.dismiss_reason = (
        GroupStatus.DISMISSED, at, actor, reason,
    )  # fmt: skip
    group.save(update_fields=["status", "dismissed_at", "dismissed_by", "dismiss_reason"])
    return group


# The way to HANDLING from each open status, through the transition table (no escalation, no withdrawal).
# A case is resolved only through feeding back the result to its customer (surveys.resolution), so a
# group's resolution brings each case to handling, where its handler tells that customer the result.
_TO_HANDLING = {
    Status.NEW: (Status.ACCEPTED, Status.HANDLING),
    Status.ACCEPTED: (Status.HANDLING,),
    Status.ANALYSING: (Status.HANDLING,),
    Status.HANDLING: (),
    Status.AWAITING_CUSTOMER: (),
    Status.ESCALATED: (Status.HANDLING,),
    Status.REOPENED: (Status.HANDLING,),
}


@transaction.atomic
def group_resolve(*, group_id: int, actor, resolution: str) -> tuple[ComplaintGroup, list[str]]:
    """Resolve a group together: every open case in it is brought to handling through its own
    transitions (each on its own timeline, with the group's resolution as the reason), where each
    customer is then fed back on their own case (a case is resolved only that way). All or nothing: a
    case the actor may not move stops the whole resolution and nothing is written. Returns the group and
    the numbers of the cases it covered."""
    resolution = (resolution or "").strip()
    if not resolution:
        raise InvalidInput({"resolution": [_("此项为必填项")]})
    if len(resolution) > REASON_MAX:
        raise InvalidInput({"resolution": [too_long_message(limit=REASON_MAX, length=len(resolution))]})
    group = _open_group_for_update(group_id=group_id, actor=actor, pending_too=False)
    members = list(
        GroupMember.objects.filter(group=group, is_active=True)
        .select_related("complaint")
        .order_by("linked_at", "id")
    )
    with translation.override("zh-hans"):
        reason = _("群体性投诉 G%(id)s 统一处理：%(resolution)s") % {"id": group.pk, "resolution": resolution}
    resolved, refused = [], {}
    for member in members:
        complaint = member.complaint
        if not complaint.is_open:
            continue
        try:
            for target in _TO_HANDLING.get(Status(complaint.status), ()):
                complaint_transition(number=complaint.number, actor=actor, to=target, reason=reason)
            resolved.append(complaint.number)
        except DomainError as error:
            refused[complaint.number] = error.message
    if refused:
        raise InvalidInput(
            {"members": [f"{number}: {message}" for number, message in refused.items()]},
            message=_("部分投诉无法由您统一解决，未做任何修改"),
        )
    group.status, group.resolved_at, group.resolved_by, group.resolution = (
        GroupStatus.RESOLVED,
        now(),
        actor,
        resolution,
    )
    group.save(update_fields=["status", "resolved_at", "resolved_by", "resolution"])
    return group, resolved
