"""Durable timers: rows, not sleeping threads (SPEC §6).

Writing: `timers_sync` makes a case's timer rows follow the clocks it should have now. It is called by
`sla.services` inside the transaction of every change of the case, so the rows commit with the change.

Handling: `timers_process_due` finds live rows whose `next_check_at` has passed and handles each
once. Per row, in one transaction: lock the complaint (the same order as the complaint services,
which lock the complaint and then rewrite its timers, so the two cannot deadlock), claim the row with
a conditional UPDATE (`… WHERE state IN ('pending','warned')`), record the warning or breach on the
timeline, call the handler registered for the kind (escalation). If the handler fails, everything
rolls back (the case is escalated fully or not at all) and the row is retried later with back-off.
Two workers, or a worker and `manage.py sla_reconcile`, may scan the same rows: only one claim
succeeds; on PostgreSQL a complaint locked by someone else is skipped and picked up by the next pass.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from complaintdesk.common import fastsql
from complaintdesk.common.configcache import config_snapshot
from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.saves import complaint_saves_drop, complaint_saves_flush, complaint_saves_kept
from complaintdesk.complaints.timeline import (
    event_record,
    timeline_flush,
    timeline_kept,
    timeline_last_hashes_load,
    timeline_mark,
    timeline_rollback,
)
from complaintdesk.tasks.periodic import periodic_revive, periodic_wake

from .clocks import TimerSpec
from .models import LIVE_TIMER_STATES, SlaTimer, TimerCancelReason, TimerKind, TimerState

logger = logging.getLogger(__name__)

WARNING = "warning"
BREACH = "breach"

# Kinds that are deadlines (a breach is written on the timeline); other kinds are wake-ups.
DEADLINE_KINDS = frozenset(
    {
        TimerKind.FIRST_RESPONSE,
        TimerKind.ACKNOWLEDGE,
        TimerKind.RESOLUTION,
        TimerKind.LEVEL_ACKNOWLEDGE,
        TimerKind.LEVEL_RESOLVE,
        TimerKind.FOLLOW_UP,
        TimerKind.WORK_ORDER,
        TimerKind.APPROVAL,
    }
)

TimerHandler = Callable[..., None]  # handler(*, timer, complaint, phase, at)
_HANDLERS: dict[str, TimerHandler] = {}


def timer_handler_register(*, kinds: Iterable[str], handler: TimerHandler) -> None:
    """What happens when a timer of these kinds warns or fires. Called from an AppConfig.ready()."""
    for kind in kinds:
        _HANDLERS[str(kind)] = handler


# --- writing ---------------------------------------------------------------------------------------------


TIMERS_KEY = "sla.timers"
TIMER_ROWS_KEY = "sla.timer"  # new timer rows kept for the end of an SLA batch (batch_row_keep)
TIMER_SYNC_FIELDS = (
    "id",
    "complaint_id",
    "kind",
    "subject",
    "generation",
    "state",
    "due_at",
    "warn_at",
    "provisional",
)


@dataclass
class SyncResult:
    created: list[SlaTimer] = field(default_factory=list)
    cancelled: int = 0


def timers_sync(*, complaint, specs: Iterable[TimerSpec], at: dt.datetime) -> SyncResult:
    """Make the case's live timer rows exactly `specs`. A row whose due time is unchanged is kept (it
    may already have warned); a clock whose due time moved gets a new row (next generation) and the
    old one is cancelled; a live row no spec asks for is cancelled (met, paused or closed). A clock
    whose row already fired for the same due time is not armed again."""
    specs = list(specs)
    scratch = pass_case_values(complaint.pk)
    rows = scratch.get(TIMERS_KEY) if scratch is not None else None
    if rows is None:
        rows = list(
            SlaTimer.objects.filter(complaint_id=complaint.pk).only(*TIMER_SYNC_FIELDS).order_by("id")[:2000]
        )
        if scratch is not None:
            scratch[TIMERS_KEY] = rows
    live = {(r.kind, r.subject): r for r in rows if r.state in LIVE_TIMER_STATES}
    fired = {(r.kind, r.subject, r.due_at) for r in rows if r.state == TimerState.FIRED}
    generation: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row.kind, row.subject)
        generation[key] = max(generation.get(key, 0), row.generation)

    result = SyncResult()
    replaced: list[int] = []
    replaced_rows: list[SlaTimer] = []
    to_create: list[SlaTimer] = []
    for spec in specs:
        row = live.pop(spec.clock, None)
        if row is not None and (spec.immediate or row.due_at == spec.due_at):
            if (
                not spec.immediate
                and row.state == TimerState.PENDING
                and (row.warn_at != spec.warn_at or row.provisional != spec.provisional)
            ):
                if row.pk is not None:  # else not written yet (kept for the batch's end): written as changed
                    SlaTimer.objects.filter(pk=row.pk, state=TimerState.PENDING).update(
                        warn_at=spec.warn_at, provisional=spec.provisional, next_check_at=spec.first_check_at
                    )
                else:
                    row.next_check_at = spec.first_check_at
                row.warn_at, row.provisional = spec.warn_at, spec.provisional
            continue
        if row is None and not spec.immediate and (spec.kind, spec.subject, spec.due_at) in fired:
            continue
        if row is not None:
            replaced.append(row.pk)
            replaced_rows.append(row)
        to_create.append(
            SlaTimer(
                complaint_id=complaint.pk,
                kind=spec.kind,
                subject=spec.subject,
                generation=generation.get(spec.clock, 0) + 1,
                started_at=spec.started_at,
                due_at=spec.due_at,
                warn_at=spec.warn_at,
                provisional=spec.provisional,
                state=TimerState.PENDING,
                next_check_at=spec.first_check_at,
                created_at=at,
            )
        )
    not_wanted = [row.pk for row in live.values()]
    # A row this case's handling kept for the end of the SLA batch (not written yet) and no longer wanted
    # is simply not written.
    unwritten = [row for row in rows if row.pk is None and (row in live.values() or row in replaced_rows)]
    for row in unwritten:
        batch_row_drop(complaint_id=complaint.pk, key=TIMER_ROWS_KEY, row=row)
        rows.remove(row)
        result.cancelled += 1
    for ids, reason in ((replaced, TimerCancelReason.REPLACED), (not_wanted, TimerCancelReason.MET)):
        ids = [pk for pk in ids if pk is not None]
        if ids:
            result.cancelled += SlaTimer.objects.filter(pk__in=ids, state__in=LIVE_TIMER_STATES).update(
                state=TimerState.CANCELLED, cancelled_at=at, cancel_reason=reason
            )
            for row in rows:
                if row.pk in ids:
                    row.state = TimerState.CANCELLED
    if to_create:
        # In an SLA batch the new rows are written with the batch's others, in one INSERT at its end.
        kept = [
            row for row in to_create if batch_row_keep(complaint_id=complaint.pk, key=TIMER_ROWS_KEY, row=row)
        ]
        result.created = to_create if kept else SlaTimer.objects.bulk_create(to_create)
        if scratch is not None:
            rows.extend(result.created)
    if any(timer.next_check_at <= at for timer in to_create):
        transaction.on_commit(worker_wake)
    transaction.on_commit(sweep_ensure_running)
    return result


# --- handling --------------------------------------------------------------------------------------------

CLAIMED_WARNING = "warned"
CLAIMED_BREACH = "fired"
NOTHING = "nothing"
SKIPPED = "skipped"
FAILED = "failed"


@dataclass
class SweepResult:
    warned: int = 0
    fired: int = 0
    skipped: int = 0  # complaint locked by someone else: left for the next pass
    failed: int = 0
    nothing: int = 0  # changed or claimed by someone else since it was read

    def add(self, outcome: str) -> None:
        attribute = {CLAIMED_WARNING: "warned", CLAIMED_BREACH: "fired", SKIPPED: "skipped", FAILED: "failed"}
        name = attribute.get(outcome, "nothing")
        setattr(self, name, getattr(self, name) + 1)

    @property
    def handled(self) -> int:
        return self.warned + self.fired

    def as_dict(self) -> dict:
        return asdict(self)


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def timer_process(*, timer_id: int, complaint_id: int) -> str:
    """Handle one timer if it is due: a warning, or a breach (a breach without a warning when both
    have passed, e.g. after downtime). Returns what happened."""
    try:
        with transaction.atomic():
            locked = (
                Complaint.objects.select_for_update(skip_locked=True)
                .filter(pk=complaint_id)
                .values_list("pk", flat=True)
                .first()
            )
            if locked is None:
                exists = SlaTimer.objects.filter(pk=timer_id, state__in=LIVE_TIMER_STATES).exists()
                return SKIPPED if exists else NOTHING
            at = now()
            timer = SlaTimer.objects.filter(pk=timer_id, state__in=LIVE_TIMER_STATES).first()
            if timer is None:
                return NOTHING
            live = SlaTimer.objects.filter(pk=timer.pk, generation=timer.generation)
            if timer.due_at <= at:
                phase, outcome = BREACH, CLAIMED_BREACH
                claimed = live.filter(state__in=LIVE_TIMER_STATES).update(state=TimerState.FIRED, fired_at=at)
                timer.state, timer.fired_at = TimerState.FIRED, at
            elif timer.state == TimerState.PENDING and timer.warn_at is not None and timer.warn_at <= at:
                phase, outcome = WARNING, CLAIMED_WARNING
                claimed = live.filter(state=TimerState.PENDING).update(
                    state=TimerState.WARNED, warned_at=at, next_check_at=timer.due_at
                )
                timer.state, timer.warned_at = TimerState.WARNED, at
            else:  # looked at early (after a back-off): wait for its next point
                upcoming = (
                    timer.due_at
                    if timer.state == TimerState.WARNED or timer.warn_at is None
                    else timer.warn_at
                )
                live.filter(state=timer.state).update(next_check_at=upcoming)
                return NOTHING
            if claimed != 1:
                return NOTHING
            complaint = Complaint.objects.select_related("org_unit").get(pk=complaint_id)
            _timer_handle(timer=timer, complaint=complaint, phase=phase, at=at)
            return outcome
    except Exception as error:  # the transaction rolled back: the row is still live; try again later
        logger.exception("SLA timer %s (complaint %s) failed", timer_id, complaint_id)
        _timer_failed(timer_id=timer_id, error=error)
        return FAILED


def _timer_failed(*, timer_id: int, error: Exception) -> None:
    row = SlaTimer.objects.filter(pk=timer_id, state__in=LIVE_TIMER_STATES).only("attempts").first()
    if row is None:
        return
    attempts = row.attempts + 1
    SlaTimer.objects.filter(pk=timer_id, state__in=LIVE_TIMER_STATES).update(
        attempts=attempts, last_error=repr(error)[:2000], next_check_at=now() + _backoff(attempts)
    )


def _timer_handle(*, timer: SlaTimer, complaint, phase: str, at: dt.datetime) -> None:
    if timer.kind in DEADLINE_KINDS:
        label = TimerKind(timer.kind).label if timer.kind in TimerKind.values else timer.kind
        if phase == WARNING:
            reason = _("“%(clock)s”时限即将到期（预警）") % {"clock": label}
        else:
            reason = _("已超过“%(clock)s”时限") % {"clock": label}
        # The kind says warning or breach; the field names the clock ("resolution", "level_resolve").
        event_record(
            complaint=complaint,
            actor=None,
            kind=EventKind.SLA_WARNING if phase == WARNING else EventKind.SLA_BREACH,
            at=at,
            field=timer.kind[:50],
            new=timer.due_at,
            reason=reason,
        )
    handler = _HANDLERS.get(timer.kind)
    if handler is not None:
        handler(timer=timer, complaint=complaint, phase=phase, at=at)


def timers_due(*, cutoff: dt.datetime) -> int:
    return SlaTimer.objects.filter(state__in=LIVE_TIMER_STATES, next_check_at__lte=cutoff).count()


# --- the batch pass --------------------------------------------------------------------------------------
#
# A burst (every "2 working days" clock of a busy organisation falling due at the same end-of-day instant,
# or everything overdue after an outage) is handled a batch at a time, not a transaction per row:
# - the claim locks up to `batch` due rows' *cases* (`FOR UPDATE OF complaint SKIP LOCKED`), then the due
#   rows of the cases it holds (`_batch_claim`): cases another worker holds, and cases a person is changing,
#   are skipped without locking anything of theirs, so two workers partition the burst without waiting on
#   each other or deadlocking, and nothing is held that is not used;
# - one row per case per batch (a second due clock of the same case waits for the next batch and is read
#   again then: the first one's escalation may have replaced it), claimed with one UPDATE per phase;
# - each case is handled in its own savepoint: a case that fails is rolled back alone, its row put back
#   with back-off, and the others commit;
# - what does not change during a batch (policies, calendars, ladders, the system account, who holds a
#   level) is looked up once per batch (`pass_cached`), not once per case;
# - everything a case's handling writes (timeline, hand-off, the customer's message, staff notices) is
#   written in the batch's transaction: a worker killed in the middle of a batch leaves every row of that
#   batch live and nothing written, and the next pass (this worker or the other) does it once.

_pass_state = threading.local()


@contextmanager
def pass_cache():
    """Inside: `pass_cached` keeps what it loads until the block ends (one batch). Nested use shares the
    outer block's values."""
    if getattr(_pass_state, "values", None) is not None:
        yield _pass_state.values
        return
    _pass_state.values = {}
    try:
        yield _pass_state.values
    finally:
        _pass_state.values = None


