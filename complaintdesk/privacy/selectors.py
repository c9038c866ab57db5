"""Reads of the privacy app: retention per category, a case's retention and hold, the expired cases,
the access log (bounded, filtered, newest first)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from complaintdesk.common.time import to_local
from complaintdesk.complaints.models import Complaint, Customer
from complaintdesk.complaints.states import Status

from .models import DEFAULT_RETENTION_YEARS, AccessLog, AnonymisedCase, LegalHold, RetentionRule
from .retention import closed_before, retention_ends_at, retention_expired

# What an anonymised customer is called; stored in Chinese (the product's first language), like the
# other texts the system writes into records, and shown in the reader's language.
ANONYMOUS_NAME = gettext_noop("（已匿名化）")

LOG_PAGE_MAX = 100
ENDED = (Status.CLOSED, Status.WITHDRAWN)


@dataclass(frozen=True)
class RetentionTable:
    default_months: int
    by_category: dict[int, int]  # category id → months, for the categories with a rule of their own

    def months_for(self, category_id: int | None) -> int:
        return self.by_category.get(category_id, self.default_months) if category_id else self.default_months


def retention_table() -> RetentionTable:
    """The rules in force: the default (3 years when no default row exists) and each category's own."""
    default, by_category = DEFAULT_RETENTION_YEARS * 12, {}
    for rule in RetentionRule.objects.all():
        if rule.category_id is None:
            default = rule.total_months
        else:
            by_category[rule.category_id] = rule.total_months
    return RetentionTable(default_months=default, by_category=by_category)


def case_closure(complaint: Complaint) -> dt.datetime | None:
    """When the case ended, the start of its retention: archived (closed_at) or withdrawn (withdrawn_at).
    None while it is open (a reopened case's earlier closure no longer counts)."""
    if complaint.status == Status.CLOSED:
        return complaint.closed_at
    if complaint.status == Status.WITHDRAWN:
        return complaint.withdrawn_at
    return None


def hold_active(*, complaint: Complaint) -> LegalHold | None:
    return (
        LegalHold.objects.filter(complaint=complaint, released_at__isnull=True)
        .select_related("placed_by")
        .first()
    )


@dataclass(frozen=True)
class CaseRetention:
    months: int
    closed_at: dt.datetime | None
    ends_at: dt.datetime | None  # None while the case is open
    hold: LegalHold | None
    holds: list[LegalHold]  # the case's holds, newest first, released ones included (at most 20)
    anonymised_at: dt.datetime | None


def case_retention(*, complaint: Complaint, table: RetentionTable | None = None) -> CaseRetention:
    table = table or retention_table()
    months = table.months_for(complaint.category_id)
    closed = case_closure(complaint)
    holds = list(
        LegalHold.objects.filter(complaint=complaint).select_related("placed_by", "released_by")[:20]
    )
    done = AnonymisedCase.objects.filter(complaint=complaint).values_list("anonymised_at", flat=True).first()
    return CaseRetention(
        months=months,
        closed_at=closed,
        ends_at=retention_ends_at(closed_at=to_local(closed), months=months) if closed else None,
        hold=next((h for h in holds if h.active), None),
        holds=holds,
        anonymised_at=done,
    )


def _ended_before(bound: dt.datetime) -> Q:
    return Q(status=Status.CLOSED, closed_at__lt=bound) | Q(status=Status.WITHDRAWN, withdrawn_at__lt=bound)


def expired_case_ids(*, at: dt.datetime, limit: int) -> tuple[list[int], int]:
    """Up to `limit` ids of ended cases whose retention has ended at `at`, not anonymised, without an
    active hold, oldest id first; and how many such cases a hold keeps (counted up to 10,000)."""
    table = retention_table()
    local_at = to_local(at)
    expired = Q()
    for category_id, months in table.by_category.items():
        expired |= Q(category_id=category_id) & _ended_before(closed_before(at=local_at, months=months))
    default = _ended_before(closed_before(at=local_at, months=table.default_months))
    if table.by_category:
        default &= Q(category__isnull=True) | ~Q(category_id__in=list(table.by_category))
    expired |= default
    candidates = Complaint.objects.filter(expired).exclude(
        Exists(AnonymisedCase.objects.filter(complaint_id=OuterRef("pk")))
    )
    active_hold = Exists(LegalHold.objects.filter(complaint_id=OuterRef("pk"), released_at__isnull=True))
    rows = (
        candidates.exclude(active_hold)
        .order_by("id")
        .values_list("id", "category_id", "status", "closed_at", "withdrawn_at")[: limit * 2]
    )
    ids = []
    for pk, category_id, status, closed_at, withdrawn_at in rows:
        closure = closed_at if status == Status.CLOSED else withdrawn_at
        if retention_expired(closed_at=to_local(closure), months=table.months_for(category_id), at=local_at):
            ids.append(pk)
            if len(ids) >= limit:
                break
    held = candidates.filter(active_hold).values("id")[:10000].count()
    return ids, held


@dataclass(frozen=True)
class LogFilters:
    user: str = ""  # username, exact
    case: str = ""  # case number, exact
    day_from: dt.date | None = None
    day_to: dt.date | None = None
    kind: str = ""


def access_log(
    *, filters: LogFilters, before_id: int | None = None, limit: int = LOG_PAGE_MAX
) -> list[AccessLog]:
    """The access log newest first, at most `limit` rows (then `before_id` pages on). A case filter finds
    the reveals and page views of the case and the exports that held it."""
    qs = AccessLog.objects.select_related("user")
    if filters.user:
        qs = qs.filter(user__username=filters.user)
    if filters.day_from:
        qs = qs.filter(day__gte=filters.day_from)
    if filters.day_to:
        qs = qs.filter(day__lte=filters.day_to)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if before_id:
        qs = qs.filter(id__lt=before_id)
    limit = max(1, min(limit, LOG_PAGE_MAX))
    if not filters.case:
        return list(qs.order_by("-id")[:limit])
    # Two index ranges rather than one OR: the case's own rows, and the exports (few) that held it.
    own = qs.filter(case_number=filters.case).order_by("-id").values_list("id", flat=True)[:limit]
    exports = (
        qs.filter(kind="export", numbers__contains=filters.case)
        .order_by("-id")
        .values_list("id", flat=True)[:limit]
    )
    ids = sorted({*own, *exports}, reverse=True)[:limit]
    return list(AccessLog.objects.select_related("user").filter(id__in=ids).order_by("-id"))


def anonymised_customer_hidden(complaint: Complaint) -> bool:
    """For the pages and answers that show a case: True when the case is anonymised, and then its
    `customer` is replaced, in memory only, by a stand-in with no details (the name 「（已匿名化）」). The
    customer's record keeps its details while another of their cases is live (`docs/privacy.md`), but the
    anonymised case no longer shows them, nor leads to them. One query for an ended case; none for a case that
    never ended, nor again for the same instance."""
    if getattr(complaint.customer, "anonymous_stand_in", False):
        return True
    if complaint.closed_at is None and complaint.withdrawn_at is None:
        return False  # only ended cases are anonymised: no query for a new intake
    if not AnonymisedCase.objects.filter(complaint_id=complaint.pk).exists():
        return False
    stand_in = Customer(pk=complaint.customer_id, name=_(ANONYMOUS_NAME))
    stand_in.anonymous_stand_in = True
    complaint.customer = stand_in
    return True
