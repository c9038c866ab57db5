"""The complaint lifecycle as an explicit transition table. Pure: no Django models, no I/O.

Every change of status goes through `complaints.services.complaint_transition`, which asks
`check_transition` here first. Adding a path through the lifecycle means adding a row below.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactKind(models.TextChoices):
    """What a customer contacted us for. Every kind is a case (number, timeline, access, channels); only a
    complaint runs the whole process (analysis, escalation, statutory clocks, result and survey)."""

    COMPLAINT = "complaint", _("投诉")
    INQUIRY = "inquiry", _("咨询")
    SUGGESTION = "suggestion", _("建议")
    PRAISE = "praise", _("表扬")


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

# The light lifecycles (issue 19). Closing is the handler's to do (handle permission) and says how the contact
# ended (the answer given, where the suggestion went, whom the praise credits): the reason is required.
_ANSWER_CLOSE = _to(Status.CLOSED, _HANDLE, reason_required=True)

# An inquiry answered at first contact closes at once; one that needs looking into is handled, may wait for
# the customer, and closes when answered.
INQUIRY_TRANSITIONS: dict[Status, dict[Status, Rule]] = {
    Status.NEW: dict([_to(Status.HANDLING, _HANDLE), _ANSWER_CLOSE, _WITHDRAW_TO]),
    Status.HANDLING: dict([_to(Status.AWAITING_CUSTOMER, _HANDLE), _ANSWER_CLOSE, _WITHDRAW_TO]),
    Status.AWAITING_CUSTOMER: dict([_to(Status.HANDLING, _HANDLE), _ANSWER_CLOSE, _WITHDRAW_TO]),
    Status.CLOSED: dict([_REOPEN_TO]),
    Status.REOPENED: dict([_to(Status.HANDLING, _HANDLE), _ANSWER_CLOSE, _WITHDRAW_TO]),
    Status.WITHDRAWN: {},
}
# A suggestion is acknowledged (accepted), routed to the unit that owns the subject (handling: with the
# owner), and closed with what became of it.
SUGGESTION_TRANSITIONS: dict[Status, dict[Status, Rule]] = {
    Status.NEW: dict([_to(Status.ACCEPTED, _HANDLE), _WITHDRAW_TO]),
    Status.ACCEPTED: dict([_to(Status.HANDLING, _HANDLE), _ANSWER_CLOSE]),
    Status.HANDLING: dict([_ANSWER_CLOSE]),
    Status.CLOSED: dict([_REOPEN_TO]),
    Status.REOPENED: dict([_to(Status.HANDLING, _HANDLE), _ANSWER_CLOSE]),
    Status.WITHDRAWN: {},
}
# Praise is acknowledged (accepted) and closed once credited to the person or unit praised.
PRAISE_TRANSITIONS: dict[Status, dict[Status, Rule]] = {
    Status.NEW: dict([_to(Status.ACCEPTED, _HANDLE), _ANSWER_CLOSE]),
    Status.ACCEPTED: dict([_ANSWER_CLOSE]),
    Status.CLOSED: dict([_REOPEN_TO]),
    Status.REOPENED: dict([_ANSWER_CLOSE]),
    Status.WITHDRAWN: {},
}

TRANSITIONS_BY_KIND: dict[ContactKind, dict[Status, dict[Status, Rule]]] = {
    ContactKind.COMPLAINT: TRANSITIONS,
    ContactKind.INQUIRY: INQUIRY_TRANSITIONS,
    ContactKind.SUGGESTION: SUGGESTION_TRANSITIONS,
    ContactKind.PRAISE: PRAISE_TRANSITIONS,
}

# What a status is called for a kind where the complaint's word would be wrong ("已归档" for an answered
# inquiry); statuses not listed keep their own label.
KIND_STATUS_LABELS: dict[ContactKind, dict[Status, str]] = {
    ContactKind.INQUIRY: {
        Status.HANDLING: _("解答中"),
        Status.CLOSED: _("已答复"),
        Status.WITHDRAWN: _("已撤回"),
    },
    ContactKind.SUGGESTION: {
        Status.ACCEPTED: _("已确认收到"),
        Status.HANDLING: _("已转负责部门"),
        Status.CLOSED: _("已办结"),
        Status.WITHDRAWN: _("已撤回"),
    },
    ContactKind.PRAISE: {
        Status.ACCEPTED: _("已确认收到"),
        Status.CLOSED: _("已记入表扬"),
        Status.WITHDRAWN: _("已撤回"),
    },
}

STAMP_FIELDS = tuple(
    sorted(
        {
            rule.stamp
            for table in TRANSITIONS_BY_KIND.values()
            for rules in table.values()
            for rule in rules.values()
        }
    )
)


class IllegalTransition(Exception):
    def __init__(self, current: Status, target: str, allowed: list[Status]):
        self.current, self.target, self.allowed = current, target, allowed
        super().__init__(f"{current} -> {target}")


def transitions_for(kind: str = ContactKind.COMPLAINT) -> dict[Status, dict[Status, Rule]]:
    return TRANSITIONS_BY_KIND[ContactKind(kind or ContactKind.COMPLAINT)]


def allowed_targets(current: Status, kind: str = ContactKind.COMPLAINT) -> list[Status]:
    return list(transitions_for(kind).get(Status(current), {}))


def check_transition(current: str, target: str, kind: str = ContactKind.COMPLAINT) -> Rule:
    """The rule for current → target in the lifecycle of `kind`, or IllegalTransition naming what is
    allowed instead."""
    current_status = Status(current)
    rules = transitions_for(kind).get(current_status, {})
    try:
        return rules[Status(target)]
    except ValueError:
        raise IllegalTransition(current_status, target, list(rules)) from None
    except KeyError:
        raise IllegalTransition(current_status, target, list(rules)) from None


def is_open(status: str) -> bool:
    return Status(status) in OPEN_STATUSES


def status_label(status: str, kind: str = ContactKind.COMPLAINT) -> str:
    """The status in words for a contact of `kind`."""
    word = KIND_STATUS_LABELS.get(ContactKind(kind or ContactKind.COMPLAINT), {}).get(Status(status))
    return str(word if word is not None else Status(status).label)


# A status as the customer reads it (the portal's pages, the messages we send), where the staff's word would
# contradict what we already told them: the acknowledgement says "您的投诉已受理", so neither the page nor a
# message's status line may answer "待受理" (waiting to be accepted).
CUSTOMER_STATUS_WORDS: dict[str, object] = {
    Status.NEW: _("已登记，等待处理"),
}


def customer_status_label(status: str, kind: str | None = ContactKind.COMPLAINT) -> str:
    """The status of a contact of `kind` in the customer's words (`status_label` where they are the
    same)."""
    word = CUSTOMER_STATUS_WORDS.get(status)
    return str(word) if word is not None else status_label(status, kind or ContactKind.COMPLAINT)


def runs_complaint_process(kind: str) -> bool:
    """Whether the complaint-only stages (escalation ladder, statutory clocks, result, surveys) apply."""
    return (kind or ContactKind.COMPLAINT) == ContactKind.COMPLAINT


def kind_change_status(*, status: str, to_kind: str) -> Status | None:
    """Where a case stands after it becomes `to_kind`: its status if that kind's lifecycle has it, else
    None (the change is refused: the case must first be moved to a status both lifecycles share)."""
    current = Status(status)
    return current if current in transitions_for(to_kind) else None
