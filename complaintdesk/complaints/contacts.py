"""Contacts that are not complaints (issue 19): the kind changed, a suggestion routed, praise credited.

Every contact is a `Complaint` row with its `kind` (states.ContactKind): the number, the timeline, the
channels and the access scope are the same; the lifecycle is the kind's (states.TRANSITIONS_BY_KIND).
Each service here is one transaction on a case loaded through access_complaint, with a timeline event.
"""

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import User
from complaintdesk.common.errors import InvalidInput
from complaintdesk.common.time import now
from complaintdesk.orgs.selectors import orgunit_active_by_code

from . import states
from .access import access_complaint
from .clocks import case_clocks
from .models import Complaint, EventKind
from .services import (
    _columns,
    _deadline_snapshot,
    _deadlines_recorded_and_saved,
    assign_apply,
    status_change_apply,
)
from .states import ContactKind, Status
from .timeline import event_record, events_record_changes
from .validation import REASON_MAX, text_validated


@transaction.atomic
def complaint_kind_change(*, number: str, actor, to: str, reason: str = "") -> Complaint:
    """Turn contact `number` into another kind, keeping its number and timeline: an inquiry that turns
    out to be a complaint, or a complaint that is really an inquiry (away from "complaint" a reason is
    required). Only an open case changes kind, in a status both lifecycles have; its clocks follow the
    new kind."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    if to not in ContactKind.values:
        raise InvalidInput({"kind": [_("未知的联系类型：%(kind)s") % {"kind": to}]})
    if to == complaint.kind:
        raise InvalidInput({"kind": [_("已经是“%(kind)s”") % {"kind": ContactKind(to).label}]})
    reason = text_validated(
        reason or "", field="reason", limit=REASON_MAX, required=complaint.kind == ContactKind.COMPLAINT
    )
    if not complaint.is_open:
        raise InvalidInput({"kind": [_("已结束的联系不能变更类型，请先重新打开")]})
    status = states.kind_change_status(status=complaint.status, to_kind=to)
    if status is None:
        raise InvalidInput(
            {
                "kind": [
                    _("当前状态“%(status)s”下不能转为“%(kind)s”")
                    % {
                        "status": states.status_label(complaint.status, complaint.kind),
                        "kind": ContactKind(to).label,
                    }
                ]
            }
        )
    at = now()
    columns = _columns(complaint)
    deadlines_before = _deadline_snapshot(complaint)
    before = {"kind": complaint.kind}
    complaint.kind = to
    events_record_changes(
        complaint=complaint, actor=actor, at=at, before=before, kind=EventKind.KIND_CHANGED, reason=reason
    )
    case_clocks().refresh(complaint=complaint, at=at)
    _deadlines_recorded_and_saved(
        complaint=complaint, actor=actor, at=at, before=deadlines_before, columns=columns,
        reason=_("联系类型变更后重算时限"),
    )  # fmt: skip
    return complaint


# Who hears that a suggestion was routed (dispatch.notify: the owner unit's staff, in their inbox), in the
# route's own transaction once the case is saved. hook(*, complaint, unit, actor, reason).
RouteHook = Callable[..., None]
_ROUTE_HOOKS: list[RouteHook] = []


def suggestion_route_hook_register(hook: RouteHook) -> None:
    """Called from an AppConfig.ready(); a hook that raises rolls the routing back."""
    if hook not in _ROUTE_HOOKS:
        _ROUTE_HOOKS.append(hook)


@transaction.atomic
def suggestion_route(*, number: str, actor, unit_code: str, reason: str = "") -> Complaint:
    """Send suggestion `number` to the unit that owns its subject. An acknowledged suggestion moves on to
    "with the owner" (handling); routing it again names the new owner. The owner unit sees the case from
    then on (complaints.access) and it waits in that unit's queue: a handler who is not of the owner unit
    gives it up (an assignment event), and the unit's staff are told (the route hooks)."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    if complaint.kind != ContactKind.SUGGESTION:
        raise InvalidInput({"kind": [_("只有建议需要转交负责部门")]})
    if not complaint.is_open:
        raise InvalidInput({"owner_unit": [_("这条建议已办结")]})
    unit = orgunit_active_by_code(unit_code or "")
    if unit is None:
        raise InvalidInput({"owner_unit": [_("未知的机构编码：%(code)s") % {"code": unit_code}]})
    if unit.pk == complaint.owner_unit_id:
        raise InvalidInput({"owner_unit": [_("这条建议已经在%(unit)s") % {"unit": unit.name}]})
    reason = text_validated(reason or "", field="reason", limit=REASON_MAX)
    at = now()
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.ROUTED,
        at=at,
        field="owner_unit",
        old=complaint.owner_unit.name if complaint.owner_unit_id else "",
        new=unit.name,  # the unit in words on the timeline, never its code
        reason=reason,
    )
    complaint.owner_unit = unit
    complaint.updated_at = at
    complaint.save(update_fields=["owner_unit", "updated_at"])
    if complaint.status in (Status.ACCEPTED, Status.REOPENED):
        status_change_apply(complaint=complaint, actor=actor, to=Status.HANDLING, reason=reason)
    handler = complaint.assignee
    if handler is not None and not (handler.org_unit_id and _in_unit(handler, unit)):
        assign_apply(
            complaint=complaint,
            actor=actor,
            assignee=None,
            reason=_("建议已转交%(unit)s") % {"unit": unit.name},
        )
    for hook in _ROUTE_HOOKS:
        hook(complaint=complaint, unit=unit, actor=actor, reason=reason)
    return complaint


