"""Staff notice for a detected group that waits for a supervisor's confirmation (群体性投诉待确认): the
region's supervisors are told through the one staff notifier (`inbox.staff_notify`: a notice in the
workbench and an e-mail), with a link to the groups page where they confirm or dismiss it. Nothing has
been flagged or escalated and no customer has been told yet. A confirmed group is announced by
`alerts.group_opened`. Called after the commit with plain values."""

import logging

from django.utils.translation import gettext_lazy

from complaintdesk.accounts.models import User
from complaintdesk.complaints.models import Complaint
from complaintdesk.inbox.services import staff_notify, staff_url
from complaintdesk.inbox.text import Words
from complaintdesk.orgs.models import OrgUnit

logger = logging.getLogger(__name__)

CASES_LISTED = 20
PAGE = "/groups/?view=pending"


def group_pending(
    *, group_id: int, title: str, scope_unit_id: int, user_ids: list[int], complaint_ids: list[int]
) -> int:
    """Tell the region's supervisors that a possible group complaint waits for their decision. Returns
    how many people were told."""
    recipients = list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk")) if user_ids else []
    if not recipients:
        return 0
    unit = OrgUnit.objects.filter(pk=scope_unit_id).first()
    numbers = list(
        Complaint.objects.filter(pk__in=complaint_ids)
        .order_by("created_at")
        .values_list("number", flat=True)[:CASES_LISTED]
    )
    body = [
        Words(gettext_lazy("问题：%(title)s"), {"title": title}),
        Words(gettext_lazy("区域：%(unit)s"), {"unit": unit.name if unit else "—"}),
        gettext_lazy("尚未标记、未升级，也未通知客户。请核实后在群体性投诉页面确认或否决："),
        staff_url(PAGE),
        "",
        gettext_lazy("相关投诉："),
        *[f"  {number}  {staff_url(f'/complaints/{number}/')}" for number in numbers],
    ]
    if len(complaint_ids) > len(numbers):
        body.append(Words(gettext_lazy("……另有 %(more)d 件"), {"more": len(complaint_ids) - len(numbers)}))
    try:
        rows = staff_notify(
            recipients=recipients,
            kind="group_pending",
            title=Words(
                gettext_lazy("[G%(group)s] 疑似群体性投诉，待您确认：%(count)d 位客户，%(title)s"),
                {"group": group_id, "count": len(complaint_ids), "title": title},
            ),
            body=body,
            link=PAGE,
        )
    except Exception:  # the pending group stands; the groups page shows it anyway
        logger.exception("group complaint G%s: could not notify the supervisors", group_id)
        return 0
    return len(rows)
