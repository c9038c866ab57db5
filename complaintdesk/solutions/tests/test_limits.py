"""The pure rules: authority per case and per month, and which level approves."""

from decimal import Decimal

from complaintdesk.solutions.limits import (
    PER_CASE,
    PER_MONTH,
    Authority,
    Exposure,
    Rung,
    approval_level,
    authority_excess,
    proposer_position,
)

AGENT = Authority(per_case=Decimal(200), per_month=Decimal(2000))
MANAGER = Authority(per_case=Decimal(1000), per_month=Decimal(20000))
HEAD = Authority(per_case=Decimal(5000), per_month=Decimal(100000))
EXEC = Authority(per_case=None, per_month=None)
RUNGS = [
    Rung(0, "agent", AGENT),
    Rung(1, "business_manager", MANAGER),
    Rung(2, "branch_head", HEAD),
    Rung(4, "executive", EXEC),
    Rung(5, "", EXEC, is_external=True),
]


def test_within_both_limits_needs_nobody():
    assert authority_excess(amount=Decimal(200), authority=AGENT, exposure=Exposure()) == []
    assert (
        authority_excess(amount=Decimal(0), authority=Authority(Decimal(0), Decimal(0)), exposure=Exposure())
        == []
    )


def test_the_case_total_counts_what_was_granted_before():
    [excess] = authority_excess(
        amount=Decimal(60), authority=AGENT, exposure=Exposure(case_total=Decimal(150))
    )
    assert (excess.limit, excess.allowed, excess.would_be) == (PER_CASE, Decimal(200), Decimal(210))


def test_the_month_total_counts_the_persons_other_cases():
    [excess] = authority_excess(
        amount=Decimal(100), authority=AGENT, exposure=Exposure(month_total=Decimal(1950))
    )
    assert (excess.limit, excess.would_be) == (PER_MONTH, Decimal(2050))


def test_both_limits_can_be_exceeded_and_no_limit_means_none():
    both = authority_excess(
        amount=Decimal(500), authority=AGENT, exposure=Exposure(month_total=Decimal(1900))
    )
    assert [e.limit for e in both] == [PER_CASE, PER_MONTH]
    assert authority_excess(amount=Decimal("1e9"), authority=EXEC, exposure=Exposure()) == []


def test_approval_goes_to_the_next_level_that_covers_the_amount():
    assert approval_level(rungs=RUNGS, above=0, amount=Decimal(500), case_total=Decimal(0)).position == 1
    # The manager may grant 1,000 per case: 3,000 goes past them to the branch head.
    assert approval_level(rungs=RUNGS, above=0, amount=Decimal(3000), case_total=Decimal(0)).position == 2
    assert approval_level(rungs=RUNGS, above=0, amount=Decimal(900), case_total=Decimal(200)).position == 2
    assert approval_level(rungs=RUNGS, above=1, amount=Decimal(3000), case_total=Decimal(0)).position == 2
    # Beyond every limit: the highest internal level, never the external bodies.
    assert approval_level(rungs=RUNGS, above=0, amount=Decimal(10**8), case_total=Decimal(0)).position == 4
    assert approval_level(rungs=RUNGS, above=4, amount=Decimal(10), case_total=Decimal(0)) is None


def test_the_proposer_stands_at_the_level_their_role_holds():
    assert proposer_position(rungs=RUNGS, role="agent", case_level=2) == 0
    assert proposer_position(rungs=RUNGS, role="business_manager", case_level=0) == 1
    assert proposer_position(rungs=RUNGS, role="supervisor", case_level=2) == 2
