"""Seams to the notifications app (issue: outbound SMS / email / WeChat behind one Notifier).

Until that app exists these only log. They are called after the escalation has committed
(`transaction.on_commit`) with plain values, so a notifier may run them in a task with retries.
When the customer has actually been told who holds the case and by when, the notifier calls
`escalation.services.escalation_customer_acknowledged` — that, not the escalation, meets the level's
acknowledge deadline.
"""

from __future__ import annotations

import datetime as dt
import logging

logger = logging.getLogger(__name__)


def customer_told_new_holder(
    *,
    complaint_id: int,
    hand_off_id: int,
    level_name: str,
    holder_name: str,
    holder_extension: str,
    acknowledge_due_at: dt.datetime | None,
    resolve_due_at: dt.datetime | None,
    reason: str,
) -> None:
    """Tell the customer, on their preferred channel, who now holds the case and by when they will
    hear. Not implemented yet: logs only, and the holder records the acknowledgement by hand."""
    logger.info(
        "escalation: customer of complaint %s to be told: %s (%s, ext %s) holds the case; resolve by %s "
        "(hand-off %s; not sent: no notifier yet)",
        complaint_id, level_name, holder_name or "-", holder_extension or "-", resolve_due_at, hand_off_id,
    )


def staff_notified(
    *,
    complaint_id: int,
    user_ids: list[int],
    unit_id: int | None,
    what: str,
    clock: str = "",
    due_at: dt.datetime | None = None,
) -> None:
    """Tell members of staff about a case: `what` is "warning", "breach", "new_holder", "hand_back",
    "risk_flag" or "holder_missing" (then `user_ids` is empty and `unit_id` names the queue).
    Not implemented yet: logs only."""
    logger.info(
        "escalation: notify users %s (unit %s) of %s on complaint %s (clock %s, due %s; not sent: no notifier yet)",
        user_ids, unit_id, what, complaint_id, clock or "-", due_at,
    )
