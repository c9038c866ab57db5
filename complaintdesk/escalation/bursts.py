"""A digest, not a flood (issue 17 item 2): when more than ESCALATION_DIGEST_THRESHOLD cases (default 10)
go to the same holder within ESCALATION_DIGEST_WINDOW_MINUTES (default 10), the holder gets one message
listing them — how many, and the worst first — instead of a notice per case. The customers are still
told one by one (`notify.customer_told_new_holder`).

A holder is a person, or a unit's queue when nobody holds the level (its managers are told).

Durable, exactly once: every hand-off is written with `notice_pending` set, in the escalation's own
transaction. Then, still in that transaction — at the end of the SLA batch for the worker's sweep,
at once for a person's escalation — `holder_notices_decide` counts the holder's hand-offs in the window:
at most the threshold, each gets its own notice now and the flag is cleared; more, they stay pending.
`holder_digests_send` (after each sweep pass, and the periodic job `escalation-burst-digest` every
minute) claims a holder's pending hand-offs with `SKIP LOCKED`, writes one `HolderBurstDigest` row and
one staff notice listing them, and points the hand-offs at it, in one transaction. A holder gets at
most one digest per window, unless cases have waited longer than the window. A worker killed anywhere
leaves the flags as they were committed, and whoever comes next sends them once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy

from complaintdesk.common.time import now
from complaintdesk.complaints.models import Severity
from complaintdesk.inbox.services import staff_notify
from complaintdesk.inbox.text import Words
from complaintdesk.sla.timers import pass_values

from . import notify
from .alerts import StaffAlert, staff_alert_recipients
from .models import EscalationHandOff, HandOffDirection, HolderBurstDigest

logger = logging.getLogger(__name__)

LIST_MAX = 300  # lines in one message (the notice's body holds 20,000 characters); all are in the row
DIGEST_LINK = "/supervisor/"
PENDING_MAX = 20_000  # hand-offs read per run of the digest job; the next run takes the rest
SCRATCH_KEY = "escalation.pending_notices"


def digest_threshold() -> int:
    return int(getattr(settings, "ESCALATION_DIGEST_THRESHOLD", 10))


def digest_window() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "ESCALATION_DIGEST_WINDOW_MINUTES", 10)))


def _what(hand_off: EscalationHandOff) -> str:
    if hand_off.holder_missing:
        return "holder_missing"
    return "hand_back" if hand_off.direction == HandOffDirection.DOWN else "new_holder"


def holder_notice_queue(*, hand_off: EscalationHandOff) -> None:
    """A hand-off was written (flagged `notice_pending`): decide its holder's notice at the end of the
    running SLA batch, or now when no batch runs (a person escalated one case)."""
    scratch = pass_values()
    if scratch is not None:  # the hand-off itself: in a batch it may be written only at the batch's end
        scratch.setdefault(SCRATCH_KEY, []).append(hand_off)
        return
    holder_notices_decide(hand_off_ids=[hand_off.pk])


def batch_notices_decide() -> None:
    """The SLA batch's end (sla.timers.batch_end_register): its hand-offs' notices, decided together. A
    hand-off without an id is one of a case that failed (not written)."""
    scratch = pass_values()
    hand_offs = scratch.pop(SCRATCH_KEY, []) if scratch is not None else []
    ids = [hand_off.pk for hand_off in hand_offs if hand_off.pk is not None]
    if ids:
        holder_notices_decide(hand_off_ids=ids)


def _key(user_id: int | None, unit_id: int | None) -> tuple[str, int | None]:
    return ("user", user_id) if user_id else ("unit", unit_id)


def holder_notices_decide(*, hand_off_ids: list[int]) -> dict[str, int]:
    """In the escalation's transaction: a notice each for holders with at most the threshold of cases in
    the window; the others' hand-offs stay pending for their digest. Hand-offs rolled back meanwhile (a
    case whose handling failed) are simply not found."""
    hand_offs = list(
        EscalationHandOff.objects.filter(pk__in=hand_off_ids, notice_pending=True)
        .select_related("actor")
        .only(
            "id", "complaint_id", "to_user_id", "to_unit_id", "holder_missing", "direction", "resolve_due_at",
            "trigger", "reason", "instructions", "actor__username", "actor__display_name",
        )
        .order_by("id")
    )  # fmt: skip
    if not hand_offs:
        return {"sent": 0, "pending": 0}
    since = now() - digest_window()
    users = {h.to_user_id for h in hand_offs if h.to_user_id}
    units = {h.to_unit_id for h in hand_offs if not h.to_user_id}
    counts: dict[tuple[str, int | None], int] = defaultdict(int)
    recent = EscalationHandOff.objects.filter(at__gte=since).filter(
        Q(to_user_id__in=users) | Q(to_user__isnull=True, to_unit_id__in=units)
    )
    for user_id, unit_id, n in recent.values_list("to_user_id", "to_unit_id").annotate(n=Count("id")):
        counts[_key(user_id, unit_id)] += n
    told: list[int] = []
    alerts: list[StaffAlert] = []
    for hand_off in hand_offs:
        key = _key(hand_off.to_user_id, hand_off.to_unit_id)
        if counts[key] > digest_threshold():
            continue
        alerts.append(
            StaffAlert(
                complaint_id=hand_off.complaint_id,
                user_ids=(hand_off.to_user_id,) if hand_off.to_user_id else (),
                unit_id=hand_off.to_unit_id,
                what=_what(hand_off),
                due_at=hand_off.resolve_due_at,
                trigger=hand_off.trigger,
                reason=hand_off.reason or hand_off.instructions,
                by=hand_off.actor,
            )
        )
        told.append(hand_off.pk)
    notify.staff_notified_many(alerts=alerts)  # all the notices in one statement
    if told:
        EscalationHandOff.objects.filter(pk__in=told).update(notice_pending=False)
    return {"sent": len(told), "pending": len(hand_offs) - len(told)}


# --- the digest ----------------------------------------------------------------------------------------


def _worst_first(hand_off: EscalationHandOff) -> tuple:
    """重大投诉 first, then reputation risk, then group complaints, then the case waiting longest."""
    complaint = hand_off.complaint
    return (
        complaint.severity != Severity.MAJOR,
        not complaint.reputation_risk,
        not complaint.is_batch,
        complaint.received_at,
        complaint.pk,
    )


def _lines(hand_offs: list[EscalationHandOff]) -> list[Words]:
    lines = []
    for hand_off in hand_offs[:LIST_MAX]:
        complaint = hand_off.complaint
        values = {
            "number": complaint.number,
            "level": hand_off.to_level_name,
            "severity": Severity(complaint.severity).label if complaint.severity in Severity.values else "",
            "title": complaint.title[:40],
        }
        if hand_off.resolve_due_at:
            values["due"] = hand_off.resolve_due_at
            lines.append(
                Words(
                    gettext_lazy("- %(number)s %(level)s · %(severity)s · 解决时限 %(due)s · %(title)s"),
                    values,
                )
            )
        else:
            lines.append(Words(gettext_lazy("- %(number)s %(level)s · %(severity)s · %(title)s"), values))
    if len(hand_offs) > LIST_MAX:
        lines.append(
            Words(gettext_lazy("另有 %(n)d 件未在此列出，请在升级看板查看"), {"n": len(hand_offs) - LIST_MAX})
        )
    return lines


def digest_text(*, hand_offs: list[EscalationHandOff], missing: bool, minutes: int) -> tuple[Words, list]:
    """(title, body) of one holder's digest; `hand_offs` worst first."""
    worst = hand_offs[0].complaint
    values = {"count": len(hand_offs), "number": worst.number, "title": worst.title[:40], "minutes": minutes}
    if missing:
        title = Words(
            gettext_lazy(
                "[升级汇总] %(count)d 件投诉升级后无人承接，请尽快分派；最严重：%(number)s %(title)s"
            ),
            values,
        )
        intro = Words(
            gettext_lazy("%(minutes)d 分钟内有 %(count)d 件投诉升级到本机构，但没有承接人。按严重程度排列："),
            values,
        )
    else:
        title = Words(
            gettext_lazy("[升级汇总] %(count)d 件投诉已升级到您；最严重：%(number)s %(title)s"), values
        )
        intro = Words(gettext_lazy("%(minutes)d 分钟内有 %(count)d 件投诉升级到您。按严重程度排列："), values)
    return title, [intro, "", *_lines(hand_offs)]