def pass_cached(key, load: Callable[[], object]):
    """`load()`, kept for the rest of the batch when a batch is running (else loaded every time). Only
    for what a batch does not change itself: configuration, the ladder, the system account."""
    values = getattr(_pass_state, "values", None)
    if values is None:
        return load()
    if key not in values:
        values[key] = load()
    return values[key]


def pass_values() -> dict | None:
    """The running batch's own scratch space (None outside a batch): for values a batch keeps up to date
    itself (how many open cases each holder has, as the batch assigns them)."""
    return getattr(_pass_state, "values", None)


def pass_case_values(complaint_id: int) -> dict | None:
    """The running batch's scratch space for one of its cases (None outside a batch): what the batch read
    for that case in one statement for all (its escalation row, its timer rows, its closed pauses), kept
    up to date by whoever writes it during the batch. Dropped when the case's handling fails (its
    savepoint rolled back what the values described)."""
    values = getattr(_pass_state, "values", None)
    if values is None:
        return None
    return values.setdefault(("case", complaint_id), {})


def _case_timers_load(complaint_ids: list[int]) -> None:
    """The timer rows of the batch's cases in one query, for `timers_sync` (which keeps them up to date)."""
    found: dict[int, list[SlaTimer]] = {pk: [] for pk in complaint_ids}
    for row in (
        SlaTimer.objects.filter(complaint_id__in=complaint_ids).only(*TIMER_SYNC_FIELDS).order_by("id")
    ):
        found[row.complaint_id].append(row)
    for pk, rows in found.items():
        if len(rows) <= 2000:  # as timers_sync reads them
            pass_case_values(pk)[TIMERS_KEY] = rows


