"""The escalation engine. Pure: the case's plain facts, the ladder, what happened and the time in;
the steps to take out. `escalation.services` applies the steps (atomically, audited); nothing here
reads or writes the database.

What happened is one of: a clock's warning point or due time passed (from a durable timer), the
customer objects to the result (有异议), someone escalates by hand, a reputation-risk or batch flag
was raised, or a higher level hands the case back with instructions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

NONE, NOTIFY, ESCALATE = "none", "notify", "escalate"

# Which of a level's two limits a clock belongs to. Position 0 runs on the SLA policy's clocks.
ACKNOWLEDGE_CLOCKS = frozenset({"first_response", "acknowledge", "level_acknowledge"})
RESOLVE_CLOCKS = frozenset({"resolution", "level_resolve"})


@dataclass(frozen=True)
class LevelRule:
    position: int
    code: str
    name: str
    holder_role: str = ""
    is_external: bool = False
    acknowledge_limit: str = ""  # "" = the SLA policy's level_acknowledge
    resolve_limit: str = ""  # "" = the SLA policy's level_resolve
    resolve_limit_general: str = ""  # "" = resolve_limit
    on_acknowledge_breach: str = NOTIFY
    on_resolve_breach: str = ESCALATE
    notify_roles: tuple[str, ...] = ()
    name_en: str = ""
    fallback_unit_id: int | None = None


@dataclass(frozen=True)
class LadderRules:
    levels: tuple[LevelRule, ...]
    reputation_risk_level: int | None = None
    batch_level: int | None = None
    ladder_id: int | None = None

    def level(self, position: int) -> LevelRule | None:
        return next((level for level in self.levels if level.position == position), None)

    def next_above(self, position: int) -> LevelRule | None:
        higher = [level for level in self.levels if level.position > position]
        return min(higher, key=lambda level: level.position) if higher else None

    def next_below(self, position: int) -> LevelRule | None:
        lower = [level for level in self.levels if level.position < position]
        return max(lower, key=lambda level: level.position) if lower else None


@dataclass(frozen=True)
class CaseFacts:
    level: int
    is_open: bool
    reputation_risk: bool = False
    is_batch: bool = False
    reputation_risk_handled: bool = False
    batch_handled: bool = False


# --- what happened ---


@dataclass(frozen=True)
class ClockWarning:
    clock: str
    level: int
    due_at: dt.datetime


@dataclass(frozen=True)
class ClockBreach:
    clock: str
    level: int
    due_at: dt.datetime


@dataclass(frozen=True)
class Objection:
    reason: str


@dataclass(frozen=True)
class ManualEscalation:
    reason: str
    to_level: int | None = None


@dataclass(frozen=True)
class FlagsRaised:
    pass


@dataclass(frozen=True)
class HandBackRequest:
    instructions: str
    to_level: int | None = None


Trigger = ClockWarning | ClockBreach | Objection | ManualEscalation | FlagsRaised | HandBackRequest

# --- what to do ---


@dataclass(frozen=True)
class Warn:
    """Tell the holder a clock is close to its end."""

    clock: str
    level: int
    due_at: dt.datetime


@dataclass(frozen=True)
class Notify:
    """Tell the holder (when `include_holder`) and the nearest holders of `roles` in the case's unit chain."""

    what: str  # "breach" | "risk_flag"
    roles: tuple[str, ...]
    include_holder: bool = True
    clock: str = ""
    due_at: dt.datetime | None = None


@dataclass(frozen=True)
class Escalate:
    to_level: int
    holder_role: str
    trigger: str  # HandOffTrigger value
    reason: str = ""
    clock: str = ""
    external: bool = False


@dataclass(frozen=True)
class HandBack:
    to_level: int
    holder_role: str
    instructions: str


@dataclass(frozen=True)
class MarkFlagsHandled:
    reputation_risk: bool
    batch: bool


@dataclass(frozen=True)
class Refused:
    """The request cannot be carried out; `code` names why (the service words the message)."""

    code: str  # "at_top" | "not_higher" | "no_such_level" | "at_bottom" | "not_lower" | "closed" | "external"


Step = Warn | Notify | Escalate | HandBack | MarkFlagsHandled | Refused


def decide(*, case: CaseFacts, ladder: LadderRules, trigger: Trigger, now: dt.datetime) -> list[Step]:
    if isinstance(trigger, ClockWarning):
        return _on_warning(case, trigger, now)
    if isinstance(trigger, ClockBreach):
        return _on_breach(case, ladder, trigger, now)
    if isinstance(trigger, Objection):
        return _up_one(case, ladder, trigger="objection", reason=trigger.reason)
    if isinstance(trigger, ManualEscalation):
        return _manual(case, ladder, trigger)
    if isinstance(trigger, FlagsRaised):
        return _on_flags(case, ladder)
    if isinstance(trigger, HandBackRequest):
        return _hand_back(case, ladder, trigger)
    raise TypeError(f"unknown trigger {trigger!r}")


