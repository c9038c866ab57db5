"""What staff hear about work orders, through the one staff notifier (`inbox.staff_notify`: a notice in
the workbench and an e-mail, in each person's language, with an absolute link). Called after the commit
with plain values (services._notify_after_commit).

- To the department: "dispatched" (a new order: its owner, or the department's staff when it has none),
  "warning" and "overdue" (the owner or the department's staff; the case's handler too when overdue),
  "cancelled".
- To the case's handler (and whoever dispatched it): "accepted", "done" (with the result, to feed back
  to the customer), "rejected" (sent back, with the reason). With nobody handling the case, the unit's
  managers are told.
- To the unit a suggestion is routed to (complaints.contacts.suggestion_route): its department staff and
  managers, a notice opening the case (the owner unit sees the case from then on): the managers are asked to
  assign it, a department's staff to handle it themselves.
- To the unit a case is handed to (complaints.transfers.complaint_transfer): the people who work its queue,
  a notice opening the case; several cases handed to it at once (complaint_transfer_many): one notice
  listing them, opening its unassigned queue. A department's staff, who assign nothing and do not work from
  the 未分派 queue, are told the cases are theirs to handle, the several opening their department's open
  cases (the 团队 queue).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils.translation import gettext_lazy

from complaintdesk.accounts.models import Role, User
from complaintdesk.accounts.roles import ROLE_PERMISSIONS
from complaintdesk.inbox.services import staff_notify
from complaintdesk.inbox.text import Words
from complaintdesk.orgs.selectors import orgunit_ancestors

from .models import WorkOrder

logger = logging.getLogger(__name__)

DEPARTMENT_SIDE = ("dispatched", "warning", "overdue", "cancelled")
HANDLER_SIDE = ("accepted", "done", "rejected")
UNIT_PEOPLE_MAX = 20
MANAGER_ROLES = tuple(
    role for role, permissions in ROLE_PERMISSIONS.items() if "assign_complaint" in permissions
)
QUEUE_PATH = "/work-orders/"

TITLES = {
    "dispatched": gettext_lazy("新派工单：%(number)s，%(due)s前完成"),
    "warning": gettext_lazy("派工单即将超时：%(number)s（%(department)s），%(due)s前完成"),
    "overdue": gettext_lazy("派工单已超时：%(number)s（%(department)s），时限%(due)s"),
    "cancelled": gettext_lazy("派工单已撤销：%(number)s（%(department)s）"),
    "accepted": gettext_lazy("%(department)s已接单：%(number)s"),
    "done": gettext_lazy("派工单已完成：%(number)s（%(department)s）"),
    "rejected": gettext_lazy("派工单被退回：%(number)s（%(department)s）"),
}


def _department_staff(department_id: int) -> list[int]:
    return list(
        User.objects.filter(is_active=True, org_unit_id=department_id, role=Role.DEPARTMENT_STAFF)
        .order_by("pk")
        .values_list("pk", flat=True)[:UNIT_PEOPLE_MAX]
    )


def _unit_managers(unit_id: int | None) -> list[int]:
    if not unit_id:
        return []
    return list(
        User.objects.filter(is_active=True, org_unit_id=unit_id, role__in=MANAGER_ROLES)
        .order_by("pk")
        .values_list("pk", flat=True)[:UNIT_PEOPLE_MAX]
    )


def work_order_recipients(
    *, order: WorkOrder, user_ids: list[int], unit_id: int | None, what: str
) -> list[int]:
    """The people named; a department-side notice with no owner also goes to the department's staff; a
    handler-side notice with nobody named goes to the unit's managers."""
    recipients = list(user_ids)
    if what in DEPARTMENT_SIDE and order.owner_id is None:
        recipients += _department_staff(order.department_id)
    if what in HANDLER_SIDE and not recipients:
        recipients += _unit_managers(unit_id)
    return list(dict.fromkeys(recipients))


