"""Reads: which ladder applies to a case, who holds a level in the case's unit chain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import User
from complaintdesk.common.configcache import config_cached
from complaintdesk.complaints.states import Status
from complaintdesk.orgs.models import OrgUnit
from complaintdesk.sla.models import TimerKind
from complaintdesk.sla.selectors import complaint_running_clocks
from complaintdesk.sla.timers import pass_cached, pass_case_values, pass_values

from .defaults import DEFAULT_LADDER
from .engine import LadderRules, LevelRule
from .models import CaseEscalation, EscalationLadder, EscalationLevel


def _unit_codes(unit: OrgUnit | None) -> list[str]:
    """Codes from the root down to the unit itself."""
    if unit is None:
        return []
    return [code for code in (unit.path or "").split("/") if code] or [unit.code]


def _level_rule(level: EscalationLevel) -> LevelRule:
    return LevelRule(
        position=level.position,
        code=level.code,
        name=level.name,
        name_en=level.name_en,
        holder_role=level.holder_role,
        is_external=level.is_external,
        acknowledge_limit=level.acknowledge_limit,
        resolve_limit=level.resolve_limit,
        resolve_limit_general=level.resolve_limit_general,
        on_acknowledge_breach=level.on_acknowledge_breach,
        on_resolve_breach=level.on_resolve_breach,
        notify_roles=tuple(level.notify_roles or ()),
        fallback_unit_id=level.fallback_unit_id,
    )


def ladder_rules_for(*, unit: OrgUnit | None) -> LadderRules:
    """The ladder of the nearest unit (the unit itself, then its parent …), else the organisation's
    default, else the built-in default ladder. Two queries; none more for the same unit during an SLA
    batch (`sla.timers.pass_cached`)."""
    codes = _unit_codes(unit)
    return pass_cached(("escalation.ladder", tuple(codes)), lambda: _ladder_rules_load(codes))


def _ladder_rules_load(codes: list[str]) -> LadderRules:
    ladders = list(
        EscalationLadder.objects.filter(is_active=True)
        .filter(Q(org_unit__code__in=codes) | Q(org_unit__isnull=True))
        .select_related("org_unit")
        .order_by("id")[:50]
    )
    if not ladders:
        return DEFAULT_LADDER

    def depth(ladder: EscalationLadder) -> int:
        return codes.index(ladder.org_unit.code) + 1 if ladder.org_unit_id else 0

    ladder = max(ladders, key=lambda item: (depth(item), -item.id))
    levels = tuple(
        _level_rule(level) for level in EscalationLevel.objects.filter(ladder=ladder).order_by("position")
    )
    if not levels:
        return DEFAULT_LADDER
    return LadderRules(
        levels=levels,
        reputation_risk_level=ladder.reputation_risk_level,
        batch_level=ladder.batch_level,
        ladder_id=ladder.id,
    )


@dataclass(frozen=True)
class Holder:
    user: User | None
    unit: OrgUnit | None
    missing: bool  # nobody holds the role in the chain: the case waits in `unit`'s queue


def _chain_nearest_first(unit: OrgUnit) -> list[OrgUnit]:
    codes = _unit_codes(unit)
    by_code = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    return [by_code[code] for code in reversed(codes) if code in by_code]


def role_holders_nearest(*, unit: OrgUnit, role: str) -> list[User]:
    """The active users with `role` in the nearest unit of the chain (the unit, its parent, … the root)
    that has any, least loaded (open cases assigned) first. One query for the users. During an SLA batch
    the candidates are read once per unit and role and their loads kept up to date by the batch
    (`holder_taken`), so a burst is still spread over the least loaded."""
    if not role:
        return []
    scratch = pass_values()
    if scratch is None:
        return _role_holders_load(unit=unit, role=role)
    key = ("escalation.holders", unit.pk, role)
    if key not in scratch:
        scratch[key] = _role_holders_load(unit=unit, role=role)
    holders = scratch[key]
    holders.sort(key=lambda u: (u.open_cases, u.id))
    return list(holders)


def holder_taken(*, user: User) -> None:
    """`user` was just given one more open case by the running batch: count it in their load."""
    scratch = pass_values()
    if scratch is None:
        return
    for key, holders in scratch.items():
        if isinstance(key, tuple) and key[0] == "escalation.holders":
            for candidate in holders:
                if candidate.pk == user.pk:
                    candidate.open_cases += 1


def _role_holders_load(*, unit: OrgUnit, role: str) -> list[User]:
    chain = _chain_nearest_first(unit)
    rank = {u.id: index for index, u in enumerate(chain)}
    users = list(
        User.objects.filter(is_active=True, role=role, org_unit_id__in=rank)
        .annotate(open_cases=Count("assigned_complaints", filter=Q(assigned_complaints__is_open=True)))
        .order_by("id")[:200]
    )
    if not users:
        return []
    nearest = min(rank[user.org_unit_id] for user in users)
    return sorted((u for u in users if rank[u.org_unit_id] == nearest), key=lambda u: (u.open_cases, u.id))


def level_holder_find(*, unit: OrgUnit, level: LevelRule) -> Holder:
    holders = role_holders_nearest(unit=unit, role=level.holder_role)
    if holders:
        return Holder(user=holders[0], unit=holders[0].org_unit, missing=False)
    fallback = (
        pass_cached(
            ("escalation.unit", level.fallback_unit_id),
            lambda: OrgUnit.objects.filter(pk=level.fallback_unit_id).first(),
        )
        if level.fallback_unit_id
        else None
    )
    return Holder(user=None, unit=fallback or unit, missing=True)


def users_to_notify(*, unit: OrgUnit, roles: tuple[str, ...]) -> list[User]:
    found: dict[int, User] = {}
    for role in roles:
        for user in role_holders_nearest(unit=unit, role=role):
            found.setdefault(user.id, user)
    return list(found.values())


# A result has been given to the customer in these states: they may object to it (有异议), to an agent on
# the phone (the case page's form, `complaint_object`) or on the portal.
OBJECTION_STATUSES = frozenset({Status.AWAITING_CUSTOMER, Status.RESOLVED, Status.FOLLOW_UP, Status.CLOSED})


def objection_offered(*, complaint) -> bool:
    """Whether staff are offered to register the customer's objection to the result of `complaint`."""
    return complaint.status in OBJECTION_STATUSES


