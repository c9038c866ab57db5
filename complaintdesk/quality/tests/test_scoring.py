"""Scoring: validation, who may score which slot, the inspectors' queue, calibration differences and the
per-agent averages the scorecards read."""

import datetime as dt
from decimal import Decimal

import pytest

from complaintdesk.common.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from complaintdesk.quality.models import InspectionStatus, QaInspection, QaSample, SamplingPolicy
from complaintdesk.quality.rubric import DEFAULT_WEIGHTS, weighted_total
from complaintdesk.quality.selectors import calibration_pairs, inspector_queue, quality_agent_scores
from complaintdesk.quality.services import quality_inspection_score, quality_sample_draw

from .conftest import closed_in_november

NOV_1, NOV_30 = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
ALL_FIVE = dict.fromkeys(DEFAULT_WEIGHTS, 5)


def scores(**overrides):
    return {**ALL_FIVE, **overrides}


@pytest.fixture
def drawn(people, make_case):
    """Agent A: 3 samples, agent B: 2 samples; one of the five is calibrated."""
    SamplingPolicy.objects.create(share_percent=5, minimum_per_agent=3, calibration_percent=Decimal("1"))
    closed_in_november(make_case, people.agent_a, 3)
    closed_in_november(make_case, people.agent_b, 2)
    quality_sample_draw(period_start=NOV_1, period_end=NOV_30, seed="t")
    return people


def test_weighted_total():
    assert weighted_total(ALL_FIVE, DEFAULT_WEIGHTS) == Decimal("100.00")
    assert weighted_total(dict.fromkeys(DEFAULT_WEIGHTS, 0), DEFAULT_WEIGHTS) == Decimal("0.00")
    # solution 25 % at 3/5 loses 10 points; scripts 10 % at 4/5 loses 2.
    assert weighted_total(scores(solution=3, scripts=4), DEFAULT_WEIGHTS) == Decimal("88.00")


def test_inspector_scores_a_sample(drawn):
    sample = QaSample.objects.filter(agent=drawn.agent_b).first()
    inspection = quality_inspection_score(
        sample_id=sample.pk,
        actor=drawn.inspector,
        scores=scores(solution="3", scripts=4),
        comment=" 方案只给了一种 ",
    )
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.DONE and inspection.inspector == drawn.inspector
    assert inspection.total == Decimal("88.00") and inspection.solution == 3 and inspection.scripts == 4
    assert inspection.weights == DEFAULT_WEIGHTS and inspection.comment == "方案只给了一种"
    # Internal: nothing on the customer-facing timeline.
    assert not sample.complaint.events.exists()


@pytest.mark.parametrize(
    "given, comment, field",
    [
        ({k: v for k, v in ALL_FIVE.items() if k != "apology"}, "", "apology"),
        (scores(accuracy=6), "", "accuracy"),
        (scores(accuracy=-1), "", "accuracy"),
        (scores(listening="很好"), "", "listening"),
        (scores(listening=""), "", "listening"),
        (scores(listening=4.5), "", "listening"),
        (scores(extra=3), "", "scores"),
        (dict.fromkeys(DEFAULT_WEIGHTS, 2), "", "comment"),  # 40 points without a comment
        (ALL_FIVE, "长" * 2001, "comment"),
    ],
)
def test_bad_scores_are_refused_in_chinese_and_write_nothing(drawn, given, comment, field):
    from django.utils import translation

    sample = QaSample.objects.filter(agent=drawn.agent_b).first()
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as refused:  # whatever ran before
        quality_inspection_score(sample_id=sample.pk, actor=drawn.inspector, scores=given, comment=comment)
    assert field in refused.value.fields
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.fields[field][0])
    assert not QaInspection.objects.filter(status=InspectionStatus.DONE).exists()
    assert not QaInspection.objects.filter(inspector__isnull=False).exists()


def test_low_total_with_a_comment_is_accepted(drawn):
    sample = QaSample.objects.filter(agent=drawn.agent_b).first()
    done = quality_inspection_score(
        sample_id=sample.pk,
        actor=drawn.inspector,
        scores=dict.fromkeys(DEFAULT_WEIGHTS, 2),
        comment="多处推诿",
    )
    assert done.total == Decimal("40.00")


