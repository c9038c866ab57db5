"""Reads of the WeChat channel."""

import datetime as dt

from complaintdesk.accounts.access import complaints_visible_to
from complaintdesk.complaints.states import OPEN_STATUSES


def complaint_open_number_for_openid(*, openid: str, actor, since: dt.datetime | None) -> str:
    """The number of the WeChat user's most recently opened case that is still open (and, with `since`,
    opened since then), among the cases `actor` may see; "" when there is none.

    One row at most: the customer is found by the indexed `wechat_openid`, their cases by the
    `customer` foreign key's index, newest first.
    """
    if not openid:
        return ""
    cases = complaints_visible_to(actor).filter(customer__wechat_openid=openid, status__in=OPEN_STATUSES)
    if since is not None:
        cases = cases.filter(created_at__gte=since)
    return cases.order_by("-created_at", "-id").values_list("number", flat=True).first() or ""
