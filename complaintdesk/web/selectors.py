"""Reads the workbench pages need, composed from the scoped selectors of the domain apps.

Every read starts from accounts.access (the user's units) and is bounded; the queues are the API
list's filters (complaints.selectors.complaint_page: indexed orderings, keyset cursors).
"""

import dataclasses
import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Q, prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from complaintdesk.accounts.access import units_visible_to, user_sees_all_units
from complaintdesk.accounts.models import Role, User
from complaintdesk.accounts.roles import ROLE_PERMISSIONS
from complaintdesk.common.names import name_for_people
from complaintdesk.common.time import local_zone, now
from complaintdesk.complaints.access import complaints_visible_to
from complaintdesk.complaints.customers import phone_normalise
from complaintdesk.complaints.models import Category, Complaint, ComplaintEvent, Customer, EventKind
from complaintdesk.complaints.selectors import (
    ComplaintFilters,
    ComplaintPage,
    _filters_apply,
    complaint_counts,
    complaint_page,
    complaint_transitions_for_user,
)
from complaintdesk.complaints.states import Status, is_open, runs_complaint_process
from complaintdesk.escalation.models import CaseEscalation
from complaintdesk.escalation.selectors import case_escalation_for, stored_level_name_for_people
from complaintdesk.intelligence.selectors import insight_latest, insight_severity_explanation
from complaintdesk.notifications.replies import customer_reply_allowed
from complaintdesk.orgs.models import OrgUnit
from complaintdesk.orgs.selectors import orgunit_subtree_ids
from complaintdesk.surveys.selectors import follow_up_due_annotate

PAGE_SIZE = 50
EARLIER_LIMIT = 10
REPEAT_DAYS = 30
LOOKUP_LIMIT = 5
LOOKUP_MIN_DIGITS = 7
ASSIGNEES_LIMIT = 200


@dataclasses.dataclass(frozen=True)
class Queue:
    code: str
    label: str
    heading: str
    filters: ComplaintFilters
    in_my_units: bool = True  # limited to the user's own unit subtree (HQ-wide roles included)


QUEUES: dict[str, Queue] = {
    q.code: q
    for q in (
        Queue(
            "mine",
            _("我的"),
            _("我的待办（按最近时限）"),
            ComplaintFilters(assignee="me", open_only=True),
            in_my_units=False,
        ),
        Queue("team", _("团队"), _("本团队未办结的案件"), ComplaintFilters(open_only=True)),
        # Cases not yet taken (受理): what a department finds handed to it (转办) and accepts first.
        Queue(
            "new",
            pgettext_lazy("queue of cases to accept", "待受理"),
            _("本机构待受理的案件（受理后由受理人办理）"),
            ComplaintFilters(status=(Status.NEW,), open_only=True),
        ),
        Queue(
            "unassigned",
            _("未分派"),
            _("我所在机构未分派的案件"),
            ComplaintFilters(assignee="none", open_only=True),
        ),
        Queue(
            "at_risk", _("即将超时"), _("即将超时（剩余不足时限窗口的 20%）"), ComplaintFilters(at_risk=True)
        ),
        Queue("breached", _("已超时"), _("已超时的案件"), ComplaintFilters(breached=True)),
        Queue(
            "awaiting",
            _("待客户确认"),
            _("等待客户确认的案件"),
            ComplaintFilters(status=(Status.AWAITING_CUSTOMER,), open_only=True),
        ),
        Queue(
            "follow_up",
            _("待回访"),
            _("待回访（回访时限最近的在前）"),
            ComplaintFilters(status=(Status.RESOLVED, Status.FOLLOW_UP)),
        ),
    )
}


# The queues of the workbench, as tabs, by who works them. A department's staff take the cases handed to their
# department (转办) and work them: they assign nothing (no 未分派) and make no follow-up call (no 待回访).
WORKBENCH_QUEUES = ("mine", "team", "unassigned", "at_risk", "breached", "awaiting", "follow_up")
DEPARTMENT_QUEUES = ("new", "mine", "team", "at_risk", "breached", "awaiting")


def works_for_a_department(user) -> bool:
    """A responsible department's staff (责任部门人员): their day starts at their work orders, and the cases
    handed to their department wait in their 待受理 and 团队 queues."""
    return getattr(user, "role", "") == Role.DEPARTMENT_STAFF


def queues_for(*, user) -> list[Queue]:
    """The queue tabs of `user`'s workbench, in order."""
    codes = DEPARTMENT_QUEUES if works_for_a_department(user) else WORKBENCH_QUEUES
    return [QUEUES[code] for code in codes]