def test_only_inspectors_in_scope_may_score(drawn):
    a_sample = QaSample.objects.filter(agent=drawn.agent_a).first()
    b_sample = QaSample.objects.filter(agent=drawn.agent_b).first()
    for outsider in (drawn.agent_a, drawn.manager, drawn.executive):
        with pytest.raises(NotFound):
            quality_inspection_score(sample_id=b_sample.pk, actor=outsider, scores=ALL_FIVE)
    # A supervisor of store B inspects store B's cases only.
    with pytest.raises(NotFound):
        quality_inspection_score(sample_id=a_sample.pk, actor=drawn.supervisor_b, scores=ALL_FIVE)
    quality_inspection_score(sample_id=b_sample.pk, actor=drawn.supervisor_b, scores=ALL_FIVE)
    with pytest.raises(NotFound):
        quality_inspection_score(sample_id=999999, actor=drawn.inspector, scores=ALL_FIVE)


def test_nobody_scores_their_own_case(drawn, make_case):
    case = make_case(drawn.supervisor_b, dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC))
    quality_sample_draw(period_start=dt.date(2026, 12, 1), period_end=dt.date(2026, 12, 31), seed="own")
    sample = QaSample.objects.get(complaint=case)
    assert sample.pk not in {r.sample_id for r in inspector_queue(user=drawn.supervisor_b)}
    with pytest.raises(PermissionDenied):
        quality_inspection_score(sample_id=sample.pk, actor=drawn.supervisor_b, scores=ALL_FIVE)


def test_a_sample_is_scored_once_and_a_calibration_sample_by_two_different_inspectors(drawn):
    plain = QaSample.objects.filter(is_calibration=False).first()
    calibrated = QaSample.objects.get(is_calibration=True)
    quality_inspection_score(sample_id=plain.pk, actor=drawn.inspector, scores=ALL_FIVE)
    with pytest.raises(Conflict):
        quality_inspection_score(sample_id=plain.pk, actor=drawn.inspector2, scores=ALL_FIVE)
    with pytest.raises(Conflict):
        quality_inspection_score(sample_id=plain.pk, actor=drawn.inspector, scores=ALL_FIVE)

    first = quality_inspection_score(sample_id=calibrated.pk, actor=drawn.inspector, scores=ALL_FIVE)
    with pytest.raises(Conflict):
        quality_inspection_score(sample_id=calibrated.pk, actor=drawn.inspector, scores=ALL_FIVE)
    second = quality_inspection_score(
        sample_id=calibrated.pk, actor=drawn.inspector2, scores=scores(apology=3)
    )
    assert (first.slot, second.slot) == (1, 2)


def test_queue_scope(drawn):
    all_samples = set(QaSample.objects.values_list("pk", flat=True))
    b_samples = set(QaSample.objects.filter(agent=drawn.agent_b).values_list("pk", flat=True))
    assert {r.sample_id for r in inspector_queue(user=drawn.inspector)} == all_samples
    assert {r.sample_id for r in inspector_queue(user=drawn.supervisor_b)} == b_samples
    assert inspector_queue(user=drawn.agent_a) == [] and inspector_queue(user=drawn.manager) == []
    assert len(inspector_queue(user=drawn.inspector, limit=2)) == 2

    calibrated = QaSample.objects.get(is_calibration=True)
    quality_inspection_score(sample_id=calibrated.pk, actor=drawn.inspector, scores=ALL_FIVE)
    # Scored by qa: gone from qa's queue, still in qa2's for the second opinion, and in qa's "done".
    assert calibrated.pk not in {r.sample_id for r in inspector_queue(user=drawn.inspector)}
    assert calibrated.pk in {r.sample_id for r in inspector_queue(user=drawn.inspector2)}
    assert [r.sample_id for r in inspector_queue(user=drawn.inspector, view="done")] == [calibrated.pk]
    quality_inspection_score(sample_id=calibrated.pk, actor=drawn.inspector2, scores=ALL_FIVE)
    assert calibrated.pk not in {r.sample_id for r in inspector_queue(user=drawn.inspector2)}


def test_calibration_differences(drawn):
    calibrated = QaSample.objects.get(is_calibration=True)
    assert calibration_pairs(user=drawn.inspector).pairs == []  # one slot scored is not a pair yet
    quality_inspection_score(sample_id=calibrated.pk, actor=drawn.inspector, scores=scores(solution=4))
    assert calibration_pairs(user=drawn.inspector).pairs == []
    quality_inspection_score(
        sample_id=calibrated.pk,
        actor=drawn.inspector2,
        scores=scores(solution=2, apology=3),
        comment="致歉不够",
    )
    summary = calibration_pairs(user=drawn.inspector)
    [pair] = summary.pairs
    assert pair.first.inspector == drawn.inspector and pair.second.inspector == drawn.inspector2
    assert pair.differences == {
        "listening": 0,
        "apology": -2,
        "accuracy": 0,
        "solution": -2,
        "scripts": 0,
        "follow_up": 0,
    }
    # first: 100 - 5 (solution 4/5 of 25) = 95; second: 100 - 15 - 6 (apology 3/5 of 15) = 79.
    assert pair.total_difference == -16.0 and pair.max_gap == 2
    assert summary.mean_abs["apology"] == 2.0 and summary.mean_abs_total == 16.0
    assert calibration_pairs(user=drawn.agent_a).pairs == []


