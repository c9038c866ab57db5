"""Writes for intelligence: training and activating classifiers, enriching complaints, labels.

Enrichment runs after a complaint is stored (a task), never inside intake, and never fails on any
text: each analysis that breaks is recorded in the insight's `errors` and the others still run.
Changes to the case itself go through `complaints.services.complaint_analyse` with the system actor,
so they are on the case's timeline like anyone else's.
"""

import datetime as dt
import logging
from dataclasses import asdict

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from complaintdesk.accounts.access import access_complaint
from complaintdesk.accounts.models import SystemUser, User
from complaintdesk.accounts.system import system_user
from complaintdesk.common.errors import DomainError, InvalidInput, PermissionDenied, too_long_message
from complaintdesk.common.time import now
from complaintdesk.complaints.models import Category, Complaint, EventKind
from complaintdesk.complaints.services import complaint_analyse, complaint_transition
from complaintdesk.complaints.states import Status
from complaintdesk.complaints.timeline import event_record
from complaintdesk.orgs.models import OrgUnit

from . import alerts, classifier, group_notices, grouping, selectors, severity
from .classifier import NO_SUGGESTION
from .emotion import CALM_NOTHING
from .models import (
    ClassifierModel,
    ComplaintFingerprint,
    ComplaintGroup,
    ComplaintInsight,
    EmotionLabel,
    EmotionLevel,
    FingerprintKey,
    GroupMember,
    GroupStatus,
    InsightCorrection,
    RepeatLink,
)

logger = logging.getLogger(__name__)

REASON_MAX = 5_000


def intelligence_actor() -> User:
    """The account whose name is on the timeline when enrichment changes a case (accounts.system)."""
    return system_user(SystemUser.INTELLIGENCE)


# --- classifiers ---


def classifier_train(
    *,
    actor=None,
    texts: list[str] | None = None,
    labels: list[str] | None = None,
    source: str = "cases",
    folds: int = classifier.DEFAULT_FOLDS,
    activate: bool = True,
    store: bool = True,
) -> ClassifierModel:
    """Train on the organisation's categorised cases (or on the given texts and labels), measure
    k-fold figures on the same data, store a new version and, by default, make it the active one.
    With store=False the row is returned unsaved (an evaluation only)."""
    if texts is None:
        texts, labels = selectors.training_examples()
    threshold = selectors.policy_get().auto_category_threshold
    try:
        trained = classifier.train(texts, labels or [], folds=folds, threshold=threshold)
    except classifier.NotEnoughData as error:
        raise InvalidInput(
            {
                "examples": [
                    _("至少需要两个类别、每类至少 %(n)d 条已分类的投诉")
                    % {"n": classifier.MIN_EXAMPLES_PER_LABEL}
                ]
            },
            message=str(error),
        ) from None
    row = ClassifierModel(
        created_at=now(),
        created_by=actor,
        source=source[:200],
        trained_on=trained.trained_on,
        labels=trained.labels,
        evaluation=trained.evaluation,
        train_seconds=round(trained.train_seconds, 2),
        blob=classifier.dumps(trained),
    )
    if not store:
        return row
    with transaction.atomic():
        row.version = selectors.next_classifier_version()
        row.save(force_insert=True)
        if activate:
            classifier_activate(model=row)
    return row


@transaction.atomic
def classifier_activate(*, model: ClassifierModel) -> ClassifierModel:
    ClassifierModel.objects.filter(is_active=True).exclude(pk=model.pk).update(is_active=False)
    ClassifierModel.objects.filter(pk=model.pk).update(is_active=True)
    model.is_active = True
    return model


@transaction.atomic
def classifier_deactivate_all() -> None:
    """Back to the keyword taxonomy."""
    ClassifierModel.objects.filter(is_active=True).update(is_active=False)


# --- labels ---