def _queue_filters(*, user, queue: Queue, search: ComplaintFilters) -> ComplaintFilters:
    """The queue's filters with the user's own (`search`: q, status, channel, kind, category, unit) laid over
    them; a queue of the user's units is limited to their own unit's subtree."""
    filters = queue.filters
    extra = {
        name: getattr(search, name)
        for name in ("q", "channel", "kind", "category", "unit")
        if getattr(search, name)
    }
    if search.status:
        # Within a queue a status filter narrows, it never widens (awaiting stays awaiting).
        allowed = set(filters.status) or set(Status.values)
        extra["status"] = tuple(s for s in search.status if s in allowed) or ("__none__",)
    if queue.in_my_units and not extra.get("unit") and user.org_unit_id:
        extra["unit"] = user.org_unit.code
    return dataclasses.replace(filters, **extra)


def queue_page(
    *, user, queue: Queue, search: ComplaintFilters, cursor: str | None = None, limit: int = PAGE_SIZE
) -> ComplaintPage:
    """One page of a queue, nearest deadline first (follow-ups: the call due first), with the user's own
    filters laid over the queue's."""
    filters = _queue_filters(user=user, queue=queue, search=search)
    if queue.code == "follow_up":
        page = _follow_up_page(user=user, filters=filters, limit=limit)
    else:
        page = complaint_page(user=user, filters=filters, cursor=cursor, limit=limit)
    prefetch_related_objects(page.items, "customer")  # the customer column: one more query per page
    return page


def _follow_up_page(*, user, filters: ComplaintFilters, limit: int) -> ComplaintPage:
    """Resolved cases waiting for their follow-up call, the call due first, each with the due time of its
    follow-up task (`follow_up_due_at`, surveys); cases with no call waiting last. Bounded to one page: a
    longer list means the team is behind, and the filters narrow it."""
    # The API list's filter semantics (and its InvalidInput for unusable filters), another order.
    qs = follow_up_due_annotate(
        _filters_apply(complaints_visible_to(user), user=user, filters=filters, at=now())
    )
    order = (F("follow_up_due_at").asc(nulls_last=True), "resolved_at", "id")
    rows = list(qs.select_related("org_unit", "category", "assignee").order_by(*order)[:limit])
    return ComplaintPage(items=rows, next_cursor=None)


def queue_counts(*, user, codes: tuple[str, ...]) -> dict[str, int]:
    """How many cases each of the queues `codes` holds for `user` (every page: the lists' own filters,
    counted in one statement)."""
    return complaint_counts(
        user=user,
        filters={
            code: _queue_filters(user=user, queue=QUEUES[code], search=ComplaintFilters()) for code in codes
        },
    )


DEPARTMENT_NEW_SHOWN = 5
# The department's queues counted in its staff's header and on their landing page.
DEPARTMENT_COUNTED = ("new", "mine", "team")


def department_queue_counts(*, user) -> dict[str, int] | None:
    """For a department's staff, how many cases each of their queues holds: those handed to their department
    not yet accepted ("new"), those they accepted ("mine"), all it holds open ("team"), in one statement.
    None for anyone who does not work for a department. Counted once per request (kept on the user object, as
    Django keeps its permission cache): the header and the landing page show the same figures."""
    if not works_for_a_department(user):
        return None
    counts = getattr(user, "_department_queue_counts", None)
    if counts is None:
        counts = queue_counts(user=user, codes=DEPARTMENT_COUNTED)
        user._department_queue_counts = counts
    return counts


def department_to_accept_first(*, user) -> list[Complaint]:
    """The first cases of a department's 待受理 queue (nearest deadline first), for its staff's landing page;
    [] for anyone who does not work for a department, or when there is none to accept."""
    counts = department_queue_counts(user=user)
    if not counts or not counts["new"]:
        return []
    page = queue_page(user=user, queue=QUEUES["new"], search=ComplaintFilters(), limit=DEPARTMENT_NEW_SHOWN)
    return page.items


def assignable_users(*, user, complaints=()) -> list[User]:
    """People the user may hand `complaints` to: active handlers (a role that handles cases, not an
    integration) in the units the user sees who can open every one of them, i.e. whose own unit is one of
    the cases' units or above all of them, or whose role sees every unit. Without `complaints`: every
    handler in the user's units."""
    roles = [
        role
        for role, perms in ROLE_PERMISSIONS.items()
        if "handle_complaint" in perms
        and "view_complaint" in perms
        and role not in (Role.API_CLIENT, Role.DEPARTMENT_STAFF)  # departments work orders, not cases
    ]
    rows = User.objects.filter(is_active=True, role__in=roles, org_unit__in=units_visible_to(user))
    paths = {c.org_unit.path for c in complaints}
    if paths:
        # Units above or at every case's unit: the common prefixes of their paths.
        common = [p for p in _path_prefixes(min(paths)) if all(path.startswith(p) for path in paths)]
        everywhere = [role for role, perms in ROLE_PERMISSIONS.items() if "view_all_units" in perms]
        rows = rows.filter(Q(org_unit__path__in=common) | Q(role__in=everywhere))
    return list(rows.select_related("org_unit").order_by("org_unit__path", "username")[:ASSIGNEES_LIMIT])


