"""What follows an intake, as one queued task: enrichment, then the acknowledgement to the customer.

The acknowledgement waits for the enrichment because it makes promises (when we will first contact the
customer, when they will hear the result) that the automatic analysis may change: the customer is told the
deadlines as they stand after it, never a time contradicted a second later. Enrichment failing does not
hold the acknowledgement back (each step runs whatever the other did).

One task row per intake instead of one per step (half the queue writes on the busiest path). Each step
is still its own task (`channels.tasks.acknowledge_complaint`, `intelligence.tasks.enrich_complaint`)
and runs here through `Task.call`. A step that raises does not stop the other: it is logged and queued
again on its own, so it is retried (and shows as failed, if it fails again) by itself, as when each had
its own row; the acknowledgement is idempotent per case (notifications), enrichment can be rerun.
Only when that re-queueing fails too does this task fail, so the queue shows it and it can be rerun.
"""

import datetime as dt
import logging

from django.apps import apps
from django.db import transaction
from django_tasks import task

from complaintdesk.common.time import now

from .models import AfterIntakePending

logger = logging.getLogger(__name__)

RESEND_AFTER = dt.timedelta(minutes=2)  # an after-intake job not run by then is sent again
RESEND_BATCH = 500


def after_intake_steps() -> list:
    """The steps in order: analysis first (it may move the deadlines), then the customer hears them."""
    from complaintdesk.channels.tasks import acknowledge_complaint

    steps = []
    if apps.is_installed("complaintdesk.intelligence"):
        from complaintdesk.intelligence.tasks import enrich_complaint

        steps.append(enrich_complaint)
    steps.append(acknowledge_complaint)
    return steps


@task()
def after_intake(complaint_id: int) -> dict:
    """Queued by `channels.intake.after_intake_queue`. Returns each step's result, or how it failed."""
    outcome: dict[str, object] = {}
    for step in after_intake_steps():
        name = step.name
        try:
            outcome[name] = step.call(complaint_id)
        except Exception as error:
            logger.exception("%s of complaint %s failed; queued again on its own", name, complaint_id)
            step.enqueue(complaint_id)
            outcome[name] = f"failed ({type(error).__name__}), queued again on its own"
    AfterIntakePending.objects.filter(
        complaint_id=complaint_id
    ).delete()  # the outbox row, on queues outside the DB
    return outcome


def after_intake_resend(*, at: dt.datetime | None = None) -> int:
    """Send `after_intake` again for the cases whose job was written to the outbox more than
    RESEND_AFTER ago and has not run (Redis was down, the process died before sending). Called by the
    periodic sweep. Returns how many were sent; stops at the first send that fails (the queue is still
    down: the next sweep tries again)."""
    at = at or now()
    sent = 0
    with transaction.atomic():
        rows = list(
            AfterIntakePending.objects.select_for_update(skip_locked=True)
            .filter(queued_at__lte=at - RESEND_AFTER)
            .order_by("queued_at")[:RESEND_BATCH]
        )
        for row in rows:
            # Stamped first: the job may run (and delete the row) before enqueue returns.
            AfterIntakePending.objects.filter(pk=row.pk).update(queued_at=at, attempts=row.attempts + 1)
            try:
                after_intake.enqueue(row.complaint_id)
            except Exception:
                logger.exception("after-intake job of complaint %s still cannot be queued", row.complaint_id)
                break
            sent += 1
    if sent:
        logger.warning("sent the after-intake job again for %d case(s) whose job had not run", sent)
    return sent