def _case_values_drop(complaint_id: int) -> None:
    values = getattr(_pass_state, "values", None)
    if values is not None:
        values.pop(("case", complaint_id), None)


_AFTER_PASS: list[Callable[[], object]] = []
_BATCH_ROWS: dict[str, Callable[[list], object]] = {}
ROWS_OPEN_KEY = "sla.batch_rows_open"
_BATCH_END: list[Callable[[], object]] = []
_BATCH_START: list[Callable[[list], object]] = []


def batch_start_register(hook: Callable[[list], object]) -> None:
    """Run once a batch has claimed its rows, before its cases, with the batch's claimed timers (each with
    its `complaint`, locked): read for all the cases at once what each case's handling would read one by
    one (`pass_case_values`). A hook must only read; what it leaves unread is read per case as before."""
    if hook not in _BATCH_START:
        _BATCH_START.append(hook)


def case_records_load(
    *,
    key: str,
    timers: list,
    load: Callable[[list[int]], Iterable[tuple]],
    written_by: Iterable[str] = (),
    limit: int = 100,
) -> None:
    """For a batch-start hook of an app whose clock provider reads rows of its own per case (approval
    requests, work orders, referrals): `load(complaint_ids)` gives (complaint_id, row) for all the batch's
    cases at once, kept under `key` for `case_records`. Cases whose claimed timer is of a kind in
    `written_by` (the app's own timer kinds, whose handler changes those rows) are left out, and so is a
    case with more than `limit` rows: they read their own, as outside a batch."""
    skip = {str(kind) for kind in written_by}
    found: dict[int, list] = {t.complaint_id: [] for t in timers if t.kind not in skip}
    if not found:
        return
    for complaint_id, row in load(list(found)):
        found[complaint_id].append(row)
    for pk, rows in found.items():
        if len(rows) <= limit:
            pass_case_values(pk)[key] = rows


