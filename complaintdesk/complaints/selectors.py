"""Reads of complaints. Every query is scoped through accounts.access and bounded."""

import datetime as dt
import hashlib
import re
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

from django.core import signing
from django.core.exceptions import EmptyResultSet
from django.db import OperationalError, connection, transaction
from django.db.models import F, FloatField, Func, Q, QuerySet
from django.utils.translation import gettext as _

from complaintdesk.accounts.access import unit_visible_to
from complaintdesk.accounts.models import User
from complaintdesk.common.errors import InvalidInput, NotFound
from complaintdesk.common.time import now
from complaintdesk.orgs.models import OrgUnit
from complaintdesk.orgs.selectors import orgunit_active_by_code, orgunit_subtree_ids

from .access import access_complaint, complaints_visible_to
from .models import Attachment, Category, Complaint, ComplaintEvent
from .states import Status, transitions_for
from .transfers import TRANSFER_UNIT_KINDS
from .validation import SEARCH_MAX as SEARCH_MAX
from .validation import SEARCH_MIN as SEARCH_MIN
from .validation import FilterFields, checked

TIMELINE_LIMIT = 500
LIST_LIMIT_MAX = 100


def complaint_timeline(*, complaint: Complaint, limit: int = TIMELINE_LIMIT) -> list[ComplaintEvent]:
    return list(complaint.events.select_related("actor").order_by("at", "id")[:limit])


def complaint_list(
    *, user, status: str | None = None, assigned_to_me: bool = False, open_only: bool = False, limit: int = 50
) -> QuerySet[Complaint]:
    """Visible complaints, nearest deadline first (cases without one last)."""
    qs = complaints_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(is_open=True)
    if assigned_to_me:
        qs = qs.filter(assignee=user)
    return qs.select_related("org_unit", "category", "assignee").order_by(
        F("due_at").asc(nulls_last=True), "id"
    )[: min(max(limit, 1), LIST_LIMIT_MAX)]


QUEUE_FIELDS = (
    "number",
    "title",
    "status",
    "is_open",
    "channel",
    "kind",
    "severity",
    "complexity",
    "priority",
    "created_at",
    "received_at",
    "due_at",
    "first_response_due_at",
    "acknowledge_due_at",
    "resolution_due_at",
    "deadline_provisional",
    "sla_paused_at",
    "assignee_id",
    "org_unit__code",
    "org_unit__name",
    "org_unit__name_en",
    "category__code",
    "category__name",
    "category__name_en",
)


def complaint_open_queue_for_assignee(*, user, limit: int = 50) -> list[Complaint]:
    """An agent's open complaints ordered by nearest deadline: the workbench's first page.

    Served by the partial index cpl_open_assignee_due (assignee_id, due_at) WHERE is_open.
    """
    return list(
        complaints_visible_to(user)
        .filter(assignee=user, is_open=True)
        .select_related("org_unit", "category")
        # A queue row shows these; loading the long texts and twenty stage stamps costs more than the query.
        .only(*QUEUE_FIELDS)
        .order_by("due_at", "id")[:limit]
    )


def complaint_transitions_for_user(*, complaint: Complaint, user) -> list[Status]:
    """The targets the table allows from the current state that this user holds the permission for."""
    return [
        target
        for target, rule in transitions_for(complaint.kind).get(Status(complaint.status), {}).items()
        if user.has_perm(f"complaints.{rule.permission}")
    ]


# --- The API's list: filters, three orderings, keyset cursors ------------------------------------


class Ordering(StrEnum):
    DEADLINE = "deadline"  # nearest running deadline first; cases without one (finished) after, by id
    CREATED = "created"  # newest first
    PRIORITY = "priority"  # most urgent first, then nearest deadline; finished cases after


