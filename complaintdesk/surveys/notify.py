"""What staff hear about follow-ups (回访), through the one staff notifier (`inbox.staff_notify`: a notice in the
workbench and an e-mail, in each person's language, with an absolute link). Called after the commit with plain
values (follow_ups.follow_up_on_transition).

- A new follow-up task: whoever has to call the customer — the task's 回访人 (the case's handler when it was
  resolved), else, with nobody holding the case, the managers of its unit (or the nearest above), who assign
  it. The person who resolved the case and holds it too is not told what they have just done (their 回访
  queue lists it). The notice names the case, the customer, who resolved it and by when to call, as people
  say a time ("12月14日 17:00"), and opens the case at its follow-up panel.

Warnings and overdue follow-ups are the ladder's alerts (escalation.alerts, follow_ups.follow_up_on_timer),
sent once per task and phase: a task whose first notice came when it was already overdue (or past its warning
point) gets no second one from the sweep for that phase (`_phases_told`). The one who resolved it and holds it,
not told at creation, still hears of it from the sweep.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext_lazy

from complaintdesk.accounts.models import User, system_user_kind
from complaintdesk.common.time import now
from complaintdesk.escalation.alerts import MANAGER_ROLES
from complaintdesk.inbox.services import staff_notify
from complaintdesk.inbox.text import Words
from complaintdesk.orgs.selectors import orgunit_ancestors

from .models import FollowUp, FollowUpState

logger = logging.getLogger(__name__)

UNIT_PEOPLE_MAX = 20

TITLE = gettext_lazy("请回访客户：%(number)s %(title)s，%(due)s前")
TITLE_OVERDUE = gettext_lazy("回访已超过时限：%(number)s %(title)s，时限%(due)s")


def follow_up_path(number: str) -> str:
    """The case page at its feedback and follow-up panel (where the call is recorded)."""
    return f"/complaints/{number}/#feedback"


def follow_up_created_notified(*, follow_up_id: int, actor_id: int | None) -> int:
    """Tell whoever has to do follow-up `follow_up_id` that it is theirs, unless it is already done or gone.
    A lost notice is only logged: the task stands and is on the follow-up queue."""
    try:
        return _follow_up_created_notify(follow_up_id=follow_up_id, actor_id=actor_id)
    except Exception:
        logger.exception("surveys: could not tell staff of follow-up %s", follow_up_id)
        return 0


def follow_up_recipients(task: FollowUp, *, actor_id: int | None) -> list[int]:
    """The task's 回访人 (not when they resolved the case themselves: they know). With none — nobody held the
    case when it was resolved, or the person has left — those who assign the cases of its unit: the managers
    of the unit, else of the nearest unit above it that has any (the one who resolved it left out)."""
    if task.assignee_id and User.objects.filter(pk=task.assignee_id, is_active=True).exists():
        return [] if task.assignee_id == actor_id else [task.assignee_id]
    for unit in reversed(orgunit_ancestors(unit=task.org_unit)):
        managers = list(
            User.objects.filter(is_active=True, org_unit_id=unit.pk, role__in=MANAGER_ROLES)
            .order_by("pk")
            .values_list("pk", flat=True)[:UNIT_PEOPLE_MAX]
        )
        if managers:
            return [pk for pk in managers if pk != actor_id]
    return []


def _follow_up_created_notify(*, follow_up_id: int, actor_id: int | None) -> int:
    task = (
        FollowUp.objects.select_related("complaint", "complaint__customer", "complaint__org_unit", "org_unit")
        .filter(pk=follow_up_id, state=FollowUpState.OPEN)
        .first()
    )
    if task is None:  # done or cancelled before anyone was told
        return 0
    recipients = follow_up_recipients(task, actor_id=actor_id)
    if not recipients:
        return 0
    complaint = task.complaint
    resolver = User.objects.filter(pk=actor_id).first() if actor_id else None
    values = {
        "number": complaint.number,
        "title": complaint.title,
        "customer": complaint.contact_name or complaint.customer.name,
        "unit": complaint.org_unit.name,
        "resolved": task.resolved_at,
        "due": task.due_at,
        "by": resolver,
    }
    at = now()
    overdue = task.due_at <= at
    body = [
        Words(gettext_lazy("客户：%(customer)s"), values),
        Words(gettext_lazy("所属机构：%(unit)s"), values),
        Words(gettext_lazy("解决时间：%(resolved)s"), values),
        # A person who resolved it, not the system (a customer's acceptance by link or SMS reply).
        Words(gettext_lazy("解决人：%(by)s"), values)
        if resolver is not None and system_user_kind(resolver.username) is None
        else None,
        Words(gettext_lazy("回访时限：%(due)s"), values),
    ]
    if task.deadline_provisional:
        body.append(gettext_lazy("时限为暂定（该年度官方日历未发布）。"))
    if overdue:
        body.append(
            gettext_lazy(
                "回访已超过时限，请尽快致电客户，确认问题已解决、客户仍满意，并在案件页记录回访结果。"
            )
        )
    else:
        body.append(
            Words(
                gettext_lazy("请在%(due)s前致电客户，确认问题已解决、客户仍满意，并在案件页记录回访结果。"),
                values,
            )
        )
    sent = staff_notify(
        recipients=recipients,
        kind="follow_up_created",
        title=Words(TITLE_OVERDUE if overdue else TITLE, values),
        body=body,
        link=follow_up_path(complaint.number),
        complaint=complaint,
    )
    if sent:
        _phases_told(task, at=at)
    return len(sent)


def _phases_told(task: FollowUp, *, at) -> None:
    """A task that is already past its warning point or its deadline when its people are first told: that
    notice said so (by when to call; that the time is up), so the phase is stamped as told and the sweep's
    alert for it (follow_ups.follow_up_on_timer) is not sent again. One notice per person per overdue task."""
    for field, point in (("warned_at", task.warn_at), ("overdue_at", task.due_at)):
        if point <= at:
            FollowUp.objects.filter(pk=task.pk, **{f"{field}__isnull": True}).update(**{field: at})
