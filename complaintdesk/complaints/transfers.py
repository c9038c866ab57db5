"""转办: an open case handed to the unit responsible for it (a branch, store, franchise, department or the
customer service centre), as a central desk does with what it receives (web form, WeChat, e-mail).

The case changes unit, not clocks: the customer's deadlines stay as they were (the time limit counts from
receipt, wherever the case goes). The receiving unit's queue takes it (the handler is cleared) and the
sending unit sees it no more, unless the new unit is under its own. What follows a case's unit follows by
itself: the scope of every list (complaints.access), the archive's entry (archive keeps it with the case's
unit), the analytics fact (the timeline event brings the case to the next sync). The people of the
receiving unit are told through the transfer hooks (dispatch.notify, in the transfer's transaction).

A queue's selection goes with `complaint_transfer_many`: the same rules case by case, the refused ones
reported and left untouched, the receiving unit told once of all the cases that moved.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from complaintdesk.common.errors import DomainError, InvalidInput, NotFound, PermissionDenied
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

# Who hears that cases were handed to their unit. hook(*, transfers: list[Transferred], actor, reason), called
# in the transfer's transaction once the cases are saved: with one case for `complaint_transfer`, with every
# case moved for `complaint_transfer_many` (all to the same unit, one reason). A hook that raises rolls the
# transfer back.
TransferHook = Callable[..., None]
_TRANSFER_HOOKS: list[TransferHook] = []
# Cases at most in one bulk transfer (a queue page holds 50).
TRANSFER_MANY_MAX = 100


def transfer_hook_register(hook: TransferHook) -> None:
    """Called from an AppConfig.ready()."""
    if hook not in _TRANSFER_HOOKS:
        _TRANSFER_HOOKS.append(hook)


@dataclass(frozen=True)
class Transferred:
    complaint: Complaint  # in its new unit
    event: ComplaintEvent  # the timeline's 转办 line
    from_unit: OrgUnit


@dataclass(frozen=True)
class TransferRefusal:
    number: str
    reasons: list[str]  # in words


@dataclass(frozen=True)
class TransferredMany:
    unit: OrgUnit  # where they went
    done: list[Transferred]
    refused: list[TransferRefusal]


def _inputs(unit_code: str, reason: str, *, complaint: Complaint | None = None) -> tuple[OrgUnit, str]:
    """The receiving unit and the reason, or InvalidInput saying what is wrong with them (and, for a
    `complaint`, that it is in that unit already)."""
    errors: dict[str, list[str]] = {}
    unit = _target_unit(unit_code, errors)
    if unit is not None and complaint is not None and unit.pk == complaint.org_unit_id:
        errors["unit"] = [_already_there(unit)]
    if not isinstance(reason, str) or not reason.strip():
        errors["reason"] = [_("请填写转办原因")]
    else:
        try:
            reason = text_validated(reason, field="reason", limit=REASON_MAX, required=True)
        except InvalidInput as problem:
            errors.update(problem.fields)
    if errors:
        raise InvalidInput(errors)
    return unit, reason


def _already_there(unit: OrgUnit) -> str:
    return _("这件投诉已经在%(unit)s") % {"unit": unit.name}


def _target_unit(unit_code: str, errors: dict) -> OrgUnit | None:
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
    return unit


def _transferable(*, number: str, actor) -> Complaint:
    """Case `number`, locked, when `actor` may transfer it in its state (else the domain error saying why)."""
    complaint = access_complaint(user=actor, number=number, permission="transfer_complaint", for_update=True)
    if refusal := transfer_refusal(complaint):
        raise InvalidInput({"status": [refusal]})
    return complaint


def transfer_refusal(complaint: Complaint) -> str | None:
    """Why the case cannot be transferred in its state, in words; None when it can."""
    if not complaint.is_open:
        return _("已办结或已归档的投诉不能转办")
    if complaint.status == Status.ESCALATED:
        # On a level of the ladder the level's holder has it; the ladder is the unit's, so it goes back first.
        return _("已升级的投诉由升级承接人处理，不能转办；请先退回一线")
    return None


def _move(*, complaint: Complaint, actor, unit: OrgUnit, reason: str) -> Transferred:
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
    return Transferred(complaint=complaint, event=event, from_unit=from_unit)


def _tell(transfers: list[Transferred], *, actor, reason: str) -> None:
    for hook in _TRANSFER_HOOKS:
        hook(transfers=transfers, actor=actor, reason=reason)


@transaction.atomic
def complaint_transfer(*, number: str, actor, unit_code: str, reason: str) -> Transferred:
    """Hand open case `number` to the unit `unit_code` on behalf of `actor` (who needs the transfer
    permission and must see the case; the receiving unit may be outside the actor's own units — that is
    what a central desk does). The reason is required and goes on the timeline: "转办 总部 → 上海分公司".
    The handler is cleared: the new unit's queue takes the case. Deadlines are kept as they are."""
    complaint = _transferable(number=number, actor=actor)
    unit, reason = _inputs(unit_code, reason, complaint=complaint)
    transferred = _move(complaint=complaint, actor=actor, unit=unit, reason=reason)
    _tell([transferred], actor=actor, reason=reason)
    return transferred


@transaction.atomic
def complaint_transfer_many(*, numbers: list[str], actor, unit_code: str, reason: str) -> TransferredMany:
    """转办 of several cases (a queue's selection) to one unit with one reason: each case through the rules
    of `complaint_transfer`, in a savepoint of its own, so a refused case is left exactly as it was and is
    reported by number with the reasons in words, while the others move. The receiving unit is told once,
    of every case that moved (the transfer hooks get them together). The unit and the reason are checked
    first: when they are wrong, no case is touched (InvalidInput, as for one case)."""
    if not actor.has_perm("complaints.transfer_complaint"):
        raise PermissionDenied(_("您没有权限执行此操作"), code="permission_denied")
    wanted = list(dict.fromkeys(n.strip() for n in numbers if isinstance(n, str) and n.strip()))
    errors: dict[str, list[str]] = {}
    if not wanted:
        errors["numbers"] = [_("请先勾选投诉单")]
    elif len(wanted) > TRANSFER_MANY_MAX:
        errors["numbers"] = [_("一次最多转办 %(n)d 张投诉单") % {"n": TRANSFER_MANY_MAX}]
    try:
        unit, reason = _inputs(unit_code, reason)
    except InvalidInput as problem:
        errors.update(problem.fields)
    if errors:
        raise InvalidInput(errors)
    done: list[Transferred] = []
    refused: list[TransferRefusal] = []
    for number in wanted:
        try:
            with transaction.atomic():
                complaint = _transferable(number=number, actor=actor)
                if complaint.org_unit_id == unit.pk:
                    raise InvalidInput({"unit": [_already_there(unit)]})
                done.append(_move(complaint=complaint, actor=actor, unit=unit, reason=reason))
        except NotFound:
            refused.append(TransferRefusal(number, [_("未找到这张投诉单")]))
        except DomainError as problem:
            refused.append(TransferRefusal(number, problem.reasons))
    if done:
        _tell(done, actor=actor, reason=reason)
    return TransferredMany(unit=unit, done=done, refused=refused)


__all__ = [
    "TRANSFER_MANY_MAX",
    "TRANSFER_UNIT_KINDS",
    "TransferRefusal",
    "Transferred",
    "TransferredMany",
    "complaint_transfer",
    "complaint_transfer_many",
    "transfer_hook_register",
    "transfer_refusal",
]
