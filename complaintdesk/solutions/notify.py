"""Seams to the notifications app for staff messages about approvals. Called after the commit with plain
values; they log until a staff notifier exists (as escalation.notify does)."""

from __future__ import annotations

import datetime as dt
import logging

logger = logging.getLogger(__name__)


def approval_notified(
    *,
    approval_id: int,
    complaint_id: int,
    user_ids: list[int],
    unit_id: int | None,
    what: str,
    due_at: dt.datetime | None = None,
) -> None:
    """Tell staff about an approval request: `what` is "requested" (to the approver, or the unit's queue
    when nobody holds the level), "warning" (80 % of the time to decide has gone), "approved",
    "rejected" or "expired" (to the requester). Not implemented yet: logs only."""
    logger.info(
        "solutions: notify users %s (unit %s) of approval %s %s on complaint %s (due %s; not sent: no notifier yet)",
        user_ids,
        unit_id,
        approval_id,
        what,
        complaint_id,
        due_at,
    )
