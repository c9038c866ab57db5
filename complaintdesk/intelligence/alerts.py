"""Seam to staff notifications for group complaints. Until the notifications app sends staff
messages (it sends customers' today), a new group is logged at WARNING — with who must be told —
and the group row records whom and when (`alerted_user_ids`, `alerted_at`), so the case page and the
admin show it. Called after the commit with plain values, so a notifier may run it in a task."""

import logging

logger = logging.getLogger(__name__)


def group_opened(
    *, group_id: int, title: str, scope_unit_id: int, user_ids: list[int], complaint_ids: list[int]
) -> None:
    """Tell the region's supervisors that customers are complaining together about one problem."""
    logger.warning(
        "group complaint G%s opened in unit %s: %s — %d complaints %s; supervisors to alert: %s "
        "(logged only: no staff notifier yet)",
        group_id, scope_unit_id, title, len(complaint_ids), complaint_ids[:20], user_ids,
    )  # fmt: skip
