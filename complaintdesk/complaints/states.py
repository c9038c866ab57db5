"""The complaint lifecycle as an explicit transition table. Pure: no Django models, no I/O.

Every change of status goes through `complaints.services.complaint_transition`, which asks
`check_transition` here first. Adding a path through the lifecycle means adding a row below.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    ANALYSING = "analysing", _("分析中")
    HANDLING = "handling", _("处理中")
    AWAITING_CUSTOMER = "awaiting_customer", _("待客户确认")
    RESOLVED = "resolved", _("已解决")
    FOLLOW_UP = "follow_up", _("回访中")
    CLOSED = "closed", _("已归档")
    ESCALATED = "escalated", _("已升级")
    REOPENED = "reopened", _("重新打开")
    WITHDRAWN = "withdrawn", _("已撤诉")


# Cases someone still has to work on; queues and the "open" index cover exactly these.
OPEN_STATUSES = frozenset(
    {
        Status.NEW,
        Status.ACCEPTED,
        Status.ANALYSING,
        Status.HANDLING,
        Status.AWAITING_CUSTOMER,
        Status.ESCALATED,
        Status.REOPENED,
    }
)
TERMINAL_STATUSES = frozenset({Status.WITHDRAWN})


@dataclass(frozen=True)
class Rule:
    permission: str  # codename of a permission on the Complaint model
    stamp: str  # the per-stage timestamp field set when the case enters the target state
    reason_required: bool = False


_HANDLE = "handle_complaint"
_ESCALATE = "escalate_complaint"
_CLOSE = "close_complaint"
_REOPEN = "reopen_complaint"
_WITHDRAW = "withdraw_complaint"


def _to(target: Status, permission: str, reason_required: bool = False) -> tuple[Status, Rule]:
    return target, Rule(permission=permission, stamp=f"{target.value}_at", reason_required=reason_required)


_ESCALATE_TO = _to(Status.ESCALATED, _ESCALATE, reason_required=True)
_WITHDRAW_TO = _to(Status.WITHDRAWN, _WITHDRAW, reason_required=True)
_REOPEN_TO = _to(Status.REOPENED, _REOPEN, reason_required=True)

TRANSITIONS: dict[Status, dict[Status, Rule]] = {
    # A new case can go straight up: a threat to go to the regulator, a group complaint, an objection to
    # an earlier case's result filed as a new one.
    Status.NEW: dict([_to(Status.ACCEPTED, _HANDLE), _ESCALATE_TO, _WITHDRAW_TO]),
    Status.ACCEPTED: dict(
        [_to(Status.ANALYSING, _HANDLE), _to(Status.HANDLING, _HANDLE), _ESCALATE_TO, _WITHDRAW_TO]
    ),
    Status.ANALYSING: dict([_to(Status.HANDLING, _HANDLE), _ESCALATE_TO, _WITHDRAW_TO]),
    Status.HANDLING: dict(
        [
            _to(Status.AWAITING_CUSTOMER, _HANDLE),
            _to(Status.RESOLVED, _HANDLE),
            _ESCALATE_TO,
            _WITHDRAW_TO,
        ]
    ),
    Status.AWAITING_CUSTOMER: dict(
        [_to(Status.HANDLING, _HANDLE), _to(Status.RESOLVED, _HANDLE), _ESCALATE_TO, _WITHDRAW_TO]
    ),
    Status.ESCALATED: dict(
        [
            _to(Status.HANDLING, _HANDLE),
            _to(Status.AWAITING_CUSTOMER, _HANDLE),
            _to(Status.RESOLVED, _HANDLE),
            _WITHDRAW_TO,
        ]
    ),
    Status.RESOLVED: dict([_to(Status.FOLLOW_UP, _CLOSE), _to(Status.CLOSED, _CLOSE), _REOPEN_TO]),
    Status.FOLLOW_UP: dict([_to(Status.CLOSED, _CLOSE), _REOPEN_TO]),
    Status.CLOSED: dict([_REOPEN_TO]),
    Status.REOPENED: dict(
        [_to(Status.ANALYSING, _HANDLE), _to(Status.HANDLING, _HANDLE), _ESCALATE_TO, _WITHDRAW_TO]
    ),
    Status.WITHDRAWN: {},
}

STAMP_FIELDS = tuple(sorted({rule.stamp for rules in TRANSITIONS.values() for rule in rules.values()}))


class IllegalTransition(Exception):
    def __init__(self, current: Status, target: str, allowed: list[Status]):
        self.current, self.target, self.allowed = current, target, allowed
        super().__init__(f"{current} -> {target}")


def allowed_targets(current: Status) -> list[Status]:
    return list(TRANSITIONS[Status(current)])


def check_transition(current: str, target: str) -> Rule:
    """The rule for current → target, or IllegalTransition naming what is allowed instead."""
    current_status = Status(current)
    rules = TRANSITIONS[current_status]
    try:
        return rules[Status(target)]
    except ValueError:
        raise IllegalTransition(current_status, target, list(rules)) from None
    except KeyError:
        raise IllegalTransition(current_status, target, list(rules)) from None


def is_open(status: str) -> bool:
    return Status(status) in OPEN_STATUSES
