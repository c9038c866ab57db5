"""Building the fact rows (one per complaint) from the complaint and what the other apps recorded
about it: the timeline (reassignments, 转办 to another unit, work orders), escalation hand-offs, the latest survey answer and
the compensation ledger. A batch of complaints costs a fixed number of queries.

`fact_values` is the one computation of a fact, from plain values; `facts_refresh` (the sync) feeds it
what the ORM reads for a list of ids and writes model instances, `rebuild.py` (every fact again) what
hand-written statements read for a range of ids and writes with COPY."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum

from complaintdesk.calendars.selectors import calendar_for_unit
from complaintdesk.calendars.workdays import WorkCalendar
from complaintdesk.common.time import now, to_local
from complaintdesk.complaints.models import Complaint, ComplaintEvent, EventKind
from complaintdesk.complaints.states import ContactKind
from complaintdesk.escalation.models import EscalationHandOff, HandOffDirection
from complaintdesk.orgs.models import OrgUnit
from complaintdesk.solutions.models import CompensationEntry
from complaintdesk.surveys.models import SurveyAnswer

from .measures import REPEAT_WINDOW, CaseInput, case_measures, is_repeat
from .models import MEASURE_FIELDS, ComplaintFact

BATCH = 2000
RollupKey = tuple[dt.date, int]  # (month, org unit id): the grain at which rollups are rewritten

COMPLAINT_FIELDS = (
    "id", "created_at", "status", "org_unit_id", "category_id", "channel", "assignee_id", "severity",
    "complexity", "customer_id", "first_responded_at", "first_response_due_at", "resolution_due_at",
    "resolved_at", "closed_at", "reopened_at", "escalated_at", "sla_paused_at", "kind",
)  # fmt: skip
# The columns of a fact, in the order `fact_values` gives them.
FACT_FIELDS: tuple[str, ...] = tuple(field.attname for field in ComplaintFact._meta.concrete_fields)
_NO_MEASURES = dict.fromkeys(MEASURE_FIELDS, 0)
HistoryEntry = tuple[dt.datetime, int, int, int | None, str]  # created_at, id, unit id, category id, channel


@dataclass(frozen=True)
class BatchRecords:
    """What the other apps recorded about a batch of complaints, by complaint id."""

    reassigned: set[int]  # reassigned away from a handler
    transferred: set[int]  # 转办: handed to another unit
    dispatched: set[int]  # a work order went to a department
    escalated_up: set[int]  # handed up the escalation ladder
    answers: dict[int, tuple[int, int | None]]  # (stars, nps) of the latest survey answer
    compensation: dict[int, int]  # cents
    history: dict[int, list[HistoryEntry]]  # customer id → their complaints around the batch, in order


def local_day(value: dt.datetime) -> dt.date:
    return to_local(value).date()


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


# The events `event_flags` reads.
FLAG_EVENT_KINDS = (EventKind.ASSIGNED, EventKind.TRANSFERRED, EventKind.WORK_ORDER)


@dataclass(frozen=True)
class EventFlags:
    reassigned: set[int]
    transferred: set[int]
    dispatched: set[int]


def event_flags(rows: Iterable[tuple[int, str, str]]) -> EventFlags:
    """The complaints flagged by (complaint id, kind, old value) of FLAG_EVENT_KINDS events: reassigned
    away from a handler (an assignment with a previous handler); transferred to another unit (转办);
    a work order to a department."""
    flags = EventFlags(reassigned=set(), transferred=set(), dispatched=set())
    for complaint_id, kind, old_value in rows:
        if kind == EventKind.WORK_ORDER:
            flags.dispatched.add(complaint_id)
        elif kind == EventKind.TRANSFERRED:
            flags.transferred.add(complaint_id)
        elif old_value:
            flags.reassigned.add(complaint_id)
    return flags


def latest_answers(rows: Iterable[tuple[int, int, int | None]]) -> dict[int, tuple[int, int | None]]:
    """complaint id → (stars, nps) of its latest survey answer, from (complaint id, stars, nps) rows in
    the order complaint id, answered at, id: the last one wins."""
    return {complaint_id: (stars, nps) for complaint_id, stars, nps in rows}


def history_by_customer(rows: Iterable[tuple]) -> dict[int, list[HistoryEntry]]:
    """customer id → their entries in order, from (customer id, *HistoryEntry) rows."""
    history: dict[int, list[HistoryEntry]] = defaultdict(list)
    for customer_id, *entry in rows:
        history[customer_id].append(tuple(entry))
    for entries in history.values():
        entries.sort()
    return history


def _flags_from_events(scope: Q) -> EventFlags:
    return event_flags(
        ComplaintEvent.objects.filter(scope, kind__in=FLAG_EVENT_KINDS).values_list(
            "complaint_id", "kind", "old_value"
        )
    )


def _escalated_up(scope: Q) -> set[int]:
    return set(
        EscalationHandOff.objects.filter(scope, direction=HandOffDirection.UP).values_list(
            "complaint_id", flat=True
        )
    )


def _latest_answers(scope: Q) -> dict[int, tuple[int, int | None]]:
    """complaint id → (stars, nps) of its latest survey answer."""
    return latest_answers(
        SurveyAnswer.objects.filter(scope)
        .order_by("complaint_id", "answered_at", "id")
        .values_list("complaint_id", "stars", "nps")
    )


def _compensation_cents(scope: Q) -> dict[int, int]:
    rows = (
        CompensationEntry.objects.filter(scope)
        .values("complaint_id")
        .annotate(total=Sum("amount"))
        .values_list("complaint_id", "total")
    )
    return {cid: cents(total) for cid, total in rows}


def cents(amount) -> int:
    """A sum of the ledger's amounts (yuan, a Decimal or None) in whole cents."""
    return int((Decimal(amount or 0) * 100).to_integral_value())


