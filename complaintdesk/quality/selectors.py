"""Reads of quality inspection: the policy in force, the inspectors' queue, a sample with its evidence,
calibration pairs and the per-agent averages the scorecards use. Every list is bounded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q, QuerySet
from django.utils.translation import gettext as _

from complaintdesk.accounts.access import units_visible_to, user_sees_all_units, user_unit_ids
from complaintdesk.accounts.models import Role
from complaintdesk.common.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.common.time import local_zone
from complaintdesk.complaints.selectors import complaint_timeline
from complaintdesk.notifications.selectors import notifications_for_complaint
from complaintdesk.scripts.models import ReplyCheckOverride
from complaintdesk.scripts.selectors import rule_names_for

from .models import InspectionStatus, QaInspection, QaPeriod, QaSample, SamplingPolicy
from .rubric import CRITERION_CODES

QUEUE_LIMIT = 100
CALIBRATION_LIMIT = 200
AGENTS_LIMIT = 5000
EVIDENCE_LIMIT = 100

# Roles that score samples. Inspectors see every unit (view_all_units); a supervisor inspects the
# cases of their own unit subtree.
INSPECTING_ROLES = frozenset({Role.QUALITY_INSPECTOR, Role.SUPERVISOR})


def policy_current() -> SamplingPolicy:
    """The policy in force: the most recently changed row, or the defaults (unsaved) when there is none."""
    return SamplingPolicy.objects.order_by("-updated_at", "-id").first() or SamplingPolicy()


def user_is_inspector(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in INSPECTING_ROLES)
    )


def samples_visible_to(user) -> QuerySet[QaSample]:
    """Samples the user may inspect: all for inspectors (they see every unit), the cases of their unit
    subtree for a supervisor, none for anyone else."""
    if not user_is_inspector(user):
        return QaSample.objects.none()
    unit_ids = user_unit_ids(user)
    qs = QaSample.objects.all()
    return qs if unit_ids is None else qs.filter(complaint__org_unit_id__in=unit_ids)


def _inspections_visible_to(user) -> QuerySet[QaInspection]:
    if not user_is_inspector(user):
        return QaInspection.objects.none()
    unit_ids = user_unit_ids(user)
    qs = QaInspection.objects.all()
    return qs if unit_ids is None else qs.filter(sample__complaint__org_unit_id__in=unit_ids)


_ROW_RELATED = (
    "sample",
    "sample__period",
    "sample__agent",
    "sample__org_unit",
    "sample__complaint",
    "sample__complaint__category",
    "inspector",
)


def inspector_queue(*, user, view: str = "pending", limit: int = 50) -> list[QaInspection]:
    """The user's queue, one row per sample, bounded by `limit` (at most QUEUE_LIMIT).

    `pending`: open slots in the pool or assigned to the user, of samples the user has not scored
    (a calibration sample's second slot is for someone else), oldest draw first.
    `done`: the user's own scored inspections, newest first."""
    limit = max(1, min(limit, QUEUE_LIMIT))
    qs = _inspections_visible_to(user).select_related(*_ROW_RELATED)
    if view == "done":
        return list(
            qs.filter(status=InspectionStatus.DONE, inspector=user).order_by("-scored_at", "-id")[:limit]
        )
    scored_by_user = QaInspection.objects.filter(inspector=user, status=InspectionStatus.DONE).values(
        "sample_id"
    )
    rows = (
        qs.filter(status=InspectionStatus.PENDING)
        .filter(Q(inspector__isnull=True) | Q(inspector=user))
        .exclude(sample_id__in=scored_by_user)
        .exclude(sample__agent=user)
        .order_by("id")[: limit * 2]  # a calibration sample may have two open slots: one row each
    )
    seen: set[int] = set()
    queue: list[QaInspection] = []
    for row in rows:
        if row.sample_id not in seen:
            seen.add(row.sample_id)
            queue.append(row)
        if len(queue) == limit:
            break
    return queue


def pending_total(*, user) -> int:
    """Open slots the user could take (for the queue's heading)."""
    scored_by_user = QaInspection.objects.filter(inspector=user, status=InspectionStatus.DONE).values(
        "sample_id"
    )
    return (
        _inspections_visible_to(user)
        .filter(status=InspectionStatus.PENDING)
        .filter(Q(inspector__isnull=True) | Q(inspector=user))
        .exclude(sample_id__in=scored_by_user)
        .exclude(sample__agent=user)
        .values("sample_id")
        .distinct()
        .count()
    )


@dataclass
class SampleDetail:
    sample: QaSample
    inspections: list[QaInspection]
    mine: QaInspection | None  # the user's scored inspection, if any
    can_score: bool  # an open slot is available to the user


def sample_for_inspector(*, user, sample_id: int) -> SampleDetail:
    """One sample the user may see (NotFound otherwise: outside the scope it does not exist)."""
    sample = (
        samples_visible_to(user)
        .select_related(
            "period",
            "agent",
            "org_unit",
            "complaint",
            "complaint__category",
            "complaint__org_unit",
            "complaint__customer",
            "complaint__assignee",
        )
        .filter(pk=sample_id)
        .first()
    )
    if sample is None:
        raise NotFound(_("质检样本不存在"))
    inspections = list(sample.inspections.select_related("inspector").order_by("slot"))
    mine = next(
        (i for i in inspections if i.inspector_id == user.pk and i.status == InspectionStatus.DONE), None
    )
    can_score = (
        mine is None
        and sample.agent_id != user.pk
        and any(
            i.status == InspectionStatus.PENDING and i.inspector_id in (None, user.pk) for i in inspections
        )
    )
    return SampleDetail(sample=sample, inspections=inspections, mine=mine, can_score=can_score)


@dataclass
class SampleEvidence:
    """What the inspector reads: the case's timeline (customer messages included), the messages sent to
    the customer, and the drafts sent despite the reply checker's warnings (how the scripts were kept)."""

    events: list
    notifications: list
    overrides: list
    warning_names: dict[int, str]  # override id → the warnings ignored, by the rules' names


def sample_evidence(*, sample: QaSample) -> SampleEvidence:
    complaint = sample.complaint
    overrides = list(
        ReplyCheckOverride.objects.filter(complaint=complaint)
        .select_related("actor")
        .order_by("at", "id")[:EVIDENCE_LIMIT]
    )
    names = rule_names_for(code for override in overrides for code in override.finding_codes)
    return SampleEvidence(
        events=complaint_timeline(complaint=complaint),
        notifications=list(notifications_for_complaint(complaint=complaint, limit=EVIDENCE_LIMIT)),
        overrides=overrides,
        warning_names={
            override.pk: "、".join(names[code.strip()] for code in override.finding_codes if code.strip())
            for override in overrides
        },
    )


# --- calibration -------------------------------------------------------------------------------------


@dataclass
class CalibrationPair:
    """Two inspectors' scores of the same case; differences are second minus first (slot order)."""

    sample: QaSample
    first: QaInspection
    second: QaInspection
    differences: dict[str, int]
    total_difference: float

    @property
    def max_gap(self) -> int:
        return max((abs(d) for d in self.differences.values()), default=0)


@dataclass
class CalibrationSummary:
    pairs: list[CalibrationPair] = field(default_factory=list)
    mean_abs: dict[str, float] = field(default_factory=dict)  # mean |difference| per criterion
    mean_abs_total: float | None = None


def _day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = local_zone()
    return (
        dt.datetime.combine(start, dt.time(), tzinfo=zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=zone),
    )


def calibration_pairs(
    *, user, period: QaPeriod | None = None, limit: int = CALIBRATION_LIMIT
) -> CalibrationSummary:
    """Calibration samples whose two slots are both scored, newest scoring first, with per-criterion
    differences and their mean absolute value (how far the inspectors' judgements lie apart)."""
    limit = max(1, min(limit, CALIBRATION_LIMIT))
    samples = (
        samples_visible_to(user)
        .filter(is_calibration=True)
        .exclude(inspections__status=InspectionStatus.PENDING)
        .select_related("period", "agent", "complaint")
        .order_by("-closed_at", "-id")
    )
    if period is not None:
        samples = samples.filter(period=period)
    samples = list(samples[:limit])
    by_sample: dict[int, list[QaInspection]] = {}
    for inspection in (
        QaInspection.objects.filter(sample_id__in=[s.pk for s in samples])
        .select_related("inspector")
        .order_by("slot")
    ):
        by_sample.setdefault(inspection.sample_id, []).append(inspection)
    summary = CalibrationSummary()
    for sample in samples:
        slots = by_sample.get(sample.pk, [])
        if len(slots) != 2:
            continue
        first, second = slots
        summary.pairs.append(
            CalibrationPair(
                sample=sample,
                first=first,
                second=second,
                differences={code: getattr(second, code) - getattr(first, code) for code in CRITERION_CODES},
                total_difference=float(second.total - first.total),
            )
        )
    if summary.pairs:
        n = len(summary.pairs)
        summary.mean_abs = {
            code: round(sum(abs(p.differences[code]) for p in summary.pairs) / n, 2)
            for code in CRITERION_CODES
        }
        summary.mean_abs_total = round(sum(abs(p.total_difference) for p in summary.pairs) / n, 2)
    return summary


def periods_recent(*, limit: int = 24) -> list[QaPeriod]:
    return list(QaPeriod.objects.order_by("-start", "-id")[:limit])


# --- scorecards ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionAverage:
    average: float | None  # mean score on 0–5
    count: int  # scored inspections counted


@dataclass(frozen=True)
class AgentQualityScores:
    agent_id: int
    agent_name: str
    org_unit_id: int
    cases: int  # distinct sampled cases with at least one score
    inspections: int  # scored inspections (a calibrated case counts twice)
    total_average: float | None  # mean weighted total on 0–100
    criteria: dict[str, CriterionAverage]


def quality_agent_scores(
    *, period_start: dt.date, period_end: dt.date, unit=None
) -> list[AgentQualityScores]:
    """Per-agent quality scores for the scorecards' attitude component (stable shape: the analytics
    helper reads it).

    Counts every scored inspection of samples whose case was closed in the local days
    period_start..period_end (inclusive) — the period of the agent's work, not of the scoring. A
    calibration sample contributes both inspectors' scores. `unit` (an OrgUnit) limits it to agents
    whose unit, when the case was drawn, is in that unit's subtree. Agents without any scored
    inspection are absent.

    Returns one `AgentQualityScores` per agent, ordered by agent id: `total_average` is the mean
    weighted total on 0–100 (None only if no inspection), `criteria` maps each rubric code
    (`rubric.CRITERION_CODES`: listening, apology, accuracy, solution, scripts, follow_up) to
    `CriterionAverage(average on 0–5, count)`; `inspections` and `cases` are counts.
    """
    if period_end < period_start:
        raise InvalidInput({"period_end": [_("结束日期不能早于开始日期")]})
    start_at, end_at = _day_bounds(period_start, period_end)
    qs = QaInspection.objects.filter(
        status=InspectionStatus.DONE, sample__closed_at__gte=start_at, sample__closed_at__lt=end_at
    )
    if unit is not None:
        qs = qs.filter(sample__org_unit__path__startswith=unit.path)
    aggregates = {f"avg_{code}": Avg(code) for code in CRITERION_CODES}
    aggregates |= {f"n_{code}": Count(code) for code in CRITERION_CODES}
    rows = (
        qs.values(
            "sample__agent_id",
            "sample__agent__display_name",
            "sample__agent__username",
            "sample__org_unit_id",
        )
        .annotate(
            inspections=Count("id"),
            cases=Count("sample_id", distinct=True),
            total_average=Avg("total"),
            **aggregates,
        )
        .order_by("sample__agent_id", "sample__org_unit_id")[:AGENTS_LIMIT]
    )
    merged: dict[int, dict] = {}
    for row in rows:
        # An agent who moved units between draws has one row per unit: merge them (weighted by counts).
        agent_id = row["sample__agent_id"]
        entry = merged.setdefault(
            agent_id,
            {
                "name": row["sample__agent__display_name"] or row["sample__agent__username"],
                "unit": row["sample__org_unit_id"],
                "inspections": 0,
                "cases": 0,
                "total_sum": 0.0,
                "sums": dict.fromkeys(CRITERION_CODES, 0.0),
                "counts": dict.fromkeys(CRITERION_CODES, 0),
            },
        )
        entry["inspections"] += row["inspections"]
        entry["cases"] += row["cases"]
        entry["total_sum"] += float(row["total_average"] or 0) * row["inspections"]
        for code in CRITERION_CODES:
            n = row[f"n_{code}"]
            entry["counts"][code] += n
            entry["sums"][code] += float(row[f"avg_{code}"] or 0) * n
    result = []
    for agent_id, entry in merged.items():
        n = entry["inspections"]
        result.append(
            AgentQualityScores(
                agent_id=agent_id,
                agent_name=entry["name"],
                org_unit_id=entry["unit"],
                cases=entry["cases"],
                inspections=n,
                total_average=round(entry["total_sum"] / n, 2) if n else None,
                criteria={
                    code: CriterionAverage(
                        average=round(entry["sums"][code] / entry["counts"][code], 2)
                        if entry["counts"][code]
                        else None,
                        count=entry["counts"][code],
                    )
                    for code in CRITERION_CODES
                },
            )
        )
    return result


# --- checks the interfaces share (API and pages) -------------------------------------------------------


def inspector_required(user) -> None:
    """PermissionDenied unless the user inspects (lists of samples are theirs only)."""
    if not user_is_inspector(user):
        raise PermissionDenied(_("只有质检员和主管可以查看质检样本"))


def period_get(*, period_id: int) -> QaPeriod:
    period = QaPeriod.objects.filter(pk=period_id).first()
    if period is None:
        raise NotFound(_("质检周期不存在"))
    return period


def scores_scope(*, user, unit_code: str = ""):
    """Which unit's agents `user` may see quality scores of: (allowed, unit). Inspectors and managers
    (assign_complaint) may; a given unit code must be visible to them (else NotFound); without one,
    users who do not see every unit are limited to their own unit's subtree. unit None = all units."""
    if not (user_is_inspector(user) or user.has_perm("complaints.assign_complaint")):
        raise PermissionDenied(_("您没有权限查看质检成绩"))
    if unit_code:
        unit = units_visible_to(user).filter(code=unit_code).first()
        if unit is None:
            raise NotFound(_("机构 %(code)s 不存在") % {"code": unit_code})
        return unit
    if user_sees_all_units(user):
        return None
    if user.org_unit_id is None:
        raise NotFound(_("机构 %(code)s 不存在") % {"code": "—"})
    return user.org_unit
