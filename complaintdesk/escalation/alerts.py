"""What the ladder tells members of staff about their cases — a warning, a breach, a case that came up
or back to them, a risk flag, a case nobody holds — through the one staff notifier (`inbox.services.staff_notify`: a notice in the workbench, and an e-mail
to those with an address), in each person's language with an absolute link to the case.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from complaintdesk.accounts.models import User, system_user_kind
from complaintdesk.accounts.roles import ROLE_PERMISSIONS
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.states import Status
from complaintdesk.inbox.services import StaffNotice, staff_notify, staff_notify_many, staff_url
from complaintdesk.inbox.text import Words
from complaintdesk.sla.models import TimerKind

from .models import HandOffTrigger

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


def staff_link(path: str) -> str:
    """A link into the workbench, absolute (STAFF_BASE_URL)."""
    return staff_url(path)


def case_path(number: str) -> str:
    return f"/complaints/{number}/"


def case_link(number: str) -> str:
    return staff_url(case_path(number))


def staff_alert_recipients(*, user_ids: list[int], unit_id: int | None) -> list[User]:
    """The people named, or — for a case waiting in a unit's queue — that unit's managers."""
    users = User.objects.filter(is_active=True)
    if user_ids:
        return list(users.filter(pk__in=user_ids).order_by("pk"))
    if unit_id:
        return list(users.filter(org_unit_id=unit_id, role__in=MANAGER_ROLES).order_by("pk")[:20])
    return []


def _clock_label(clock: str):
    """The clock's name in words (a timer kind's label); a text that is not a kind is kept as given."""
    return TimerKind(clock).label if clock in TimerKind.values else clock


@dataclass(frozen=True)
class StaffAlert:
    """One case to tell people about (the arguments of `staff_alert_send`)."""

    complaint_id: int
    user_ids: tuple[int, ...]
    unit_id: int | None
    what: str
    clock: str = ""
    due_at: dt.datetime | None = None
    # A hand-off's why and who (the holder's notice): its trigger, the words given, the person who moved it.
    trigger: str = ""
    reason: str = ""
    by: User | None = None


def _why(trigger: str, reason: str) -> Words | None:
    """Why the case moved, in the reader's language: "人工升级：客户要求经理处理" (the trigger and the words
    given with it), or the trigger alone."""
    if trigger not in HandOffTrigger.values:
        return None
    label = HandOffTrigger(trigger).label
    if reason:
        return Words(gettext_lazy("%(trigger)s：%(reason)s"), {"trigger": label, "reason": reason})
    return Words("%(trigger)s", {"trigger": label})


def _alert_text(
    *,
    complaint: Complaint,
    what: str,
    clock: str,
    due_at: dt.datetime | None,
    trigger: str = "",
    reason: str = "",
    by: User | None = None,
) -> tuple[Words, list]:
    headline = WHAT.get(what, WHAT["warning"])
    body = [
        Words(gettext_lazy("投诉单号：%(number)s"), {"number": complaint.number}),
        Words(gettext_lazy("问题：%(title)s"), {"title": complaint.title}),
        Words(gettext_lazy("所属机构：%(unit)s"), {"unit": complaint.org_unit.name}),
        Words(gettext_lazy("状态：%(status)s"), {"status": Status(complaint.status).label}),
    ]
    if clock:
        body.append(Words(gettext_lazy("时限：%(clock)s"), {"clock": _clock_label(clock)}))
    if due_at:
        body.append(Words(gettext_lazy("到期时间：%(due)s"), {"due": due_at}))
    if why := _why(trigger, reason):
        body.append(Words(gettext_lazy("原因：%(why)s"), {"why": why}))
    if by is not None and system_user_kind(by.username) is None:  # a person moved it, not the ladder's rules
        body.append(Words(gettext_lazy("经办人：%(by)s"), {"by": by}))
    title = Words("[%(number)s] %(headline)s：%(title)s",
                  {"number": complaint.number, "headline": headline, "title": complaint.title})  # fmt: skip
    return title, body


def staff_alert_send(
    *,
    complaint_id: int,
    user_ids: list[int],
    unit_id: int | None,
    what: str,
    clock: str = "",
    due_at: dt.datetime | None = None,
) -> int:
    """Tell the recipients about one case (a notice each, and an e-mail to those with an address).
    Returns how many were told."""
    complaint = Complaint.objects.select_related("org_unit").filter(pk=complaint_id).first()
    recipients = staff_alert_recipients(user_ids=user_ids, unit_id=unit_id)
    if complaint is None or not recipients:
        return 0
    title, body = _alert_text(complaint=complaint, what=what, clock=clock, due_at=due_at)
    rows = staff_notify(
        recipients=recipients, kind=f"case_{what}", title=title, body=body, link=case_path(complaint.number),
        complaint=complaint,
    )  # fmt: skip
    return len(rows)


def staff_alerts_send_many(alerts: list[StaffAlert]) -> int:
    """`staff_alert_send` for many cases at once (the end of an SLA batch): one query for the cases, one
    for the units' managers, one for the people and one INSERT, whatever the number. Returns how many
    notices were written."""
    if not alerts:
        return 0
    complaints = {
        c.pk: c
        for c in Complaint.objects.select_related("org_unit").filter(pk__in={a.complaint_id for a in alerts})
    }
    units = {a.unit_id for a in alerts if not a.user_ids and a.unit_id}
    managers: dict[int, list[int]] = {}
    if units:
        rows = (
            User.objects.filter(is_active=True, org_unit_id__in=units, role__in=MANAGER_ROLES)
            .order_by("pk")
            .values_list("org_unit_id", "pk")
        )
        for unit_id, pk in rows:
            managers.setdefault(unit_id, []).append(pk)
    notices = []
    for alert in alerts:
        complaint = complaints.get(alert.complaint_id)
        recipients = sorted(alert.user_ids) if alert.user_ids else managers.get(alert.unit_id, [])[:20]
        if complaint is None or not recipients:
            continue
        title, body = _alert_text(
            complaint=complaint, what=alert.what, clock=alert.clock, due_at=alert.due_at,
            trigger=alert.trigger, reason=alert.reason, by=alert.by,
        )  # fmt: skip
        notices.append(
            StaffNotice(
                recipients=tuple(recipients), kind=f"case_{alert.what}", title=title, body=body,
                link=case_path(complaint.number), complaint=complaint,
            )
        )  # fmt: skip
    return len(staff_notify_many(notices))