def case_records(*, key: str, complaint_id: int, load: Callable[[], Iterable]) -> list:
    """The rows `case_records_load` read for the case during this batch, else `load()`."""
    scratch = pass_case_values(complaint_id)
    if scratch is not None and key in scratch:
        return scratch[key]
    return list(load())


def batch_rows_flush_register(key: str, flush: Callable[[list], object]) -> None:
    """Rows of kind `key` that a case's handling keeps for the end of its batch (`batch_row_keep`) are
    written by `flush(rows)`, in the order the cases were handled, once every case of the batch has been
    handled and before the batch commits (one INSERT for the batch instead of one per case). A flush that
    fails rolls the whole batch back, as a killed worker would: its rows stay due and the next pass does
    them once. Called from an AppConfig.ready()."""
    _BATCH_ROWS[key] = flush


def batch_row_keep(*, complaint_id: int, key: str, row) -> bool:
    """Inside an SLA batch, while its cases are handled: keep `row` (an unsaved instance) to be written
    with the other cases' rows of `key` at the end of the batch (`batch_rows_flush_register`); dropped with
    the case if its handling fails. False outside (no batch, a batch-end hook, no flush registered for
    `key`): the caller writes the row itself, as before."""
    values = getattr(_pass_state, "values", None)
    if values is None or not values.get(ROWS_OPEN_KEY) or key not in _BATCH_ROWS:
        return False
    pass_case_values(complaint_id).setdefault(("rows", key), []).append(row)
    return True