def work_order_notified(
    *,
    work_order_id: int,
    complaint_id: int,
    user_ids: list[int],
    unit_id: int | None,
    what: str,
    due_at: dt.datetime | None = None,
) -> None:
    """Tell staff about a work order: `what` is "dispatched", "warning", "overdue", "cancelled" (the
    department's side) or "accepted", "done", "rejected" (the case handler's side)."""
    try:
        _work_order_notify(work_order_id=work_order_id, user_ids=user_ids, unit_id=unit_id, what=what)
    except Exception:  # the order stands and is on the queues; a lost notice is only logged
        logger.exception("dispatch: could not notify staff (%s) of work order %s", what, work_order_id)


def _work_order_notify(*, work_order_id: int, user_ids: list[int], unit_id: int | None, what: str) -> int:
    order = (
        WorkOrder.objects.select_related("complaint", "department", "created_by", "finished_by")
        .filter(pk=work_order_id)
        .first()
    )
    if order is None or what not in TITLES:
        return 0
    recipients = work_order_recipients(order=order, user_ids=user_ids, unit_id=unit_id, what=what)
    if not recipients:
        return 0
    complaint = order.complaint
    values = {
        "number": complaint.number,
        "title": complaint.title,
        "department": order.department.name,
        "due": order.due_at,
        "by": str(order.created_by),
        "finished_by": str(order.finished_by) if order.finished_by else "",
        "instructions": order.instructions,
        "result": order.result,
    }
    body = [
        Words(gettext_lazy("问题：%(title)s"), values),
        Words(gettext_lazy("责任部门：%(department)s"), values),
        Words(gettext_lazy("处理要求：%(instructions)s"), values),
        Words(gettext_lazy("完成时限：%(due)s"), values),
    ]
    if what == "dispatched":
        body.insert(0, Words(gettext_lazy("派单人：%(by)s"), values))
    elif what == "done":
        body += [
            Words(gettext_lazy("完成人：%(finished_by)s"), values),
            Words(gettext_lazy("处理结果：%(result)s"), values),
            gettext_lazy("请将处理结果反馈给客户。"),
        ]
    elif what == "rejected":
        body += [
            Words(gettext_lazy("退回人：%(finished_by)s"), values),
            Words(gettext_lazy("退回原因：%(result)s"), values),
            gettext_lazy("请补充信息后重新派单，或自行处理。"),
        ]
    elif what == "cancelled":
        body.append(Words(gettext_lazy("撤销原因：%(result)s"), values))
    case_path = f"/complaints/{complaint.number}/#work-orders"
    # The department opens the order (what it needs of the case); a cancelled one is gone from there.
    order_path = QUEUE_PATH if what == "cancelled" else f"/work-orders/{order.pk}/"
    if what == "overdue":
        # The department opens the order, the case's handler the case.
        handler = [u for u in recipients if u == complaint.assignee_id and u != order.owner_id]
        groups = (([u for u in recipients if u not in handler], order_path), (handler, case_path))
    else:
        groups = ((recipients, order_path if what in DEPARTMENT_SIDE else case_path),)
    sent = 0
    for people, link in groups:
        if people:
            sent += len(
                staff_notify(
                    recipients=people,
                    kind=f"work_order_{what}",
                    title=Words(TITLES[what], values),
                    body=body,
                    link=link,
                    complaint=complaint,
                )
            )
    return sent


# --- a suggestion routed to the unit that owns its subject (complaints.contacts.suggestion_route) ------------

SUGGESTION_TITLE = gettext_lazy("建议转交给%(unit)s：%(number)s")


def suggestion_route_recipients(*, unit_id: int) -> list[int]:
    """Who in the owner unit hears of a routed suggestion: its department staff and its managers (those
    who assign its cases), at most UNIT_PEOPLE_MAX."""
    return list(
        User.objects.filter(
            is_active=True, org_unit_id=unit_id, role__in=(Role.DEPARTMENT_STAFF, *MANAGER_ROLES)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:UNIT_PEOPLE_MAX]
    )


