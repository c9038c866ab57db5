"""Statutory due dates of a deadline pack. Pure: plain values in, plain values out (no ORM, no settings).

A pack's rule is a period of `amount` units (日 calendar days, 工作日 working days, 月 months, 年 years)
that starts at an anchor (the day the complaint was received, the day the decision was made, the day the
disputed matter occurred). How the period is counted follows the Civil Code's rules on periods
(《民法典》第二百零一条至第二百零三条), as fields of each rule because a regulation may say otherwise:

- `counts_from_next_day`: the anchor day itself is not counted, the period starts the next day (第二百零一条);
- `extend_if_ends_on_holiday`: a period whose last day is not a working day ends on the next working day
  (第二百零三条: 法定休假日; here "not a working day on the unit's calendar", so a 调休 Saturday counts as
  a working day and a closure counts as a holiday);
- 工作日 are counted on the unit's working calendar (`calendars.workdays.WorkCalendar.is_working_day`);
- 月 / 年: the corresponding day of the final month is the last day, or that month's last day if it has
  none (第二百零二条).

A period ends at the end of its last day (24:00 local time): `due_at` is the next local midnight in UTC.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from complaintdesk.calendars.workdays import WorkCalendar

ONE_DAY = dt.timedelta(days=1)


class Clock(StrEnum):
    DECISION = "decision"  # 作出处理决定 / 办结
    ANSWER = "answer"  # 答复用户
    REPORT_BACK = "report_back"  # 向转办机构回复
    REVIEW_WINDOW = "review_window"  # 投诉人申请核查的期限
    APPEAL_WINDOW = "appeal_window"  # 向监管申诉的期限


class Unit(StrEnum):
    CALENDAR_DAYS = "day"  # 日
    WORKING_DAYS = "workday"  # 工作日
    MONTHS = "month"  # 月
    YEARS = "year"  # 年


class Anchor(StrEnum):
    RECEIVED = "received"  # 收到投诉（或转办）之日
    DECIDED = "decided"  # 作出处理决定之日（投诉人收到决定之日）
    OCCURRED = "occurred"  # 争议事项发生之日


class Condition(StrEnum):
    ALL = "all"
    GENERAL = "general"  # 一般案件
    COMPLEX = "complex"  # 情况复杂的案件
    FEE_DISPUTE = "fee_dispute"  # 收费争议
    OTHER_DISPUTE = "other_dispute"  # 其他争议
    FORWARDED = "forwarded"  # 监管或热线转办的案件


@dataclass(frozen=True)
class RuleTerms:
    clock: Clock
    amount: int
    unit: Unit
    condition: Condition = Condition.ALL
    anchor: Anchor = Anchor.RECEIVED
    counts_from_next_day: bool = True
    extend_if_ends_on_holiday: bool = True
    # Extension (only where the regulation allows one): each approved extension adds up to
    # `extension_amount` units, the whole period never longer than `extension_max_total`; only a person of
    # `extension_approver_role` may approve it, and only after the complainant was told if `extension_notice`.
    extension_amount: int = 0
    extension_max_total: int = 0
    extension_approver_role: str = ""
    extension_notice: bool = False

    @property
    def extendable(self) -> bool:
        return self.extension_amount > 0


@dataclass(frozen=True)
class PackTerms:
    code: str
    version: int
    rules: tuple[RuleTerms, ...]


@dataclass(frozen=True)
class CaseFacts:
    """What the pack's rules depend on. Times are aware datetimes; None = not (yet) known."""

    received_at: dt.datetime
    complexity: str = "general"  # complaints.Complexity: "general" | "complex"
    fee_dispute: bool | None = None  # None: unknown, both appeal windows are shown
    forwarded: bool = False
    decided_at: dt.datetime | None = None
    occurred_at: dt.datetime | None = None


@dataclass(frozen=True)
class ExtensionGrant:
    """An approved extension: how much, approved by a person of which role, complainant told or not."""

    amount: int
    approver_role: str
    customer_notified: bool


@dataclass(frozen=True)
class StatutoryDue:
    clock: Clock
    condition: Condition
    rule: RuleTerms
    last_day: dt.date  # the last day of the period, local
    due_at: dt.datetime  # end of the last day (next local midnight), UTC
    amount: int  # the period actually applied, in the rule's unit (base + extensions)
    extended_by: int
    provisional: bool  # a day inspected lies in a year without official calendar data


