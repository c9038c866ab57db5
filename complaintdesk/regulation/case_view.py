"""What the case page's regulation panel and the API's regulation view of a case show: the pack and its due
dates, the statutory clock beside the organisation's own (which one the queue follows), the case's referrals
with their remaining time, and the admissibility hints. A read: plain values for the interfaces to render."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from complaintdesk.common.names import english_wanted
from complaintdesk.common.time import now, to_local
from complaintdesk.sla.models import SlaTimer, TimerKind
from complaintdesk.sla.selectors import complaint_running_clocks

from . import deadlines
from .clocks import REPORT_BACK_KIND, STATUTORY_KIND
from .hints import Hint, complaint_admissibility_hints
from .models import DeadlinePack
from .referrals import ReferralRow, complaint_referrals, remaining_words
from .selectors import any_pack_selected, case_statutory_due, complaint_pack, complaint_statutory_dues

# Timers that are not the organisation's own deadlines for the case.
_NOT_SLA = {STATUTORY_KIND, REPORT_BACK_KIND, TimerKind.WORK_ORDER, TimerKind.APPROVAL, "escalation_flag"}

QUEUE_STATUTORY = "statutory"
QUEUE_SLA = "sla"


@dataclass(frozen=True)
class CaseRegulation:
    pack: DeadlinePack | None
    pack_name: str
    dues: list[deadlines.StatutoryDue]
    statutory: (
        deadlines.StatutoryDue | None
    )  # the case's own statutory clock (decision, else answer), while it runs
    statutory_remaining: str
    sla_due_at: dt.datetime | None  # the nearest of the organisation's own running clocks
    due_at: dt.datetime | None  # what the queue follows (the earlier)
    queue_follows: str  # "statutory" | "sla" | ""
    referrals: list[ReferralRow]
    hints: list[Hint]
    extension_refused: bool  # the pack was edited after an extension was approved: no dates shown


def case_regulation(*, complaint, user) -> CaseRegulation:
    pack = complaint_pack(complaint=complaint)
    refused = False
    try:
        dues = complaint_statutory_dues(complaint=complaint) if pack is not None else []
    except deadlines.ExtensionRefused:
        dues, refused = [], True
    running = complaint.is_open and complaint.resolved_at is None
    statutory = case_statutory_due(dues) if running else None
    sla = [c.due_at for c in complaint_running_clocks(complaint_id=complaint.pk) if c.kind not in _NOT_SLA]
    sla_due_at = min(sla) if sla else None
    follows = ""
    if complaint.is_open and complaint.due_at is not None:
        if statutory is not None and complaint.due_at == statutory.due_at:
            follows = QUEUE_STATUTORY
        elif sla_due_at is not None and complaint.due_at == sla_due_at:
            follows = QUEUE_SLA
    name = ""
    if pack is not None:
        name = pack.name_en if english_wanted() and pack.name_en else pack.name
    return CaseRegulation(
        pack=pack,
        pack_name=name,
        dues=dues,
        statutory=statutory,
        statutory_remaining=remaining_words(due_at=statutory.due_at, at=now()) if statutory else "",
        sla_due_at=sla_due_at,
        due_at=complaint.due_at,
        queue_follows=follows,
        referrals=complaint_referrals(complaint=complaint),
        hints=complaint_admissibility_hints(complaint=complaint, user=user),
        extension_refused=refused,
    )


@dataclass(frozen=True)
class QueueStatutory:
    last_day: dt.date
    overdue: bool


def statutory_days_for_cases(
    *, complaint_ids: list[int], at: dt.datetime | None = None
) -> dict[int, QueueStatutory]:
    """The statutory decision day of each case of a queue page (one query, index sla_timer_clock): read from
    the latest generation of its `statutory` timer row, so a case whose clocks stand still (awaiting the
    customer) still shows it. Cases without a statutory clock are absent."""
    ids = list(complaint_ids)[:200]
    if not ids or not any_pack_selected():
        return {}
    at = at or now()
    latest = (
        SlaTimer.objects.filter(complaint_id=OuterRef("complaint_id"), kind=STATUTORY_KIND)
        .order_by("-generation")
        .values("generation")[:1]
    )
    rows = SlaTimer.objects.filter(
        complaint_id__in=ids, kind=STATUTORY_KIND, generation=Subquery(latest)
    ).values_list("complaint_id", "due_at")[: len(ids) * 2]
    return {
        complaint_id: QueueStatutory(
            last_day=(to_local(due_at) - dt.timedelta(seconds=1)).date(), overdue=at >= due_at
        )
        for complaint_id, due_at in rows
    }