def history_window(rows: list[dict]) -> tuple[dt.datetime, dt.datetime]:
    """The intake times between which a batch's customer history is read: from 31 days before its
    earliest complaint (the repeat window, and the longest month) to its latest one."""
    start = min(r["created_at"] for r in rows) - REPEAT_WINDOW - dt.timedelta(days=1)
    return start, max(r["created_at"] for r in rows)


def _customer_history(rows: list[dict]) -> dict[int, list[HistoryEntry]]:
    """customer id → [(created_at, id, org unit id, category id, channel)] of their complaints in the
    batch's `history_window`, in order: enough to decide repeats and each first of a unit-month
    (overall, in a category, through a channel)."""
    if not rows:
        return {}
    start, end = history_window(rows)
    customers = sorted({r["customer_id"] for r in rows})
    found: list[tuple] = []
    for i in range(0, len(customers), BATCH):
        found += Complaint.objects.filter(
            customer_id__in=customers[i : i + BATCH],
            created_at__gte=start,
            created_at__lte=end,
            kind=ContactKind.COMPLAINT,  # repeats and complainants count complaints only
        ).values_list("customer_id", "created_at", "id", "org_unit_id", "category_id", "channel")
    return history_by_customer(found)


def batch_records(rows: list[dict], scope: Q) -> BatchRecords:
    """Read with the ORM; `scope` selects the batch's rows of the other tables by `complaint_id`."""
    flags = _flags_from_events(scope)
    return BatchRecords(
        reassigned=flags.reassigned,
        transferred=flags.transferred,
        dispatched=flags.dispatched,
        escalated_up=_escalated_up(scope),
        answers=_latest_answers(scope),
        compensation=_compensation_cents(scope),
        history=_customer_history(rows),
    )


def unit_calendars(unit_ids: Iterable[int]) -> dict[int, WorkCalendar]:
    units = OrgUnit.objects.in_bulk(set(unit_ids))
    return {unit_id: calendar_for_unit(unit=unit) for unit_id, unit in units.items()}