STATE_KEY = "escalation.state"


def case_escalation_for(*, complaint_id: int, for_update: bool = False) -> CaseEscalation | None:
    """The case's escalation row. During an SLA batch, the instance the batch read for all its cases
    (`case_escalations_load`) and every step of the case's handling shares and saves: the case is locked
    by the batch, so nobody else changes it meanwhile."""
    scratch = pass_case_values(complaint_id)
    if scratch is not None and STATE_KEY in scratch:
        return scratch[STATE_KEY]
    rows = CaseEscalation.objects.filter(complaint_id=complaint_id)
    if for_update:
        rows = rows.select_for_update()
    state = rows.first()
    if scratch is not None:
        scratch[STATE_KEY] = state
    return state


def case_escalation_kept(state: CaseEscalation) -> None:
    """A row just created for a case during an SLA batch: the one its later steps read."""
    scratch = pass_case_values(state.complaint_id)
    if scratch is not None:
        scratch[STATE_KEY] = state


def case_escalations_load(timers: list) -> None:
    """The start of an SLA batch (sla.timers.batch_start_register): the escalation rows of all its cases
    (locked by the batch) in one query."""
    ids = [t.complaint_id for t in timers]
    found = {row.complaint_id: row for row in CaseEscalation.objects.filter(complaint_id__in=ids)}
    for pk in ids:
        scratch = pass_case_values(pk)
        if scratch is not None:
            scratch[STATE_KEY] = found.get(pk)


def stored_level_name_for_people(name: str) -> str:
    """A level's name as a case's escalation row stores it (Chinese), in the language of the request."""
    if name and (get_language() or "").startswith("en"):
        return level_names().get(name) or name
    return name


def level_name_for_people(level: LevelRule | None, *, fallback: str = "") -> str:
    """A level's name in the language of the request (the English name where the ladder has one)."""
    if level is None:
        return fallback
    return level.name_en if (get_language() or "").startswith("en") and level.name_en else level.name


def level_name_in_sentence(name: str, *, language: str) -> str:
    """A level's name as running text says it to a customer. English: with "the" and, unless its first word is
    an abbreviation ("HQ", "VP"), without the capital the name has alone ("Business manager" → "the business
    manager": "now with the business manager", never "with Business manager"). Chinese, or a name not in
    Latin letters (a ladder without an English name): as it is. Pure."""
    name = " ".join((name or "").split())
    if not (language or "").lower().startswith("en") or not name[:1].isascii() or not name[:1].isalpha():
        return name
    first, _space, rest = name.partition(" ")
    if first.lower() == "the":
        return f"the {rest}".strip()
    if not (len(first) > 1 and first.isupper()):
        name = name[0].lower() + name[1:]
    return f"the {name}"


