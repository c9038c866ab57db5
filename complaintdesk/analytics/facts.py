"""Building the fact rows (one per complaint) from the complaint and what the other apps recorded
about it: the timeline (transfers, work orders), escalation hand-offs, the latest survey answer and
the compensation ledger. A batch of complaints costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from complaintdesk.calendars.selectors import calendar_for_unit
from complaintdesk.common.time import now, to_local
from complaintdesk.complaints.models import Complaint, ComplaintEvent, EventKind
from complaintdesk.complaints.states import ContactKind
from complaintdesk.escalation.models import EscalationHandOff, HandOffDirection
from complaintdesk.orgs.models import OrgUnit
from complaintdesk.solutions.models import CompensationEntry
from complaintdesk.surveys.models import SurveyAnswer

from .measures import REPEAT_WINDOW, CaseInput, case_measures, is_repeat
from .models import ComplaintFact

BATCH = 2000
RollupKey = tuple[dt.date, int]  # (month, org unit id): the grain at which rollups are rewritten

_COMPLAINT_FIELDS = (
    "id", "created_at", "status", "org_unit_id", "category_id", "channel", "assignee_id", "severity",
    "complexity", "customer_id", "first_responded_at", "first_response_due_at", "resolution_due_at",
    "resolved_at", "closed_at", "reopened_at", "escalated_at", "sla_paused_at", "kind",
)  # fmt: skip


def local_day(value: dt.datetime) -> dt.date:
    return to_local(value).date()


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _flags_from_events(ids: list[int]) -> tuple[set[int], set[int]]:
    """(transferred, dispatched): a reassignment away from a handler; a work order to a department."""
    transferred, dispatched = set(), set()
    rows = ComplaintEvent.objects.filter(
        complaint_id__in=ids, kind__in=[EventKind.ASSIGNED, EventKind.WORK_ORDER]
    ).values_list("complaint_id", "kind", "old_value")
    for complaint_id, kind, old_value in rows:
        if kind == EventKind.WORK_ORDER:
            dispatched.add(complaint_id)
        elif old_value:
            transferred.add(complaint_id)
    return transferred, dispatched


def _escalated_up(ids: list[int]) -> set[int]:
    return set(
        EscalationHandOff.objects.filter(complaint_id__in=ids, direction=HandOffDirection.UP).values_list(
            "complaint_id", flat=True
        )
    )


def _latest_answers(ids: list[int]) -> dict[int, tuple[int, int | None]]:
    """complaint id → (stars, nps) of its latest survey answer."""
    latest: dict[int, tuple[int, int | None]] = {}
    rows = (
        SurveyAnswer.objects.filter(complaint_id__in=ids)
        .order_by("complaint_id", "answered_at", "id")
        .values_list("complaint_id", "stars", "nps")
    )
    for complaint_id, stars, nps in rows:
        latest[complaint_id] = (stars, nps)
    return latest


def _compensation_cents(ids: list[int]) -> dict[int, int]:
    rows = (
        CompensationEntry.objects.filter(complaint_id__in=ids)
        .values("complaint_id")
        .annotate(total=Sum("amount"))
        .values_list("complaint_id", "total")
    )
    return {cid: int((Decimal(total or 0) * 100).to_integral_value()) for cid, total in rows}


def _customer_history(rows: list[dict]) -> dict[int, list[tuple[dt.datetime, int, int, int | None, str]]]:
    """customer id → [(created_at, id, org unit id, category id, channel)] of their complaints from 31
    days before the batch's earliest one to its latest one, in order: enough to decide repeats and each
    first of a unit-month (overall, in a category, through a channel)."""
    if not rows:
        return {}
    start = min(r["created_at"] for r in rows) - REPEAT_WINDOW - dt.timedelta(days=1)
    end = max(r["created_at"] for r in rows)
    history: dict[int, list] = defaultdict(list)
    customers = sorted({r["customer_id"] for r in rows})
    for i in range(0, len(customers), BATCH):
        qs = Complaint.objects.filter(
            customer_id__in=customers[i : i + BATCH],
            created_at__gte=start,
            created_at__lte=end,
            kind=ContactKind.COMPLAINT,  # repeats and complainants count complaints only
        ).values_list("customer_id", "created_at", "id", "org_unit_id", "category_id", "channel")
        for customer_id, *entry in qs:
            history[customer_id].append(tuple(entry))
    for entries in history.values():
        entries.sort()
    return history


def facts_build(rows: list[dict], *, at: dt.datetime) -> list[ComplaintFact]:
    """Fact rows for complaints given as dicts of `_COMPLAINT_FIELDS`."""
    ids = [r["id"] for r in rows]
    transferred, dispatched = _flags_from_events(ids)
    escalated_up = _escalated_up(ids)
    answers = _latest_answers(ids)
    compensation = _compensation_cents(ids)
    history = _customer_history(rows)
    units = OrgUnit.objects.in_bulk({r["org_unit_id"] for r in rows})
    calendars = {unit_id: calendar_for_unit(unit=unit) for unit_id, unit in units.items()}

    facts = []
    for r in rows:
        day = local_day(r["created_at"])
        month = month_of(day)
        earlier = [e for e in history.get(r["customer_id"], []) if (e[0], e[1]) < (r["created_at"], r["id"])]
        same_unit_month = [
            (category_id, channel)
            for created, _id, unit_id, category_id, channel in earlier
            if unit_id == r["org_unit_id"] and month_of(local_day(created)) == month
        ]
        stars, nps = answers.get(r["id"], (None, None))
        case = CaseInput(
            created_at=r["created_at"],
            status=r["status"],
            first_responded_at=r["first_responded_at"],
            first_response_due_at=r["first_response_due_at"],
            resolution_due_at=r["resolution_due_at"],
            resolved_at=r["resolved_at"],
            closed_at=r["closed_at"],
            reopened_at=r["reopened_at"],
            escalated_at=r["escalated_at"],
            sla_paused_at=r["sla_paused_at"],
            escalated_up=r["id"] in escalated_up,
            transferred=r["id"] in transferred,
            dispatched=r["id"] in dispatched,
            repeat=is_repeat(r["created_at"], [entry[0] for entry in earlier]),
            complainant_first=not same_unit_month,
            complainant_first_category=all(c != r["category_id"] for c, _channel in same_unit_month),
            complainant_first_channel=all(ch != r["channel"] for _c, ch in same_unit_month),
            stars=stars,
            nps=nps,
            compensation_cents=compensation.get(r["id"], 0),
            kind=r["kind"],
        )
        measures, pending_until = case_measures(case, at=at, calendar=calendars[r["org_unit_id"]])
        facts.append(
            ComplaintFact(
                complaint_id=r["id"],
                month=month,
                day=day,
                org_unit_id=r["org_unit_id"],
                category_id=r["category_id"],
                channel=r["channel"],
                kind=r["kind"],
                agent_id=r["assignee_id"],
                severity=r["severity"],
                complexity=r["complexity"],
                customer_id=r["customer_id"],
                pending_until=pending_until,
                computed_at=at,
                **measures,
            )
        )
    return facts


def facts_refresh(*, complaint_ids: Iterable[int], at: dt.datetime | None = None) -> set[RollupKey]:
    """Recompute the facts of these complaints (in batches, each in one transaction). Returns the
    (month, unit) keys whose rollups are now stale: those of the old facts and of the new ones."""
    at = at or now()
    ids = sorted(set(complaint_ids))
    touched: set[RollupKey] = set()
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        rows = list(Complaint.objects.filter(id__in=chunk).values(*_COMPLAINT_FIELDS))
        facts = facts_build(rows, at=at)
        with transaction.atomic():
            old = ComplaintFact.objects.filter(complaint_id__in=chunk)
            touched.update(old.values_list("month", "org_unit_id"))
            old.delete()
            ComplaintFact.objects.bulk_create(facts, batch_size=500)
        touched.update((f.month, f.org_unit_id) for f in facts)
    return touched


def facts_rebuild(*, at: dt.datetime | None = None, progress=None) -> int:
    """Every fact again, from the complaints, in id order. Returns how many."""
    at = at or now()
    ComplaintFact.objects.all().delete()
    done, last_id = 0, 0
    while True:
        rows = list(
            Complaint.objects.filter(id__gt=last_id).order_by("id").values(*_COMPLAINT_FIELDS)[:BATCH]
        )
        if not rows:
            return done
        facts = facts_build(rows, at=at)
        with transaction.atomic():
            ComplaintFact.objects.bulk_create(facts, batch_size=1000)
        done += len(rows)
        last_id = rows[-1]["id"]
        if progress:
            progress(done)
