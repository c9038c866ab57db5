"""Writes of quality inspection: the periodic draw and the inspectors' scores.

Inspections are internal to the organisation: they are recorded in this app's tables and never on the
case's (customer-facing) timeline.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    PlainValidator,
    ValidationInfo,
    create_model,
    field_validator,
)

from complaintdesk.accounts.models import User
from complaintdesk.common.errors import Conflict, InvalidInput, NotFound, PermissionDenied, too_long_message
from complaintdesk.common.time import local_zone, now
from complaintdesk.common.validation import DAY_FORMAT_MESSAGE, refusal, text, validated
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.states import Status

from .models import InspectionStatus, QaInspection, QaPeriod, QaSample, SamplingPolicy
from .rubric import CRITERION_CODES, SCORE_MAX, SCORE_MIN, weighted_total
from .selectors import policy_current, samples_visible_to

PERIOD_MAX_DAYS = 366
COMMENT_MAX = 2000
SEED_MAX = 64
# Below this total (out of 100) the inspector must say why.
COMMENT_REQUIRED_BELOW = Decimal("60")


# --- the draw --------------------------------------------------------------------------------------


def period_bounds(*, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local days start..end inclusive as an aware half-open interval [from, to)."""
    zone = local_zone()
    return (
        dt.datetime.combine(start, dt.time(), tzinfo=zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=zone),
    )


def agent_quota(*, closed: int, share_percent: Decimal, minimum: int) -> int:
    """How many of an agent's `closed` cases to inspect: the share (rounded up), at least `minimum`, at
    most all of them."""
    by_share = math.ceil(Decimal(closed) * Decimal(share_percent) / Decimal(100))
    return min(closed, max(minimum, by_share))


def calibration_count(*, drawn: int, calibration_percent: Decimal) -> int:
    """How many of `drawn` new samples get a second inspector: the share rounded, at least one when the
    share is not zero (so that every draw can be calibrated)."""
    if drawn <= 0 or calibration_percent <= 0:
        return 0
    return min(drawn, max(1, int((Decimal(drawn) * Decimal(calibration_percent) / 100).to_integral_value())))


@dataclass
class AgentDraw:
    closed: int  # the agent's cases closed in the period
    quota: int  # how many of them the policy wants inspected
    drawn: int  # new samples in this run
    sampled: int  # samples of the agent in this period after this run


@dataclass
class DrawResult:
    period: QaPeriod
    created: bool  # first draw of this period
    drawn: int = 0
    calibration: int = 0
    agents: dict[int, AgentDraw] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "period": str(self.period),
            "seed": self.period.seed,
            "created": self.created,
            "drawn": self.drawn,
            "calibration": self.calibration,
            "agents": len(self.agents),
        }


def _date(value: Any) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise refusal(DAY_FORMAT_MESSAGE())
    return value


def _seed(value: Any) -> str | None:
    text = None if value is None else str(value).strip()
    return text or None


