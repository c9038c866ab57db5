"""Reads of the WeChat channel."""

import datetime as dt

from complaintdesk.complaints.access import complaints_visible_to
from complaintdesk.complaints.states import OPEN_STATUSES


def complaint_open_number_for_openid(*, openid: str, actor, since: dt.datetime | None) -> str:
    """The number of the WeChat user's most recently opened case that is still open (and, with `since`,
    opened since then), among the cases `actor` may see; "" when there is none.

    A case is this user's when it was filed from this OpenID (the case's own contact) or its customer's
    record holds it (set by staff); an OpenID that only appears with another person's phone number on
    someone else's case does not reach that case. One row at most from each indexed lookup.
    """
    if not openid:
        return ""
    found = []
    visible = complaints_visible_to(actor).filter(status__in=OPEN_STATUSES)
    for condition in ({"contact_wechat_openid": openid}, {"customer__wechat_openid": openid}):
        cases = visible.filter(**condition)
        if since is not None:
            cases = cases.filter(created_at__gte=since)
        row = cases.order_by("-created_at", "-id").values_list("created_at", "id", "number").first()
        if row:
            found.append(row)
    return max(found)[2] if found else ""
