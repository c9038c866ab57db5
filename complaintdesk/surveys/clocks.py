"""The follow-up (回访) clock, as an SLA timer (kind `follow_up`, one clock per task: subject "F<id>").

The task itself is created by the resolving transition (`follow_ups.follow_up_on_transition`, a
complaints.services transition hook), with its due and warning times stored on it: the SLA policy's
`follow_up` after the resolution (default "7d": calendar days) and the policy's warning share (80 %).
This provider, registered with `sla.services.clock_provider_register`, only reads: while the case is
resolved, in follow-up or archived, its open task for the current resolution is a timer; in any other state
there is none (so reopening or withdrawing cancels it in the same refresh). Archiving a case whose
follow-up is still due does not drop it: the task, its timer and its place in the follow-up queue stay
until the call is recorded. Not one of the case's own
deadlines (`counts_for_due_at=False`). Nothing is read for cases in other states.
"""

from __future__ import annotations

from complaintdesk.complaints.states import Status
from complaintdesk.sla.clocks import ClockContribution, TimerSpec
from complaintdesk.sla.models import TimerKind

from .models import FollowUp, FollowUpState

SUBJECT_PREFIX = "F"
# A due follow-up survives archiving (closed): see follow_ups.follow_up_on_transition.
FOLLOW_UP_STATUSES = frozenset({Status.RESOLVED, Status.FOLLOW_UP, Status.CLOSED})
ENDING_STATUSES = frozenset({Status.REOPENED, Status.WITHDRAWN})


def follow_up_subject(follow_up_id: int) -> str:
    return f"{SUBJECT_PREFIX}{follow_up_id}"


def follow_up_of_subject(subject: str) -> int | None:
    rest = subject[len(SUBJECT_PREFIX) :] if subject.startswith(SUBJECT_PREFIX) else ""
    return int(rest) if rest.isdigit() else None


def follow_up_clocks(context) -> ClockContribution:
    complaint = context.complaint
    if not complaint.pk or complaint.status not in FOLLOW_UP_STATUSES or complaint.resolved_at is None:
        return ClockContribution()
    task = (
        FollowUp.objects.filter(
            complaint_id=complaint.pk, state=FollowUpState.OPEN, resolved_at=complaint.resolved_at
        )
        .only("id", "resolved_at", "due_at", "warn_at", "deadline_provisional")
        .first()
    )
    if task is None:
        return ClockContribution()
    return ClockContribution(
        timers=(
            TimerSpec(
                kind=TimerKind.FOLLOW_UP,
                subject=follow_up_subject(task.pk),
                started_at=task.resolved_at,
                due_at=task.due_at,
                warn_at=task.warn_at,
                provisional=task.deadline_provisional,
                counts_for_due_at=False,
            ),
        )
    )
