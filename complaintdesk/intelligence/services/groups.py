"""Group / batch complaints found by the system: detection, linking members, flags and the alert."""

import datetime as dt

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.services import complaint_analyse
from complaintdesk.complaints.timeline import event_record
from complaintdesk.orgs.models import OrgUnit

from .. import alerts, group_notices, grouping, selectors
from ..models import (
    ComplaintFingerprint,
    ComplaintGroup,
    GroupMember,
    GroupStatus,
)
from .common import intelligence_actor


def group_flags_apply(*, complaints: list[Complaint], group: ComplaintGroup, actor, reason: str) -> None:
    """Batch and reputation-risk flags on each open member, through the analysis service (timeline,
    deadlines): the escalation ladder's flags trigger takes the raised flags from there."""
    for complaint in complaints:
        if not complaint.is_open:
            continue
        changes = {name: True for name in ("is_batch", "reputation_risk") if not getattr(complaint, name)}
        if changes:
            complaint_analyse(number=complaint.number, actor=actor, changes=changes, reason=reason)


def group_members_add(
    *,
    group: ComplaintGroup,
    complaints: list[Complaint],
    actor,
    at,
    similarity: dict,
    shared: dict,
    reason: str,
) -> list[Complaint]:
    """Link complaints to the group (skipping any a person unlinked from it, or in another group);
    timeline GROUP_LINKED on each; returns those linked."""
    unlinked = set(
        GroupMember.objects.filter(group=group, complaint__in=complaints, is_active=False).values_list(
            "complaint_id", flat=True
        )
    )
    elsewhere = set(
        GroupMember.objects.filter(complaint__in=complaints, is_active=True).values_list(
            "complaint_id", flat=True
        )
    )
    linked = []
    for complaint in complaints:
        if complaint.pk in unlinked or complaint.pk in elsewhere:
            continue
        GroupMember.objects.create(
            group=group,
            complaint=complaint,
            customer_id=complaint.customer_id,
            similarity=similarity.get(complaint.pk, 0.0),
            shared_words=[grouping.display_token(t) for t in shared.get(complaint.pk, [])],
            linked_at=at,
            linked_by=actor,
        )
        event_record(
            complaint=complaint,
            actor=actor or intelligence_actor(),
            kind=EventKind.GROUP_LINKED,
            at=at,
            field=str(group.pk),
            new=f"G{group.pk} {group.title}",
            reason=reason,
        )
        linked.append(complaint)
    if linked:
        group.last_member_at = max(group.last_member_at, at)
        group.save(update_fields=["last_member_at"])
    return linked


def _detection_reason(group: ComplaintGroup, *, opened: bool) -> str:
    with translation.override("zh-hans"):
        if group.status == GroupStatus.PENDING:
            template = (
                _("疑似群体性投诉 G%(id)s（%(title)s）：多位客户在同一区域短时间内反映相似问题，等待主管确认")
                if opened
                else _("并入疑似群体性投诉 G%(id)s（%(title)s），等待主管确认")
            )
        else:
            template = (
                _("识别为群体性投诉 G%(id)s（%(title)s）：多位客户在同一区域短时间内反映同一问题")
                if opened
                else _("并入群体性投诉 G%(id)s（%(title)s）：与该群体性投诉中的投诉描述同一问题")
            )
        return template % {"id": group.pk, "title": group.title}


def _evidence_reason(group: ComplaintGroup) -> str:
    """Why a detected group acted at once, for the timeline (words, no codes)."""
    ev = group.evidence or {}
    with translation.override("zh-hans"):
        return _(
            "证据充分，系统自动确认群体性投诉 G%(id)s（%(title)s）：%(customers)s 位客户，共同地点 %(place)s，"
            "共同问题 %(subject)s"
        ) % {
            "id": group.pk,
            "title": group.title,
            "customers": ev.get("customers", "—"),
            "place": ev.get("place") or "—",
            "subject": ev.get("subject") or "—",
        }


def _group_evidence(*, fingerprints: list, customers: set, similarities: list, policy) -> grouping.Evidence:
    return grouping.evidence(
        fingerprints,
        customers=len(customers),
        similarities=similarities,
        rules=selectors.strong_rules(policy),
    )


def group_active_complaints(*, group: ComplaintGroup) -> list[Complaint]:
    return list(
        Complaint.objects.filter(
            pk__in=GroupMember.objects.filter(group=group, is_active=True).values("complaint_id")[
                :GROUP_MEMBERS_MAX
            ]
        ).order_by("created_at", "pk")
    )


# A group acted on at once (confirmed) flags at most this many of its members in one go.
GROUP_MEMBERS_MAX = 500