def _on_warning(case: CaseFacts, trigger: ClockWarning, now: dt.datetime) -> list[Step]:
    # A clock of a level the case has left, or of a case no longer open, warns nobody.
    if not case.is_open or trigger.level != case.level or now >= trigger.due_at:
        return []
    return [Warn(clock=trigger.clock, level=trigger.level, due_at=trigger.due_at)]


def _on_breach(case: CaseFacts, ladder: LadderRules, trigger: ClockBreach, now: dt.datetime) -> list[Step]:
    if not case.is_open or trigger.level != case.level or now < trigger.due_at:
        return []
    level = ladder.level(case.level)
    if level is None:
        return []
    action = level.on_acknowledge_breach if trigger.clock in ACKNOWLEDGE_CLOCKS else level.on_resolve_breach
    if action == ESCALATE:
        above = ladder.next_above(case.level)
        # Going outside is the customer's step, never an automatic one: at the top internal level a
        # breach is told to the people who must know instead.
        if above is not None and not above.is_external:
            return [
                Escalate(
                    to_level=above.position,
                    holder_role=above.holder_role,
                    trigger="breach",
                    clock=trigger.clock,
                )
            ]
        action = NOTIFY
    if action == NOTIFY:
        return [Notify(what="breach", roles=level.notify_roles, clock=trigger.clock, due_at=trigger.due_at)]
    return []


def _escalate_to(level: LevelRule, *, trigger: str, reason: str) -> Escalate:
    return Escalate(
        to_level=level.position,
        holder_role=level.holder_role,
        trigger=trigger,
        reason=reason,
        external=level.is_external,
    )


def _up_one(case: CaseFacts, ladder: LadderRules, *, trigger: str, reason: str) -> list[Step]:
    above = ladder.next_above(case.level)
    if above is None:
        return [Refused("at_top")]
    return [_escalate_to(above, trigger=trigger, reason=reason)]


def _manual(case: CaseFacts, ladder: LadderRules, trigger: ManualEscalation) -> list[Step]:
    # Staff move a case up inside the organisation; the customer going outside is an external referral.
    if not case.is_open:
        return [Refused("closed")]
    if trigger.to_level is None:
        above = ladder.next_above(case.level)
        if above is None:
            return [Refused("at_top")]
        if above.is_external:
            return [Refused("external")]
        return [_escalate_to(above, trigger="manual", reason=trigger.reason)]
    target = ladder.level(trigger.to_level)
    if target is None:
        return [Refused("no_such_level")]
    if target.position <= case.level:
        return [Refused("not_higher")]
    if target.is_external:
        return [Refused("external")]
    return [_escalate_to(target, trigger="manual", reason=trigger.reason)]


def _on_flags(case: CaseFacts, ladder: LadderRules) -> list[Step]:
    risk = case.reputation_risk and not case.reputation_risk_handled
    batch = case.is_batch and not case.batch_handled
    if not (risk or batch):
        return []
    steps: list[Step] = [MarkFlagsHandled(reputation_risk=risk, batch=batch)]
    if not case.is_open:
        return steps
    targets = [
        position
        for raised, position in ((risk, ladder.reputation_risk_level), (batch, ladder.batch_level))
        if raised and position is not None and ladder.level(position) is not None
    ]
    target = ladder.level(max(targets)) if targets else None
    reason = "+".join(name for raised, name in ((risk, "reputation_risk"), (batch, "batch")) if raised)
    if target is not None and target.position > case.level and not target.is_external:
        steps.append(_escalate_to(target, trigger="risk_flag", reason=reason))
    else:
        steps.append(Notify(what="risk_flag", roles=target.notify_roles if target else ()))
    return steps


def _hand_back(case: CaseFacts, ladder: LadderRules, trigger: HandBackRequest) -> list[Step]:
    if trigger.to_level is None:
        target = ladder.next_below(case.level)
        if target is None:
            return [Refused("at_bottom")]
    else:
        target = ladder.level(trigger.to_level)
        if target is None:
            return [Refused("no_such_level")]
        if target.position >= case.level:
            return [Refused("not_lower")]
    return [
        HandBack(to_level=target.position, holder_role=target.holder_role, instructions=trigger.instructions)
    ]