def suggestion_routed_notify(*, complaint, unit, actor, reason: str = "") -> int:
    """A notice in the inbox of the owner unit's staff, opening the case (the unit sees it from now on),
    written in the routing's transaction (route hook of complaints.contacts). Its managers (of a branch, a
    store or a department alike) read that they assign it within their unit (本机构, as the transfer notice
    says); a department's staff, who assign nothing, that it is their department's to handle in the case
    opened."""
    recipients = [
        pk for pk in suggestion_route_recipients(unit_id=unit.pk) if pk != getattr(actor, "pk", None)
    ]
    if not recipients:
        logger.warning("dispatch: nobody in unit %s to tell of suggestion %s", unit.pk, complaint.number)
        return 0
    values = {
        "number": complaint.number,
        "unit": unit.name,
        "title": complaint.title,
        "by": str(actor) if actor is not None else "",
        "reason": reason,
    }
    body = [
        Words(gettext_lazy("建议：%(title)s"), values),
        Words(gettext_lazy("转交人：%(by)s"), values),
    ]
    if reason:
        body.append(Words(gettext_lazy("转交说明：%(reason)s"), values))
    link = f"/complaints/{complaint.number}/"
    return _notify_by_workplace(
        recipients,
        kind="suggestion_routed",
        title=Words(SUGGESTION_TITLE, values),
        body=body,
        last=(
            gettext_lazy("请分派给本机构的人员处理，办结时写明采纳情况。"),
            gettext_lazy("建议已交本部门处理，请打开案件直接办理，办结时写明采纳情况。"),
        ),
        links=(link, link),
        complaint=complaint,
    )


# --- a case handed to another unit (complaints.transfers.complaint_transfer) ---------------------------------

TRANSFER_TITLE = gettext_lazy("转办到%(unit)s：%(number)s %(title)s")
# Whoever works a unit's queue: those who handle its cases and those who assign them (not integrations).
QUEUE_ROLES = tuple(
    role
    for role, permissions in ROLE_PERMISSIONS.items()
    if role != Role.API_CLIENT and permissions & {"handle_complaint", "assign_complaint"}
)


def transfer_recipients(*, unit) -> list[int]:
    """The people who work the queue of `unit`; when it has none of its own, those of the nearest unit
    above it (whose queue holds the case, its subtree being theirs). At most UNIT_PEOPLE_MAX."""
    for holder in reversed(orgunit_ancestors(unit=unit)):
        people = list(
            User.objects.filter(is_active=True, org_unit_id=holder.pk, role__in=QUEUE_ROLES)
            .order_by("pk")
            .values_list("pk", flat=True)[:UNIT_PEOPLE_MAX]
        )
        if people:
            return people
    return []


def cases_transferred_notify(*, transfers, actor, reason: str = "") -> int:
    """The transfer hook of complaints.transfers: the people of each receiving unit are told in their inbox,
    in the transfer's transaction — one notice per unit, opening the case when one case went there, listing
    the cases and opening the unit's unassigned queue when several did (a bulk transfer from a queue).
    Returns the notices written."""
    by_unit: dict[int, list] = {}
    for transferred in transfers:
        by_unit.setdefault(transferred.complaint.org_unit_id, []).append(transferred)
    written = 0
    for group in by_unit.values():
        if len(group) == 1:
            written += case_transferred_notify(
                complaint=group[0].complaint, from_unit=group[0].from_unit, actor=actor, reason=reason
            )
        else:
            written += _many_transferred_notify(group, actor=actor, reason=reason)
    return written


def _transfer_recipients_except(unit, actor) -> list[int]:
    recipients = [pk for pk in transfer_recipients(unit=unit) if pk != getattr(actor, "pk", None)]
    if not recipients:
        logger.warning("dispatch: nobody to tell of cases handed to unit %s", unit.pk)
    return recipients


def _by_workplace(recipients: list[int]) -> list[tuple[list[int], bool]]:
    """The recipients in two groups: those who work the unit's queue (and assign its cases), and a
    department's staff (True), who assign nothing and work from their workbench, not the 未分派 queue: they
    open the case itself, or their department's open cases (the 团队 queue)."""
    department = set(
        User.objects.filter(pk__in=recipients, role=Role.DEPARTMENT_STAFF).values_list("pk", flat=True)
    )
    groups = (
        ([pk for pk in recipients if pk not in department], False),
        ([pk for pk in recipients if pk in department], True),
    )
    return [(people, is_department) for people, is_department in groups if people]