def test_agent_scores_selector(drawn, make_case):
    calibrated = QaSample.objects.get(is_calibration=True)
    x = calibrated.agent  # the agent with the calibrated sample; y is the other one
    y = drawn.agent_b if x == drawn.agent_a else drawn.agent_a
    plain_x = QaSample.objects.filter(agent=x, is_calibration=False).order_by("pk").first()
    plain_y = QaSample.objects.filter(agent=y).order_by("pk").first()
    quality_inspection_score(sample_id=calibrated.pk, actor=drawn.inspector, scores=scores(listening=4))
    quality_inspection_score(sample_id=calibrated.pk, actor=drawn.inspector2, scores=scores(listening=2))
    quality_inspection_score(sample_id=plain_x.pk, actor=drawn.inspector, scores=scores(listening=3))
    # The other samples stay unscored: not counted.
    quality_inspection_score(
        sample_id=plain_y.pk,
        actor=drawn.inspector,
        scores=dict.fromkeys(DEFAULT_WEIGHTS, 0),
        comment="完全未按流程处理",
    )

    rows = {r.agent_id: r for r in quality_agent_scores(period_start=NOV_1, period_end=NOV_30)}
    assert set(rows) == {x.pk, y.pk}
    row_x = rows[x.pk]
    assert (row_x.cases, row_x.inspections) == (2, 3)
    assert row_x.criteria["listening"].average == 3.0 and row_x.criteria["listening"].count == 3
    assert row_x.criteria["solution"].average == 5.0
    # totals: listening 4 → 97, 2 → 91, 3 → 94; mean 94.
    assert row_x.total_average == 94.0
    assert row_x.agent_name == x.username and row_x.org_unit_id == x.org_unit_id
    row_y = rows[y.pk]
    assert (row_y.cases, row_y.inspections, row_y.total_average) == (1, 1, 0.0)
    assert row_y.criteria["apology"].average == 0.0

    # By unit (the agent's unit subtree) and by period (when the case was closed).
    only_b = quality_agent_scores(period_start=NOV_1, period_end=NOV_30, unit=drawn.store_b)
    assert [r.agent_id for r in only_b] == [drawn.agent_b.pk]
    assert len(quality_agent_scores(period_start=NOV_1, period_end=NOV_30, unit=drawn.branch)) == 2
    assert quality_agent_scores(period_start=NOV_1, period_end=NOV_30, unit=drawn.billing) == []
    assert quality_agent_scores(period_start=dt.date(2026, 12, 1), period_end=dt.date(2026, 12, 31)) == []


def test_every_wrong_score_is_named_with_its_exact_reason(drawn):
    from django.utils import translation

    sample = QaSample.objects.filter(agent=drawn.agent_b).first()
    given = {**scores(accuracy=True, listening=" ", solution="4.5"), "extra": 3}
    del given["apology"]
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as refused:
        quality_inspection_score(sample_id=sample.pk, actor=drawn.inspector, scores=given)
    assert refused.value.fields == {
        "accuracy": ["请填写 0–5 的整数"],
        "listening": ["请为此项评分"],
        "solution": ["请填写 0–5 的整数"],
        "apology": ["请为此项评分"],
        "scores": ["未知的评分项：extra"],
    }


@pytest.mark.parametrize(
    "start, end, seed, expected",
    [
        ("2026-11-01", NOV_30, None, {"period_start": ["请按“年-月-日”填写日期，例如 2026-12-01"]}),
        (
            NOV_1,
            dt.datetime(2026, 11, 30, 8, tzinfo=dt.UTC),
            None,
            {"period_end": ["请按“年-月-日”填写日期，例如 2026-12-01"]},
        ),
        (NOV_30, NOV_1, None, {"period_end": ["结束日期不能早于开始日期"]}),
        (NOV_1, dt.date(2027, 11, 2), None, {"period_end": ["抽检周期不能超过 366 天"]}),
        (NOV_1, NOV_30, "s" * 65, {"seed": ["不能超过 64 个字符（当前 65 个）"]}),
    ],
)
def test_a_draw_is_refused_with_the_reason_beside_its_field(people, start, end, seed, expected):
    from django.utils import translation

    from complaintdesk.quality.models import QaPeriod

    with translation.override("zh-hans"), pytest.raises(InvalidInput) as refused:
        quality_sample_draw(period_start=start, period_end=end, seed=seed)
    assert refused.value.fields == expected
    assert not QaPeriod.objects.exists()
