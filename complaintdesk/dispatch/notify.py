"""Seams to the notifications app for staff messages about work orders. Called after the commit with
plain values; they log until a staff notifier exists (as escalation.notify does)."""

from __future__ import annotations

import datetime as dt
import logging

logger = logging.getLogger(__name__)


def work_order_notified(
    *,
    work_order_id: int,
    complaint_id: int,
    user_ids: list[int],
    unit_id: int | None,
    what: str,
    due_at: dt.datetime | None = None,
) -> None:
    """Tell staff about a work order: `what` is "dispatched" (to the owner, or the department's queue),
    "warning" and "overdue" (to the owner or department, and the case's handler), "accepted", "done",
    "rejected" (to the case's handler) or "cancelled" (to the department). Not implemented yet: logs only."""
    logger.info(
        "dispatch: notify users %s (unit %s) of work order %s %s on complaint %s (due %s; not sent: no notifier yet)",
        user_ids,
        unit_id,
        work_order_id,
        what,
        complaint_id,
        due_at,
    )
