"""Reads: the catalogue, authority, what already counts against it, a case's proposals, approval queues
and the compensation ledger. Every list is bounded; cases are loaded through accounts.access."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from complaintdesk.accounts.access import user_unit_ids
from complaintdesk.common.time import local_zone, to_local
from complaintdesk.complaints.access import complaints_visible_to
from complaintdesk.escalation.defaults import DEFAULT_LEVELS
from complaintdesk.escalation.models import EscalationLevel
from complaintdesk.escalation.selectors import ladder_rules_for
from complaintdesk.orgs.models import OrgUnit
from complaintdesk.orgs.selectors import orgunit_subtree_ids
from complaintdesk.scripts.rendering import PLACEHOLDER_NAMES

from .defaults import DEFAULT_APPROVAL_LIMIT, DEFAULT_AUTHORITY
from .limits import NO_AUTHORITY, Authority, Exposure, Rung
from .models import (
    OPEN_PROPOSAL_STATUSES,
    ApprovalRequest,
    ApprovalStatus,
    CompensationAuthority,
    CompensationEntry,
    Remedy,
    SolutionOption,
    SolutionProposal,
)

LIST_LIMIT = 100
ZERO = Decimal(0)
CENT = Decimal("0.01")


def remedies_active() -> list[Remedy]:
    return list(Remedy.objects.filter(is_active=True).order_by("sort_order", "code")[:50])


def authorities_by_role() -> dict[str, Authority]:
    """Every role's authority: the configured rows, else the built-in defaults, else none. One query."""
    found = {
        role: Authority(per_case=case, per_month=month, approval_limit=limit)
        for role, (case, month, limit) in DEFAULT_AUTHORITY.items()
    }
    for row in CompensationAuthority.objects.all()[:50]:
        found[row.role] = Authority(
            per_case=row.per_case_limit,
            per_month=row.per_month_limit,
            approval_limit=row.approval_limit or DEFAULT_APPROVAL_LIMIT,
        )
    return found


def authority_for_role(*, role: str, table: dict[str, Authority] | None = None) -> Authority:
    return (table if table is not None else authorities_by_role()).get(role, NO_AUTHORITY)


def month_start(at: dt.datetime) -> dt.date:
    """The first day of `at`'s month in the organisation's zone."""
    return to_local(at).date().replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a local month as aware instants."""
    zone = local_zone()
    start = dt.datetime(month.year, month.month, 1, tzinfo=zone)
    following = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return start, dt.datetime(following.year, following.month, 1, tzinfo=zone)


def _cents(value) -> Decimal:
    # SQLite sums decimals as floats-turned-Decimal ("120.5"): money is always shown to the cent.
    return Decimal(value or 0).quantize(CENT)


def _sum(qs, field: str = "amount") -> Decimal:
    return _cents(qs.aggregate(total=Sum(field))["total"])


def case_compensation_total(*, complaint_id: int, exclude_proposal_id: int | None = None) -> Decimal:
    """Compensation granted on the case (ledger) plus what its open proposals may still grant."""
    open_proposals = SolutionProposal.objects.filter(
        complaint_id=complaint_id, status__in=OPEN_PROPOSAL_STATUSES
    )
    if exclude_proposal_id:
        open_proposals = open_proposals.exclude(pk=exclude_proposal_id)
    return _sum(CompensationEntry.objects.filter(complaint_id=complaint_id)) + _sum(
        open_proposals, "max_amount"
    )


def user_month_total(*, user_id: int, at: dt.datetime, exclude_proposal_id: int | None = None) -> Decimal:
    """What the user has authorised in `at`'s local month: ledger entries and open proposals."""
    month = month_start(at)
    start, end = month_bounds(month)
    open_proposals = SolutionProposal.objects.filter(
        authorised_by_id=user_id,
        status__in=OPEN_PROPOSAL_STATUSES,
        authorised_at__gte=start,
        authorised_at__lt=end,
    )
    if exclude_proposal_id:
        open_proposals = open_proposals.exclude(pk=exclude_proposal_id)
    return _sum(CompensationEntry.objects.filter(authorised_by_id=user_id, month=month)) + _sum(
        open_proposals, "max_amount"
    )


