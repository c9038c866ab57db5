"""E-mails to members of staff about their cases: the ladder's alerts (a warning, a breach, a case that
came up or back to them, a risk flag, a case nobody holds) and the daily digest for each level holder.

Sent through Django's email framework (EMAIL_BACKEND); people without an e-mail address are skipped
(they see the same cases on their queues and the supervisor view).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaintdesk.accounts.models import User
from complaintdesk.accounts.roles import ROLE_PERMISSIONS
from complaintdesk.common.time import to_local
from complaintdesk.complaints.models import Complaint
from complaintdesk.notifications.email import from_address

logger = logging.getLogger(__name__)

WHAT = {
    "warning": gettext_lazy("时限即将到期"),
    "breach": gettext_lazy("已超过时限"),
    "new_holder": gettext_lazy("投诉已升级到您"),
    "hand_back": gettext_lazy("投诉已退回给您"),
    "risk_flag": gettext_lazy("声誉风险或群体性投诉"),
    "holder_missing": gettext_lazy("升级后无人承接，请尽快分派"),
}
MANAGER_ROLES = tuple(
    role for role, permissions in ROLE_PERMISSIONS.items() if "assign_complaint" in permissions
)


def _when(value: dt.datetime | None) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def staff_link(path: str) -> str:
    """A link into the workbench: absolute when STAFF_BASE_URL is set (https://cs.example.com)."""
    return (getattr(settings, "STAFF_BASE_URL", "") or "").rstrip("/") + path


def case_link(number: str) -> str:
    return staff_link(f"/complaints/{number}/")


def staff_alert_recipients(*, user_ids: list[int], unit_id: int | None) -> list[User]:
    """The people named, or — for a case waiting in a unit's queue — that unit's managers."""
    users = User.objects.filter(is_active=True).exclude(email="")
    if user_ids:
        return list(users.filter(pk__in=user_ids).order_by("pk"))
    if unit_id:
        return list(users.filter(org_unit_id=unit_id, role__in=MANAGER_ROLES).order_by("pk")[:20])
    return []


def staff_alert_send(
    *,
    complaint_id: int,
    user_ids: list[int],
    unit_id: int | None,
    what: str,
    clock: str = "",
    due_at: dt.datetime | None = None,
) -> int:
    """One e-mail per recipient about one case. Returns how many were sent."""
    complaint = Complaint.objects.select_related("org_unit").filter(pk=complaint_id).first()
    recipients = staff_alert_recipients(user_ids=user_ids, unit_id=unit_id)
    if complaint is None or not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        headline = str(WHAT.get(what, what))
        subject = f"[{complaint.number}] {headline}：{complaint.title}"[:200]
        lines = [
            headline,
            "",
            _("投诉单号：%(number)s") % {"number": complaint.number},
            _("问题：%(title)s") % {"title": complaint.title},
            _("所属机构：%(unit)s") % {"unit": complaint.org_unit.name},
            _("状态：%(status)s") % {"status": complaint.get_status_display()},
        ]
        if clock:
            lines.append(_("时限：%(clock)s") % {"clock": clock})
        if due_at:
            lines.append(_("到期时间：%(due)s") % {"due": _when(due_at)})
        lines += ["", case_link(complaint.number)]
    body = "\n".join(lines)
    messages = [
        EmailMessage(subject=subject, body=body, from_email=from_address(), to=[user.email])
        for user in recipients
    ]
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


def group_alert_send(
    *, group_id: int, title: str, scope_unit_id: int, user_ids: list[int], complaint_ids: list[int]
) -> int:
    """One e-mail per supervisor of the region: customers are complaining together about one problem
    (群体性投诉). Lists the cases (at most 20, with links); the group's own reputation-risk flag has
    already put each case on the escalation ladder. Returns how many were sent."""
    from complaintdesk.orgs.models import OrgUnit

    recipients = staff_alert_recipients(user_ids=user_ids, unit_id=None)
    if not recipients:
        return 0
    unit = OrgUnit.objects.filter(pk=scope_unit_id).first()
    numbers = list(
        Complaint.objects.filter(pk__in=complaint_ids)
        .order_by("created_at")
        .values_list("number", flat=True)[:20]
    )
    with translation.override(settings.LANGUAGE_CODE):
        headline = _("群体性投诉：%(count)d 位客户反映同一问题") % {"count": len(complaint_ids)}
        subject = f"[G{group_id}] {headline}：{title}"[:200]
        lines = [
            headline,
            "",
            _("问题：%(title)s") % {"title": title},
            _("区域：%(unit)s") % {"unit": unit.name if unit else "—"},
            _("已标记声誉风险并进入升级流程，请协调统一处理，并确保逐一回复每位客户。"),
            "",
            _("相关投诉："),
            *[f"  {number}  {case_link(number)}" for number in numbers],
        ]
        if len(complaint_ids) > len(numbers):
            lines.append(_("……另有 %(more)d 件") % {"more": len(complaint_ids) - len(numbers)})
    body = "\n".join(lines)
    messages = [
        EmailMessage(subject=subject, body=body, from_email=from_address(), to=[user.email])
        for user in recipients
    ]
    with get_connection() as connection:
        return connection.send_messages(messages) or 0
