"""Compensation authority and approval routing. Pure: plain values in, plain values out.

A person may grant compensation when, with the new amount, the case's total stays within their
per-case limit and what they have authorised this month stays within their per-month limit. Above
either, the proposal goes to the nearest level above the proposer on the case's escalation ladder
whose holder's authority covers it (normally the next level).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

PER_CASE = "per_case"
PER_MONTH = "per_month"


@dataclass(frozen=True)
class Authority:
    per_case: Decimal | None  # None: no limit
    per_month: Decimal | None
    approval_limit: str = "1wd"


NO_AUTHORITY = Authority(per_case=Decimal(0), per_month=Decimal(0))


def authority_of(table: dict[str, Authority], role: str) -> Authority:
    """A role's authority from the table; a role without an entry may grant nothing."""
    return table.get(role, NO_AUTHORITY)


@dataclass(frozen=True)
class Exposure:
    """What already counts: the case's compensation (ledger and open proposals, this one excluded) and
    what the person has authorised this month (ledger and open proposals)."""

    case_total: Decimal = Decimal(0)
    month_total: Decimal = Decimal(0)


@dataclass(frozen=True)
class Excess:
    limit: str  # PER_CASE | PER_MONTH
    allowed: Decimal
    would_be: Decimal


def authority_excess(*, amount: Decimal, authority: Authority, exposure: Exposure) -> list[Excess]:
    """The limits `amount` would break; empty when it is within the person's authority. Nothing (0) is
    always within authority: an apology needs nobody's approval."""
    if amount <= 0:
        return []
    found = []
    if authority.per_case is not None and exposure.case_total + amount > authority.per_case:
        found.append(
            Excess(limit=PER_CASE, allowed=authority.per_case, would_be=exposure.case_total + amount)
        )
    if authority.per_month is not None and exposure.month_total + amount > authority.per_month:
        found.append(
            Excess(limit=PER_MONTH, allowed=authority.per_month, would_be=exposure.month_total + amount)
        )
    return found


@dataclass(frozen=True)
class Rung:
    """A level of the ladder as routing sees it: its position, its holder's role and that role's authority."""

    position: int
    role: str
    authority: Authority
    is_external: bool = False


def approval_level(*, rungs: list[Rung], above: int, amount: Decimal, case_total: Decimal) -> Rung | None:
    """The level that approves: the nearest internal level above position `above` whose authority covers
    the case's total with `amount` per case (its month is checked when it decides), else the highest
    internal level above. None when there is no internal level above."""
    candidates = sorted(
        (r for r in rungs if r.position > above and not r.is_external and r.role), key=lambda r: r.position
    )
    for rung in candidates:
        if rung.authority.per_case is None or case_total + amount <= rung.authority.per_case:
            return rung
    return candidates[-1] if candidates else None


def proposer_position(*, rungs: list[Rung], role: str, case_level: int) -> int:
    """Where the proposer stands: the highest level their role holds, or the case's level when their
    role holds none (e.g. a supervisor)."""
    held = [r.position for r in rungs if r.role == role and not r.is_external]
    return max(held) if held else case_level