def complaint_group_detect(
    *, complaint: Complaint, fingerprint: ComplaintFingerprint, policy
) -> ComplaintGroup | None:
    """Compare the complaint with its region's recent complaints; join an open group or open one when
    enough customers describe the same problem (`grouping.decide`). An ordinary complaint (nothing to
    join or open) costs one candidate query and takes no lock. Otherwise the decision is taken again
    with the region's row locked, so that detections in one region that write run one at a time and
    two cannot open the same group twice."""
    if not policy.detect_groups:
        return None
    window = dt.timedelta(hours=policy.group_window_hours)
    rules = selectors.group_rules(policy)

    def decision_now() -> tuple[grouping.Decision, list[grouping.Candidate]]:
        candidates = selectors.group_candidates(fingerprint=fingerprint, window=window)
        return grouping.decide(
            tokens=grouping.load(fingerprint.tokens),
            customer_id=complaint.customer_id,
            candidates=candidates,
            rules=rules,
            complaint_id=complaint.pk,
        ), candidates

    decision, candidates = decision_now()
    if decision.join is None and not decision.open:
        return None
    with transaction.atomic():
        OrgUnit.objects.select_for_update().filter(pk=fingerprint.scope_unit_id).first()
        if GroupMember.objects.filter(complaint=complaint, is_active=True).exists():
            return None
        decision, candidates = decision_now()  # another detection may have opened the group meanwhile
        if decision.join is None and not decision.open:
            return None
        at = now()
        actor = intelligence_actor()
        members = list(
            Complaint.objects.filter(pk__in=[complaint.pk, *decision.members]).order_by("created_at", "pk")
        )
        mine = grouping.load(fingerprint.tokens)
        by_id = {c.complaint_id: c for c in candidates}
        if decision.join is not None:
            group = ComplaintGroup.objects.select_for_update().get(pk=decision.join)
            if GroupMember.objects.filter(group=group, complaint=complaint, is_active=False).exists():
                return None  # a person took it out of this group
            opened = False
            in_group = [c for c in candidates if c.group_id == group.pk]
            together = [*in_group, *(by_id[m] for m in decision.members)]
        else:
            together = [by_id[m] for m in decision.members]
            title_tokens = grouping.group_title([mine, *(c.tokens for c in together)])
            group = ComplaintGroup.objects.create(
                scope_unit_id=fingerprint.scope_unit_id,
                title=" ".join(grouping.display_token(t) for t in title_tokens)[:200] or str(_("群体性投诉")),
                shared_words=[grouping.display_token(t) for t in title_tokens],
                status=GroupStatus.PENDING,
                opened_at=at,
                last_member_at=at,
            )
            opened = True
        evidence = _group_evidence(
            fingerprints=[mine, *(c.tokens for c in together)],
            customers={complaint.customer_id, *(c.customer_id for c in together)},
            similarities=[decision.similarity.get(c.complaint_id, 0.0) for c in together],
            policy=policy,
        )
        confirm_now = group.status == GroupStatus.PENDING and evidence.strong
        if group.status == GroupStatus.PENDING:
            group.evidence = evidence.as_dict()
            group.save(update_fields=["evidence"])
        reason = _detection_reason(group, opened=opened)
        similarity = {**decision.similarity, complaint.pk: 1.0}
        shared = dict(decision.shared)
        # The new complaint's own explanation: what it shares with the member most like it.
        closest = max(together, key=lambda c: decision.similarity.get(c.complaint_id, 0.0), default=None)
        if closest is not None:
            shared[complaint.pk] = grouping.shared_words(mine, closest.tokens)
        if decision.join is not None:
            # The new complaint's own score: its best resemblance to the group's members.
            scores = [
                decision.similarity[c.complaint_id] for c in in_group if c.complaint_id in decision.similarity
            ]
            similarity[complaint.pk] = max(scores, default=0.0)
        linked = group_members_add(
            group=group,
            complaints=members,
            actor=None,
            at=at,
            similarity=similarity,
            shared=shared,
            reason=reason,
        )
        if confirm_now:
            # Strong evidence (grouping.StrongRules): act at once, as a supervisor's confirmation would.
            group.status, group.confirmed_at, group.confirmed_by = GroupStatus.OPEN, at, None
            group.save(update_fields=["status", "confirmed_at", "confirmed_by"])
            flagged = group_active_complaints(group=group)
            if not opened:  # a pending group grew strong: the supervisors hear it is acting now
                group_alert(group=group, complaint_ids=[c.pk for c in flagged], at=at)
            group_flags_apply(complaints=flagged, group=group, actor=actor, reason=_evidence_reason(group))
        elif group.status == GroupStatus.OPEN:
            group_flags_apply(complaints=linked, group=group, actor=actor, reason=reason)
        # A pending group changes nothing a customer sees: no flags, no escalation, no message.
        if opened:
            group_alert(group=group, complaint_ids=[c.pk for c in linked], at=at)
    return group


def group_alert(*, group: ComplaintGroup, complaint_ids: list[int], at) -> None:
    scope = OrgUnit.objects.get(pk=group.scope_unit_id)
    users = selectors.group_supervisors(unit=scope)
    group.alerted_user_ids = [u.pk for u in users]
    group.alerted_at = at
    group.save(update_fields=["alerted_user_ids", "alerted_at"])
    values = {
        "group_id": group.pk,
        "title": group.title,
        "scope_unit_id": scope.pk,
        "user_ids": list(group.alerted_user_ids),
        "complaint_ids": complaint_ids,
    }
    if group.status == GroupStatus.PENDING:  # told to look at it: nothing flagged yet
        transaction.on_commit(lambda: group_notices.group_pending(**values), robust=True)
    else:
        transaction.on_commit(lambda: alerts.group_opened(**values), robust=True)
