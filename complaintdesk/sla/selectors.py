"""Which policy applies to a case.

Cached per process (common.configcache, area "sla"): policies and the unit tree are watched
(apps.py), so an administrator's edit is seen by the next request of every process.
"""

import datetime as dt

from django.db.models import Q

from complaintdesk.calendars.selectors import calendar_for_unit
from complaintdesk.calendars.workdays import WorkCalendar
from complaintdesk.common.configcache import config_cached
from complaintdesk.orgs.models import OrgUnit

from .deadlines import RESOLUTION, PolicyTerms, clocks_of_kind
from .durations import due_after, parse_duration
from .models import LIVE_TIMER_STATES, SlaPolicy, SlaTimer
from .timers import pass_cached

TERM_FIELDS = (
    "first_response_major",
    "first_response_general",
    "resolution_general",
    "resolution_complex",
    "acknowledge",
)
CACHE_AREA = "sla"


def sla_policy_for(*, unit: OrgUnit | None, category_id: int | None) -> SlaPolicy:
    """The most specific policy: nearest unit first, a category-specific row before a general one
    at the same unit; the organisation default last. An unsaved default if nothing is configured.
    From this process's cache while no policy (nor the unit tree) has changed: the instance is
    shared, read it only."""
    codes = tuple(c for c in unit.path.split("/") if c) if unit else ()
    return pass_cached(
        ("sla.policy", codes, category_id),
        lambda: config_cached(
            CACHE_AREA, (codes, category_id), lambda: sla_policy_load(codes=codes, category_id=category_id)
        ),
    )


def unit_calendar(*, unit: OrgUnit | None) -> WorkCalendar:
    """`calendars.selectors.calendar_for_unit`, read once per unit during an SLA batch (the per-process
    cache checks its token with a query on every call outside a request)."""
    return pass_cached(("sla.calendar", unit.path if unit else None), lambda: calendar_for_unit(unit=unit))


def sla_policy_load(*, codes: tuple[str, ...], category_id: int | None) -> SlaPolicy:
    """`sla_policy_for` from the database, for the unit whose ancestor codes (root first) are `codes`."""
    rows = list(
        SlaPolicy.objects.filter(Q(org_unit__code__in=codes) | Q(org_unit__isnull=True))
        .filter(Q(category_id=category_id) | Q(category__isnull=True))
        .select_related("org_unit")
        .order_by("id")[:200]
    )

    def specificity(policy: SlaPolicy) -> tuple[int, int]:
        depth = codes.index(policy.org_unit.code) + 1 if policy.org_unit_id else 0
        return depth, 1 if policy.category_id else 0

    return max(rows, key=specificity) if rows else SlaPolicy(name="default")


def policy_terms(policy: SlaPolicy) -> PolicyTerms:
    return PolicyTerms(**{name: getattr(policy, name) for name in TERM_FIELDS})


def resolution_due_if_reopened(*, complaint, at: dt.datetime) -> dt.datetime | None:
    """When a case that is no longer being worked on (resolved, in follow-up, archived) would have to be
    resolved again if it were reopened at `at`: reopening restarts the resolution clock (services: the
    latest reopening starts it), on the case's policy and its unit's calendar. What a follow-up call may
    promise a customer who is not satisfied; the case's own resolution deadline is spent by then. None for a
    contact type without a resolution clock."""
    if RESOLUTION not in clocks_of_kind(complaint.kind):
        return None
    terms = policy_terms(sla_policy_for(unit=complaint.org_unit, category_id=complaint.category_id))
    return due_after(
        start=at,
        duration=parse_duration(terms.resolution(complaint.complexity)),
        calendar=unit_calendar(unit=complaint.org_unit),
    ).due_at


# Timers that are not one of the case's deadlines ("look at this case now").
NOT_DEADLINES = frozenset({"escalation_flag"})


def complaint_running_clocks(*, complaint_id: int) -> list[SlaTimer]:
    """The clocks that run on a case now (live timers), nearest due first: what the case page and the API
    show as its deadlines. Once a case is on a level of the escalation ladder these are the level's
    clocks, not the front line's resolution clock (which the ladder supersedes). While the case waits
    for the customer (paused) none run."""
    return list(
        SlaTimer.objects.filter(complaint_id=complaint_id, state__in=LIVE_TIMER_STATES)
        .exclude(kind__in=NOT_DEADLINES)
        .order_by("due_at", "id")[:20]
    )