def batch_row_drop(*, complaint_id: int, key: str, row) -> bool:
    """A row kept with `batch_row_keep` that the case's handling no longer wants: it is not written."""
    scratch = pass_case_values(complaint_id)
    kept = scratch.get(("rows", key)) if scratch is not None else None
    for index, candidate in enumerate(kept or ()):
        if candidate is row:
            del kept[index]
            return True
    return False


def batch_timers_write(rows: list[SlaTimer]) -> None:
    """The timer rows an SLA batch's cases armed (`timers_sync`), in one INSERT (nobody reads their ids)."""
    fastsql.insert_instances(rows, ids=False)


def _batch_rows_flush(complaint_ids: list[int]) -> None:
    """Write what the batch's handled cases kept (`batch_row_keep`), key by key, in case order."""
    values = _pass_state.values
    values[ROWS_OPEN_KEY] = False
    for key, flush in _BATCH_ROWS.items():
        rows = []
        for complaint_id in complaint_ids:
            scratch = values.get(("case", complaint_id))
            if scratch is not None:
                rows.extend(scratch.pop(("rows", key), ()))
        if rows:
            flush(rows)


def batch_end_register(hook: Callable[[], object]) -> None:
    """Run at the end of each batch, in its transaction, after its cases (the escalation app decides the
    holders' notices of the batch's hand-offs together). A hook that fails is rolled back alone and
    logged; what it left undone must be safe to do later."""
    if hook not in _BATCH_END:
        _BATCH_END.append(hook)


