"""Reads of work orders. Who sees an order: the staff of its department (and of the units above it), and
whoever sees its case (accounts.access). Outside that an order does not exist for the user (404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from complaintdesk.accounts.access import complaints_visible_to, user_unit_ids
from complaintdesk.common.errors import NotFound
from complaintdesk.common.time import now
from complaintdesk.orgs.models import OrgUnit, UnitKind

from .models import UNFINISHED_STATUSES, WorkOrder, WorkOrderStatus

LIST_LIMIT = 100


def work_orders_visible_to(user) -> QuerySet[WorkOrder]:
    if not user.is_active:
        return WorkOrder.objects.none()
    unit_ids = user_unit_ids(user)
    if unit_ids is None:
        return WorkOrder.objects.all()
    case_visible = complaints_visible_to(user).filter(pk=OuterRef("complaint_id"))
    return WorkOrder.objects.filter(Q(department_id__in=unit_ids) | Exists(case_visible))


def user_in_department(*, user, department_id: int) -> bool:
    """A member of the department or of a unit inside it (the department's own queue)."""
    if user.org_unit_id is None:
        return False
    if user.org_unit_id == department_id:
        return True
    department = OrgUnit.objects.filter(pk=department_id).only("path").first()
    return department is not None and user.org_unit.path.startswith(department.path)


def work_order_for_user(*, user, work_order_id: int, for_update: bool = False) -> WorkOrder:
    rows = work_orders_visible_to(user).select_related(
        "complaint", "department", "owner", "created_by", "finished_by"
    )
    if for_update:
        rows = rows.select_for_update(of=("self",))
    order = rows.filter(pk=work_order_id).first()
    if order is None:
        raise NotFound(_("派工单 %(id)s 不存在") % {"id": work_order_id})
    return order


def work_orders_for_case(*, complaint) -> list[WorkOrder]:
    """All the case's orders (the case page shows them all), oldest first. One query."""
    return list(
        WorkOrder.objects.filter(complaint=complaint)
        .select_related("department", "owner", "created_by", "finished_by")
        .order_by("created_at", "id")[:200]
    )


def work_orders_unfinished_count(*, complaint_id: int) -> int:
    return WorkOrder.objects.filter(complaint_id=complaint_id, status__in=UNFINISHED_STATUSES).count()


@dataclass(frozen=True)
class QueueFilters:
    status: tuple[str, ...] = ()  # empty: unfinished (open and accepted)
    mine: bool = False  # owned by the user
    overdue: bool = False  # unfinished and past the deadline
    department: str = ""  # a department's code (and the units inside it)


def work_order_queue(*, user, filters: QueueFilters = QueueFilters(), limit: int = 50) -> list[WorkOrder]:
    """The orders a user works on or watches, nearest deadline first: for department staff their
    department's queue; for others the orders of the cases they see. Bounded; one query."""
    rows = work_orders_visible_to(user)
    statuses = [s for s in filters.status if s in WorkOrderStatus.values] or list(UNFINISHED_STATUSES)
    rows = rows.filter(status__in=statuses)
    if filters.mine:
        rows = rows.filter(owner=user)
    if filters.overdue:
        rows = rows.filter(status__in=UNFINISHED_STATUSES, due_at__lte=now())
    if filters.department:
        department = OrgUnit.objects.filter(code=filters.department).only("path").first()
        rows = rows.filter(department__path__startswith=department.path) if department else rows.none()
    return list(
        rows.select_related("complaint", "department", "owner").order_by("due_at", "id")[
            : min(max(limit, 1), LIST_LIMIT)
        ]
    )


def departments_for_dispatch(*, limit: int = 200) -> list[OrgUnit]:
    """Where a case may be dispatched: every active department unit."""
    return list(OrgUnit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by("path")[:limit])


def is_overdue(order: WorkOrder, *, at: dt.datetime | None = None) -> bool:
    return order.status in UNFINISHED_STATUSES and order.due_at <= (at or now())