def exposure_for(
    *, complaint_id: int, user_id: int, at: dt.datetime, exclude_proposal_id: int | None = None
) -> Exposure:
    return Exposure(
        case_total=case_compensation_total(
            complaint_id=complaint_id, exclude_proposal_id=exclude_proposal_id
        ),
        month_total=user_month_total(user_id=user_id, at=at, exclude_proposal_id=exclude_proposal_id),
    )


def ladder_rungs(*, unit: OrgUnit, table: dict[str, Authority] | None = None) -> list[Rung]:
    table = table if table is not None else authorities_by_role()
    return [
        Rung(
            position=level.position,
            role=level.holder_role,
            authority=table.get(level.holder_role, NO_AUTHORITY),
            is_external=level.is_external,
        )
        for level in ladder_rules_for(unit=unit).levels
    ]


# --- a case's proposals --------------------------------------------------------------------------------------


def _proposals_loaded(rows: QuerySet[SolutionProposal]) -> QuerySet[SolutionProposal]:
    return rows.select_related(
        "proposed_by", "authorised_by", "chosen_option", "choice_recorded_by"
    ).prefetch_related(
        Prefetch("options", queryset=SolutionOption.objects.select_related("remedy").order_by("label")),
        Prefetch(
            "approvals",
            queryset=ApprovalRequest.objects.select_related(
                "approver", "decided_by", "requested_by"
            ).order_by("requested_at", "id"),
        ),
    )


def proposals_for_case(*, complaint) -> list[SolutionProposal]:
    """The case's proposals, newest first, with options, remedies and approvals: three queries."""
    return list(
        _proposals_loaded(SolutionProposal.objects.filter(complaint=complaint)).order_by(
            "-proposed_at", "-id"
        )[:50]
    )


def proposal_detail(*, complaint, proposal_id: int) -> SolutionProposal | None:
    """One proposal of the case as `proposals_for_case` loads them."""
    return _proposals_loaded(SolutionProposal.objects.filter(complaint=complaint, pk=proposal_id)).first()


def proposal_for_case(*, complaint, proposal_id: int, for_update: bool = False) -> SolutionProposal | None:
    rows = SolutionProposal.objects.filter(complaint=complaint, pk=proposal_id)
    if for_update:
        rows = rows.select_for_update()
    return rows.first()


# --- approvals ---------------------------------------------------------------------------------------------


def _approvals_pending_rows(user) -> QuerySet[ApprovalRequest]:
    visible = complaints_visible_to(user).filter(pk=OuterRef("complaint_id"))
    return (
        ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING, complaint__is_open=True)
        .filter(Q(approver=user) | Q(approver__isnull=True, approver_role=user.role))
        .filter(Q(approver=user) | Exists(visible))
    )


def approvals_pending_for(*, user, limit: int = 50) -> list[ApprovalRequest]:
    """Pending requests this user may decide: addressed to them, or to their role on a case they see
    with nobody named (no holder was found). Nearest deadline first, with the case, the proposal and
    its options (what the customer would be offered), the requester and the approver."""
    return list(
        _approvals_pending_rows(user)
        .select_related("complaint", "proposal", "requested_by", "approver")
        .prefetch_related(
            Prefetch(
                "proposal__options",
                queryset=SolutionOption.objects.select_related("remedy").order_by("label"),
            )
        )
        .order_by("due_at", "id")[: min(max(limit, 1), LIST_LIMIT)]
    )