def _due_keys(pending: list[EscalationHandOff], at: dt.datetime) -> dict[tuple, list[EscalationHandOff]]:
    """Pending hand-offs by holder, for holders that may have their digest now: none in the window yet,
    or cases that have waited longer than the window."""
    groups: dict[tuple, list[EscalationHandOff]] = defaultdict(list)
    for hand_off in pending:
        groups[_key(hand_off.to_user_id, hand_off.to_unit_id)].append(hand_off)
    since = at - digest_window()
    users = [key[1] for key in groups if key[0] == "user"]
    units = [key[1] for key in groups if key[0] == "unit"]
    recent = set()
    for user_id, unit_id in (
        HolderBurstDigest.objects.filter(sent_at__gt=since)
        .filter(Q(user_id__in=users) | Q(user__isnull=True, unit_id__in=units))
        .values_list("user_id", "unit_id")
    ):
        recent.add(_key(user_id, unit_id))
    return {
        key: rows for key, rows in groups.items() if key not in recent or min(h.at for h in rows) <= since
    }


def holder_digests_send() -> dict[str, int]:
    """Send each holder whose cases wait for a digest one message listing them (see the module's text).
    Returns how many digests and cases."""
    at = now()
    pending = list(
        EscalationHandOff.objects.filter(notice_pending=True)
        .only("id", "at", "to_user_id", "to_unit_id")
        .order_by("id")[:PENDING_MAX]
    )
    counts = {"digests": 0, "cases": 0}
    if not pending:
        return counts
    minutes = int(digest_window().total_seconds() // 60)
    for (kind, holder_id), rows in _due_keys(pending, at).items():
        try:
            with transaction.atomic():
                claimed = list(
                    EscalationHandOff.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("complaint")
                    .filter(pk__in=[h.pk for h in rows], notice_pending=True)
                    .order_by("id")
                )
                if not claimed:
                    continue
                claimed.sort(key=_worst_first)
                user_id = holder_id if kind == "user" else None
                unit_id = claimed[0].to_unit_id
                digest = HolderBurstDigest.objects.create(
                    user_id=user_id, unit_id=None if user_id else holder_id, sent_at=at, cases=len(claimed),
                    worst=claimed[0].complaint,
                )  # fmt: skip
                EscalationHandOff.objects.filter(pk__in=[h.pk for h in claimed]).update(
                    notice_pending=False, burst_digest=digest
                )
                recipients = staff_alert_recipients(user_ids=[user_id] if user_id else [], unit_id=unit_id)
                title, body = digest_text(hand_offs=claimed, missing=user_id is None, minutes=minutes)
                staff_notify(
                    recipients=recipients, kind="escalation_burst", title=title, body=body, link=DIGEST_LINK
                )
        except Exception:  # this holder's cases stay pending: the next run sends them
            logger.exception("escalation: burst digest for %s %s failed", kind, holder_id)
            continue
        counts["digests"] += 1
        counts["cases"] += len(claimed)
    return counts