def _notify_by_workplace(
    recipients: list[int], *, kind: str, title, body: list, last: tuple, links: tuple, complaint=None
) -> int:
    """One notice per group of `_by_workplace`: the same `body`, then `last` and `links` by group
    ((for those who assign, for a department's staff)). Returns how many notices were written."""
    written = 0
    for people, is_department in _by_workplace(recipients):
        written += len(
            staff_notify(
                recipients=people,
                kind=kind,
                title=title,
                body=[*body, last[is_department]],
                link=links[is_department],
                complaint=complaint,
            )
        )
    return written


# Where a department's staff find cases handed to their department: its open cases (complaints are not
# assigned within a department; web.selectors.assignable_users leaves department staff out).
DEPARTMENT_CASES_PATH = "/queues/team/"
UNASSIGNED_PATH = "/queues/unassigned/"


def case_transferred_notify(*, complaint, from_unit, actor, reason: str = "") -> int:
    """One case handed to a unit: a notice in the inbox of the unit's people, opening the case. Those who work
    its queue read that it waits in the unit's 未分派 queue to be assigned; a department's staff, that it is
    their department's to handle, in the case opened by the link."""
    recipients = _transfer_recipients_except(complaint.org_unit, actor)
    if not recipients:
        return 0
    values = {
        "number": complaint.number,
        "unit": complaint.org_unit.name,
        "from": from_unit.name,
        "title": complaint.title,
        "by": str(actor) if actor is not None else "",
        "reason": reason,
        "due": complaint.due_at,
    }
    body = [
        Words(gettext_lazy("转办人：%(by)s（%(from)s）"), values),
        Words(gettext_lazy("转办原因：%(reason)s"), values),
    ]
    if complaint.due_at:
        body.append(Words(gettext_lazy("当前时限：%(due)s（转办不重新计时）"), values))
    link = f"/complaints/{complaint.number}/"
    return _notify_by_workplace(
        recipients,
        kind="case_transferred",
        title=Words(TRANSFER_TITLE, values),
        body=body,
        last=(
            gettext_lazy("案件已在本机构的“未分派”队列中，请尽快分派处理。"),
            gettext_lazy("案件已交本部门处理，请打开案件直接办理；本部门未办结的案件都在“团队”队列中。"),
        ),
        links=(link, link),
        complaint=complaint,
    )


TRANSFER_MANY_TITLE = gettext_lazy("%(count)d 件案件转办到%(unit)s")


def _many_transferred_notify(transfers: list, *, actor, reason: str) -> int:
    """Several cases handed to one unit at once: one notice listing them (number, title, deadline), opening
    the unit's unassigned queue, where they are."""
    unit = transfers[0].complaint.org_unit
    recipients = _transfer_recipients_except(unit, actor)
    if not recipients:
        return 0
    senders = list(dict.fromkeys(t.from_unit.name for t in transfers))
    values = {
        "count": len(transfers),
        "unit": unit.name,
        "from": "、".join(senders),
        "by": str(actor) if actor is not None else "",
        "reason": reason,
    }
    body = [
        Words(gettext_lazy("转办人：%(by)s（%(from)s）"), values),
        Words(gettext_lazy("转办原因：%(reason)s"), values),
    ]
    for t in transfers:
        case = {"number": t.complaint.number, "title": t.complaint.title, "due": t.complaint.due_at}
        line = (
            gettext_lazy("%(number)s %(title)s，当前时限：%(due)s")
            if t.complaint.due_at
            else "%(number)s %(title)s"
        )
        body.append(Words(line, case))
    return _notify_by_workplace(
        recipients,
        kind="cases_transferred",
        title=Words(TRANSFER_MANY_TITLE, values),
        body=body,
        last=(
            gettext_lazy("转办不重新计时。这些案件已在本机构的“未分派”队列中，请尽快分派处理。"),
            gettext_lazy("转办不重新计时。这些案件已交本部门直接办理，都在本部门的“团队”队列中。"),
        ),
        # theirs: the unit's own (or the subtree they work); a department's, its open cases
        links=(UNASSIGNED_PATH, DEPARTMENT_CASES_PATH),
    )