def approvals_pending_count(*, user) -> int:
    """How many requests wait for this user's decision (the header's count)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return _approvals_pending_rows(user).count()


def approver_roles() -> set[str]:
    """Roles that approve compensation: those holding an internal level above the front line of any
    ladder (the built-in ladder when none is configured)."""
    roles = set(
        EscalationLevel.objects.filter(position__gt=0, is_external=False)
        .exclude(holder_role="")
        .values_list("holder_role", flat=True)
        .distinct()[:50]
    )
    return roles or {
        level.holder_role
        for level in DEFAULT_LEVELS
        if level.position > 0 and not level.is_external and level.holder_role
    }


def approval_get(*, approval_id: int, for_update: bool = False) -> ApprovalRequest | None:
    rows = ApprovalRequest.objects.filter(pk=approval_id).select_related("complaint", "proposal")
    if for_update:
        rows = rows.select_for_update(of=("self",))
    return rows.first()


# --- the ledger ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitMonthTotal:
    unit_code: str
    unit_name: str
    month: dt.date
    total: Decimal
    entries: int


def ledger_for_case(*, complaint) -> list[CompensationEntry]:
    return list(
        CompensationEntry.objects.filter(complaint=complaint)
        .select_related("remedy", "authorised_by", "recorded_by")
        .order_by("at", "id")[:200]
    )


def ledger_case_total(*, complaint) -> Decimal:
    return _sum(CompensationEntry.objects.filter(complaint=complaint))


def _ledger_visible_to(user) -> QuerySet[CompensationEntry]:
    unit_ids = user_unit_ids(user)
    rows = CompensationEntry.objects.all()
    return rows if unit_ids is None else rows.filter(org_unit_id__in=unit_ids)


def ledger_totals(
    *,
    user,
    unit: OrgUnit | None = None,
    month_from: dt.date | None = None,
    month_to: dt.date | None = None,
    limit: int = LIST_LIMIT,
) -> list[UnitMonthTotal]:
    """Compensation per unit and month within the user's units (optionally one unit's subtree and a range
    of months, both inclusive): one grouped query, newest month first, then by unit."""
    rows = _ledger_visible_to(user)
    if unit is not None:
        rows = rows.filter(org_unit_id__in=orgunit_subtree_ids(unit=unit))
    if month_from is not None:
        rows = rows.filter(month__gte=month_from.replace(day=1))
    if month_to is not None:
        rows = rows.filter(month__lte=month_to.replace(day=1))
    grouped = (
        rows.values("org_unit__code", "org_unit__name", "month")
        .annotate(total=Sum("amount"), entries=Count("id"))
        .order_by("-month", "org_unit__code")[: min(max(limit, 1), LIST_LIMIT)]
    )
    return [
        UnitMonthTotal(
            unit_code=row["org_unit__code"],
            unit_name=row["org_unit__name"],
            month=row["month"],
            total=_cents(row["total"]),
            entries=row["entries"] or 0,
        )
        for row in grouped
    ]


def script_values_for_case(*, complaint) -> dict[str, str]:
    """Reply-script placeholders from the case's latest proposal: {option_a}, {option_b} while it is on the
    table, {compensation} once the customer chose. Empty when there is none. Three queries."""
    latest = next(iter(proposals_for_case(complaint=complaint)[:1]), None)
    if latest is None:
        return {}

    def text(option: SolutionOption) -> str:
        amount = _(" %(amount)s 元") % {"amount": f"{option.amount:,.2f}"} if option.amount else ""
        return " ".join(part for part in (f"{option.remedy.name}{amount}", option.description) if part)

    options = {option.label: option for option in latest.options.all()}
    values = {f"option_{label.lower()}": text(option) for label, option in options.items()}
    chosen = next((o for o in options.values() if o.pk == latest.chosen_option_id), None)
    if chosen is not None:
        values["compensation"] = text(chosen)
    return values


# What `script_value_source` can fill: an option's text by its label ({option_a}, {option_b}), and the one
# chosen ({compensation}); a message whose template uses none of them does not read the proposals.
SCRIPT_VALUE_NAMES = frozenset(
    {name for name in PLACEHOLDER_NAMES if name.startswith("option_")} | {"compensation"}
)


def script_value_source(*, complaint, language: str) -> dict[str, str]:
    """scripts.services value source: the case's options fill {option_a} and {option_b} of the solution
    scripts, the option the customer chose fills {compensation} (the result's own, when one was told,
    comes later and overrides it)."""
    if not complaint.pk:
        return {}
    return script_values_for_case(complaint=complaint)
