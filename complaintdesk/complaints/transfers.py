"""转办: an open case handed to the unit responsible for it (a branch, store, franchise, department or the
customer service centre), as a central desk does with what it receives (web form, WeChat, e-mail).

The case changes unit, not clocks: the customer's deadlines stay as they were (the time limit counts from
receipt, wherever the case goes). The receiving unit's queue takes it (the handler is cleared) and the
sending unit sees it no more, unless the new unit is under its own. What follows a case's unit follows by
itself: the scope of every list (complaints.access), the archive's entry (archive keeps it with the case's
unit), the analytics fact (the timeline event brings the case to the next sync). The people of the
receiving unit are told through the transfer hooks (dispatch.notify, in the transfer's transaction).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from complaintdesk.common.errors import InvalidInput
from complaintdesk.common.time import now
from complaintdesk.orgs.models import OrgUnit, UnitKind
from complaintdesk.orgs.selectors import orgunit_active_by_code

from .access import access_complaint
from .models import Complaint, ComplaintEvent, EventKind
from .saves import complaint_save
from .states import Status
from .timeline import event_record
from .validation import REASON_MAX, text_validated

# Units a case can be handed to: those that work cases. Not the head office nor a region (nobody works a
# queue there: a case left there goes unseen).
TRANSFER_UNIT_KINDS = (
    UnitKind.SERVICE_CENTRE,
    UnitKind.BRANCH,
    UnitKind.STORE,
    UnitKind.FRANCHISE,
    UnitKind.DEPARTMENT,
)

# Who hears that a case was handed to their unit. hook(*, complaint, from_unit, actor, reason), called in the
# transfer's transaction once the case is saved; a hook that raises rolls the transfer back.
TransferHook = Callable[..., None]
_TRANSFER_HOOKS: list[TransferHook] = []


def transfer_hook_register(hook: TransferHook) -> None:
    """Called from an AppConfig.ready()."""
    if hook not in _TRANSFER_HOOKS:
        _TRANSFER_HOOKS.append(hook)


@dataclass(frozen=True)
class Transferred:
    complaint: Complaint  # in its new unit
    event: ComplaintEvent  # the timeline's 转办 line


def _target_unit(unit_code: str, complaint: Complaint, errors: dict) -> OrgUnit | None:
    code = (unit_code or "").strip() if isinstance(unit_code, str) else ""
    if not code:
        errors["unit"] = [_("请选择转办到哪个机构")]
        return None
    unit = orgunit_active_by_code(code)
    if unit is None:
        errors["unit"] = [_("未知的机构编码：%(code)s") % {"code": code}]
        return None
    if unit.kind not in TRANSFER_UNIT_KINDS:
        errors["unit"] = [_("%(unit)s不直接办理投诉，请选择具体的分公司、门店或部门") % {"unit": unit.name}]
        return None
    if unit.pk == complaint.org_unit_id:
        errors["unit"] = [_("这件投诉已经在%(unit)s") % {"unit": unit.name}]
        return None
    return unit


@transaction.atomic
def complaint_transfer(*, number: str, actor, unit_code: str, reason: str) -> Transferred:
    """Hand open case `number` to the unit `unit_code` on behalf of `actor` (who needs the transfer
    permission and must see the case; the receiving unit may be outside the actor's own units — that is
    what a central desk does). The reason is required and goes on the timeline: "转办 总部 → 上海分公司".
    The handler is cleared: the new unit's queue takes the case. Deadlines are kept as they are."""
    complaint = access_complaint(user=actor, number=number, permission="transfer_complaint", for_update=True)
    if not complaint.is_open:
        raise InvalidInput({"status": [_("已办结或已归档的投诉不能转办")]})
    if complaint.status == Status.ESCALATED:
        # On a level of the ladder the level's holder has it; the ladder is the unit's, so it goes back first.
        raise InvalidInput({"status": [_("已升级的投诉由升级承接人处理，不能转办；请先退回一线")]})
    errors: dict[str, list[str]] = {}
    unit = _target_unit(unit_code, complaint, errors)
    try:
        reason = text_validated(reason or "", field="reason", limit=REASON_MAX, required=True)
    except InvalidInput as problem:
        errors.update(problem.fields)
    if errors:
        raise InvalidInput(errors)
    at = now()
    from_unit = complaint.org_unit
    event = event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.TRANSFERRED,
        at=at,
        field="org_unit",
        old=from_unit.name,
        new=unit.name,  # the unit in words on the timeline, never its code
        reason=reason,
    )
    complaint.org_unit = unit
    complaint.assignee = None
    complaint.updated_at = at
    complaint_save(complaint, ["org_unit", "assignee", "updated_at"])
    for hook in _TRANSFER_HOOKS:
        hook(complaint=complaint, from_unit=from_unit, actor=actor, reason=reason)
    return Transferred(complaint=complaint, event=event)


__all__ = ["TRANSFER_UNIT_KINDS", "Transferred", "complaint_transfer", "transfer_hook_register"]