# Each ordering as segments: (condition, sort keys as (field, descending)). A segment is one index
# range (see Complaint.Meta.indexes); the list walks them in turn. The last key is always the id,
# so the order is total and a cursor (the last row's keys) resumes exactly after that row.
_SEGMENTS: dict[Ordering, list[tuple[Q, tuple[tuple[str, bool], ...]]]] = {
    Ordering.CREATED: [(Q(), (("created_at", True), ("id", True)))],
    Ordering.DEADLINE: [
        (Q(due_at__isnull=False), (("due_at", False), ("id", False))),
        (Q(due_at__isnull=True), (("id", False),)),
    ],
    Ordering.PRIORITY: [
        (Q(due_at__isnull=False), (("priority", False), ("due_at", False), ("id", False))),
        (Q(due_at__isnull=True), (("priority", False), ("id", False))),
    ],
}

AT_RISK_SHARE = 0.2  # at risk: less than this share of the clock's window is left
_CURSOR_SALT = "complaints.list.cursor"
_CASE_NUMBER_LIKE = re.compile(r"^[A-Za-z]{0,4}\d{6,}$")


class Epoch(Func):
    """Seconds since 1970 of a datetime column, for arithmetic across two columns on both databases."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)", **extra
        )


@dataclass(frozen=True)
class ComplaintFilters:
    status: tuple[str, ...] = ()
    unit: str = ""  # a unit code: the unit and its descendants
    category: str = ""  # a category code: the category and its sub-categories
    channel: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()  # contact types (states.ContactKind)
    assignee: str = ""  # a username, "me" or "none"
    breached: bool | None = None
    at_risk: bool | None = None
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None
    q: str = ""
    open_only: bool = False

    def fingerprint(self) -> str:
        return hashlib.sha256(repr(self).encode()).hexdigest()[:16]


@dataclass
class ComplaintPage:
    items: list[Complaint]
    next_cursor: str | None


def _filters_apply(qs: QuerySet, *, user, filters: ComplaintFilters, at: dt.datetime) -> QuerySet:
    """The filters as conditions, or InvalidInput naming each unusable one (nothing is guessed): those
    that need no database by validation.FilterFields, then a unit, category or user that must exist."""
    _fields, errors = checked(
        FilterFields,
        {
            "status": filters.status,
            "channel": filters.channel,
            "kind": filters.kind,
            "created_from": filters.created_from,
            "created_to": filters.created_to,
            "q": filters.q,
        },
    )
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.channel:
        qs = qs.filter(channel__in=filters.channel)
    if filters.kind and not errors.get("kind"):
        qs = qs.filter(kind__in=filters.kind)
    if filters.open_only:
        qs = qs.filter(is_open=True)
    if filters.unit:
        # From the process's cache of the unit tree: a queue's own unit costs no query per list or count.
        unit = orgunit_active_by_code(filters.unit)
        if unit is None or not unit_visible_to(user, unit):
            errors["unit"] = [_("未知的机构编码：%(code)s") % {"code": filters.unit}]
        else:
            # A unit's cases: those it took in and the suggestions routed to it (owner_unit), which wait in the
            # owner unit's queues (complaints.contacts.suggestion_route).
            ids = orgunit_subtree_ids(unit=unit)
            qs = qs.filter(Q(org_unit_id__in=ids) | Q(owner_unit_id__in=ids))
    if filters.category:
        ids = _category_subtree_ids(filters.category)
        if not ids:
            errors["category"] = [_("未知的类别编码：%(code)s") % {"code": filters.category}]
        qs = qs.filter(category_id__in=ids)
    if filters.assignee == "me":
        qs = qs.filter(assignee=user)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        assignee_id = User.objects.filter(username=filters.assignee).values_list("id", flat=True).first()
        if assignee_id is None:
            errors["assignee"] = [_("未知的用户：%(name)s（也可用 me 或 none）") % {"name": filters.assignee}]
        qs = qs.filter(assignee_id=assignee_id)
    if not errors:
        if filters.created_from is not None:
            qs = qs.filter(created_at__gte=filters.created_from)
        if filters.created_to is not None:
            qs = qs.filter(created_at__lt=filters.created_to)
    # A paused clock (awaiting the customer) is not running late: paused cases are neither breached nor at risk.
    breached = Q(is_open=True, sla_paused_at__isnull=True, due_at__lt=at)
    if filters.breached is not None:
        qs = qs.filter(breached) if filters.breached else qs.exclude(breached)
    if filters.at_risk is not None:
        # Less than 20 % of the window left: due - now < 0.2 (due - start) ⇔ 4·due + start < 5·now,
        # with the window starting when the case was received (reopening restarts only resolution).
        qs = qs.alias(_risk=4.0 * Epoch("due_at") + Epoch("received_at"))
        at_risk = Q(is_open=True, sla_paused_at__isnull=True, due_at__gte=at, _risk__lt=5 * at.timestamp())
        qs = qs.filter(at_risk) if filters.at_risk else qs.exclude(at_risk)
    if filters.q and "q" not in errors:
        text = filters.q.strip()
        if _CASE_NUMBER_LIKE.match(text):
            qs = qs.filter(number__startswith=text.upper())
        else:
            qs = qs.filter(Q(title__icontains=text) | Q(description__icontains=text) | Q(number=text.upper()))
    if errors:
        raise InvalidInput(errors)
    return qs


def _category_subtree_ids(code: str) -> list[int]:
    ids = list(Category.objects.filter(code=code).values_list("id", flat=True))
    frontier = ids
    for _depth in range(5):  # categories are a shallow tree
        frontier = list(Category.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        if not frontier:
            break
        ids += frontier
    return ids


def _after(keys: tuple[tuple[str, bool], ...], values: list) -> Q:
    """Rows strictly after `values` in the order of `keys`, with the first key also as a plain bound
    so that the database can start the index range there instead of filtering from the top."""
    condition = None
    for (name, descending), value in reversed(list(zip(keys, values, strict=True))):
        step = Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
        condition = step if condition is None else step | (Q(**{name: value}) & condition)
    first, descending = keys[0]
    return Q(**{f"{first}__{'lte' if descending else 'gte'}": values[0]}) & condition


def _key_dump(value):
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _key_load(name: str, value):
    return dt.datetime.fromisoformat(value) if name in {"created_at", "due_at"} else int(value)


def _cursor_make(*, ordering: Ordering, segment: int, row: Complaint, filters: ComplaintFilters) -> str:
    keys = _SEGMENTS[ordering][segment][1]
    payload = {
        "o": ordering.value,
        "s": segment,
        "k": [_key_dump(getattr(row, n)) for n, _d in keys],
        "f": filters.fingerprint(),
    }
    return signing.dumps(payload, salt=_CURSOR_SALT, compress=True)


def _cursor_read(cursor: str, *, ordering: Ordering, filters: ComplaintFilters) -> tuple[int, list]:
    try:
        payload = signing.loads(cursor, salt=_CURSOR_SALT)
        segment = int(payload["s"])
        if segment < 0:
            raise ValueError(segment)
        keys = _SEGMENTS[ordering][segment][1]
        if payload["o"] != ordering.value or payload["f"] != filters.fingerprint():
            raise InvalidInput({"cursor": [_("游标属于另一组筛选条件或排序，请从第一页重新开始")]})
        return segment, [_key_load(name, value) for (name, _d), value in zip(keys, payload["k"], strict=True)]
    except InvalidInput:
        raise
    except (signing.BadSignature, KeyError, TypeError, ValueError, IndexError):
        raise InvalidInput({"cursor": [_("无效的游标，请使用上一页返回的 next_cursor")]}) from None


def complaint_page(
    *,
    user,
    filters: ComplaintFilters,
    ordering: Ordering = Ordering.DEADLINE,
    cursor: str | None = None,
    limit: int = 50,
) -> ComplaintPage:
    """One page of the complaints visible to `user`, filtered and ordered, with the cursor of the next
    page. Stable under inserts: a row is never shown twice nor skipped, whatever is added meanwhile."""
    limit = min(max(limit, 1), LIST_LIMIT_MAX)
    at = now()
    base = _filters_apply(complaints_visible_to(user), user=user, filters=filters, at=at)
    base = base.select_related("org_unit", "category", "assignee")
    segment, after = (0, None) if not cursor else _cursor_read(cursor, ordering=ordering, filters=filters)
    segments = _SEGMENTS[ordering]
    items: list[Complaint] = []
    more = False
    last_segment = segment
    with _search_bounded(active=bool(filters.q)):
        for index in range(segment, len(segments)):
            condition, keys = segments[index]
            qs = base.filter(condition)
            if index == segment and after is not None:
                qs = qs.filter(_after(keys, after))
            order = [f"-{name}" if descending else name for name, descending in keys]
            rows = list(qs.order_by(*order)[: limit - len(items) + 1])
            more = len(rows) > limit - len(items)
            items += rows[: limit - len(items)]
            last_segment = index
            if len(items) >= limit:
                break
    if not more and len(items) >= limit and last_segment + 1 < len(segments):
        more = True  # the next segment may hold rows; an empty last page is possible, never a lost row
    next_cursor = (
        _cursor_make(ordering=ordering, segment=last_segment, row=items[-1], filters=filters)
        if more and items
        else None
    )
    return ComplaintPage(items=items, next_cursor=next_cursor)


def complaint_counts(*, user, filters: dict[str, ComplaintFilters]) -> dict[str, int]:
    """How many cases `complaint_page(user=user, filters=…)` would list for each of `filters` (by name), every
    page together: one statement, a count per set of filters."""
    at = now()
    visible = complaints_visible_to(user)
    parts, params, counts = [], [], {}
    for name, each in filters.items():
        qs = _filters_apply(visible, user=user, filters=each, at=at).order_by().values("pk")
        try:
            sql, values = qs.query.sql_with_params()
        except EmptyResultSet:  # nothing in scope: no statement to count
            counts[name] = 0
            continue
        parts.append((name, f"(SELECT COUNT(*) FROM ({sql}) counted_{len(parts)})"))
        params += values
    if parts:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(sql for _name, sql in parts), params)
            row = cursor.fetchone()
        counts.update({name: int(n) for (name, _sql), n in zip(parts, row, strict=True)})
    return {name: counts[name] for name in filters}


SEARCH_TIMEOUT_MS = 3000


@contextmanager
def _search_bounded(*, active: bool):
    """Text search scans: on PostgreSQL it may take at most SEARCH_TIMEOUT_MS, then the client is
    asked to narrow it (created range, unit, status) instead of the server scanning on."""
    if not active or connection.vendor != "postgresql":
        yield
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(SEARCH_TIMEOUT_MS)])
            yield
    except OperationalError as error:
        if getattr(getattr(error, "__cause__", None), "sqlstate", "") == "57014":
            raise InvalidInput(
                {"q": [_("搜索范围太大，请加上受理时间范围、机构或状态等条件后再搜索")]}
            ) from None
        raise


def complaint_attachments(*, complaint: Complaint, limit: int = 200) -> list[Attachment]:
    return list(complaint.attachments.select_related("uploaded_by").order_by("uploaded_at", "id")[:limit])


def attachment_for_download(*, user, number: str, attachment_id: int) -> Attachment:
    """An attachment of a case the user may see; NotFound otherwise (outside the scope it does not exist)."""
    complaint = access_complaint(user=user, number=number)
    attachment = complaint.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound(_("附件不存在"))
    return attachment


TRANSFER_UNITS_MAX = 1000


def transfer_units(*, complaint: Complaint | None = None) -> list[OrgUnit]:
    """The units case `complaint` can be handed to (complaints.transfers): active units that work cases,
    in tree order, its own unit left out; without a case (a queue's bulk transfer), all of them. Bounded:
    past that, the unit is typed by its code."""
    units = OrgUnit.objects.filter(is_active=True, kind__in=TRANSFER_UNIT_KINDS)
    if complaint is not None:
        units = units.exclude(pk=complaint.org_unit_id)
    return list(units.order_by("path")[:TRANSFER_UNITS_MAX])