def after_pass_register(hook: Callable[[], object]) -> None:
    """Run after each reconcile pass has handled everything due (the escalation app's holder digests).
    Called from an AppConfig.ready(); a hook that fails is logged, the pass's work is committed."""
    if hook not in _AFTER_PASS:
        _AFTER_PASS.append(hook)


def _restore_failed(*, timer: SlaTimer, error: Exception, at: dt.datetime) -> None:
    """Undo the claim of a row whose handling failed (its savepoint rolled back) and retry it later."""
    attempts = timer.attempts + 1
    SlaTimer.objects.filter(pk=timer.pk).update(
        state=timer.state, fired_at=timer.fired_at, warned_at=timer.warned_at, attempts=attempts,
        last_error=repr(error)[:2000], next_check_at=at + _backoff(attempts),
    )  # fmt: skip


def _batch_claim(*, batch: int, cutoff: dt.datetime) -> tuple[int, list[SlaTimer]]:
    """Claim a batch in two steps, cases first (inside the batch's transaction). Returns how many due rows
    the first step read and the due rows of the cases it locked, each with its case (and the case's
    unit, customer and assignee), by check time.

    1. Up to `batch` due rows are read and *only their cases* locked, `FOR UPDATE OF complaint SKIP
       LOCKED`: a case another worker (or a person) holds is passed over, and nothing of it is locked.
    2. The due rows of the cases now held are read again and locked, `FOR UPDATE` without skipping.
       Only a holder of the case writes its timers (the services lock the case, then rewrite its rows),
       so nobody holds these rows now, and this statement's fresh snapshot sees what the case's previous
       holder committed (a row it handled or cancelled is no longer due).

    The one-statement claim this replaces (`FOR UPDATE OF timer, complaint SKIP LOCKED`) locked a row's
    timer before its case and kept the timer's lock when it skipped the case: the worker holding that
    case then waited for it as it cancelled the case's timers, while the first waited for a row the other
    had kept in the same way — deadlocks between two workers (26 of 7,086 timers in a bench run,
    docs/escalation.md), and a person changing a case could wait for a whole batch."""
    due = SlaTimer.objects.filter(state__in=LIVE_TIMER_STATES, next_check_at__lte=cutoff)
    found = list(
        due.select_related("complaint")
        .select_for_update(skip_locked=True, of=("complaint",))
        .only("id", "complaint_id", "complaint__id")
        .order_by("next_check_at", "id")[:batch]
    )
    if not found:
        return 0, []
    case_ids = sorted({row.complaint_id for row in found})
    rows = list(
        due.filter(complaint_id__in=case_ids)
        .select_for_update(of=("self",))
        .select_related("complaint", "complaint__org_unit", "complaint__customer", "complaint__assignee")
        .order_by("next_check_at", "id")
    )
    return len(found), rows


