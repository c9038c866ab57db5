"""What follows an intake, as one queued task: the acknowledgement to the customer, then enrichment.

One task row per intake instead of one per step (half the queue writes on the busiest path). Each step
is still its own task (`channels.tasks.acknowledge_complaint`, `intelligence.tasks.enrich_complaint`)
and runs here through `Task.call`. A step that raises does not stop the other: it is logged and queued
again on its own, so it is retried (and shows as failed, if it fails again) by itself, as when each had
its own row; the acknowledgement is idempotent per case (notifications), enrichment can be rerun.
Only when that re-queueing fails too does this task fail, so the queue shows it and it can be rerun.
"""

import logging

from django.apps import apps
from django_tasks import task

logger = logging.getLogger(__name__)


def after_intake_steps() -> list:
    """The steps in order: the customer hears first; analysis follows."""
    from complaintdesk.channels.tasks import acknowledge_complaint

    steps = [acknowledge_complaint]
    if apps.is_installed("complaintdesk.intelligence"):
        from complaintdesk.intelligence.tasks import enrich_complaint

        steps.append(enrich_complaint)
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
    return outcome
