"""The periodic draw: share and minimum per agent, only the period's closed cases, reproducible with
a seed, never a case twice, calibration slots."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction

from complaintdesk.common.errors import InvalidInput
from complaintdesk.complaints.states import Status
from complaintdesk.quality.models import QaInspection, QaPeriod, QaSample, SamplingPolicy
from complaintdesk.quality.schedule import last_complete_period
from complaintdesk.quality.services import agent_quota, calibration_count, quality_sample_draw

from .conftest import closed_in_november, local

NOV_1, NOV_30 = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


class Rollback(Exception):
    pass


def test_quota_is_the_share_rounded_up_at_least_the_minimum_at_most_all():
    assert agent_quota(closed=100, share_percent=Decimal("5"), minimum=3) == 5
    assert agent_quota(closed=61, share_percent=Decimal("5"), minimum=3) == 4  # 3.05 → 4
    assert agent_quota(closed=40, share_percent=Decimal("5"), minimum=3) == 3  # the minimum
    assert agent_quota(closed=2, share_percent=Decimal("5"), minimum=3) == 2  # fewer than N: all
    assert agent_quota(closed=0, share_percent=Decimal("5"), minimum=3) == 0
    assert calibration_count(drawn=30, calibration_percent=Decimal("10")) == 3
    assert calibration_count(drawn=4, calibration_percent=Decimal("10")) == 1  # at least one
    assert calibration_count(drawn=4, calibration_percent=Decimal("0")) == 0


def test_last_complete_period():
    assert last_complete_period(today=dt.date(2026, 12, 1), length="month") == (NOV_1, NOV_30)
    assert last_complete_period(today=dt.date(2026, 3, 15), length="month") == (
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
    )
    # Wednesday 2026-11-25: last week is Mon 16 – Sun 22.
    assert last_complete_period(today=dt.date(2026, 11, 25), length="week") == (
        dt.date(2026, 11, 16),
        dt.date(2026, 11, 22),
    )


def test_draw_takes_share_with_minimum_per_agent_from_the_periods_closed_cases(org, make_case):
    a_cases = closed_in_november(make_case, org.agent_a, 100)
    b_cases = closed_in_november(make_case, org.agent_b, 2)
    # Not candidates: closed before or after the period (local days), still open, withdrawn, unassigned.
    outside = [
        make_case(org.agent_a, local(2026, 10, 31, 23, 59)),
        make_case(org.agent_a, local(2026, 12, 1, 0, 0)),
        make_case(org.agent_b, local(2026, 11, 5), status=Status.HANDLING),
        make_case(org.agent_b, local(2026, 11, 5), status=Status.WITHDRAWN),
        make_case(None, local(2026, 11, 5)),
    ]
    result = quality_sample_draw(period_start=NOV_1, period_end=NOV_30, seed="s1")

    samples = list(QaSample.objects.all())
    by_agent = {}
    for s in samples:
        by_agent.setdefault(s.agent_id, []).append(s.complaint_id)
    assert len(by_agent[org.agent_a.pk]) == 5  # 5 % of 100
    assert sorted(by_agent[org.agent_b.pk]) == sorted(c.pk for c in b_cases)  # fewer than 3: all
    candidates = {c.pk for c in a_cases + b_cases}
    assert {s.complaint_id for s in samples} <= candidates
    assert not {c.pk for c in outside} & {s.complaint_id for s in samples}
    assert result.drawn == 7 and result.created
    assert result.agents[org.agent_a.pk].closed == 100 and result.agents[org.agent_a.pk].quota == 5
    # The agent's unit is recorded for the scorecards; every sample lands in the pool.
    assert {s.org_unit_id for s in samples if s.agent_id == org.agent_b.pk} == {org.store_b.pk}
    assert (
        QaInspection.objects.filter(inspector__isnull=True, status="pending").count()
        == QaInspection.objects.count()
    )


def test_policy_share_and_minimum_are_configurable(org, make_case):
    SamplingPolicy.objects.create(share_percent=Decimal("20"), minimum_per_agent=1, calibration_percent=0)
    closed_in_november(make_case, org.agent_a, 30)
    closed_in_november(make_case, org.agent_b, 1)
    quality_sample_draw(period_start=NOV_1, period_end=NOV_30, seed=7)
    assert QaSample.objects.filter(agent=org.agent_a).count() == 6
    assert QaSample.objects.filter(agent=org.agent_b).count() == 1
    assert not QaSample.objects.filter(is_calibration=True).exists()
    period = QaPeriod.objects.get()
    assert (period.share_percent, period.minimum_per_agent, period.seed) == (Decimal("20"), 1, "7")


def _drawn_ids(seed) -> set[int]:
    """Draw in a transaction that is rolled back, so another draw can start from the same data."""
    ids: set[int] = set()
    try:
        with transaction.atomic():
            quality_sample_draw(period_start=NOV_1, period_end=NOV_30, seed=seed)
            ids = set(QaSample.objects.values_list("complaint_id", flat=True))
            raise Rollback
    except Rollback:
        pass
    return ids


def test_same_seed_same_sample_other_seed_other_sample(org, make_case):
    closed_in_november(make_case, org.agent_a, 100)
    closed_in_november(make_case, org.agent_b, 60)
    first = _drawn_ids("2026-11")
    assert len(first) == 5 + 3
    assert _drawn_ids("2026-11") == first
    assert _drawn_ids("another seed") != first
    assert not QaSample.objects.exists()


def test_rerun_never_draws_a_case_twice_and_tops_up(org, make_case):
    closed_in_november(make_case, org.agent_a, 60)
    quality_sample_draw(period_start=NOV_1, period_end=NOV_30, seed="x")
    first = set(QaSample.objects.values_list("complaint_id", flat=True))
    assert len(first) == 3

    again = quality_sample_draw(period_start=NOV_1, period_end=NOV_30)  # the stored seed
    assert again.drawn == 0 and not again.created
    assert set(QaSample.objects.values_list("complaint_id", flat=True)) == first

    # More cases closed in the period (the draw ran before it ended): the quota grows, the rerun tops up.
    closed_in_november(make_case, org.agent_a, 40, day=28)
    topped = quality_sample_draw(period_start=NOV_1, period_end=NOV_30, seed="x")
    ids = list(QaSample.objects.values_list("complaint_id", flat=True))
    assert topped.drawn == 2 and len(ids) == len(set(ids)) == 5 and first <= set(ids)
    assert QaPeriod.objects.count() == 1

    # An overlapping period never draws the same case again.
    quality_sample_draw(period_start=dt.date(2026, 11, 10), period_end=dt.date(2026, 11, 12), seed="y")
    ids = list(QaSample.objects.values_list("complaint_id", flat=True))
    assert len(ids) == len(set(ids))


def test_rerun_with_another_seed_is_refused(org, make_case):
    closed_in_november(make_case, org.agent_a, 10)
    quality_sample_draw(period_start=NOV_1, period_end=NOV_30, seed="x")
    with pytest.raises(InvalidInput) as refused:
        quality_sample_draw(period_start=NOV_1, period_end=NOV_30, seed="other")
    assert "seed" in refused.value.fields
    assert QaSample.objects.count() == 3


@pytest.mark.parametrize(
    "start, end, field",
    [
        (NOV_30, NOV_1, "period_end"),
        (dt.date(2025, 1, 1), dt.date(2026, 6, 1), "period_end"),
        ("2026-11-01", NOV_30, "period_start"),
    ],
)
def test_bad_period_is_refused_and_writes_nothing(org, make_case, start, end, field):
    closed_in_november(make_case, org.agent_a, 5)
    with pytest.raises(InvalidInput) as refused:
        quality_sample_draw(period_start=start, period_end=end)
    assert field in refused.value.fields
    assert not QaPeriod.objects.exists() and not QaSample.objects.exists()


def test_calibration_share_gets_a_second_slot(org, make_case):
    SamplingPolicy.objects.create(
        share_percent=Decimal("50"), minimum_per_agent=1, calibration_percent=Decimal("20")
    )
    closed_in_november(make_case, org.agent_a, 20)
    result = quality_sample_draw(period_start=NOV_1, period_end=NOV_30, seed="c")
    assert result.drawn == 10 and result.calibration == 2
    calibrated = QaSample.objects.filter(is_calibration=True)
    assert calibrated.count() == 2
    for sample in calibrated:
        assert sorted(sample.inspections.values_list("slot", flat=True)) == [1, 2]
    assert QaInspection.objects.count() == 12


def test_command_draws_a_period(org, make_case, capsys):
    closed_in_november(make_case, org.agent_a, 4)
    call_command("quality_sample", "--start", "2026-11-01", "--end", "2026-11-30", "--seed", "cmd")
    assert '"drawn": 3' in capsys.readouterr().out
    assert QaSample.objects.count() == 3