class ExtensionRefused(ValueError):
    """The extension does not meet the rule. `reason` is a stable code, the message says it in words."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def _applies(condition: Condition, facts: CaseFacts) -> bool:
    if condition is Condition.ALL:
        return True
    if condition is Condition.GENERAL:
        return facts.complexity != "complex"
    if condition is Condition.COMPLEX:
        return facts.complexity == "complex"
    if condition is Condition.FEE_DISPUTE:
        return facts.fee_dispute is not False
    if condition is Condition.OTHER_DISPUTE:
        return facts.fee_dispute is not True
    if condition is Condition.FORWARDED:
        return facts.forwarded
    return False


def rules_for(pack: PackTerms, facts: CaseFacts) -> list[RuleTerms]:
    """The rules that apply to the case: per clock the specific ones (complex, forwarded, …) that match,
    else the general one. Both appeal windows stay when it is unknown whether the dispute is about fees."""
    chosen: list[RuleTerms] = []
    for clock in Clock:
        matching = [rule for rule in pack.rules if rule.clock is clock and _applies(rule.condition, facts)]
        specific = [rule for rule in matching if rule.condition is not Condition.ALL]
        chosen.extend(specific or matching)
    return chosen


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def last_day_of_period(
    *, anchor_day: dt.date, amount: int, unit: Unit, rule: RuleTerms, calendar: WorkCalendar
) -> tuple[dt.date, bool]:
    """The last day of a period of `amount` `unit`s from `anchor_day`, and whether it is provisional."""
    if amount < 0:
        raise ValueError(f"a period is never negative, got {amount}")
    provisional = calendar.is_provisional(anchor_day)
    if unit is Unit.WORKING_DAYS:
        day = anchor_day if rule.counts_from_next_day else anchor_day - ONE_DAY
        counted = 0
        while counted < amount:
            day += ONE_DAY
            provisional = provisional or calendar.is_provisional(day)
            if calendar.is_working_day(day):
                counted += 1
        return day, provisional
    if unit is Unit.CALENDAR_DAYS:
        last = anchor_day + amount * ONE_DAY - (dt.timedelta(0) if rule.counts_from_next_day else ONE_DAY)
    else:
        months = amount * (12 if unit is Unit.YEARS else 1)
        # 第二百零二条: the corresponding day of the final month; counted from the day itself, one day less.
        last = _add_months(anchor_day, months) - (dt.timedelta(0) if rule.counts_from_next_day else ONE_DAY)
    if rule.extend_if_ends_on_holiday:
        provisional = provisional or calendar.is_provisional(last)
        while not calendar.is_working_day(last):
            last += ONE_DAY
            provisional = provisional or calendar.is_provisional(last)
    return last, provisional


def check_extension(
    rule: RuleTerms, base_amount: int, extensions: tuple[ExtensionGrant, ...], facts: CaseFacts
) -> int:
    """The total extension allowed for `rule`; ExtensionRefused when any grant breaks the rule."""
    if not extensions:
        return 0
    if not rule.extendable:
        raise ExtensionRefused("not_extendable", "this deadline cannot be extended")
    if facts.complexity != "complex":
        raise ExtensionRefused("not_complex", "only a complex case can be extended")
    total = 0
    for grant in extensions:
        if grant.amount <= 0:
            raise ExtensionRefused("amount", "an extension is a positive number of days")
        if grant.amount > rule.extension_amount:
            raise ExtensionRefused("amount", f"one extension adds at most {rule.extension_amount}")
        if not grant.approver_role or grant.approver_role != rule.extension_approver_role:
            raise ExtensionRefused("approver", f"needs approval by {rule.extension_approver_role}")
        if rule.extension_notice and not grant.customer_notified:
            raise ExtensionRefused("notice", "the complainant must be told of the extension")
        total += grant.amount
    if base_amount + total > rule.extension_max_total:
        raise ExtensionRefused("cap", f"at most {rule.extension_max_total} in all")
    return total


def statutory_due_dates(
    *,
    pack: PackTerms,
    facts: CaseFacts,
    calendar: WorkCalendar,
    extensions: tuple[ExtensionGrant, ...] = (),
) -> list[StatutoryDue]:
    """Each of the pack's clocks that applies to the case and whose anchor is known, in clock order.

    `extensions` apply to the extendable decision clock; ExtensionRefused if they break its rule (wrong
    approver role, complainant not told, over the cap, case not complex)."""
    anchors = {
        Anchor.RECEIVED: facts.received_at,
        Anchor.DECIDED: facts.decided_at,
        Anchor.OCCURRED: facts.occurred_at,
    }
    for name, value in anchors.items():
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise ValueError(f"{name} time must be aware, got {value!r}")
    chosen = rules_for(pack, facts)
    if extensions and not any(rule.extendable for rule in chosen):
        if any(rule.extendable for rule in pack.rules):
            raise ExtensionRefused("not_complex", "only a complex case can be extended")
        raise ExtensionRefused("not_extendable", "this pack allows no extension")
    dues: list[StatutoryDue] = []
    for rule in chosen:
        anchor = anchors[rule.anchor]
        if anchor is None:
            continue
        extended_by = check_extension(rule, rule.amount, extensions, facts) if rule.extendable else 0
        amount = rule.amount + extended_by
        anchor_day = anchor.astimezone(calendar.tz).date()
        last, provisional = last_day_of_period(
            anchor_day=anchor_day, amount=amount, unit=rule.unit, rule=rule, calendar=calendar
        )
        due_at = dt.datetime.combine(last + ONE_DAY, dt.time(0), tzinfo=calendar.tz).astimezone(dt.UTC)
        dues.append(
            StatutoryDue(
                clock=rule.clock,
                condition=rule.condition,
                rule=rule,
                last_day=last,
                due_at=due_at,
                amount=amount,
                extended_by=extended_by,
                provisional=provisional,
            )
        )
    return dues