def _in_unit(user, unit) -> bool:
    """Whether `user` works in `unit` or under it (the owner unit's own people keep the case)."""
    return user.org_unit_id == unit.pk or (
        user.org_unit is not None and user.org_unit.path.startswith(unit.path)
    )


@transaction.atomic
def praise_credit(
    *, number: str, actor, username: str = "", employee_no: str = "", unit_code: str = "", note: str = ""
) -> Complaint:
    """Credit praise `number` to the member of staff (by username or staff number) and/or the unit
    praised; the scorecard counts it for them."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint", for_update=True)
    if complaint.kind != ContactKind.PRAISE:
        raise InvalidInput({"kind": [_("只有表扬可以记入人员或机构")]})
    errors: dict[str, list[str]] = {}
    user = None
    username, employee_no = (username or "").strip(), (employee_no or "").strip()
    if username or employee_no:
        lookup = {"username": username} if username else {"employee_no": employee_no}
        user = User.objects.filter(is_active=True, **lookup).order_by("id").first()
        if user is None:
            errors["credited_user"] = [_("没有这位员工：%(who)s") % {"who": username or employee_no}]
    unit = None
    if unit_code:
        unit = orgunit_active_by_code(unit_code)
        if unit is None:
            errors["credited_unit"] = [_("未知的机构编码：%(code)s") % {"code": unit_code}]
    if not (username or employee_no or unit_code):
        errors["credited_user"] = [_("请填写受表扬的人员或机构")]
    if errors:
        raise InvalidInput(errors)
    note = text_validated(note or "", field="note", limit=REASON_MAX)
    at = now()
    if unit is None and user is not None and complaint.credited_unit_id is None:
        unit = user.org_unit  # the person's unit shares the praise
    changed = []
    for field_name, value in (("credited_user", user), ("credited_unit", unit)):
        old = getattr(complaint, field_name)
        if value is None or old == value:
            continue
        event_record(
            complaint=complaint,
            actor=actor,
            kind=EventKind.CREDITED,
            at=at,
            field=field_name,
            old=_who(old),
            new=_who(value),
            reason=note,
        )
        setattr(complaint, field_name, value)
        changed.append(field_name)
    complaint.updated_at = at
    complaint.save(update_fields=[*changed, "updated_at"])
    return complaint


def _who(value) -> str:
    """A person or a unit as the timeline keeps it: the name people know, never a code."""
    if value is None:
        return ""
    return getattr(value, "display_name", "") or getattr(value, "name", "") or getattr(value, "username", "")


__all__ = [
    "complaint_kind_change",
    "praise_credit",
    "suggestion_route",
    "suggestion_route_hook_register",
]