def timers_process_batch(*, batch: int = 500, cutoff: dt.datetime | None = None) -> tuple[SweepResult, int]:
    """Claim and handle up to `batch` due rows in one transaction. Returns what happened and how many
    rows were read (0: nothing due that nobody else holds)."""
    cutoff = cutoff or now()
    result = SweepResult()
    # One snapshot of the configuration per batch (one token query, not one per cached look-up), and the
    # batch's timeline written in one statement at its end (complaints.timeline.timeline_kept).
    # The cases' changed columns too: one UPDATE per set of columns at the end (complaints.saves).
    with pass_cache(), config_snapshot(), transaction.atomic(), timeline_kept(), complaint_saves_kept():
        read, rows = _batch_claim(batch=batch, cutoff=cutoff)
        if not rows:
            return result, read
        at = now()
        first: dict[int, SlaTimer] = {}
        for row in rows:
            first.setdefault(row.complaint_id, row)
        breaches = [t for t in first.values() if t.due_at <= at]
        warnings = [
            t for t in first.values()
            if t.due_at > at and t.state == TimerState.PENDING and t.warn_at is not None and t.warn_at <= at
        ]  # fmt: skip
        # By id, not `in` a list of instances (Model.__eq__ for every pair: 250,000 per batch of 500).
        claimed_ids = {t.pk for t in breaches} | {t.pk for t in warnings}
        early = [t for t in first.values() if t.pk not in claimed_ids]
        before = {t.pk: (t.state, t.fired_at, t.warned_at) for t in first.values()}
        if breaches:
            SlaTimer.objects.filter(pk__in=[t.pk for t in breaches]).update(
                state=TimerState.FIRED, fired_at=at
            )
        if warnings:
            SlaTimer.objects.filter(pk__in=[t.pk for t in warnings]).update(
                state=TimerState.WARNED, warned_at=at, next_check_at=F("due_at")
            )
        for timer in early:  # looked at early (after a back-off): wait for its next point
            upcoming = (
                timer.due_at if timer.state == TimerState.WARNED or timer.warn_at is None else timer.warn_at
            )
            SlaTimer.objects.filter(pk=timer.pk).update(next_check_at=upcoming)
            result.add(NOTHING)
        work = [(t, BREACH, CLAIMED_BREACH) for t in breaches] + [
            (t, WARNING, CLAIMED_WARNING) for t in warnings
        ]
        work.sort(key=lambda item: (item[0].next_check_at, item[0].pk))
        if work:
            claimed = [timer for timer, _phase, _outcome in work]
            timeline_last_hashes_load([t.complaint_id for t in claimed])
            _case_timers_load([t.complaint_id for t in claimed])
            for hook in _BATCH_START:
                hook(claimed)
        _pass_state.values[ROWS_OPEN_KEY] = True
        handled: list[int] = []
        for timer, phase, outcome in work:
            complaint = timer.complaint
            state, fired_at, warned_at = before[timer.pk]
            if phase == BREACH:
                timer.state, timer.fired_at = TimerState.FIRED, at
            else:
                timer.state, timer.warned_at = TimerState.WARNED, at
            mark = timeline_mark()
            try:
                with transaction.atomic():
                    _timer_handle(timer=timer, complaint=complaint, phase=phase, at=at)
            except Exception as error:  # this case only: its savepoint rolled back; the others go on
                logger.exception("SLA timer %s (complaint %s) failed", timer.pk, timer.complaint_id)
                timeline_rollback(mark)
                complaint_saves_drop(timer.complaint_id)
                _case_values_drop(timer.complaint_id)
                timer.state, timer.fired_at, timer.warned_at = state, fired_at, warned_at
                _restore_failed(timer=timer, error=error, at=at)
                result.add(FAILED)
                continue
            handled.append(timer.complaint_id)
            result.add(outcome)
        _batch_rows_flush(handled)  # not caught: a failure here rolls the batch back as a whole
        complaint_saves_flush()
        timeline_flush()
        for hook in _BATCH_END:
            mark = timeline_mark()
            try:
                with transaction.atomic():
                    hook()
            except Exception:
                logger.exception("end of an SLA batch: %s failed", getattr(hook, "__name__", hook))
                timeline_rollback(mark)
        complaint_saves_flush()
        timeline_flush()  # what the hooks wrote on timelines
    return result, read