def emotion_label_record(
    *, text: str, level: str, actor=None, complaint: Complaint | None = None
) -> EmotionLabel:
    if level not in EmotionLevel.values:
        raise InvalidInput({"level": [_("可选：%(choices)s") % {"choices": ", ".join(EmotionLevel.values)}]})
    if not (text or "").strip():
        raise InvalidInput({"text": [_("此项为必填项")]})
    return EmotionLabel.objects.create(
        complaint=complaint, text=text, level=level, labelled_by=actor, created_at=now()
    )


# --- repeat complaints ---


@transaction.atomic
def repeat_links_record(*, complaint: Complaint, days: int) -> list[RepeatLink]:
    """Link the complaint to the earlier ones it repeats (idempotent: a rerun adds only new links)."""
    at = now()
    links = [
        RepeatLink(complaint=complaint, earlier=earlier, matched_on=matched, created_at=at)
        for earlier, matched in selectors.earlier_complaints(complaint=complaint, days=days)
    ]
    RepeatLink.objects.bulk_create(links, ignore_conflicts=True)
    return list(RepeatLink.objects.filter(complaint=complaint).select_related("earlier"))


# --- enrichment ---


def _safely(errors: list[str], stage: str, default, function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except Exception:
        logger.exception("intelligence stage %s failed", stage)
        errors.append(stage)
        return default


def _changes_to_apply(*, complaint: Complaint, policy, suggestion, assessment) -> dict:
    """What enrichment may set on the case: never a field a person has set, never a category below
    the confidence threshold; a reputation risk is only ever raised, not cleared."""
    changes: dict = {}
    human = selectors.human_changed_fields(complaint=complaint, fields=["category", "severity", "priority"])
    if (
        policy.apply_category and complaint.category_id is None and "category" not in human
        and suggestion.category_code and suggestion.confidence >= policy.auto_category_threshold
        and Category.objects.filter(code=suggestion.category_code, is_active=True).exists()
    ):  # fmt: skip
        changes["category"] = suggestion.category_code
    if policy.apply_severity and assessment is not None:
        if "severity" not in human and complaint.severity != assessment.severity:
            changes["severity"] = assessment.severity
        if "priority" not in human and complaint.priority != assessment.priority:
            changes["priority"] = assessment.priority
        if assessment.reputation_risk and not complaint.reputation_risk:
            changes["reputation_risk"] = True
    return changes


def _explanation(*, suggestion, emotion_result, assessment, applied: dict) -> str:
    lines = []
    if suggestion.category_code:
        lines.append(
            _("类别建议：%(code)s（置信度 %(confidence).0f%%，依据：%(words)s）")
            % {
                "code": suggestion.category_code,
                "confidence": suggestion.confidence * 100,
                "words": "、".join(suggestion.explanation) or "—",
            }
        )
    else:
        lines.append(_("类别建议：无"))
    cues = "、".join(dict.fromkeys(c.text for c in emotion_result.cues if c.kind != "content")) or "—"
    lines.append(
        _("情绪：%(level)s（线索：%(cues)s）")
        % {"level": EmotionLevel(emotion_result.level).label, "cues": cues}
    )
    if assessment is not None:
        lines.append(severity.explain(assessment))
    if applied:
        lines.append(_("已自动设置：%(fields)s") % {"fields": "、".join(sorted(applied))})
    return "\n".join(str(line) for line in lines)


def complaint_enrich(*, complaint_id: int) -> ComplaintInsight | None:
    """Classify, read the emotion and score the severity of a stored complaint; record the results
    with their reasons (one ComplaintInsight per run) and apply what the policy allows.
    Returns None when the complaint does not exist."""
    complaint = Complaint.objects.select_related("customer", "category").filter(pk=complaint_id).first()
    if complaint is None:
        logger.warning("complaint_enrich: no complaint %s", complaint_id)
        return None
    errors: list[str] = []
    policy = selectors.policy_get()
    rules = _safely(
        errors,
        "rules",
        severity.SeverityRules(),
        severity.SeverityRules.with_overrides,
        policy.severity_rules,
    )
    text = selectors.complaint_text(complaint)
    suggestion = _safely(errors, "category", NO_SUGGESTION, selectors.category_predict, text)
    emotion_result = _safely(errors, "emotion", CALM_NOTHING, selectors.emotion_assess, text)
    repeats = _safely(
        errors, "repeat", [], repeat_links_record, complaint=complaint, days=rules.repeat_window_days
    )
    earlier = len(repeats)
    assessment = _safely(
        errors,
        "severity",
        None,
        severity.assess,
        severity.SeverityInput(
            text=text,
            amount_at_stake=complaint.amount_at_stake,
            perceived_severity=complaint.perceived_severity,
            emotion_level=emotion_result.level,
            earlier_complaints=earlier,
        ),
        rules,
    )

    applied: dict = {}
    changes = _changes_to_apply(
        complaint=complaint, policy=policy, suggestion=suggestion, assessment=assessment
    )
    if changes and complaint.is_open:
        with translation.override("zh-hans"):
            reason = _("智能分析：%(summary)s") % {
                "summary": severity.explain(assessment) if assessment else _("类别建议")
            }
        try:
            complaint_analyse(
                number=complaint.number, actor=intelligence_actor(), changes=changes, reason=reason
            )
            applied = changes
        except DomainError as error:
            logger.warning("complaint_enrich %s: changes refused: %s", complaint.number, error.message)
            errors.append("apply")

    # Group / batch detection: the fingerprint, then the region's recent complaints.
    tokens = _safely(
        errors,
        "fingerprint",
        [],
        grouping.fingerprint,
        text,
        product=complaint.product,
        place=complaint.place,
    )
    topic = applied.get("category") or (complaint.category.code if complaint.category_id else "")
    fingerprint = _safely(
        errors, "fingerprint", None, complaint_fingerprint_record, complaint=complaint, tokens=tokens,
        topic=topic or suggestion.category_code or "", policy=policy,
    )  # fmt: skip
    group = None
    if fingerprint is not None:
        group = _safely(
            errors,
            "group",
            None,
            complaint_group_detect,
            complaint=complaint,
            fingerprint=fingerprint,
            policy=policy,
        )

    with translation.override("zh-hans"):
        explanation = _safely(
            errors,
            "explanation",
            "",
            _explanation,
            suggestion=suggestion,
            emotion_result=emotion_result,
            assessment=assessment,
            applied=applied,
        )
    if group is not None:
        with translation.override("zh-hans"):
            explanation += "\n" + _("群体性投诉：G%(id)s（%(title)s）") % {
                "id": group.pk,
                "title": group.title,
            }
    return ComplaintInsight.objects.create(
        complaint=complaint,
        created_at=now(),
        suggested_category_code=suggestion.category_code or "",
        category_confidence=suggestion.confidence,
        category_source=suggestion.source,
        category_explanation=list(suggestion.explanation),
        classifier_version=suggestion.model_version,
        category_applied="category" in applied,
        emotion_level=emotion_result.level,
        upset_probability=emotion_result.upset_probability,
        emotion_cues=[asdict(c) for c in emotion_result.cues[:50]],
        severity_score=assessment.score if assessment else 0,
        suggested_severity=assessment.severity if assessment else "",
        suggested_priority=assessment.priority if assessment else None,
        reputation_risk=bool(assessment and assessment.reputation_risk),
        severity_reasons=[asdict(r) for r in assessment.reasons] if assessment else [],
        explanation=explanation,
        applied_changes=applied,
        errors=errors,
    )


# --- fingerprints and group / batch complaints ---


def complaint_fingerprint_record(
    *, complaint: Complaint, tokens: list[str], topic: str, policy
) -> ComplaintFingerprint:
    """Store (or refresh) the complaint's fingerprint in its region (one upsert) and its tokens in
    the key index (replaced). Three statements, in one transaction."""
    fingerprint = ComplaintFingerprint(
        complaint=complaint,
        created_at=complaint.created_at,
        scope_unit_id=selectors.group_scope_unit_id(unit=complaint.org_unit, kind=policy.group_scope_kind),
        customer_id=complaint.customer_id,
        topic=topic[:32],
        tokens=grouping.dump(tokens),
    )
    keys = [
        FingerprintKey(
            complaint=complaint,
            scope_unit_id=fingerprint.scope_unit_id,
            created_at=fingerprint.created_at,
            token=key,
        )
        for key in grouping.keys(tokens)
    ]
    with transaction.atomic():
        ComplaintFingerprint.objects.bulk_create(
            [fingerprint],
            update_conflicts=True,
            unique_fields=["complaint"],
            update_fields=["created_at", "scope_unit", "customer_id", "topic", "tokens"],
        )
        FingerprintKey.objects.filter(complaint=complaint).delete()
        FingerprintKey.objects.bulk_create(keys)
        fingerprint_keys_prune(before=complaint.created_at - key_retention(policy))
    return fingerprint


# Complaints whose expired keys each new fingerprint deletes: twice the rate they arrive.
KEY_PRUNE_COMPLAINTS = 2


def key_retention(policy) -> dt.timedelta:
    """How long a complaint's keys are kept: twice the group window, and at least two days."""
    return max(dt.timedelta(hours=2 * policy.group_window_hours), dt.timedelta(days=2))


def fingerprint_keys_prune(*, before: dt.datetime, complaints: int = KEY_PRUNE_COMPLAINTS) -> int:
    """Delete the keys of the oldest complaints that arrived before `before`, a few at a time: each new
    fingerprint removes more expired rows than it adds, so the key index holds about the retention's
    worth of complaints without a scheduled job. Two index probes: the first complaint at or after
    `before` (its id bounds the range, since ids follow arrival), then the lowest complaint ids of the
    key's primary key below it; each key row's own time decides, so a complaint written out of order
    (an import) is never pruned early, only later. Returns the rows deleted."""
    boundary = (
        Complaint.objects.filter(created_at__gte=before)
        .order_by("created_at", "id")
        .values_list("id", flat=True)
        .first()
    )
    expired = FingerprintKey.objects.filter(created_at__lt=before)
    if boundary is not None:
        expired = expired.filter(complaint_id__lt=boundary)
    oldest = list(
        expired.order_by("complaint_id").values_list("complaint_id", flat=True).distinct()[:complaints]
    )
    if not oldest:
        return 0
    deleted, _per_model = expired.filter(complaint_id__lte=oldest[-1]).delete()
    return deleted


def _group_flags_apply(*, complaints: list[Complaint], group: ComplaintGroup, actor, reason: str) -> None:
    """Batch and reputation-risk flags on each open member, through the analysis service (timeline,
    deadlines): the escalation ladder's flags trigger takes the raised flags from there."""
    for complaint in complaints:
        if not complaint.is_open:
            continue
        changes = {name: True for name in ("is_batch", "reputation_risk") if not getattr(complaint, name)}
        if changes:
            complaint_analyse(number=complaint.number, actor=actor, changes=changes, reason=reason)


def _members_add(
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


def _group_active_complaints(*, group: ComplaintGroup) -> list[Complaint]:
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
        linked = _members_add(
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
            flagged = _group_active_complaints(group=group)
            if not opened:  # a pending group grew strong: the supervisors hear it is acting now
                _group_alert(group=group, complaint_ids=[c.pk for c in flagged], at=at)
            _group_flags_apply(complaints=flagged, group=group, actor=actor, reason=_evidence_reason(group))
        elif group.status == GroupStatus.OPEN:
            _group_flags_apply(complaints=linked, group=group, actor=actor, reason=reason)
        # A pending group changes nothing a customer sees: no flags, no escalation, no message.
        if opened:
            _group_alert(group=group, complaint_ids=[c.pk for c in linked], at=at)
    return group


def _group_alert(*, group: ComplaintGroup, complaint_ids: list[int], at) -> None:
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


def _reason_clean(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise InvalidInput({"reason": [_("此项为必填项")]})
    if len(reason) > REASON_MAX:
        raise InvalidInput({"reason": [too_long_message(limit=REASON_MAX, length=len(reason))]})
    return reason


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
    reason = _reason_clean(reason, required=False)
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
        member.save()
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
        _group_flags_apply(complaints=[complaint], group=group, actor=actor, reason=text)
    return member


@transaction.atomic
def group_member_unlink(*, group_id: int, number: str, actor, reason: str) -> GroupMember:
    """An agent takes a case out of a group (with a reason). Detection will not put it back into this
    group; its batch flag is cleared (a reputation risk stays: it is only ever cleared by a person)."""
    reason = _reason_clean(reason, required=True)
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
    reason = _reason_clean(reason, required=False)
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
    linked = _members_add(
        group=group, complaints=complaints, actor=actor, at=at, similarity={}, shared={}, reason=text
    )
    _group_flags_apply(complaints=linked, group=group, actor=actor, reason=text)
    _group_alert(group=group, complaint_ids=[c.pk for c in linked], at=at)
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
    reason = _reason_clean(reason, required=False)
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
    flagged = _group_active_complaints(group=group)
    _group_flags_apply(complaints=flagged, group=group, actor=intelligence_actor(), reason=text)
    _group_alert(group=group, complaint_ids=[c.pk for c in flagged], at=at)
    return group


@transaction.atomic
def group_dismiss(*, group_id: int, actor, reason: str) -> ComplaintGroup:
    """A supervisor dismisses a detected group (the complaints are not about one problem): every member
    is taken out with the reason on its timeline, and detection never groups those complaints again.
    A pending group had flagged nothing; a confirmed one has its batch flags cleared (a reputation
    risk stays: only a person clears it on the case)."""
    selectors.group_for_user(user=actor, group_id=group_id)  # not found for who may not see it
    _may_decide_groups(actor)
    reason = _reason_clean(reason, required=True)
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


# --- agents' corrections ---

CORRECTION_FIELDS = ("category", "severity", "priority", "emotion")


@transaction.atomic
def insight_correct(*, number: str, actor, changes: dict, reason: str = "") -> list[InsightCorrection]:
    """An agent corrects what intelligence suggested: category, severity and priority go onto the case
    through the analysis service (timeline; a person's category is a training label from then on), the
    emotion becomes an `EmotionLabel`; each correction is kept with the suggestion it corrects."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    unknown = [name for name in changes if name not in CORRECTION_FIELDS]
    if unknown:
        raise InvalidInput({name: [_("此字段不能在分析中修改")] for name in unknown})
    if not changes:
        raise InvalidInput({"changes": [_("此项为必填项")]})
    reason = _reason_clean(reason, required=False)
    emotion_level = changes.get("emotion")
    if "emotion" in changes and emotion_level not in EmotionLevel.values:
        raise InvalidInput(
            {"emotion": [_("可选：%(choices)s") % {"choices": ", ".join(EmotionLevel.values)}]}
        )
    insight = selectors.insight_latest(complaint=complaint)
    suggested = {
        "category": insight.suggested_category_code if insight else "",
        "severity": insight.suggested_severity if insight else "",
        "priority": str(insight.suggested_priority or "") if insight else "",
        "emotion": insight.emotion_level if insight else "",
    }
    case_changes = {name: value for name, value in changes.items() if name != "emotion"}
    if case_changes:
        with translation.override("zh-hans"):
            text = _("更正智能分析结果") + (f"：{reason}" if reason else "")
        complaint_analyse(number=complaint.number, actor=actor, changes=case_changes, reason=text)
    if emotion_level:
        emotion_label_record(
            text=selectors.complaint_text(complaint) or complaint.title, level=emotion_level, actor=actor,
            complaint=complaint,
        )  # fmt: skip
    at = now()
    rows = [
        InsightCorrection(
            complaint=complaint,
            insight=insight,
            field=name,
            suggested=suggested[name][:32],
            corrected=str(value if value is not None else "")[:32],
            reason=reason,
            corrected_by=actor,
            created_at=at,
        )  # fmt: skip
        for name, value in changes.items()
    ]
    InsightCorrection.objects.bulk_create(rows)
    if "category" in changes:
        ComplaintFingerprint.objects.filter(pk=complaint.pk).update(topic=(changes["category"] or "")[:32])
    return rows
