"""The acknowledgement to the customer after intake: channels' after-intake step.

Registered in `ChannelsConfig.ready()` as the step "acknowledgement" with the highest priority
(`tasks.intake.after_intake_step_register`): RQ puts it at the front of the queue, the database queue takes
higher priorities first, so a backlog of analyses (0.2–0.5 s each; on a loaded 2-core machine a few per
second per worker) never holds the customer's message back. But the message states deadlines, and the
steps registered as settling the case (the automatic analysis, `intelligence.tasks.enrich_after_intake`)
may change them (a category with a policy of its own): so the acknowledgement job first runs those for its
own case when nobody has yet (`tasks.intake.after_intake_settle` — one case, a fraction of a second) and
then tells the customer the deadlines the case actually runs to. The enrichment job then finds that case
analysed and does nothing. If the analysis fails here, the acknowledgement still goes out and the
enrichment job does the analysis later.

It does its work in `tasks.intake.outbox_claim`: on Redis, exactly once per case whatever the queue does
(a job sent twice does the work once; a run killed half-way is rolled back and sent again). The
acknowledgement is also unique per case in the notifications (one row per case and template), and its
delivery is claimed by one conditional UPDATE (`notifications.services.notification_deliver`): sent here,
the delivery job the notification queued on its own finds it sent and does nothing.
"""

from django_tasks import task

from complaintdesk.notifications.models import Notification, NotificationStatus
from complaintdesk.notifications.services import notification_deliver
from complaintdesk.tasks.intake import after_intake_settle, outbox_claim

from .acknowledge import complaint_acknowledge


@task()
def acknowledge_after_intake(complaint_id: int) -> str:
    after_intake_settle(complaint_id)  # the deadlines told are those the analysis leaves
    with outbox_claim(task_obj=acknowledge_after_intake, complaint_id=complaint_id) as mine:
        if not mine:
            return "done already or running elsewhere"
        outcome = complaint_acknowledge(complaint_id)
    # Committed: the message is sent now, outside the claim's transaction (a provider may be slow).
    for notification in outcome.results:
        if isinstance(notification, Notification) and notification.status == NotificationStatus.QUEUED:
            notification_deliver(notification_id=notification.pk)
    return outcome.status