class DrawInput(BaseModel):
    period_start: Annotated[dt.date, PlainValidator(_date)]
    period_end: Annotated[dt.date, PlainValidator(_date)]
    seed: Annotated[str | None, PlainValidator(_seed)] = None

    @field_validator("period_end")
    @classmethod
    def _period(cls, end: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("period_start")  # absent when it was refused
        if start is not None and end < start:
            raise refusal(_("结束日期不能早于开始日期"))
        if start is not None and (end - start).days >= PERIOD_MAX_DAYS:
            raise refusal(_("抽检周期不能超过 %(days)d 天") % {"days": PERIOD_MAX_DAYS})
        return end

    @field_validator("seed")
    @classmethod
    def _seed_length(cls, seed: str | None) -> str | None:
        if seed is not None and len(seed) > SEED_MAX:
            raise refusal(too_long_message(limit=SEED_MAX, length=len(seed)))
        return seed


def _draw_input_check(*, period_start, period_end, seed) -> str | None:
    return validated(DrawInput, {"period_start": period_start, "period_end": period_end, "seed": seed}).seed


def _period_take(
    *, period_start, period_end, seed: str | None, policy: SamplingPolicy, actor, at
) -> tuple[QaPeriod, bool]:
    defaults = {
        "seed": seed or secrets.token_hex(8),
        "share_percent": policy.share_percent,
        "minimum_per_agent": policy.minimum_per_agent,
        "calibration_percent": policy.calibration_percent,
        "drawn_at": at,
        "drawn_by": actor,
    }
    try:
        with transaction.atomic():
            period, created = QaPeriod.objects.get_or_create(
                start=period_start, end=period_end, defaults=defaults
            )
    except IntegrityError:  # a concurrent first draw of the same period won
        period, created = QaPeriod.objects.get(start=period_start, end=period_end), False
    # Reruns of one period wait for each other here, so none draws what another just drew.
    period = QaPeriod.objects.select_for_update().get(pk=period.pk)
    if not created and seed is not None and seed != period.seed:
        raise InvalidInput(
            {"seed": [_("该周期已用种子 %(seed)s 抽样，重抽须使用同一种子") % {"seed": period.seed}]}
        )
    return period, created


@transaction.atomic
def quality_sample_draw(
    *, period_start: dt.date, period_end: dt.date, seed: str | int | None = None, actor: User | None = None
) -> DrawResult:
    """Draw the period's quality sample: for each agent, a random share of their cases closed in the local
    days period_start..period_end (inclusive), at least the policy's minimum, all of them when they
    closed fewer. Stratified per agent (the case's assignee when it was closed).

    Reproducible: the order in which an agent's cases are drawn depends only on the seed, the agent and
    the case ids, so the same seed on the same data draws the same cases. Without a seed a random one is
    chosen and stored on the period. Rerunning a period (same seed, or none) tops the sample up to the
    quota and never draws a case twice; a case is never drawn in two periods either. A share of the new
    samples (the policy's calibration share) gets a second slot for a second inspector.
    """
    seed_text = _draw_input_check(period_start=period_start, period_end=period_end, seed=seed)
    at = now()
    policy = policy_current()
    period, created = _period_take(
        period_start=period_start, period_end=period_end, seed=seed_text, policy=policy, actor=actor, at=at
    )
    result = DrawResult(period=period, created=created)
    start_at, end_at = period_bounds(start=period_start, end=period_end)

    closed_rows = (
        Complaint.objects.filter(status=Status.CLOSED, closed_at__gte=start_at, closed_at__lt=end_at)
        .exclude(assignee__isnull=True)
        .values_list("id", "assignee_id", "org_unit_id", "closed_at")
    )
    by_agent: dict[int, list[tuple[int, int, dt.datetime]]] = {}
    for case_id, agent_id, unit_id, closed_at in closed_rows.iterator(chunk_size=5000):
        by_agent.setdefault(agent_id, []).append((case_id, unit_id, closed_at))
    if not by_agent:
        return result
    already_sampled = set(
        QaSample.objects.filter(
            complaint__closed_at__gte=start_at, complaint__closed_at__lt=end_at
        ).values_list("complaint_id", flat=True)
    )
    in_period = dict(
        QaSample.objects.filter(period=period)
        .values("agent_id")
        .annotate(n=Count("id"))
        .values_list("agent_id", "n")
    )
    agent_units = dict(User.objects.filter(pk__in=by_agent).values_list("pk", "org_unit_id"))

    new_samples: list[QaSample] = []
    for agent_id in sorted(by_agent):
        rows = by_agent[agent_id]
        quota = agent_quota(
            closed=len(rows), share_percent=period.share_percent, minimum=period.minimum_per_agent
        )
        have = in_period.get(agent_id, 0)
        candidates = sorted(r for r in rows if r[0] not in already_sampled)
        random.Random(f"{period.seed}:{agent_id}").shuffle(candidates)
        picked = candidates[: max(0, quota - have)]
        for case_id, unit_id, closed_at in picked:
            new_samples.append(
                QaSample(
                    period=period,
                    complaint_id=case_id,
                    agent_id=agent_id,
                    org_unit_id=agent_units.get(agent_id) or unit_id,
                    closed_at=closed_at,
                    drawn_at=at,
                )
            )
        result.agents[agent_id] = AgentDraw(
            closed=len(rows), quota=quota, drawn=len(picked), sampled=have + len(picked)
        )

    if not new_samples:
        return result
    calibrated = calibration_count(drawn=len(new_samples), calibration_percent=period.calibration_percent)
    chosen = set(
        random.Random(f"{period.seed}:calibration:{len(new_samples)}").sample(
            sorted(s.complaint_id for s in new_samples), calibrated
        )
    )
    for sample in new_samples:
        sample.is_calibration = sample.complaint_id in chosen
    created_samples = QaSample.objects.bulk_create(new_samples, batch_size=1000)
    QaInspection.objects.bulk_create(
        [
            QaInspection(sample_id=sample.pk, slot=slot)
            for sample in created_samples
            for slot in ((1, 2) if sample.is_calibration else (1,))
        ],
        batch_size=1000,
    )
    result.drawn = len(created_samples)
    result.calibration = len(chosen)
    return result


# --- scoring ---------------------------------------------------------------------------------------


def _score(value: Any) -> int:
    """One criterion's score: a whole number SCORE_MIN..SCORE_MAX (as a number or as text)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise refusal(_("请为此项评分"))
    wrong = refusal(_("请填写 %(min)d–%(max)d 的整数") % {"min": SCORE_MIN, "max": SCORE_MAX})
    if isinstance(value, bool):
        raise wrong
    try:
        number = int(str(value).strip())
    except ValueError:
        raise wrong from None
    if (isinstance(value, float) and value != number) or not SCORE_MIN <= number <= SCORE_MAX:
        raise wrong
    return number


def _no_unknown(names: list[str]) -> list[str]:
    if names:
        raise refusal(_("未知的评分项：%(names)s") % {"names": ", ".join(names)})
    return names


# One field per criterion of the rubric (a missing one is None, refused as unscored), and `scores`: the
# names sent that are no criterion.
ScoresInput = create_model(
    "ScoresInput",
    __config__=ConfigDict(validate_default=True),
    scores=(Annotated[list[str], AfterValidator(_no_unknown)], []),
    comment=(text(COMMENT_MAX), ""),
    **{code: (Annotated[int, PlainValidator(_score)], None) for code in CRITERION_CODES},
)


def _scores_check(scores: dict, comment: str) -> tuple[dict[str, int], str]:
    scores = scores or {}
    data = {code: scores.get(code) for code in CRITERION_CODES}
    data["scores"] = sorted(set(scores) - set(CRITERION_CODES))
    data["comment"] = comment
    checked = validated(ScoresInput, data)
    return {code: getattr(checked, code) for code in CRITERION_CODES}, checked.comment


@transaction.atomic
def quality_inspection_score(*, sample_id: int, actor: User, scores: dict, comment: str = "") -> QaInspection:
    """Record `actor`'s scores (0–5 per criterion) for a sample and the weighted total (0–100, with the
    policy's current weights, kept on the row). The actor takes the sample's first open slot that is in
    the pool or assigned to them; on a calibration sample the second slot needs a different inspector.
    A scored inspection is final. Bad input writes nothing."""
    sample = samples_visible_to(actor).filter(pk=sample_id).first()
    if sample is None:  # not an inspector, outside their units, or absent: all the same to them
        raise NotFound(_("质检样本不存在"))
    if sample.agent_id == actor.pk:
        raise PermissionDenied(_("不能为自己处理的投诉评分"))
    clean, comment = _scores_check(scores, comment)
    policy = policy_current()
    weights = policy.weights
    total = weighted_total(clean, weights)
    if total < COMMENT_REQUIRED_BELOW and not comment:
        raise InvalidInput(
            {"comment": [_("总分低于 %(limit)s 分时须填写评语") % {"limit": COMMENT_REQUIRED_BELOW}]}
        )

    slots = list(QaInspection.objects.select_for_update().filter(sample_id=sample.pk).order_by("slot"))
    if any(i.inspector_id == actor.pk and i.status == InspectionStatus.DONE for i in slots):
        raise Conflict(_("您已为这个样本评过分"), code="already_scored")
    target = next(
        (i for i in slots if i.status == InspectionStatus.PENDING and i.inspector_id in (None, actor.pk)),
        None,
    )
    if target is None:
        raise Conflict(_("这个样本已由其他质检员评分"), code="already_scored")
    for code, value in clean.items():
        setattr(target, code, value)
    target.inspector = actor
    target.total = total
    target.weights = weights
    target.comment = comment
    target.status = InspectionStatus.DONE
    target.scored_at = now()
    target.save(update_fields=[*clean, "inspector", "total", "weights", "comment", "status", "scored_at"])
    return target