def fact_values(
    rows: list[dict], records: BatchRecords, calendars: dict[int, WorkCalendar], *, at: dt.datetime
) -> list[tuple]:
    """One tuple of `FACT_FIELDS` per complaint (dicts of `COMPLAINT_FIELDS`); `records` and `calendars`
    cover the batch."""
    history, answers = records.history, records.answers
    facts = []
    for r in rows:
        complaint_id, created_at = r["id"], r["created_at"]
        day = local_day(created_at)
        month = month_of(day)
        earlier = [e for e in history.get(r["customer_id"], ()) if (e[0], e[1]) < (created_at, complaint_id)]
        same_unit_month = [
            (category_id, channel)
            for created, _id, unit_id, category_id, channel in earlier
            if unit_id == r["org_unit_id"] and month_of(local_day(created)) == month
        ]
        stars, nps = answers.get(complaint_id, (None, None))
        case = CaseInput(
            created_at=created_at,
            status=r["status"],
            first_responded_at=r["first_responded_at"],
            first_response_due_at=r["first_response_due_at"],
            resolution_due_at=r["resolution_due_at"],
            resolved_at=r["resolved_at"],
            closed_at=r["closed_at"],
            reopened_at=r["reopened_at"],
            escalated_at=r["escalated_at"],
            sla_paused_at=r["sla_paused_at"],
            escalated_up=complaint_id in records.escalated_up,
            reassigned=complaint_id in records.reassigned,
            transferred=complaint_id in records.transferred,
            dispatched=complaint_id in records.dispatched,
            repeat=is_repeat(created_at, [entry[0] for entry in earlier]),
            complainant_first=not same_unit_month,
            complainant_first_category=all(c != r["category_id"] for c, _channel in same_unit_month),
            complainant_first_channel=all(ch != r["channel"] for _c, ch in same_unit_month),
            stars=stars,
            nps=nps,
            compensation_cents=records.compensation.get(complaint_id, 0),
            kind=r["kind"],
        )
        measures, pending_until = case_measures(case, at=at, calendar=calendars[r["org_unit_id"]])
        values = {
            **_NO_MEASURES,  # a contact that is not a complaint has none of the complaint counts
            **measures,
            "complaint_id": complaint_id,
            "month": month,
            "day": day,
            "org_unit_id": r["org_unit_id"],
            "category_id": r["category_id"],
            "channel": r["channel"],
            "kind": r["kind"],
            "agent_id": r["assignee_id"],
            "severity": r["severity"],
            "complexity": r["complexity"],
            "customer_id": r["customer_id"],
            "pending_until": pending_until,
            "computed_at": at,
        }
        facts.append(tuple([values[name] for name in FACT_FIELDS]))
    return facts


def facts_build(rows: list[dict], *, at: dt.datetime) -> list[ComplaintFact]:
    """Fact rows for complaints given as dicts of `COMPLAINT_FIELDS`."""
    records = batch_records(rows, Q(complaint_id__in=[r["id"] for r in rows]))
    calendars = unit_calendars(r["org_unit_id"] for r in rows)
    return [
        ComplaintFact(**dict(zip(FACT_FIELDS, values, strict=True)))
        for values in fact_values(rows, records, calendars, at=at)
    ]


def facts_refresh(*, complaint_ids: Iterable[int], at: dt.datetime | None = None) -> set[RollupKey]:
    """Recompute the facts of these complaints (in batches, each in one transaction). Returns the
    (month, unit) keys whose rollups are now stale: those of the old facts and of the new ones."""
    at = at or now()
    ids = sorted(set(complaint_ids))
    touched: set[RollupKey] = set()
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        rows = list(Complaint.objects.filter(id__in=chunk).values(*COMPLAINT_FIELDS))
        facts = facts_build(rows, at=at)
        with transaction.atomic():
            old = ComplaintFact.objects.filter(complaint_id__in=chunk)
            touched.update(old.values_list("month", "org_unit_id"))
            old.delete()
            ComplaintFact.objects.bulk_create(facts, batch_size=500)
        touched.update((f.month, f.org_unit_id) for f in facts)
    return touched