def complaints_for_assign(*, user, numbers: list[str]) -> list[Complaint]:
    """The cases of a bulk assignment the user sees (the others are refused one by one by the service)."""
    return list(
        complaints_visible_to(user)
        .filter(number__in=numbers[: PAGE_SIZE * 2])
        .select_related("org_unit")[: PAGE_SIZE * 2]
    )


def _path_prefixes(path: str) -> list[str]:
    """The path and the paths above it: "/HQ/EAST/SH01/" → ["/HQ/", "/HQ/EAST/", "/HQ/EAST/SH01/"]."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


# Where `/` takes a user whose day's work is not the complaint queue; everyone else lands on it.
ROLE_LANDINGS = {
    # the department's work orders (the page also shows the cases handed to the department)
    Role.DEPARTMENT_STAFF: "web:work_orders",
    # the figures, not a queue of cases: management reads, it does not handle
    Role.EXECUTIVE: "web:dashboard",
    # the inspectors' sample queue (质检)
    Role.QUALITY_INSPECTOR: "web:quality_queue",
}


def landing_url(*, user) -> str | None:
    """Where `/` takes `user` (ROLE_LANDINGS); None: the complaint queue. Their queues stay one click away
    (我的工作台 → /queues/mine/)."""
    name = ROLE_LANDINGS.get(getattr(user, "role", ""))
    return reverse(name) if name else None


@dataclasses.dataclass
class EarlierComplaints:
    items: list[Complaint]
    repeat: bool  # one of them was received in the REPEAT_DAYS before this case


def customer_earlier_complaints(*, user, complaint: Complaint) -> EarlierComplaints:
    """The same customer's other cases (every kind) the user may see, newest first (never another unit's).
    A repeat (重复投诉) is a complaint after another complaint within REPEAT_DAYS: an earlier question or
    praise does not make one, and an inquiry is never a repeat complaint."""
    rows = list(
        complaints_visible_to(user)
        .filter(customer_id=complaint.customer_id)
        .exclude(pk=complaint.pk)
        .only("number", "title", "status", "kind", "created_at", "org_unit_id")
        .order_by("-created_at", "-id")[:EARLIER_LIMIT]
    )
    since = complaint.created_at - dt.timedelta(days=REPEAT_DAYS)
    repeat = runs_complaint_process(complaint.kind) and any(
        since <= row.created_at <= complaint.created_at and runs_complaint_process(row.kind) for row in rows
    )
    return EarlierComplaints(items=rows, repeat=repeat)


@dataclasses.dataclass
class LookupMatch:
    customer: Customer
    complaints: list[Complaint]


def customers_by_phone(*, user, text: str) -> list[LookupMatch]:
    """Customers whose phone starts with what the agent has typed, among those with a case the user
    may see (a customer of another store stays unknown to this store), each with their latest cases."""
    digits = "".join(ch for ch in text or "" if ch.isdigit() or ch == "+")
    if len(digits.lstrip("+")) < LOOKUP_MIN_DIGITS:
        return []
    try:
        prefix = phone_normalise(digits)
    except ValueError:
        prefix = digits if digits.startswith("+") else "+86" + digits.removeprefix("86")
    visible = complaints_visible_to(user)
    customers = list(
        Customer.objects.filter(phone__startswith=prefix)
        .filter(Exists(visible.filter(customer_id=OuterRef("pk"))))
        .order_by("phone", "id")[:LOOKUP_LIMIT]
    )
    if not customers:
        return []
    recent: dict[int, list[Complaint]] = {c.pk: [] for c in customers}
    rows = (
        visible.filter(customer_id__in=list(recent))
        .only("number", "title", "status", "created_at", "customer_id")
        .order_by("-created_at", "-id")[: LOOKUP_LIMIT * 3]
    )
    for row in rows:
        if len(recent[row.customer_id]) < 3:
            recent[row.customer_id].append(row)
    return [LookupMatch(customer=c, complaints=recent[c.pk]) for c in customers]


def insight_for(*, complaint: Complaint, language: str):
    """The intelligence app's latest findings on the case, with the severity explanation in the reader's
    language as `explanation_text`."""
    insight = insight_latest(complaint=complaint)
    if insight is not None:
        try:
            insight.explanation_text = insight_severity_explanation(insight=insight, language=language)
        except (TypeError, ValueError, KeyError):  # reasons stored by an older version: the stored text
            insight.explanation_text = insight.explanation
    return insight


def escalation_for(*, complaint: Complaint):
    return case_escalation_for(complaint_id=complaint.pk)


@dataclasses.dataclass(frozen=True)
class CaseActions:
    """What the case page offers this user on this case, each from the guard of the service it calls
    (so a form is shown exactly when its service would take it)."""

    transitions: tuple[Status, ...]  # the transition table's targets the user's role may take
    analyse: bool  # complaints.services.complaint_analyse: open cases
    reply: bool  # notifications.replies.customer_reply_send
    note: bool  # notes and the customer's messages: any case


def case_actions(*, complaint: Complaint, user, transitions=None) -> CaseActions:
    if transitions is None:
        transitions = complaint_transitions_for_user(complaint=complaint, user=user)
    can_handle = user.has_perm("complaints.handle_complaint")
    return CaseActions(
        transitions=tuple(transitions),
        analyse=can_handle and is_open(complaint.status),
        reply=can_handle and customer_reply_allowed(complaint=complaint),
        note=can_handle,
    )


def active_categories() -> list[Category]:
    return list(Category.objects.filter(is_active=True).order_by("sort_order", "code")[:200])


# --- the supervisor's view (issue 5 item 7) ---------------------------------------------------------

SUPERVISOR_LIMIT = 100
SUPERVISOR_GROUPS_MAX = 300  # (level, unit) rows of the counts


def user_supervises(user) -> bool:
    """Supervisors, managers, QA and HQ roles watch units; a front-line agent has their queues."""
    return user.has_perm("complaints.assign_complaint") or user.has_perm("complaints.view_all_units")


@dataclasses.dataclass
class SupervisorOverview:
    escalated: list  # CaseEscalation rows with their complaint, nearest level deadline first
    by_level_unit: list[tuple[str, str, int]]  # (level, unit, count) of every escalated case, in ladder order
    breaches_today: list  # ComplaintEvent rows (SLA breaches since local midnight), newest first
    at_risk: ComplaintPage


def supervisor_overview(*, user) -> SupervisorOverview:
    """Escalated open cases by level and unit with their clocks, today's breaches and the cases at
    risk, in the user's own unit subtree; every list bounded to SUPERVISOR_LIMIT."""
    unit_code = user.org_unit.code if user.org_unit_id else ""
    visible = complaints_visible_to(user)
    if unit_code and user_sees_all_units(user):  # an HQ-wide role watches its own unit's subtree here
        visible = visible.filter(org_unit_id__in=orgunit_subtree_ids(unit=user.org_unit))
    escalations = CaseEscalation.objects.filter(
        level_position__gt=0, complaint__is_open=True, complaint__in=visible.values("pk")
    )
    escalated = list(
        escalations.select_related("complaint", "complaint__org_unit", "holder", "holder_unit").order_by(
            "resolve_due_at", "complaint_id"
        )[:SUPERVISOR_LIMIT]
    )
    for row in escalated:
        row.level_label = stored_level_name_for_people(row.level_name) or str(row.level_position)
    # Counted in the database over every escalated case (the list above shows the first ones only), up the
    # ladder level by level, each level's units in tree order.
    groups = list(
        escalations.values(
            "level_position", "level_name", "complaint__org_unit_id", "complaint__org_unit__path"
        )
        .annotate(n=Count("pk"))
        .order_by("level_position", "complaint__org_unit__path")[:SUPERVISOR_GROUPS_MAX]
    )
    units = OrgUnit.objects.in_bulk([g["complaint__org_unit_id"] for g in groups])
    by_level_unit = [
        (
            stored_level_name_for_people(g["level_name"]) or str(g["level_position"]),
            name_for_people(units.get(g["complaint__org_unit_id"])),
            g["n"],
        )
        for g in groups
    ]
    midnight = dt.datetime.combine(now().astimezone(local_zone()).date(), dt.time(), tzinfo=local_zone())
    breaches = list(
        ComplaintEvent.objects.filter(
            kind=EventKind.SLA_BREACH, at__gte=midnight, complaint__in=visible.values("pk")
        )
        .select_related("complaint", "complaint__org_unit")
        .order_by("-at", "-id")[:SUPERVISOR_LIMIT]
    )
    at_risk = complaint_page(user=user, filters=ComplaintFilters(at_risk=True, unit=unit_code), limit=50)
    return SupervisorOverview(
        escalated=escalated,
        by_level_unit=by_level_unit,
        breaches_today=breaches,
        at_risk=at_risk,
    )