@dataclass(frozen=True)
class RunningClock:
    kind: str
    label: str  # for people: "业务经理解决时限", "首次响应时限"
    level: int | None
    level_name: str
    started_at: dt.datetime
    due_at: dt.datetime
    warned: bool
    provisional: bool


@dataclass(frozen=True)
class CaseLadder:
    """Where a case stands on its ladder, for the case page and the API."""

    state: CaseEscalation | None
    level: int
    level_code: str
    level_name: str
    clocks: list[RunningClock]
    escalate_to: list[LevelRule]  # the levels staff may send it to (higher, inside the organisation)
    # The case is no longer worked (resolved, in follow-up, archived, withdrawn): the level it reached is
    # history and its clocks are spent, never deadlines still to meet.
    finished: bool = False


def _clock_for_people(timer, ladder: LadderRules) -> RunningClock:
    level = None
    level_name = ""
    if timer.kind in (TimerKind.LEVEL_ACKNOWLEDGE, TimerKind.LEVEL_RESOLVE):
        subject = timer.subject or ""
        level = int(subject[1:]) if subject[1:].isdigit() else None
        level_name = level_name_for_people(ladder.level(level) if level is not None else None)
        label = (_("%(level)s告知客户时限") if timer.kind == TimerKind.LEVEL_ACKNOWLEDGE else _("%(level)s解决时限")) % {
            "level": level_name}  # fmt: skip
    else:
        kind = TimerKind(timer.kind).label if timer.kind in TimerKind.values else _("其他")
        label = _("%(clock)s时限") % {"clock": kind}
    return RunningClock(
        kind=timer.kind,
        label=label,
        level=level,
        level_name=level_name,
        started_at=timer.started_at,
        due_at=timer.due_at,
        warned=timer.warned_at is not None,
        provisional=timer.provisional,
    )


def _fresh_case_ladder(complaint) -> CaseLadder:
    """A case taken in by this very request (complaints.services.complaint_create marks it): it sits at the
    front line with no escalation row, and its running clocks are the deadlines just computed. Answered
    without a query: intake is the busiest path there is (tasks/tests/test_after_intake counts them)."""
    deadlines = (
        (TimerKind.FIRST_RESPONSE, complaint.first_response_due_at),
        (TimerKind.ACKNOWLEDGE, complaint.acknowledge_due_at),
        (TimerKind.RESOLUTION, complaint.resolution_due_at),
    )
    clocks = sorted(
        (
            RunningClock(
                kind=kind,
                label=_("%(clock)s时限") % {"clock": TimerKind(kind).label},
                level=None,
                level_name="",
                started_at=complaint.received_at,
                due_at=due_at,
                warned=False,
                provisional=complaint.deadline_provisional,
            )
            for kind, due_at in deadlines
            if due_at is not None
        ),
        key=lambda clock: clock.due_at,
    )
    return CaseLadder(state=None, level=0, level_code="", level_name="", clocks=clocks, escalate_to=[])


def case_ladder_for(*, complaint) -> CaseLadder:
    """The case's level, holder and the clocks running now (the level's, once it has been handed up)."""
    if getattr(complaint, "created_event", None) is not None:
        return _fresh_case_ladder(complaint)
    state = case_escalation_for(complaint_id=complaint.pk)
    ladder = ladder_rules_for(unit=complaint.org_unit)
    position = state.level_position if state else 0
    current = ladder.level(position)
    clocks = [
        _clock_for_people(timer, ladder) for timer in complaint_running_clocks(complaint_id=complaint.pk)
    ]
    targets = (
        [lv for lv in ladder.levels if lv.position > position and not lv.is_external]
        if complaint.is_open
        else []
    )
    return CaseLadder(
        state=state,
        level=position,
        level_code=current.code if current else (state.level_code if state else ""),
        level_name=level_name_for_people(current, fallback=state.level_name if state else ""),
        clocks=clocks,
        escalate_to=targets,
        finished=not complaint.is_open,
    )


LEVEL_NAMES_AREA = "escalation-levels"  # common.configcache: changed whenever a level is saved or deleted


def level_names() -> dict[str, str]:
    """{name: English name} of the escalation levels (the built-in ladder's and every configured one's),
    the same dict while they are unchanged: a level named on the timeline (升级层级 一线客服 → 业务经理, or in
    a stored reason) is shown in the reader's language (common.catalogue_text)."""
    return config_cached(LEVEL_NAMES_AREA, "names", _level_names_load)


def _level_names_load() -> dict[str, str]:
    names = {level.name: level.name_en for level in DEFAULT_LADDER.levels if level.name_en}
    names.update(EscalationLevel.objects.exclude(name_en="").values_list("name", "name_en"))
    return names
