"""The statutory clocks of a case as SLA timers, beside the organisation's own (issue 15 items 2 and 3).

Registered with `sla.services.clock_provider_register` (RegulationConfig.ready()), so every refresh of a
case's deadlines (intake, a change of status, the analysis, an approved extension, a referral recorded or
reported back) also asks for:

- the pack's decision clock (作出处理决定, else 答复用户) while the case is open and undecided: kind
  `statutory`, subject the clock, due at the end of its last day (local time). It counts for the case's
  `due_at`, so the queue is ordered by whichever is earlier, the statutory date or the SLA's;
- each regulator referral's report-back clock until it is reported back: kind `regulator_report`, subject
  "R<id>", read from the due and warning times stored on the referral. It counts for `due_at` while the
  case is open (a case resolved but not yet reported back keeps its timer, not a queue position).

What happens at the warning and the due time is `on_timer` (registered with `sla.timers`): a timeline
event in words. Like every SLA timer, none fires while the case waits for the customer (the pause); the
due dates themselves do not move.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from complaintdesk.common.time import to_local
from complaintdesk.complaints.models import EventKind
from complaintdesk.complaints.states import runs_complaint_process
from complaintdesk.complaints.timeline import event_record
from complaintdesk.sla.clocks import ClockContribution, RecordClocks, TimerSpec
from complaintdesk.sla.models import TimerKind
from complaintdesk.sla.timers import WARNING, case_records, case_records_load

from .models import Clock, RegulatorReferral
from .selectors import case_statutory_due, complaint_pack_name, complaint_statutory_dues

STATUTORY_KIND = TimerKind.STATUTORY.value
REPORT_BACK_KIND = TimerKind.REGULATOR_REPORT.value
REPORT_BACK_CLOCKS = RecordClocks(kind=REPORT_BACK_KIND, prefix="R")
HANDLED_TIMER_KINDS = (STATUTORY_KIND, REPORT_BACK_KIND)
RECORDS_KEY = "regulation.referrals_open"
REFERRAL_FIELDS = ("id", "created_at", "due_at", "warn_at", "due_provisional")

# Timeline fields (named in words in timeline.py).
STATUTORY_DUE_FIELD = "statutory_due"
REPORT_BACK_FIELD = "regulator_report"


def warn_point(*, start: dt.datetime, due: dt.datetime, share: int) -> dt.datetime | None:
    """When `share` % of the time from `start` to `due` has passed (None for 0 % or 100 %+)."""
    if share <= 0 or share >= 100 or due <= start:
        return None
    return start + (due - start) * share / 100


def regulation_clocks(context) -> ClockContribution:
    complaint = context.complaint
    timers: list[TimerSpec] = []
    if complaint.is_open and complaint.resolved_at is None and runs_complaint_process(complaint.kind):
        due = case_statutory_due(complaint_statutory_dues(complaint=complaint, calendar=context.calendar))
        if due is not None:
            timers.append(
                TimerSpec(
                    kind=STATUTORY_KIND,
                    subject=due.clock.value,
                    started_at=complaint.received_at,
                    due_at=due.due_at,
                    warn_at=warn_point(
                        start=complaint.received_at, due=due.due_at, share=context.policy.warn_at_share
                    ),
                    provisional=due.provisional,
                )
            )
    if complaint.pk:
        rows = case_records(
            key=RECORDS_KEY,
            complaint_id=complaint.pk,
            load=lambda: RegulatorReferral.objects.filter(
                complaint_id=complaint.pk, reported_at__isnull=True
            ).values_list(*REFERRAL_FIELDS)[:50],
        )
        for spec in REPORT_BACK_CLOCKS.contribution(rows).timers:
            timers.append(
                TimerSpec(
                    kind=spec.kind, subject=spec.subject, started_at=spec.started_at, due_at=spec.due_at,
                    warn_at=spec.warn_at, provisional=spec.provisional, counts_for_due_at=complaint.is_open,
                )
            )  # fmt: skip
    return ClockContribution(timers=tuple(timers))


def referrals_batch_load(timers: list) -> None:
    """The start of an SLA batch (sla.timers.batch_start_register): the referrals not yet reported back of
    all its cases in one query, except cases whose regulation timer is being handled."""

    def load(ids: list[int]):
        rows = RegulatorReferral.objects.filter(complaint_id__in=ids, reported_at__isnull=True)
        for complaint_id, *row in rows.order_by("id").values_list("complaint_id", *REFERRAL_FIELDS):
            yield complaint_id, tuple(row)

    case_records_load(key=RECORDS_KEY, timers=timers, load=load, written_by=HANDLED_TIMER_KINDS, limit=50)


def _day(timer) -> str:
    # The period ends at 24:00 of its last day: the day before the (local) midnight it is due at.
    return (to_local(timer.due_at) - dt.timedelta(seconds=1)).date().isoformat()


def on_timer(*, timer, complaint, phase: str, at: dt.datetime) -> None:
    """A statutory or report-back clock warned or ran out (inside the sweep's claim transaction, the case
    locked): said on the timeline in words."""
    day = _day(timer)
    if timer.kind == STATUTORY_KIND:
        clock = Clock(timer.subject).label if timer.subject in Clock.values else _("法定处理时限")
        values = {"clock": clock, "pack": complaint_pack_name(complaint=complaint), "day": day}
        if phase == WARNING:
            reason = _("%(pack)s规定的“%(clock)s”时限将于 %(day)s 24:00 届满，请尽快处理。") % values
        else:
            reason = _("已超过%(pack)s规定的“%(clock)s”时限（最后一日 %(day)s）。") % values
        field = STATUTORY_DUE_FIELD
    else:
        referral = RegulatorReferral.objects.filter(pk=REPORT_BACK_CLOCKS.record_of(timer.subject)).first()
        if referral is None or referral.reported_at is not None:
            return
        values = {"source": referral.source_label, "reference": referral.reference, "day": day}
        if phase == WARNING:
            reason = (
                _("%(source)s转办（编号 %(reference)s）的回复时限将于 %(day)s 24:00 届满，请尽快回复。")
                % values
            )
        else:
            reason = (
                _("已超过%(source)s转办（编号 %(reference)s）的回复时限（最后一日 %(day)s），尚未回复。")
                % values
            )
        field = REPORT_BACK_FIELD
    event_record(
        complaint=complaint, actor=None, kind=EventKind.SLA_WARNING if phase == WARNING else EventKind.SLA_BREACH,
        at=at, field=field, new=day, reason=reason,
    )  # fmt: skip
