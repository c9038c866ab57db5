"""Staff notification when a group complaint opens: each of the region's supervisors is told through the
one staff notifier (`inbox.staff_notify`: a notice in the workbench and an e-mail to those with an
address, in their language, with absolute links to the cases), and the group row records whom and when
(`alerted_user_ids`, `alerted_at`), so the case page and the admin show it. Called after the commit with
plain values."""

import logging

from django.utils.translation import gettext_lazy

from complaintdesk.accounts.models import User
from complaintdesk.complaints.models import Complaint
from complaintdesk.inbox.services import staff_notify, staff_url
from complaintdesk.inbox.text import Words
from complaintdesk.orgs.models import OrgUnit

logger = logging.getLogger(__name__)

CASES_LISTED = 20


def group_opened(
    *, group_id: int, title: str, scope_unit_id: int, user_ids: list[int], complaint_ids: list[int]
) -> int:
    """Tell the region's supervisors that customers are complaining together about one problem
    (群体性投诉), listing the cases (at most 20, with links); the group's own reputation-risk flag has
    already put each case on the escalation ladder. Returns how many people were told."""
    logger.info(
        "group complaint G%s opened in unit %s: %s — %d complaints; alerting %s",
        group_id, scope_unit_id, title, len(complaint_ids), user_ids,
    )  # fmt: skip
    recipients = list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk")) if user_ids else []
    if not recipients:
        return 0
    unit = OrgUnit.objects.filter(pk=scope_unit_id).first()
    numbers = list(
        Complaint.objects.filter(pk__in=complaint_ids)
        .order_by("created_at")
        .values_list("number", flat=True)[:CASES_LISTED]
    )
    headline = Words(gettext_lazy("群体性投诉：%(count)d 位客户反映同一问题"), {"count": len(complaint_ids)})
    body = [
        Words(gettext_lazy("问题：%(title)s"), {"title": title}),
        Words(gettext_lazy("区域：%(unit)s"), {"unit": unit.name if unit else "—"}),
        gettext_lazy("已标记声誉风险并进入升级流程，请协调统一处理，并确保逐一回复每位客户。"),
        "",
        gettext_lazy("相关投诉："),
        *[f"  {number}  {staff_url(f'/complaints/{number}/')}" for number in numbers],
    ]
    if len(complaint_ids) > len(numbers):
        body.append(Words(gettext_lazy("……另有 %(more)d 件"), {"more": len(complaint_ids) - len(numbers)}))
    try:
        rows = staff_notify(
            recipients=recipients,
            kind="group_opened",
            title=Words("[G%(group)s] %(headline)s：%(title)s",
                        {"group": group_id, "headline": headline, "title": title}),
            body=body,
            link=f"/complaints/{numbers[0]}/" if numbers else "/supervisor/",
        )  # fmt: skip
    except Exception:  # the group and its flags stand; the supervisor view shows it anyway
        logger.exception("group complaint G%s: could not notify the supervisors", group_id)
        return 0
    return len(rows)