def timers_process_due(
    *, batch: int = 500, time_budget: float | None = None, cutoff: dt.datetime | None = None
) -> SweepResult:
    """One pass over every live timer whose check time is at or before `cutoff` (default: now), a batch
    at a time (`timers_process_batch`), until nothing due is left that nobody else holds. Rows of cases
    locked by someone else (a person changing the case, another worker's batch) are counted `skipped`
    and left for the next pass."""
    cutoff = cutoff or now()
    started = time.monotonic()
    result = SweepResult()
    while True:
        done, read = timers_process_batch(batch=batch, cutoff=cutoff)
        for name, value in done.as_dict().items():
            setattr(result, name, getattr(result, name) + value)
        if read == 0 or (time_budget is not None and time.monotonic() - started > time_budget):
            break
    if read == 0:
        # What is still due now is held by someone else (or was claimed meanwhile by another worker).
        result.skipped = SlaTimer.objects.filter(
            state__in=LIVE_TIMER_STATES, next_check_at__lte=cutoff
        ).count()
    return result


def timers_reconcile(*, max_passes: int = 20, batch: int = 500, pause: float = 0.2) -> SweepResult:
    """Passes until nothing that has passed is left, or only cases someone else holds remain
    (`max_passes`): what `manage.py sla_reconcile` and the worker's periodic sweep run. Then the
    after-pass hooks (the holders' digests of what this pass escalated)."""
    total = SweepResult()
    for _pass in range(max_passes):
        result = timers_process_due(batch=batch)
        for name, value in result.as_dict().items():
            setattr(total, name, getattr(total, name) + value)
        if result.skipped == 0:
            break
        time.sleep(pause)  # only cases locked by someone else are left: give them a moment
    total.skipped = result.skipped
    for hook in _AFTER_PASS:
        try:
            hook()
        except Exception:  # what the hook had to do stays pending; the next pass tries again
            logger.exception("after the SLA pass: %s failed", getattr(hook, "__name__", hook))
    return total


# --- the periodic sweep and waking the worker --------------------------------------------------------------

# The sweep is the periodic job "sla-sweep" (sla/tasks.py); its schedule, lease and wake-up claim are the
# registry's (tasks.periodic, row tasks.PeriodicJob).
SWEEP_JOB = "sla-sweep"


def sweep_interval() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "SLA_SWEEP_INTERVAL_SECONDS", 30))


_last_liveness_check = 0.0


def sweep_ensure_running() -> None:
    """Start again every periodic chain that has stopped (a lost task, a queue flushed, Redis down for a
    while), the sweep's first. Looked at most once a minute per process, after a commit that wrote timers.
    The RQ worker also looks once a minute on its own (tasks.worker), so an idle system recovers too."""
    global _last_liveness_check
    if not getattr(settings, "SLA_TIMERS_WAKE", True) or time.monotonic() - _last_liveness_check < 60:
        return
    _last_liveness_check = time.monotonic()
    try:
        periodic_revive()
    except Exception:  # the queue is down: intake goes on, the sweep catches up when it is back
        logger.warning("could not check or restart the periodic jobs", exc_info=True)


_last_wake = 0.0


def worker_wake() -> None:
    """A timer is already due (a flag to act on, a deadline that passed while the clock was moved):
    ask the worker for a sweep now instead of at the next periodic one. At most one wake-up sweep is
    waiting in the queue at any time, whatever the number of processes (`periodic_wake` claims it), and
    each process asks at most once a second; the periodic sweep covers anything in between."""
    global _last_wake
    if not getattr(settings, "SLA_TIMERS_WAKE", True) or time.monotonic() - _last_wake < 1.0:
        return
    _last_wake = time.monotonic()
    try:
        periodic_wake(SWEEP_JOB)
    except Exception:
        logger.warning(
            "could not wake the worker for a due SLA timer; the periodic sweep will", exc_info=True
        )
