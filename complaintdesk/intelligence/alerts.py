"""Staff notification when a group complaint opens: the region's supervisors get an e-mail each (the
escalation app's `group_alert` task, the same staff mail as the ladder's alerts), and the group row
records whom and when (`alerted_user_ids`, `alerted_at`), so the case page and the admin show it.
Called after the commit with plain values."""

import logging

logger = logging.getLogger(__name__)


def group_opened(
    *, group_id: int, title: str, scope_unit_id: int, user_ids: list[int], complaint_ids: list[int]
) -> None:
    """Tell the region's supervisors that customers are complaining together about one problem."""
    from complaintdesk.escalation.tasks import group_alert

    logger.info(
        "group complaint G%s opened in unit %s: %s — %d complaints; alerting %s",
        group_id, scope_unit_id, title, len(complaint_ids), user_ids,
    )  # fmt: skip
    group_alert.enqueue(
        group_id=group_id,
        title=title,
        scope_unit_id=scope_unit_id,
        user_ids=user_ids,
        complaint_ids=complaint_ids,
    )
